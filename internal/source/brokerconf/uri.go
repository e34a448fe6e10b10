package brokerconf

import "strings"

// maxURINesting bounds the nesting of composite URIs (static:(failover:(...))) that
// URITransports follows.
const maxURINesting = 32

// URICredentials reports whether a connector URI embeds credentials (user:password@ or a password/
// pass/passwd/pwd query parameter), looking inside composite forms like static:(a,b) and masterslave:(...).
// A Spring placeholder such as ${broker.password} is not a credential: its value lives elsewhere.
func URICredentials(uri string) bool {
	// Every "scheme://authority" anywhere in the string, composite or not.
	for rest := uri; ; {
		i := strings.Index(rest, "://")
		if i < 0 {
			break
		}
		rest = rest[i+3:]
		authority := rest
		if end := strings.IndexAny(authority, "/?#,)"); end >= 0 {
			authority = authority[:end]
		}
		at := strings.LastIndex(authority, "@")
		if at < 0 {
			continue
		}
		if _, pass, ok := strings.Cut(authority[:at], ":"); ok && isLiteral(pass) {
			return true
		}
	}
	// Query parameters at any level: split on every separator a composite URI may use.
	for _, part := range strings.FieldsFunc(uri, func(r rune) bool {
		return r == '?' || r == '&' || r == ',' || r == '(' || r == ')' || r == ';'
	}) {
		key, value, ok := strings.Cut(part, "=")
		if !ok || strings.ContainsAny(key, "/:") {
			continue
		}
		if isPasswordKey(key) && isLiteral(value) {
			return true
		}
	}
	return false
}

// Redacted replaces a credential in a URI returned by RedactURI.
const Redacted = "REDACTED"

// RedactURI returns uri with the password of every user:password@ and the value of every
// password parameter replaced by Redacted, so the URI can be kept and shown. Placeholders such as
// ${broker.password} are left as written. URICredentials still reports a redacted URI.
func RedactURI(uri string) string {
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
			if user, pass, ok := strings.Cut(authority[:at], ":"); ok && isLiteral(pass) {
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
			isPasswordKey(key) && isLiteral(value) {
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

// isPasswordKey reports whether a query parameter or property name holds a password:
// password, pass, passwd, pwd, or any name ending in "password" (keyStorePassword), ignoring case and
// a dotted prefix (transport.password).
func isPasswordKey(key string) bool {
	key = strings.ToLower(strings.TrimSpace(key))
	if i := strings.LastIndex(key, "."); i >= 0 {
		key = key[i+1:]
	}
	return key == "pass" || key == "passwd" || key == "pwd" || strings.HasSuffix(key, "password")
}

// isLiteral reports whether a credential value is written in place: not empty and not a
// ${...} placeholder resolved from elsewhere.
func isLiteral(v string) bool {
	v = strings.TrimSpace(v)
	if v == "" {
		return false
	}
	return !(strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}"))
}

// URITransports returns the transport schemes of a (possibly composite) ActiveMQ URI, lower-case:
// "static:(tcp://a:1,ssl://b:2)?x=y" → ["tcp","ssl"]; "ssl://h:61617" → ["ssl"]; "nio+ssl://..." → ["nio+ssl"].
// Each scheme appears once, in order of first appearance. A string with no recognisable scheme
// yields nil.
func URITransports(uri string) []string {
	var out []string
	collectTransports(strings.TrimSpace(uri), 0, &out)
	return out
}

func collectTransports(s string, depth int, out *[]string) {
	if depth > maxURINesting {
		return
	}
	s = strings.TrimSpace(s)
	n := schemeLen(s)
	if n == 0 {
		return
	}
	scheme, rest := strings.ToLower(s[:n]), s[n+1:]
	// static://(a,b) is accepted by ActiveMQ as a spelling of static:(a,b).
	if strings.HasPrefix(rest, "//(") {
		rest = rest[2:]
	}
	switch {
	case strings.HasPrefix(rest, "("):
		for _, part := range splitTopLevel(insideParens(rest)) {
			collectTransports(part, depth+1, out)
		}
	case strings.HasPrefix(rest, "//"):
		for _, have := range *out {
			if have == scheme {
				return
			}
		}
		*out = append(*out, scheme)
	default:
		// A composite without parentheses: static:tcp://host:61616.
		for _, part := range splitTopLevel(rest) {
			collectTransports(part, depth+1, out)
		}
	}
}

// schemeLen returns the length of the URI scheme at the start of s when it is followed by ':',
// or 0. A scheme is a letter followed by letters, digits, '+', '-' or '.'.
func schemeLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return i
		default:
			return 0
		}
	}
	return 0
}

// insideParens returns the text between the '(' that starts s and its matching ')', or the rest
// of s when the parenthesis is never closed.
func insideParens(s string) string {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return s[1:i]
			}
		}
	}
	return s[1:]
}

// splitTopLevel splits s on the commas that are not inside parentheses.
func splitTopLevel(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}
