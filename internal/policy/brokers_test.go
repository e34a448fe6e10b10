package policy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestParseBrokers(t *testing.T) {
	pol, err := Load("testdata/example.mqguard.yaml", "example.mqguard.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Broker{
		{URL: "https://rabbit.internal:15671", Engine: model.EngineRabbitMQ, Name: "events-rabbit", Line: 35},
		{URL: "ssl://activemq.internal:61617", Credentials: "orders-activemq", Line: 38},
	}
	if fmt.Sprint(pol.Brokers) != fmt.Sprint(want) {
		t.Errorf("brokers = %+v\nwant %+v", pol.Brokers, want)
	}
	if pol.BrokerSecrets != "broker-secrets.yaml" || pol.BrokerSecretsLine != 40 || pol.BrokerSecretsPath() != "broker-secrets.yaml" {
		t.Errorf("broker_secrets = %q line %d path %q", pol.BrokerSecrets, pol.BrokerSecretsLine, pol.BrokerSecretsPath())
	}
	pol, err = Parse("conf/p.yaml", []byte("broker_secrets: s.yaml\n"))
	if err != nil || pol.BrokerSecretsPath() != filepath.Join("conf", "s.yaml") || pol.Brokers != nil {
		t.Errorf("broker_secrets relative to the policy file: %q, %v", pol.BrokerSecretsPath(), err)
	}
}

// TestParseBrokerErrors: a broker entry that cannot be probed is an error naming file, line and
// field; one with credentials in its URL does not show them.
func TestParseBrokerErrors(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"not a list", "brokers: {url: x}\n", "p.yaml:1: brokers: want a list"},
		{"no url", "brokers:\n  - name: a\n", "p.yaml:2: brokers[0].url: required"},
		{"unknown key", "brokers:\n  - url: https://a:15671\n    password: x\n", "p.yaml:3: brokers[0].password: unknown key"},
		{"credentials in the URL", "brokers:\n  - url: https://admin:Hunter2@a:15671\n", "p.yaml:2: brokers[0].url: https://a:15671: credentials in a broker URL"},
		{"unknown scheme", "brokers:\n  - url: ftp://a\n", "p.yaml:2: brokers[0].url: ftp://a: unknown scheme"},
		{"bad engine", "brokers:\n  - url: https://a:15671\n    engine: kafka\n", "p.yaml:3: brokers[0].engine: \"kafka\": want ActiveMQ or RabbitMQ"},
		{"twice", "brokers:\n  - url: https://a:15671\n  - url: HTTPS://a:15671\n", "p.yaml:3: brokers[1].url: https://a:15671 is already listed at line 2"},
		{"empty secrets", "broker_secrets: ''\n", "p.yaml:1: broker_secrets: want a file path"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("p.yaml", []byte(tt.in))
			var perr *Error
			if !errors.As(err, &perr) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want prefix %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "Hunter2") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}

func writeSecrets(t *testing.T, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "secrets.yaml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadBrokerSecrets(t *testing.T) {
	p := writeSecrets(t, "https://rabbit.internal:15671: {user: mqguard, password: \"Hunter2-S3cr3t\"}\norders-activemq:\n  user: audit\n  password: ''\n", 0o600)
	got, err := LoadBrokerSecrets(p, "secrets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c := got["https://rabbit.internal:15671"]; c.User != "mqguard" || c.Password != "Hunter2-S3cr3t" {
		t.Errorf("rabbit = %#v", c)
	}
	if c, ok := got["orders-activemq"]; !ok || c.User != "audit" || c.Password != "" || len(got) != 2 {
		t.Errorf("secrets = %v", got)
	}
	// Formatting the credentials never shows the password.
	for _, s := range []string{fmt.Sprint(got), fmt.Sprintf("%+v", got), fmt.Sprintf("%#v", got["https://rabbit.internal:15671"]), fmt.Sprintf("%v", got["https://rabbit.internal:15671"])} {
		if strings.Contains(s, "Hunter2") || !strings.Contains(s, "mqguard") {
			t.Errorf("formatted: %s", s)
		}
	}
	// JSON is YAML.
	p = writeSecrets(t, `{"rabbit": {"user": "u", "password": "p"}}`, 0o400)
	if got, err := LoadBrokerSecrets(p, "s.json"); err != nil || got["rabbit"].User != "u" {
		t.Errorf("JSON: %v, %v", got, err)
	}
}

// TestBrokerSecretsErrors: a secrets file open to other users is refused; errors name the file
// and line, never a password, whatever is wrong.
func TestBrokerSecretsErrors(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		mode     os.FileMode
		want     string
	}{
		{"group readable", "a: {user: u, password: Hunter2}\n", 0o640, "s.yaml: the file holds passwords and is open to other users (mode 0640)"},
		{"world readable", "a: {user: u, password: Hunter2}\n", 0o604, "s.yaml: the file holds passwords and is open to other users (mode 0604)"},
		{"a password alone", "Hunter2\n", 0o600, "s.yaml:1: want a mapping of broker URLs or names"},
		{"an entry that is a password", "rabbit: Hunter2\n", 0o600, "s.yaml:1: rabbit: want a mapping {user, password}"},
		{"a list password", "rabbit: {user: u, password: [Hunter2]}\n", 0o600, "s.yaml:1: rabbit.password: want a single value"},
		{"no user", "rabbit: {password: Hunter2}\n", 0o600, "s.yaml:1: rabbit.user: required"},
		{"unknown key", "rabbit: {user: u, pass: Hunter2}\n", 0o600, "s.yaml:1: rabbit.pass: unknown key"},
		{"syntax", "rabbit: {user: u, password: 'Hunter2\n", 0o600, "s.yaml:2: invalid YAML or JSON"},
		{"twice", "rabbit: {user: u, password: Hunter2}\nrabbit: {user: v, password: Hunter2}\n", 0o600, "s.yaml:2: rabbit: given twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadBrokerSecrets(writeSecrets(t, tt.in, tt.mode), "s.yaml")
			var perr *Error
			if !errors.As(err, &perr) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %v, want prefix %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "Hunter2") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
	if _, err := LoadBrokerSecrets(filepath.Join(t.TempDir(), "none.yaml"), "none.yaml"); err == nil || !strings.HasPrefix(err.Error(), "none.yaml: ") {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzParseBrokerSecrets: whatever the content, ParseBrokerSecrets returns secrets or an
// *Error, never panics, every entry has a user, and no error quotes the content's password.
func FuzzParseBrokerSecrets(f *testing.F) {
	f.Add([]byte("a: {user: u, password: Hunter2}\n"))
	f.Add([]byte(`{"https://r:15671": {"user": "u", "password": "Hunter2"}}`))
	f.Add([]byte("a: &x {user: u, password: Hunter2}\nb: *x\n"))
	f.Add([]byte("a: Hunter2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseBrokerSecrets("f.yaml", data)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("error %v is not a *policy.Error", err)
			}
			if strings.Contains(err.Error(), "Hunter2") && !strings.Contains(perr.Field, "Hunter2") {
				t.Fatalf("the error quotes the content: %v", err)
			}
			return
		}
		for k, c := range got {
			if c.User == "" {
				t.Fatalf("entry %q without a user", k)
			}
		}
	})
}
