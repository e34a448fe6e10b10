package brokerconf

import (
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/brokeruri"
	"github.com/mqguard/mqguard/internal/model"
)

// erlangApps maps the applications of a classic configuration to the prefix rabbitmq.conf gives
// their keys.
var erlangApps = map[string]string{
	"rabbit":                       "",
	"rabbitmq_management":          "management",
	"rabbitmq_auth_backend_ldap":   "auth_ldap",
	"rabbitmq_mqtt":                "mqtt",
	"rabbitmq_stomp":               "stomp",
	"rabbitmq_web_stomp":           "web_stomp",
	"rabbitmq_web_mqtt":            "web_mqtt",
	"rabbitmq_stream":              "stream",
	"rabbitmq_prometheus":          "prometheus",
	"rabbitmq_auth_backend_oauth2": "auth_oauth2",
}

// ParseRabbitErlang parses a classic rabbitmq.config or an advanced.config (Erlang terms: a list
// of {application, [{key, value}]} tuples ending with `.`) and maps the settings to the keys
// rabbitmq.conf gives them: {rabbit, [{loopback_users, []}]} is "loopback_users" = "none",
// {tcp_listeners, [{"127.0.0.1", 5672}]} is "listeners.tcp.1" = "127.0.0.1:5672",
// {rabbitmq_management, [{listener, [{port, 15671}, {ssl, true}]}]} is "management.ssl.port",
// and so on; other settings of the known applications are flattened the same way (proplists
// become dotted keys, lists of values numbered keys from 1). Each key is located at the tuple
// that sets it. Nothing is evaluated: funs, records and variables are errors. Secrets (passwords,
// the Erlang cookie, user:password@ URIs) are reported as credentials, and their values never
// kept (see SecretValue). Errors are *ParseError naming the line.
func ParseRabbitErlang(data []byte, file string, firstLine int) (*model.RabbitMQSettings, []model.CredentialRef, error) {
	terms, err := parseErlangTerms(data, file, firstLine)
	if err != nil {
		return nil, nil, err
	}
	m := &erlMapper{file: file, conf: map[string]model.String{}}
	top := terms[0]
	if top.kind != tList {
		return nil, nil, &ParseError{File: file, Line: top.line, Msg: "expected a list of {application, settings} tuples"}
	}
	for _, t := range terms {
		m.scanCredentials(t, "")
	}
	for _, app := range top.items {
		name, env, ok := app.pair()
		if !ok || env.kind != tList {
			continue // an included file name, or a term RabbitMQ does not read
		}
		prefix, known := erlangApps[name]
		if !known {
			continue
		}
		for _, kv := range env.items {
			k, v, ok := kv.pair()
			if !ok {
				continue
			}
			m.appKey(name, prefix, k, v, kv)
		}
	}
	return &model.RabbitMQSettings{Conf: m.conf, ConfState: model.Explicit}, m.creds, nil
}

// ParseEnabledPlugins parses an enabled_plugins file (`[rabbitmq_management,rabbitmq_mqtt].`).
func ParseEnabledPlugins(data []byte, file string, firstLine int) (model.StringList, error) {
	terms, err := parseErlangTerms(data, file, firstLine)
	if err != nil {
		return model.StringList{}, err
	}
	t := terms[0]
	if t.kind != tList {
		return model.StringList{}, &ParseError{File: file, Line: t.line, Msg: "expected a list of plugin names"}
	}
	out := model.StringList{V: []string{}, State: model.Explicit, At: model.Range{File: file, StartLine: t.line, EndLine: t.end}}
	for _, p := range t.items {
		if p.kind != tAtom && p.kind != tString && p.kind != tBinary {
			return model.StringList{}, &ParseError{File: file, Line: p.line, Msg: "a plugin name is an atom"}
		}
		out.V = append(out.V, p.s)
	}
	return out, nil
}

type erlMapper struct {
	file  string
	conf  map[string]model.String
	creds []model.CredentialRef
}

func (m *erlMapper) rng(t *term) model.Range {
	return model.Range{File: m.file, StartLine: t.line, EndLine: max(t.end, t.line)}
}

func join(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

func (m *erlMapper) set(key, val string, at *term) {
	if secretKey(key) {
		val = redactSecret(val)
	} else if brokeruri.HasCredentials(val) {
		val = brokeruri.Redact(val)
	}
	m.conf[key] = model.ExplicitString(val, m.rng(at))
}

// scanCredentials reports every secret of the terms: a {password, _}-like pair with a value, an
// Erlang cookie, a URI with user:password@.
func (m *erlMapper) scanCredentials(t *term, where string) {
	switch t.kind {
	case tString, tBinary:
		if brokeruri.HasCredentials(t.s) {
			m.creds = append(m.creds, model.CredentialRef{Where: strings.TrimSpace(where + " URI"), At: m.rng(t)})
		}
	case tList, tTuple, tMap:
		if k, v, ok := t.pair(); ok {
			if secretKey(k) {
				if s, isScalar := v.scalar(); !isScalar || s != "" {
					m.creds = append(m.creds, model.CredentialRef{Where: strings.TrimSpace(where + " " + k), At: m.rng(t)})
				}
				return
			}
			if k == "dn_lookup_bind" || k == "other_bind" {
				if v.kind == tTuple && len(v.items) == 2 {
					m.creds = append(m.creds, model.CredentialRef{Where: strings.TrimSpace(where + " " + k + " password"), At: m.rng(t)})
					return
				}
			}
			m.scanCredentials(v, strings.TrimSpace(where+" "+k))
			return
		}
		for _, it := range t.items {
			m.scanCredentials(it, where)
		}
	}
}

// appKey maps one {key, value} of an application's settings.
func (m *erlMapper) appKey(app, prefix, k string, v, at *term) {
	key := join(prefix, k)
	switch {
	case app == "rabbit" && k == "loopback_users":
		if v.kind != tList {
			m.flatten(key, v, at)
			return
		}
		if len(v.items) == 0 {
			m.set(key, "none", at)
		}
		for _, u := range v.items {
			if s, ok := u.scalar(); ok {
				m.set(key+"."+s, "true", u)
			}
		}
	case app == "rabbit" && (k == "tcp_listeners" || k == "ssl_listeners"):
		m.listeners("listeners."+strings.TrimSuffix(k, "_listeners"), v, at)
	case (app == "rabbitmq_mqtt" || app == "rabbitmq_stomp" || app == "rabbitmq_stream") && (k == "tcp_listeners" || k == "ssl_listeners"):
		m.listeners(prefix+".listeners."+strings.TrimSuffix(k, "_listeners"), v, at)
	case app == "rabbit" && k == "default_permissions" && v.kind == tList && len(v.items) == 3:
		for i, name := range []string{"configure", "write", "read"} {
			if s, ok := v.items[i].scalar(); ok {
				m.set(key+"."+name, s, v.items[i])
			}
		}
	case app == "rabbit" && k == "cluster_nodes":
		nodes := v
		if v.kind == tTuple && len(v.items) >= 1 {
			nodes = v.items[0]
			if len(v.items) > 1 {
				if s, ok := v.items[1].scalar(); ok {
					m.set("cluster_formation.node_type", s, v.items[1])
				}
			}
		}
		if nodes.kind == tList {
			for i, n := range nodes.items {
				if s, ok := n.scalar(); ok {
					m.set("cluster_formation.classic_config.nodes."+strconv.Itoa(i+1), s, n)
				}
			}
		}
	case app == "rabbitmq_management" && k == "listener" && v.kind == tList:
		p := "management.tcp"
		for _, kv := range v.items {
			if lk, lv, ok := kv.pair(); ok && lk == "ssl" && lv.isAtom("true") {
				p = "management.ssl"
			}
		}
		for _, kv := range v.items {
			lk, lv, ok := kv.pair()
			switch {
			case !ok || lk == "ssl":
			case lk == "ssl_opts":
				m.flatten(p, lv, kv)
			default:
				m.flatten(p+"."+lk, lv, kv)
			}
		}
	case (app == "rabbitmq_management" || app == "rabbitmq_web_stomp" || app == "rabbitmq_web_mqtt") && (k == "tcp_config" || k == "ssl_config"):
		m.flatten(prefix+"."+strings.TrimSuffix(k, "_config"), v, at)
	case app == "rabbitmq_management" && k == "cors_allow_origins":
		m.flatten("management.cors.allow_origins", v, at)
	case app == "rabbitmq_management" && k == "cors_max_age":
		m.flatten("management.cors.max_age", v, at)
	case app == "rabbitmq_auth_backend_ldap" && (k == "dn_lookup_bind" || k == "other_bind") && v.kind == tTuple && len(v.items) == 2:
		if s, ok := v.items[0].scalar(); ok {
			m.set(key+".user_dn", s, v.items[0])
		}
		m.set(key+".password", SecretValue, v.items[1])
	case app == "rabbitmq_stomp" && k == "default_user" && v.kind == tList:
		for _, kv := range v.items {
			lk, lv, ok := kv.pair()
			if !ok {
				continue
			}
			s, isScalar := lv.scalar()
			if !isScalar {
				continue
			}
			switch lk {
			case "login":
				m.set("stomp.default_user", s, kv)
			case "passcode":
				m.set("stomp.default_pass", s, kv)
			}
		}
	default:
		m.flatten(key, v, at)
	}
}

// listeners maps tcp_listeners-like lists: [5672], [{"127.0.0.1", 5672}], [] (none).
func (m *erlMapper) listeners(key string, v, at *term) {
	if v.kind != tList {
		return
	}
	if len(v.items) == 0 {
		m.set(key, "none", at)
		return
	}
	for i, l := range v.items {
		n := key + "." + strconv.Itoa(i+1)
		if s, ok := l.scalar(); ok {
			m.set(n, s, l)
			continue
		}
		if l.kind == tTuple && len(l.items) >= 2 {
			host, ok1 := l.items[0].scalar()
			port, ok2 := l.items[1].scalar()
			if ok1 && ok2 {
				m.set(n, host+":"+port, l)
			}
		}
	}
}

// flatten maps a value under key: scalars as they are, proplists as dotted keys, other lists as
// numbered keys from 1, tuples of scalars joined with "-" (cipher suites).
func (m *erlMapper) flatten(key string, v, at *term) {
	if s, ok := v.scalar(); ok {
		m.set(key, s, at)
		return
	}
	switch v.kind {
	case tList:
		n := 0
		for _, it := range v.items {
			if k, iv, ok := it.pair(); ok {
				m.flatten(key+"."+k, iv, it)
				continue
			}
			n++
			nk := key + "." + strconv.Itoa(n)
			if s, ok := it.scalar(); ok {
				m.set(nk, s, it)
			} else if s, ok := joinScalars(it); ok {
				m.set(nk, s, it)
			}
		}
	case tTuple:
		if s, ok := joinScalars(v); ok {
			m.set(key, s, at)
		}
	}
}

func joinScalars(t *term) (string, bool) {
	if t.kind != tTuple || len(t.items) == 0 {
		return "", false
	}
	parts := make([]string, 0, len(t.items))
	for _, it := range t.items {
		s, ok := it.scalar()
		if !ok {
			return "", false
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "-"), true
}
