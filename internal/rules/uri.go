package rules

import "strings"

// compositeSchemes wrap other URIs in ActiveMQ: static:(tcp://a,tcp://b), masterslave:(...),
// failover:(...), fanout:(...), discovery:(...). They are not transports themselves.
var compositeSchemes = map[string]bool{
	"static": true, "masterslave": true, "failover": true, "fanout": true, "discovery": true,
}

// passwordParams are URI query or connection-string parameters that carry a password.
var passwordParams = map[string]bool{
	"password": true, "passwd": true, "pwd": true, "pass": true,
	"keystorepassword": true, "truststorepassword": true,
}

// uriTransports returns the transport schemes of a connector URI, lower-cased, in order,
// looking inside composite URIs: "static:(tcp://a:61616,ssl://b:61617)?x=1" gives
// [tcp ssl]. It returns nil when s names no transport.
func uriTransports(s string) []string {
	var out []string
	for _, m := range schemeMatches(s) {
		if compositeSchemes[m.scheme] || strings.HasPrefix(s[m.end:], "(") {
			continue
		}
		out = append(out, m.scheme)
	}
	return out
}

// isTLSTransport reports whether an ActiveMQ transport scheme encrypts its traffic: ssl, https,
// wss and every "+ssl" variant (nio+ssl, auto+ssl, auto+nio+ssl, stomp+ssl, ...).
func isTLSTransport(scheme string) bool {
	switch scheme {
	case "ssl", "https", "wss":
		return true
	}
	return strings.HasSuffix(scheme, "+ssl")
}

// uriHasCredentials reports whether s embeds a credential: a URL whose user information has a
// password (scheme://user:password@host), or a password parameter with a value (?password=...,
// ;Password=..., keyStorePassword=...). Placeholders such as ${PASSWORD} are not credentials.
func uriHasCredentials(s string) bool {
	for _, m := range schemeMatches(s) {
		authority := s[m.end:]
		if i := strings.IndexAny(authority, "/?#,()\t\n "); i >= 0 {
			authority = authority[:i]
		}
		at := strings.LastIndexByte(authority, '@')
		if at < 0 {
			continue
		}
		if _, pw, ok := strings.Cut(authority[:at], ":"); ok && isSecretValue(pw) {
			return true
		}
	}
	for _, tok := range strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune("?&;,() \t\n\r", r)
	}) {
		key, val, ok := strings.Cut(tok, "=")
		if ok && passwordParams[strings.ToLower(strings.TrimSpace(key))] && isSecretValue(val) {
			return true
		}
	}
	return false
}

// isSecretValue reports whether v looks like a real secret rather than an empty value, a
// template placeholder or a mask.
func isSecretValue(v string) bool {
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
