// Package brokeruri reads ActiveMQ and RabbitMQ connector URIs: their transports (inside
// composite forms such as static:(...) and masterslave:(...)) and whether they embed credentials.
// Rules and sources share it so that both judge a URI the same way.
package brokeruri

import (
	"net/netip"
	"strings"
)

// compositeSchemes wrap other URIs in ActiveMQ: static:(tcp://a,tcp://b), masterslave:(...),
// failover:(...), fanout:(...), discovery:(...). They are not transports themselves.
var compositeSchemes = map[string]bool{
	"static": true, "masterslave": true, "failover": true, "fanout": true, "discovery": true,
}

// Transports returns the transport schemes of a connector URI, lower-cased, in order,
// looking inside composite URIs: "static:(tcp://a:61616,ssl://b:61617)?x=1" gives
// [tcp ssl]. It returns nil when s names no transport.
func Transports(s string) []string {
	var out []string
	for _, m := range schemeMatches(s) {
		if compositeSchemes[m.scheme] || strings.HasPrefix(s[m.end:], "(") {
			continue
		}
		out = append(out, m.scheme)
	}
	return out
}

// IsTLS reports whether an ActiveMQ transport scheme encrypts its traffic: ssl, https,
// wss and every "+ssl" variant (nio+ssl, auto+ssl, auto+nio+ssl, stomp+ssl, ...).
func IsTLS(scheme string) bool {
	switch scheme {
	case "ssl", "https", "wss":
		return true
	}
	return strings.HasSuffix(scheme, "+ssl")
}

// HasCredentials reports whether s embeds a credential: a URL whose user information has a
// password (scheme://user:password@host), or a password parameter with a value (?password=...,
// ;Password=..., keyStorePassword=...). Placeholders such as ${PASSWORD} are not credentials.
func HasCredentials(s string) bool {
	for _, m := range schemeMatches(s) {
		authority := s[m.end:]
		if i := strings.IndexAny(authority, "/?#,()\t\n "); i >= 0 {
			authority = authority[:i]
		}
		at := strings.LastIndexByte(authority, '@')
		if at < 0 {
			continue
		}
		if _, pw, ok := strings.Cut(authority[:at], ":"); ok && IsSecretValue(pw) {
			return true
		}
	}
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune("?&;,() \t\n\r", r)
	}) {
		key, val, ok := strings.Cut(tok, "=")
		if ok && !strings.ContainsAny(key, "/:") && IsPasswordKey(key) && IsSecretValue(val) {
			return true
		}
	}
	return false
}

// IsSecretValue reports whether v looks like a real secret rather than an empty value, a
// template placeholder or a mask.
func IsSecretValue(v string) bool {
	v = strings.TrimSpace(v)
	switch {
	case v == "", strings.Trim(v, "*xX") == "":
		return false
	case strings.HasPrefix(v, "${"), strings.HasPrefix(v, "{{"), strings.HasPrefix(v, "%{"),
		strings.HasPrefix(v, "$("):
		return false
	}
	return true
}

type schemeMatch struct {
	scheme string
	end    int // index just after "://"
}

// schemeMatches finds every "scheme://" in s that starts a URI: at the start of s or after one of
// "(", ",", ":", "=" or a space, so that a scheme-like word inside a host or path is skipped.
func schemeMatches(s string) []schemeMatch {
	var out []schemeMatch
	for off := 0; ; {
		i := strings.Index(s[off:], "://")
		if i < 0 {
			return out
		}
		i += off
		start := i
		for start > 0 && isSchemeChar(s[start-1]) {
			start--
		}
		off = i + 3
		if start == i || !isLetter(s[start]) {
			continue
		}
		if start > 0 && !strings.ContainsRune("(,:= \t\n", rune(s[start-1])) {
			continue
		}
		out = append(out, schemeMatch{scheme: strings.ToLower(s[start:i]), end: i + 3})
	}
}

func isSchemeChar(c byte) bool {
	return isLetter(c) || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// Redacted replaces a credential in a URI returned by Redact.
const Redacted = "REDACTED"

// Redact returns uri with the password of every user:password@ and the value of every
// password parameter replaced by Redacted, so the URI can be kept and shown. Placeholders such as
// ${broker.password} are left as written. HasCredentials still reports a redacted URI.
func Redact(uri string) string {
	var b strings.Builder
	for rest := uri; ; {
		i := strings.Index(rest, "://")
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i+3])
		rest = rest[i+3:]
		authority := rest
		if end := strings.IndexAny(authority, "/?#,)"); end >= 0 {
			authority = authority[:end]
		}
		if at := strings.LastIndex(authority, "@"); at >= 0 {
			if user, pass, ok := strings.Cut(authority[:at], ":"); ok && IsSecretValue(pass) {
				b.WriteString(user + ":" + Redacted + "@")
				rest = rest[at+1:]
			}
		}
	}
	uri = b.String()
	b.Reset()
	// Query parameters: rewrite each separator-delimited key=value segment.
	start := 0
	for i := 0; i <= len(uri); i++ {
		if i < len(uri) && !strings.ContainsRune("?&,();", rune(uri[i])) {
			continue
		}
		seg := uri[start:i]
		if key, value, ok := strings.Cut(seg, "="); ok && !strings.ContainsAny(key, "/:") &&
			IsPasswordKey(key) && IsSecretValue(value) {
			seg = key + "=" + Redacted
		}
		b.WriteString(seg)
		if i < len(uri) {
			b.WriteByte(uri[i])
		}
		start = i + 1
	}
	return b.String()
}

// IsPasswordKey reports whether a query parameter or property name holds a password: password,
// pass, passwd, pwd (any case), a name ending in _password, or a camelCase name ending in
// Password (keyStorePassword), after a dotted prefix (transport.password).
func IsPasswordKey(key string) bool {
	key = strings.TrimSpace(key)
	if i := strings.LastIndex(key, "."); i >= 0 {
		key = key[i+1:]
	}
	switch lower := strings.ToLower(key); {
	case lower == "password", lower == "pass", lower == "passwd", lower == "pwd":
		return true
	case strings.HasSuffix(lower, "_password"):
		return true
	default:
		// camelCase compounds: keyStorePassword, trustStorePassword, connectionPassword. A
		// hyphenated word such as rotate-password names a policy, not a credential.
		return strings.HasSuffix(key, "Password") && len(key) > len("Password")
	}
}

// IsLoopbackHost reports whether a host (a name or an address, IPv6 with or without brackets)
// is the loopback interface: localhost, 127.0.0.0/8 or ::1.
func IsLoopbackHost(h string) bool {
	h = strings.Trim(strings.TrimSpace(h), "[]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}
