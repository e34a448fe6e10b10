package brokerconf

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxPropertiesSize is the largest properties or login.config file the parsers read.
const MaxPropertiesSize = 1 << 20

// Property is one key of a Java .properties file. Value may be a secret (users.properties,
// credentials.properties): callers compare it and never keep or print it.
type Property struct {
	Key   string
	Value string
	// Line is the line the key starts on.
	Line int
}

// Properties is a parsed .properties file, keys in file order (a repeated key appears each
// time; Get returns the last, as java.util.Properties does).
type Properties []Property

// Get returns the last value of key.
func (ps Properties) Get(key string) (Property, bool) {
	for i := len(ps) - 1; i >= 0; i-- {
		if ps[i].Key == key {
			return ps[i], true
		}
	}
	return Property{}, false
}

// ParseProperties parses a Java .properties file as java.util.Properties.load does: comment
// lines start with # or !; a key ends at the first unescaped =, : or blank, the separator may be
// surrounded by blanks (so "key value", "key=value" and "key: value" are all read); a line
// ending in an odd number of backslashes continues on the next line, whose leading blanks are
// dropped; escapes \uXXXX, \t, \n, \r, \f and \<any> are decoded. It also reads the
// whitespace-separated jmx.password and jmx.access files. file is the name put in errors; an
// error (*ParseError) names the line and never quotes the file's text.
func ParseProperties(data []byte, file string) (Properties, error) {
	if len(data) > MaxPropertiesSize {
		return nil, &ParseError{File: file, Line: 1, Msg: fmt.Sprintf("file is larger than %d bytes", MaxPropertiesSize)}
	}
	if !utf8.Valid(data) {
		// Java reads .properties as ISO-8859-1 (before 9) or UTF-8: take bytes as Latin-1.
		data = latin1ToUTF8(data)
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	lines := strings.Split(text, "\n")
	var out Properties
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r")
		start := i + 1
		trimmed := strings.TrimLeft(line, " \t\f")
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == '!' {
			continue
		}
		logical := trimmed
		if endsWithContinuation(logical) {
			var b strings.Builder
			part := logical
			for endsWithContinuation(part) && i+1 < len(lines) {
				b.WriteString(part[:len(part)-1])
				i++
				part = strings.TrimLeft(strings.TrimRight(lines[i], "\r"), " \t\f")
			}
			if endsWithContinuation(part) {
				part = part[:len(part)-1]
			}
			b.WriteString(part)
			logical = b.String()
		}
		key, value, err := splitProperty(logical)
		if err != nil {
			return nil, &ParseError{File: file, Line: start, Msg: err.Error()}
		}
		out = append(out, Property{Key: key, Value: value, Line: start})
	}
	return out, nil
}

func latin1ToUTF8(b []byte) []byte {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return []byte(string(r))
}

// endsWithContinuation reports whether s ends in an odd number of backslashes.
func endsWithContinuation(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// splitProperty splits a logical line into its decoded key and value.
func splitProperty(s string) (string, string, error) {
	i := 0
	for i < len(s) {
		c := s[i]
		if c == '\\' {
			i += 2
			continue
		}
		if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			break
		}
		i++
	}
	if i > len(s) {
		i = len(s)
	}
	rawKey := s[:i]
	rest := s[i:]
	rest = strings.TrimLeft(rest, " \t\f")
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = strings.TrimLeft(rest[1:], " \t\f")
	}
	key, err := unescapeProperty(rawKey)
	if err != nil {
		return "", "", fmt.Errorf("key: %w", err)
	}
	value, err := unescapeProperty(rest)
	if err != nil {
		return "", "", fmt.Errorf("value: %w", err)
	}
	return key, value, nil
}

// unescapeProperty decodes the escapes of a properties key or value. Errors never quote s.
func unescapeProperty(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			break
		}
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if i+5 > len(s) {
				return "", fmt.Errorf("malformed \\uXXXX escape")
			}
			var r rune
			for _, h := range []byte(s[i+1 : i+5]) {
				d, ok := hexDigit(h)
				if !ok {
					return "", fmt.Errorf("malformed \\uXXXX escape")
				}
				r = r<<4 | rune(d)
			}
			b.WriteRune(r)
			i += 4
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
