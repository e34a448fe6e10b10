package rules

import (
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// NotApplicableTo returns the N/A result of a rule that does not apply to the broker because
// of where the broker runs: a rule about Amazon MQ's own settings (SelfManaged false) on a
// self-managed broker. It returns nil when the rule applies; the engine calls it before the
// engine check and Check.
func (r *Rule) NotApplicableTo(b *model.Broker) []Result {
	if b.IsSelfManaged() && !r.SelfManaged {
		return notApplicable("The rule is about a setting of Amazon MQ brokers; this broker is self-managed ("+
			string(b.ID.Source)+").", b.ID.At)
	}
	return nil
}

// rabbitSettings returns a RabbitMQ broker's settings: the self-managed ones (files or
// management API), else the parsed body of the Amazon MQ configuration it uses; nil when none.
func rabbitSettings(b *model.Broker) *model.RabbitMQSettings {
	if sm := b.SelfManaged; sm != nil && sm.RabbitMQ != nil {
		return sm.RabbitMQ
	}
	if b.Configuration != nil && b.Configuration.Config != nil && b.Configuration.Config.Data != model.Unknown {
		return b.Configuration.Config.RabbitMQ
	}
	return nil
}

// activeMQInstall returns a self-managed ActiveMQ broker's installation data, or nil.
func activeMQInstall(b *model.Broker) *model.ActiveMQInstall {
	if b.SelfManaged == nil {
		return nil
	}
	return b.SelfManaged.ActiveMQ
}

// fullVersion returns the broker's full version (major.minor.patch) and where it was said:
// the self-managed version (files, probe), else an endpoint's announced version, else the
// engine version when it is written in full. ok is false when no full version is known.
func fullVersion(b *model.Broker) (v Version, at model.Range, from model.State, ok bool) {
	if sm := b.SelfManaged; sm != nil {
		if sm.Version.Known() {
			if v, ok := ParseVersion(sm.Version.V); ok && v.HasPatch {
				return v, sm.Version.At, sm.Version.State, true
			}
		}
		for _, e := range sm.Endpoints {
			if v, ok := ParseVersion(e.Version); ok && v.HasPatch {
				return v, e.At, model.Explicit, true
			}
		}
	}
	if b.EngineVersion.Known() {
		if v, ok := ParseVersion(b.EngineVersion.V); ok && v.HasPatch {
			return v, b.EngineVersion.At, b.EngineVersion.State, true
		}
	}
	return Version{}, model.Range{}, model.Unknown, false
}

// brokerVersion returns the broker's version, full or major.minor: fullVersion, else the
// engine version's line. ok is false when no version is known.
func brokerVersion(b *model.Broker) (Version, model.Range, bool) {
	if v, at, _, ok := fullVersion(b); ok {
		return v, at, true
	}
	if sm := b.SelfManaged; sm != nil && sm.Version.Known() {
		if v, ok := ParseVersion(sm.Version.V); ok {
			return v, sm.Version.At, true
		}
	}
	if b.EngineVersion.Known() {
		if v, ok := ParseVersion(b.EngineVersion.V); ok {
			return v, b.EngineVersion.At, true
		}
	}
	return Version{}, firstRange(b.EngineVersion.At, b.ID.At), false
}

// brokerUserLabel names a self-managed user in messages and subjects: its name, else its rank.
func brokerUserLabel(u model.BrokerUser, i int) (name, subject string) {
	if u.Username.Known() && u.Username.V != "" {
		return "'" + u.Username.V + "'", u.Username.V
	}
	return "#" + strconv.Itoa(i+1), "user#" + strconv.Itoa(i+1)
}

// confValue returns a RabbitMQ configuration value, trimmed and lower-cased, and whether set.
func confValue(s *model.RabbitMQSettings, key string) (string, model.String, bool) {
	v, ok := s.Get(key)
	if !ok {
		return "", v, false
	}
	return strings.ToLower(strings.Trim(strings.TrimSpace(v.V), `"'`)), v, true
}

// settingsAt locates a RabbitMQ broker's configuration for a result on its defaults.
func settingsAt(b *model.Broker) model.Range {
	if b.Configuration != nil && !b.Configuration.At.IsZero() {
		return b.Configuration.At
	}
	return b.ID.At
}

// loopbackRestricted says whether RabbitMQ's loopback_users keeps user to loopback
// connections. The default list is [guest]; setting loopback_users = none empties it, and
// setting any loopback_users.<name> key replaces the default list with the names set to true.
func loopbackRestricted(s *model.RabbitMQSettings, user string) (restricted Tri, why string, at model.Range, from model.State) {
	if s == nil || s.ConfState == model.Unknown {
		return Maybe, "the node's configuration was not read", model.Range{}, model.Unknown
	}
	if v, raw, ok := confValue(s, "loopback_users"); ok {
		if v == "none" || v == "[]" || v == "" {
			return No, "loopback_users = none lets every user connect from the network", raw.At, raw.State
		}
	}
	keys := s.WithPrefix("loopback_users.")
	if v, raw, ok := confValue(s, "loopback_users."+strings.ToLower(user)); ok {
		if v == "true" {
			return Yes, "loopback_users." + user + " = true", raw.At, raw.State
		}
		return No, "loopback_users." + user + " = " + v, raw.At, raw.State
	}
	if len(keys) > 0 {
		raw, _ := s.Get(keys[0])
		return No, "loopback_users." + user + " is not set while other loopback_users keys replace the default list", raw.At, raw.State
	}
	if strings.EqualFold(user, "guest") {
		return Yes, "by default loopback_users restricts guest to loopback connections", model.Range{}, model.Default
	}
	return No, "loopback_users does not list " + user, model.Range{}, model.Default
}
