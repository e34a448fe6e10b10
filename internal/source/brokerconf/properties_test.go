package brokerconf

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseProperties(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // key=value@line, one per line
	}{
		{"equals", "admin=admin\n", "admin=admin@1"},
		{"colon and blanks", "  admin :  secret pw  \n", "admin=secret pw  @1"},
		{"whitespace separated (jmx.password)", "admin activemq\nmonitorRole\tQED\n", "admin=activemq@1\nmonitorRole=QED@2"},
		{"comments", "# a comment\n! another\n   # indented\n\nk=v\n", "k=v@5"},
		{"key only", "lonely\n", "lonely=@1"},
		{"empty value", "k=\n", "k=@1"},
		{"continuation", "k = one, \\\n      two, \\\n   three\nnext=1\n", "k=one, two, three@1\nnext=1@4"},
		{"escaped backslash is no continuation", "k=a\\\\\nn=2\n", "k=a\\@1\nn=2@2"},
		{"continuation at end of file", "k=a\\", "k=a@1"},
		{"escaped separators in key", "a\\=b\\:c\\ d=v\n", "a=b:c d=v@1"},
		{"unicode escape", "k=caf\\u00e9\n", "k=café@1"},
		{"escapes", "k=a\\tb\\nc\\q\n", "k=a\tb\nc" + "q@1"},
		{"crlf", "a=1\r\nb=2\r\n", "a=1@1\nb=2@2"},
		{"bom", "\ufeffa=1\n", "a=1@1"},
		{"equals inside value", "url=ldap://h:389/?x=y\n", "url=ldap://h:389/?x=y@1"},
		{"jetty realm", "admin: admin, admin\nuser: user, user\n", "admin=admin, admin@1\nuser=user, user@2"},
		{"latin-1 bytes", "k=caf\xe9\n", "k=café@1"},
		{"repeated key kept in order", "k=1\nk=2\n", "k=1@1\nk=2@2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := ParseProperties([]byte(tt.in), "x.properties")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, fmt.Sprintf("%s=%s@%d", p.Key, p.Value, p.Line))
			}
			if g := strings.Join(got, "\n"); g != tt.want {
				t.Errorf("got\n%s\nwant\n%s", g, tt.want)
			}
		})
	}
}

func TestPropertiesGetLast(t *testing.T) {
	ps, err := ParseProperties([]byte("k=1\nk=2\n"), "x")
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := ps.Get("k"); !ok || p.Value != "2" || p.Line != 2 {
		t.Errorf("Get = %+v %v", p, ok)
	}
	if _, ok := ps.Get("missing"); ok {
		t.Error("missing key found")
	}
}

func TestParsePropertiesErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		secret   string
	}{
		{"bad unicode escape in value", "ok=1\npassword=s3cr3t\\uZZZZ\n", 2, "s3cr3t"},
		{"short unicode escape", "a=1\nb=2\nk=topsecret\\u12", 3, "topsecret"},
		{"bad escape in key", "\\u12G4secretkey=v\n", 1, "secretkey"},
		{"continued line reports its first line", "a=1\nk=hunter2\\\n  more\\u00\n", 2, "hunter2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseProperties([]byte(tt.in), "users.properties")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.File != "users.properties" || pe.Line != tt.line {
				t.Errorf("at %s:%d, want line %d", pe.File, pe.Line, tt.line)
			}
			if strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error quotes the value: %v", err)
			}
		})
	}
	big := strings.Repeat("k=v\n", MaxPropertiesSize/4+1)
	if _, err := ParseProperties([]byte(big), "big"); err == nil {
		t.Error("oversized file accepted")
	}
}

func FuzzProperties(f *testing.F) {
	for _, s := range []string{
		"admin=admin\n", "admin: admin, admin\nuser: user, user\n", "admin activemq\n",
		"# c\n! c\nk = v \\\n  w\n", "a\\=b\\:c=\\u0041\n", "k=\\u12", "\\", "k=a\\\\\n", "\r\n\r\n=\n:\n",
		"activemq.username=system\nactivemq.password=manager\nguest.password=password\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := ParseProperties(data, "f.properties")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line < 1 || pe.File != "f.properties" {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		lines := strings.Count(string(data), "\n") + 1
		last := 0
		for _, p := range ps {
			if p.Line < 1 || p.Line > lines || p.Line <= last {
				t.Fatalf("line %d out of order or range (last %d, %d lines)", p.Line, last, lines)
			}
			last = p.Line
		}
	})
}

func TestParsePropertiesLongContinuation(t *testing.T) {
	// Half a megabyte of continued lines is one logical line, read in linear time.
	in := "k=" + strings.Repeat("a\\\n", MaxPropertiesSize/4)
	ps, err := ParseProperties([]byte(in), "x")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || len(ps[0].Value) != MaxPropertiesSize/4 {
		t.Fatalf("got %d properties", len(ps))
	}
}
