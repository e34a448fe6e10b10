package policy

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxSecretsSize bounds the broker_secrets file read.
const maxSecretsSize = 1 << 20

// Credential is a broker's user name and password. Formatting it never shows the password.
type Credential struct {
	User, Password string
}

// String shows the user name only.
func (c Credential) String() string { return c.User + ":<redacted>" }

// GoString shows the user name only.
func (c Credential) GoString() string {
	return fmt.Sprintf("policy.Credential{User: %q, Password: <redacted>}", c.User)
}

// BrokerSecrets maps a broker's key (its credentials key, name or URL, as the policy file's
// brokers: entries and --broker URLs look them up) to its credentials.
type BrokerSecrets map[string]Credential

// LoadBrokerSecrets reads the broker_secrets file at path (shown as display in errors): a YAML
// (or JSON) mapping of keys to {user, password}:
//
//	https://rabbit.internal:15671: {user: mqguard, password: "..."}
//	orders-activemq:
//	  user: audit
//	  password: "..."
//
// The file must be a regular file that neither its group nor other users may read, write or
// execute (mode 0600 or 0400, as ssh requires of private keys): any other is refused, since the
// passwords would be open to every user of the machine. Errors are *Error naming the file, the
// line and the key, never a password.
func LoadBrokerSecrets(path, display string) (BrokerSecrets, error) {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		msg := "not a regular file"
		var pe *os.PathError
		if errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		return nil, &Error{File: display, Msg: msg}
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return nil, &Error{File: display, Msg: fmt.Sprintf("the file holds passwords and is open to other users (mode %04o): make it private with chmod 600", perm)}
	}
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{File: display, Msg: err.Error()}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSecretsSize+1))
	if err != nil {
		return nil, &Error{File: display, Msg: err.Error()}
	}
	if len(data) > maxSecretsSize {
		return nil, &Error{File: display, Msg: fmt.Sprintf("larger than %d MiB: not a secrets file", maxSecretsSize>>20)}
	}
	return ParseBrokerSecrets(display, data)
}

// ParseBrokerSecrets parses a broker_secrets file's content; file names it in errors, which are
// *Error and never quote a value of the file.
func ParseBrokerSecrets(file string, data []byte) (BrokerSecrets, error) {
	p := &parser{file: file}
	out := BrokerSecrets{}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		// yaml's messages may quote the text around the error, a password perhaps: the line
		// is enough.
		line := 0
		if rest, ok := strings.CutPrefix(strings.TrimPrefix(err.Error(), "yaml: "), "line "); ok {
			num, _, _ := strings.Cut(rest, ":")
			_, _ = fmt.Sscanf(num, "%d", &line)
		}
		return nil, &Error{File: file, Line: line, Msg: "invalid YAML or JSON"}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return out, nil
	}
	// mapping's own error would quote a scalar where a mapping belongs: a password perhaps.
	if root := deref(doc.Content[0]); root.Kind != yaml.MappingNode {
		return nil, p.errorf(root, "", "want a mapping of broker URLs or names to {user, password}")
	}
	err := p.mapping(doc.Content[0], "", nil, func(key string, k, v *yaml.Node) error {
		if v.Kind != yaml.MappingNode {
			return p.errorf(v, key, "want a mapping {user, password}")
		}
		if strings.TrimSpace(key) == "" {
			return p.errorf(k, "", "a key may not be empty: want a broker URL or name")
		}
		var c Credential
		var hasUser bool
		err := p.mapping(v, key, []string{"user", "password"}, func(field string, _, fv *yaml.Node) error {
			fv = deref(fv)
			if fv.Kind != yaml.ScalarNode || fv.Tag == "!!null" {
				// kindName would quote the value.
				return p.errorf(fv, key+"."+field, "want a single value")
			}
			if field == "user" {
				c.User, hasUser = strings.TrimSpace(fv.Value), true
			} else {
				c.Password = fv.Value
			}
			return nil
		})
		if err != nil {
			return err
		}
		if !hasUser || c.User == "" {
			return p.errorf(v, key+".user", "required")
		}
		out[key] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
