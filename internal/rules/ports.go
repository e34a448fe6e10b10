package rules

import "github.com/mqguard/mqguard/internal/model"

// BrokerPort is a TCP port Amazon MQ opens on a broker of one engine.
type BrokerPort struct {
	Port int64
	// Use names what listens on the port.
	Use string
	// Since is the first engine version line (major.minor) that opens the port; empty when every
	// version does.
	Since string
}

// brokerPorts is RULES.md's "Broker ports" table (Amazon MQ, November 2026). Every port is TCP.
// Update it when Amazon MQ opens a new listener; nothing else needs to change.
var brokerPorts = map[string][]BrokerPort{
	model.EngineActiveMQ: {
		{Port: 61617, Use: "OpenWire"},
		{Port: 5671, Use: "AMQP"},
		{Port: 61614, Use: "STOMP"},
		{Port: 8883, Use: "MQTT"},
		{Port: 61619, Use: "WSS"},
		{Port: 8162, Use: "web console"},
	},
	model.EngineRabbitMQ: {
		{Port: 5671, Use: "AMQPS"},
		{Port: 443, Use: "management"},
		{Port: 15671, Use: "management"},
		{Port: 16001, Use: "metrics", Since: "4.2"},
	},
}

// BrokerPorts returns a copy of the broker ports of an engine (canonical name).
func BrokerPorts(engine string) []BrokerPort {
	return append([]BrokerPort(nil), brokerPorts[model.NormalizeEngine(engine)]...)
}

// opens reports whether a broker of this engine version listens on p: Maybe when p depends on the
// version and the version is unknown or unreadable.
func (p BrokerPort) opens(version model.String) Tri {
	if p.Since == "" {
		return Yes
	}
	if !version.Known() {
		return Maybe
	}
	v, ok := ParseVersion(version.V)
	since, _ := ParseVersion(p.Since)
	switch {
	case !ok:
		return Maybe
	case v.AtLeast(since.Major, since.Minor):
		return Yes
	default:
		return No
	}
}

// brokerPortInRange reports whether the broker listens on a TCP port in [from, to], and the first
// such port. When the engine is unknown it answers Yes only if every engine listens in the range.
func brokerPortInRange(b *model.Broker, from, to int64) (Tri, BrokerPort) {
	inRange := func(engine string) (Tri, BrokerPort) {
		best, port := No, BrokerPort{}
		for _, p := range brokerPorts[engine] {
			if p.Port < from || p.Port > to {
				continue
			}
			switch p.opens(b.EngineVersion) {
			case Yes:
				return Yes, p
			case Maybe:
				best, port = Maybe, p
			}
		}
		return best, port
	}
	if b.Engine.Known() {
		return inRange(model.NormalizeEngine(b.Engine.V))
	}
	a, pa := inRange(model.EngineActiveMQ)
	r, pr := inRange(model.EngineRabbitMQ)
	switch {
	case a == Yes && r == Yes:
		return Yes, pa
	case a == No && r == No:
		return No, BrokerPort{}
	case a != No:
		return Maybe, pa
	default:
		return Maybe, pr
	}
}
