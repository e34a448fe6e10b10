package brokerconf

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/mqguard/mqguard/internal/brokeruri"
	"github.com/mqguard/mqguard/internal/model"
)

// MaxRabbitConfSize is the largest rabbitmq.conf (or Erlang terms file) the parsers read.
const MaxRabbitConfSize = 4 << 20

// SecretValue is what RabbitMQSettings.Conf holds for a key whose value is a secret
// (default_pass, ssl_options.password, ...): the key is known to be set, its value is never
// kept. A secret equal to RabbitMQ's shipped default "guest" is kept as "guest", since that
// is the finding itself and no secret.
const SecretValue = "<secret>"

// ParseRabbitConf parses a rabbitmq.conf body (the sysctl-like format: `key = value` lines,
// `#` comments, blank lines). file is the display path put in every Range; firstLine is the
// line, in that file, of the body's first line (a heredoc in a .tf file, a YAML block scalar),
// taken as 1 when below 1.
//
// Keys are lower-cased as RabbitMQ reads them; every value is Explicit, located at its line. A
// value ends at the first `#` (an inline comment), as RabbitMQ's parser reads it. Values of
// secret keys (default_pass, *.password, ...) are replaced by SecretValue and reported as
// credentials. A line that is not a `key = value` pair is a *ParseError naming the line; the
// error never quotes the line.
func ParseRabbitConf(data []byte, file string, firstLine int) (*model.RabbitMQSettings, []model.CredentialRef, error) {
	return parseRabbitConf(data, file, firstLine, false)
}

// parseRabbitConf is ParseRabbitConf; with template set, the body is a Go template (a Helm
// chart's configuration value): lines that are only template actions are skipped, a key whose
// name holds an action is dropped and a value holding one is Unknown; ConfState is then
// Unknown (conditionals may drop any key), since only the rendered file can tell.
func parseRabbitConf(data []byte, file string, firstLine int, template bool) (*model.RabbitMQSettings, []model.CredentialRef, error) {
	if firstLine < 1 {
		firstLine = 1
	}
	if len(data) > MaxRabbitConfSize {
		return nil, nil, &ParseError{File: file, Line: firstLine, Msg: fmt.Sprintf("file is larger than %d bytes", MaxRabbitConfSize)}
	}
	s := &model.RabbitMQSettings{Conf: map[string]model.String{}, ConfState: model.Explicit}
	var creds []model.CredentialRef
	lines := bytes.Split(data, []byte("\n"))
	for i, raw := range lines {
		line := firstLine + i
		text := string(bytes.TrimSuffix(raw, []byte("\r")))
		if j := strings.IndexByte(text, '#'); j >= 0 {
			text = text[:j]
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		if template && strings.HasPrefix(text, "{{") && strings.HasSuffix(text, "}}") && strings.Count(text, "{{") == 1 {
			s.ConfState = model.Unknown
			continue
		}
		eq := strings.IndexByte(text, '=')
		if eq < 0 {
			return nil, nil, &ParseError{File: file, Line: line, Msg: "expected `key = value`"}
		}
		key := strings.TrimSpace(text[:eq])
		val := strings.TrimSpace(text[eq+1:])
		if template && strings.Contains(text, "{{") {
			s.ConfState = model.Unknown
			if strings.Contains(key, "{{") || strings.Contains(key, "}}") {
				continue
			}
			if validConfKey(key) {
				r := model.Range{File: file, StartLine: line, EndLine: line}
				s.Conf[strings.ToLower(key)] = model.UnknownString(r)
				continue
			}
		}
		switch {
		case key == "":
			return nil, nil, &ParseError{File: file, Line: line, Msg: "empty key"}
		case strings.ContainsAny(key, " \t\"'"):
			return nil, nil, &ParseError{File: file, Line: line, Msg: "a key cannot hold spaces or quotes"}
		case !validConfKey(key):
			return nil, nil, &ParseError{File: file, Line: line, Msg: "a key is made of letters, digits, `_`, `-`, `.`, `$` and `@`"}
		}
		key = strings.ToLower(key)
		r := model.Range{File: file, StartLine: line, EndLine: line}
		if secretKey(key) {
			if val != "" {
				creds = append(creds, model.CredentialRef{Where: "rabbitmq.conf " + key, At: r})
			}
			val = redactSecret(val)
		} else if brokeruri.HasCredentials(val) {
			creds = append(creds, model.CredentialRef{Where: "rabbitmq.conf " + key + " URI", At: r})
			val = brokeruri.Redact(val)
		}
		s.Conf[key] = model.ExplicitString(val, r)
	}
	return s, creds, nil
}

func validConfKey(k string) bool {
	for _, c := range k {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '_', c == '-', c == '.', c == '$', c == '@', c == '+', c == ':', c == '/':
		default:
			return false
		}
	}
	return true
}

// secretKey reports whether a configuration key's value is a secret.
func secretKey(key string) bool {
	last := key
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		last = key[i+1:]
	}
	switch last {
	case "default_pass", "password", "passcode", "passphrase", "client_secret", "secret", "cookie", "setcookie", "pass":
		return true
	}
	return strings.HasSuffix(last, "_password") || strings.HasSuffix(last, "_pass") || strings.HasSuffix(last, "_secret")
}

// redactSecret is what Conf keeps of a secret value.
func redactSecret(v string) string {
	if v == "guest" || v == "" {
		return v
	}
	return SecretValue
}
