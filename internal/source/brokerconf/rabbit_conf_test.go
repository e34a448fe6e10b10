package brokerconf

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestParseRabbitConf(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		firstLine int
		want      string // key=value@line, sorted
		creds     string
	}{
		{name: "basic", firstLine: 1,
			body: "# comment\n\nlisteners.tcp.default = 5672\nLoopback_Users.guest=false\n  management.tcp.port   =   15672  \n",
			want: "listeners.tcp.default=5672@3 loopback_users.guest=false@4 management.tcp.port=15672@5"},
		{name: "value with equals and inline comment", firstLine: 1,
			body: "auth_oauth2.additional_scopes_key = a=b # trailing\nload_definitions = /etc/rabbitmq/definitions.json # Path",
			want: "auth_oauth2.additional_scopes_key=a=b@1 load_definitions=/etc/rabbitmq/definitions.json@2"},
		{name: "embedded body keeps the outer lines", firstLine: 10,
			body: "default_user=guest\r\ndefault_pass=guest",
			want: "default_pass=guest@11 default_user=guest@10", creds: "rabbitmq.conf default_pass@11"},
		{name: "secrets are not kept", firstLine: 1,
			body:  "default_pass = Zz-S3cr3t\nssl_options.password = Kk-S3cr3t\nauth_ldap.dn_lookup_bind.password = Ll-S3cr3t\nx.uri = amqp://u:Uu-S3cr3t@host/vh\n",
			want:  "auth_ldap.dn_lookup_bind.password=<secret>@3 default_pass=<secret>@1 ssl_options.password=<secret>@2 x.uri=amqp://u:REDACTED@host/vh@4",
			creds: "rabbitmq.conf default_pass@1 rabbitmq.conf ssl_options.password@2 rabbitmq.conf auth_ldap.dn_lookup_bind.password@3 rabbitmq.conf x.uri URI@4"},
		{name: "only comments", firstLine: 1, body: "# a\n## b = c\n", want: ""},
		{name: "empty value", firstLine: 1, body: "cluster_name =\n", want: "cluster_name=@1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, creds, err := ParseRabbitConf([]byte(tt.body), "r.conf", tt.firstLine)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, k := range s.WithPrefix("") {
				v := s.Conf[k]
				if v.At.File != "r.conf" || v.At.EndLine != v.At.StartLine {
					t.Errorf("%s at %+v", k, v.At)
				}
				got = append(got, fmt.Sprintf("%s=%s@%d", k, v.V, v.At.StartLine))
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("keys\n got %s\nwant %s", g, tt.want)
			}
			var gc []string
			for _, c := range creds {
				gc = append(gc, fmt.Sprintf("%s@%d", c.Where, c.At.StartLine))
			}
			if g := strings.Join(gc, " "); g != tt.creds {
				t.Errorf("credentials\n got %s\nwant %s", g, tt.creds)
			}
			for _, v := range s.Conf {
				if strings.Contains(v.V, "S3cr3t") {
					t.Errorf("a secret is kept: %q", v.V)
				}
			}
		})
	}
}

func TestParseRabbitConfErrors(t *testing.T) {
	tests := []struct {
		body      string
		firstLine int
		line      int
	}{
		{"listeners.tcp.default = 5672\nS3cr3t-no-equals-sign\n", 1, 2},
		{"= S3cr3t\n", 1, 1},
		{"default pass = S3cr3t\n", 5, 5},
		{"a = 1\n\n\"quoted\" = S3cr3t\n", 1, 3},
		{"a{b} = S3cr3t", 1, 1},
	}
	for _, tt := range tests {
		_, _, err := ParseRabbitConf([]byte(tt.body), "dir/rabbitmq.conf", tt.firstLine)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%q: error %v, want a ParseError", tt.body, err)
			continue
		}
		if pe.File != "dir/rabbitmq.conf" || pe.Line != tt.line {
			t.Errorf("%q: error at %s:%d, want line %d", tt.body, pe.File, pe.Line, tt.line)
		}
		if strings.Contains(err.Error(), "S3cr3t") {
			t.Errorf("%q: the error quotes the line: %v", tt.body, err)
		}
	}
}

func TestParseRabbitConfTemplate(t *testing.T) {
	body := "default_user = {{ .Values.auth.username }}\n{{- if .Values.tls }}\nlisteners.ssl.default = 5671\n{{- end }}\nloopback_users.{{ $u }} = false\n"
	s, _, err := parseRabbitConf([]byte(body), "values.yaml", 20, true)
	if err != nil {
		t.Fatal(err)
	}
	if s.ConfState.String() != "unknown" {
		t.Errorf("ConfState = %s, want unknown", s.ConfState)
	}
	if v := s.Conf["default_user"]; v.Known() || v.At.StartLine != 20 {
		t.Errorf("default_user = %+v, want Unknown at 20", v)
	}
	if v := s.Conf["listeners.ssl.default"]; v.V != "5671" || v.At.StartLine != 22 {
		t.Errorf("listeners.ssl.default = %+v", v)
	}
	if len(s.WithPrefix("loopback_users")) != 0 {
		t.Errorf("a templated key is kept")
	}
	if _, _, err := ParseRabbitConf([]byte(body), "values.yaml", 20); err == nil {
		t.Errorf("a template is no rabbitmq.conf outside a chart")
	}
}

func FuzzRabbitConf(f *testing.F) {
	for _, s := range []string{"a = b\n", "# c\nlisteners.tcp.1 = 127.0.0.1:5672\n", "x\n", "=\n", "a.b = c = d # e\r\n", "default_pass = amqp://u:p@h\n"} {
		f.Add([]byte(s))
	}
	addCorpusSeeds(f, RabbitConf)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, creds, err := ParseRabbitConf(data, "f.conf", 3)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "f.conf" || pe.Line < 3 {
				t.Fatalf("error %v", err)
			}
			return
		}
		lines := strings.Count(string(data), "\n") + 3
		for k, v := range s.Conf {
			if k != strings.ToLower(k) || k == "" || v.At.StartLine < 3 || v.At.StartLine > lines {
				t.Fatalf("key %q at %+v", k, v.At)
			}
		}
		for _, c := range creds {
			if c.At.StartLine < 3 || c.At.StartLine > lines {
				t.Fatalf("credential at %+v", c.At)
			}
		}
	})
}

// TestRabbitConfURICredentials: a URI's password is a credential, as brokeruri reads one for
// ActiveMQ too; a placeholder in its place is none.
func TestRabbitConfURICredentials(t *testing.T) {
	_, creds, err := ParseRabbitConf([]byte("a.uri = amqp://u:pw@h/v\nb.uri = amqp://u:${PASS}@h/v\nc.uri = amqps://h/v?password=pw\n"), "rabbitmq.conf", 1)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range creds {
		got = append(got, c.Where)
	}
	if want := []string{"rabbitmq.conf a.uri URI", "rabbitmq.conf c.uri URI"}; !slices.Equal(got, want) {
		t.Errorf("credentials %v, want %v", got, want)
	}
}
