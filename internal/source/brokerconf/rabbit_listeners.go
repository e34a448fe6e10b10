package brokerconf

import (
	"slices"
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/brokeruri"
	"github.com/mqguard/mqguard/internal/model"
)

// rabbitPluginListener is a plugin's listener keys and its default port.
type rabbitPluginListener struct {
	plugin   string
	protocol string
	// tcp and ssl are the listener key prefixes: "mqtt.listeners.tcp" takes numbered or named
	// keys (mqtt.listeners.tcp.default = 1883); "web_stomp.tcp" takes port and ip keys.
	tcp, ssl    string
	portKeys    bool
	defaultPort int64
}

var rabbitPluginListeners = []rabbitPluginListener{
	{plugin: "rabbitmq_management", protocol: "http", tcp: "management.tcp", ssl: "management.ssl", portKeys: true, defaultPort: 15672},
	{plugin: "rabbitmq_mqtt", protocol: "mqtt", tcp: "mqtt.listeners.tcp", ssl: "mqtt.listeners.ssl", defaultPort: 1883},
	{plugin: "rabbitmq_stomp", protocol: "stomp", tcp: "stomp.listeners.tcp", ssl: "stomp.listeners.ssl", defaultPort: 61613},
	{plugin: "rabbitmq_stream", protocol: "stream", tcp: "stream.listeners.tcp", ssl: "stream.listeners.ssl", defaultPort: 5552},
	{plugin: "rabbitmq_web_stomp", protocol: "ws", tcp: "web_stomp.tcp", ssl: "web_stomp.ssl", portKeys: true, defaultPort: 15674},
	{plugin: "rabbitmq_web_mqtt", protocol: "ws", tcp: "web_mqtt.tcp", ssl: "web_mqtt.ssl", portKeys: true, defaultPort: 15675},
	{plugin: "rabbitmq_prometheus", protocol: "http", tcp: "prometheus.tcp", ssl: "prometheus.ssl", portKeys: true, defaultPort: 15692},
}

// rabbitListeners derives a node's listeners from its configuration keys and enabled plugins:
// AMQP on 5672 by default unless listeners.tcp = none, every listeners.tcp.* and listeners.ssl.*
// key, and the listeners of the enabled plugins (their keys, or their default port). When the
// plugins are unknown, a plugin's listeners are listed only when its keys are set.
func rabbitListeners(s *model.RabbitMQSettings, mainAt model.Range) []model.Listener {
	var out []model.Listener
	out = append(out, numberedListeners(s, "listeners.tcp", "amqp", false, 5672, true, mainAt)...)
	out = append(out, numberedListeners(s, "listeners.ssl", "amqp", true, 0, false, mainAt)...)
	for _, pl := range rabbitPluginListeners {
		enabled := s.PluginsState != model.Unknown && slices.Contains(s.Plugins.V, pl.plugin)
		if s.PluginsState != model.Unknown && !enabled {
			continue
		}
		var ls []model.Listener
		if pl.portKeys {
			ls = append(ls, portListener(s, pl.tcp, pl.protocol, false)...)
			ls = append(ls, portListener(s, pl.ssl, pl.protocol, true)...)
			if pl.plugin == "rabbitmq_management" && len(ls) == 0 {
				ls = append(ls, legacyManagementListener(s)...)
			}
		} else {
			ls = append(ls, numberedListeners(s, pl.tcp, pl.protocol, false, 0, false, mainAt)...)
			ls = append(ls, numberedListeners(s, pl.ssl, pl.protocol, true, 0, false, mainAt)...)
		}
		none := false
		if v, ok := s.Conf[pl.tcp]; ok && strings.EqualFold(v.V, "none") {
			none = true
		}
		if len(ls) == 0 && enabled && !none && !anyKey(s, pl.ssl+".") {
			ls = append(ls, model.Listener{Protocol: pl.protocol, Name: pl.plugin,
				TLS: model.DefaultBool(false, mainAt), Host: model.DefaultString("", mainAt),
				Port: model.Int{V: pl.defaultPort, State: model.Default, At: mainAt}, Loopback: model.DefaultBool(false, mainAt), At: mainAt})
		}
		out = append(out, ls...)
	}
	return out
}

func anyKey(s *model.RabbitMQSettings, prefix string) bool { return len(s.WithPrefix(prefix)) > 0 }

// numberedListeners reads prefix.<name> = [host:]port keys; prefix = none disables them. With
// def > 0 and no key, the default listener on all interfaces.
func numberedListeners(s *model.RabbitMQSettings, prefix, protocol string, tls bool, def int64, withDefault bool, mainAt model.Range) []model.Listener {
	if v, ok := s.Conf[prefix]; ok && strings.EqualFold(v.V, "none") {
		return nil
	}
	var out []model.Listener
	for _, k := range s.WithPrefix(prefix + ".") {
		rest := strings.TrimPrefix(k, prefix+".")
		if strings.Contains(rest, ".") {
			continue // a listener option, not a listener
		}
		v := s.Conf[k]
		l := model.Listener{Protocol: protocol, Name: k, TLS: model.ExplicitBool(tls, v.At), At: v.At}
		host, port, ok := splitListener(v.V)
		if !ok {
			l.Host, l.Port, l.Loopback = model.UnknownString(v.At), model.Int{At: v.At}, model.UnknownBool(v.At)
		} else {
			l.Host = model.ExplicitString(host, v.At)
			l.Port = model.Int{V: port, State: model.Explicit, At: v.At}
			l.Loopback = model.ExplicitBool(brokeruri.IsLoopbackHost(host), v.At)
		}
		out = append(out, l)
	}
	if len(out) == 0 && withDefault && def > 0 {
		out = append(out, model.Listener{Protocol: protocol, Name: prefix + ".default",
			TLS: model.DefaultBool(tls, mainAt), Host: model.DefaultString("", mainAt),
			Port: model.Int{V: def, State: model.Default, At: mainAt}, Loopback: model.DefaultBool(false, mainAt), At: mainAt})
	}
	return out
}

// portListener reads prefix.port and prefix.ip (management.tcp.port, web_stomp.ssl.port).
func portListener(s *model.RabbitMQSettings, prefix, protocol string, tls bool) []model.Listener {
	pv, pok := s.Conf[prefix+".port"]
	iv, iok := s.Conf[prefix+".ip"]
	if !pok && !iok {
		return nil
	}
	at := pv.At
	if !pok {
		at = iv.At
	}
	l := model.Listener{Protocol: protocol, Name: prefix, TLS: model.ExplicitBool(tls, at), At: at}
	l.Port = listenerPort(pv, pok, at)
	l.Host, l.Loopback = listenerHost(iv, iok, at)
	return []model.Listener{l}
}

// legacyManagementListener reads management.listener.port/.ip/.ssl (3.6 style).
func legacyManagementListener(s *model.RabbitMQSettings) []model.Listener {
	pv, pok := s.Conf["management.listener.port"]
	iv, iok := s.Conf["management.listener.ip"]
	sv, sok := s.Conf["management.listener.ssl"]
	if !pok && !iok && !sok {
		return nil
	}
	at := pv.At
	switch {
	case pok:
	case iok:
		at = iv.At
	default:
		at = sv.At
	}
	l := model.Listener{Protocol: "http", Name: "management.listener", At: at, TLS: model.DefaultBool(false, at)}
	if sok {
		if isBoolValue(sv.V) {
			l.TLS = model.ExplicitBool(isTrueValue(sv.V), sv.At)
		} else {
			l.TLS = model.UnknownBool(sv.At)
		}
	}
	l.Port = listenerPort(pv, pok, at)
	if !pok {
		l.Port = model.Int{V: 15672, State: model.Default, At: at}
	}
	l.Host, l.Loopback = listenerHost(iv, iok, at)
	return []model.Listener{l}
}

func listenerPort(v model.String, ok bool, at model.Range) model.Int {
	if !ok {
		return model.Int{At: at}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v.V), 10, 32)
	if err != nil || n < 0 || n > 65535 {
		return model.Int{At: v.At}
	}
	return model.Int{V: n, State: model.Explicit, At: v.At}
}

func listenerHost(v model.String, ok bool, at model.Range) (model.String, model.Bool) {
	if !ok {
		return model.DefaultString("", at), model.DefaultBool(false, at)
	}
	h := strings.Trim(strings.TrimSpace(v.V), "[]")
	if unresolved(h) {
		return model.UnknownString(v.At), model.UnknownBool(v.At)
	}
	return model.ExplicitString(h, v.At), model.ExplicitBool(brokeruri.IsLoopbackHost(h), v.At)
}

func unresolved(s string) bool { return strings.Contains(s, "{{") || strings.Contains(s, "${") }

// splitListener reads a listener value: "5672", "127.0.0.1:5672", "::1:5672", "[::1]:5672".
func splitListener(v string) (string, int64, bool) {
	v = strings.TrimSpace(v)
	if unresolved(v) || v == "" {
		return "", 0, false
	}
	host, portText := "", v
	if i := strings.LastIndexByte(v, ':'); i >= 0 {
		host, portText = v[:i], v[i+1:]
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	port, err := strconv.ParseInt(portText, 10, 32)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, false
	}
	return host, port, true
}
