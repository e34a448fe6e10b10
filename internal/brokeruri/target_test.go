package brokeruri

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckTarget(t *testing.T) {
	for _, c := range []struct {
		in, want string
		err      string // substring of the error; "" for none
		creds    bool   // the error wraps ErrTargetCredentials
	}{
		{in: "https://rabbit.internal:15671", want: "https://rabbit.internal:15671"},
		{in: "  HTTP://rabbit:15672/  ", want: "http://rabbit:15672/"},
		{in: "https://proxy.example.com/rabbit/", want: "https://proxy.example.com/rabbit/"},
		{in: "amqps://10.0.0.5:5671", want: "amqps://10.0.0.5:5671"},
		{in: "ssl://[::1]:61617", want: "ssl://[::1]:61617"},
		{in: "stomp+ssl://b-1.mq.eu-west-1.amazonaws.com:61614", want: "stomp+ssl://b-1.mq.eu-west-1.amazonaws.com:61614"},
		{in: "tcp://activemq:61616?wireFormat.maxInactivityDuration=0", want: "tcp://activemq:61616?wireFormat.maxInactivityDuration=0"},
		{in: "mqtt://host", want: "mqtt://host"},
		{in: "wss://host:61619", want: "wss://host:61619"},
		{in: "", err: "empty broker URL"},
		{in: "rabbit:15672", err: "is no URL"},
		{in: "admin:Hunter2@rabbit:15672", err: "is no URL"},
		{in: "https://admin:Hunter2@rabbit:15671", err: "https://rabbit:15671: credentials in a broker URL", creds: true},
		{in: "amqps://guest@rabbit:5671", err: "user information", creds: true},
		{in: "ssl://host:61617?password=Hunter2", err: "password parameter", creds: true},
		{in: "ftp://host:21", err: `unknown scheme "ftp"`},
		{in: "nio://host:61616", err: `unknown scheme "nio"`},
		{in: "tcp://:61616", err: "no host"},
		{in: "tcp://10.0.0.0/24", err: "has no path"},
		{in: "tcp://10.0.0.*:61616", err: "never a range"},
		{in: "tcp://host:0", err: `port "0"`},
		{in: "tcp://host:99999", err: `port "99999"`},
		{in: "tcp://host:", err: "empty port"},
		{in: "tcp://host:http", err: "not a valid URL"},
	} {
		got, err := CheckTarget(c.in)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("CheckTarget(%q): %v", c.in, err)
		case c.err == "" && got != c.want:
			t.Errorf("CheckTarget(%q) = %q, want %q", c.in, got, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("CheckTarget(%q) = %q, %v; want an error with %q", c.in, got, err, c.err)
		case c.err != "" && errors.Is(err, ErrTargetCredentials) != c.creds:
			t.Errorf("CheckTarget(%q): %v: wraps ErrTargetCredentials %v, want %v", c.in, err, !c.creds, c.creds)
		}
		if err != nil && strings.Contains(err.Error(), "Hunter2") {
			t.Errorf("CheckTarget(%q): the error shows the password: %v", c.in, err)
		}
	}
}

// FuzzCheckTarget: whatever the URL, CheckTarget does not panic, an accepted URL has a known
// scheme and no user information, and no error shows the password of user information.
func FuzzCheckTarget(f *testing.F) {
	for _, s := range []string{"https://rabbit:15671", "https://u:Hunter2@h:1", "tcp://10.0.0.0/24", "ssl://[::1]:61617",
		"u:Hunter2@h", "amqps://h:5671?password=Hunter2", "%zz://h", "tcp://h:1:2", "http://[fe80::1%25eth0]:15672/x?y#z"} {
		f.Add(s, "Hunter2")
	}
	f.Fuzz(func(t *testing.T, prefix, pw string) {
		if len(pw) < 6 || strings.ContainsAny(pw, "@/?#:;&=,() \t\r\n%*$x{}") || strings.Contains(prefix, pw) {
			return
		}
		in := prefix
		if scheme, rest, ok := strings.Cut(prefix, "://"); ok {
			in = scheme + "://user:" + pw + "@" + rest
		}
		got, err := CheckTarget(in)
		if err == nil {
			scheme, _, _ := strings.Cut(got, "://")
			if !strings.Contains(got, "://") || !containsString(ProbeSchemes(), scheme) {
				t.Fatalf("CheckTarget(%q) accepted %q", in, got)
			}
			if strings.Contains(in, "user:"+pw+"@") {
				t.Fatalf("CheckTarget(%q) accepted user information", in)
			}
			return
		}
		if strings.Contains(in, "user:"+pw+"@") && strings.Contains(err.Error(), pw) {
			t.Fatalf("CheckTarget(%q): the error shows the password: %v", in, err)
		}
	})
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
