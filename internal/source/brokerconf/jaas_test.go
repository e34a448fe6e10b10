package brokerconf

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// dumpJAAS renders entries as "entry@line module flag@line opt=val@line ...".
func dumpJAAS(es []JAASEntry) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "%s@%d\n", e.Name, e.Line)
		for _, m := range e.Modules {
			fmt.Fprintf(&b, "  %s %s@%d", m.Class, m.Flag, m.Line)
			for _, o := range m.Options {
				fmt.Fprintf(&b, " %s=%s@%d", o.Name, o.Value, o.Line)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func TestParseLoginConfig(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"stock activemq", `/* licence
 * header */
activemq {
    org.apache.activemq.jaas.PropertiesLoginModule required
        org.apache.activemq.jaas.properties.user="users.properties"
        org.apache.activemq.jaas.properties.group="groups.properties";
};
`, "activemq@3\n  org.apache.activemq.jaas.PropertiesLoginModule required@4 org.apache.activemq.jaas.properties.user=users.properties@5 org.apache.activemq.jaas.properties.group=groups.properties@6\n"},
		{"ldap and guest, several entries, // comments", `// LDAP
LDAPLogin {
    org.apache.activemq.jaas.LDAPLoginModule required
        debug=true
        initialContextFactory=com.sun.jndi.ldap.LdapCtxFactory
        connectionURL="ldap://ldap.example.com:389" // plaintext
        connectionPassword=secret;
};
GuestLogin { org.apache.activemq.jaas.GuestLoginModule sufficient org.apache.activemq.jaas.guest.user="guest"; org.apache.activemq.jaas.PropertiesLoginModule Optional; };
`, "LDAPLogin@2\n  org.apache.activemq.jaas.LDAPLoginModule required@3 debug=true@4 initialContextFactory=com.sun.jndi.ldap.LdapCtxFactory@5 connectionURL=ldap://ldap.example.com:389@6 connectionPassword=secret@7\n" +
			"GuestLogin@9\n  org.apache.activemq.jaas.GuestLoginModule sufficient@9 org.apache.activemq.jaas.guest.user=guest@9\n  org.apache.activemq.jaas.PropertiesLoginModule optional@9\n"},
		{"quoted value with escapes and newline", "e {\n c required k=\"a\\\"b\nc\" j=1;\n};\n", "e@1\n  c required@2 k=a\"b\nc@2 j=1@3\n"},
		{"empty entry", "empty { };", "empty@1\n"},
		{"empty file", "  // nothing\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := ParseLoginConfig([]byte(tt.in), "login.config")
			if err != nil {
				t.Fatal(err)
			}
			if got := dumpJAAS(es); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestParseLoginConfigErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
	}{
		{"missing brace", "activemq\n  c required;\n};", 2},
		{"missing flag", "a {\n  c k=v;\n};", 2},
		{"bad flag", "a {\n  c mandatory;\n};", 2},
		{"missing semicolon after entry", "a {\n c required;\n}\nb { c required; };", 4},
		{"unterminated quote", "a {\n c required\n  connectionPassword=\"hunter2;\n};", 3},
		{"unterminated comment", "a { c required; };\n/* open", 2},
		{"option without value", "a {\n c required k=;\n};", 2},
		{"eof inside entry", "a {\n c required k=v", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLoginConfig([]byte(tt.in), "login.config")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.Line != tt.line || pe.File != "login.config" {
				t.Errorf("at %s:%d (%s), want line %d", pe.File, pe.Line, pe.Msg, tt.line)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error quotes a value: %v", err)
			}
		})
	}
}

func FuzzLoginConfig(f *testing.F) {
	for _, s := range []string{
		"activemq {\n org.apache.activemq.jaas.PropertiesLoginModule required\n a=\"b\"\n c=d;\n};\n",
		"/* c */ a { b sufficient; }; // x\n", "a { b required k=\"\\\"\"; };", "a{", "\"a\" { b optional; };", "/*",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		es, err := ParseLoginConfig(data, "login.config")
		lines := strings.Count(string(data), "\n") + 1
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 || pe.Line > lines {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		for _, e := range es {
			if e.Line < 1 || e.Line > lines {
				t.Fatalf("entry line %d of %d", e.Line, lines)
			}
			for _, m := range e.Modules {
				if m.Class == "" || !jaasFlags[m.Flag] || m.Line < e.Line || m.Line > lines {
					t.Fatalf("bad module %+v", m)
				}
			}
		}
	})
}
