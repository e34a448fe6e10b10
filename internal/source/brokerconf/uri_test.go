package brokerconf

import (
	"slices"
	"strings"
	"testing"
)

func TestURITransports(t *testing.T) {
	tests := []struct {
		uri  string
		want []string
	}{
		{"static:(tcp://a:1,ssl://b:2)?x=y", []string{"tcp", "ssl"}},
		{"ssl://h:61617", []string{"ssl"}},
		{"nio+ssl://0.0.0.0:61616", []string{"nio+ssl"}},
		{"auto+nio+ssl://0.0.0.0:61616?x=1", []string{"auto+nio+ssl"}},
		{"SSL://H:61617", []string{"ssl"}},
		{"static:(ssl://b-1.mq.us-east-1.amazonaws.com:61617)", []string{"ssl"}},
		{"masterslave:(tcp://10.0.0.1:61616,tcp://10.0.0.2:61616)", []string{"tcp"}},
		{"static://(tcp://a:1)", []string{"tcp"}},
		{"static:tcp://a:1", []string{"tcp"}},
		{"static:(failover:(ssl://a:1,nio://b:2)?randomize=false,tcp://c:3)", []string{"ssl", "nio", "tcp"}},
		{"discovery:(multicast://default)?group=x", []string{"multicast"}},
		{"multicast://default", []string{"multicast"}},
		{" ssl://padded:1 ", []string{"ssl"}},
		{"static:(ssl://a:1", []string{"ssl"}},
		{"", nil},
		{"localhost:61616", nil},
		{"${broker.uri}", nil},
		{"static:()", nil},
	}
	for _, tt := range tests {
		if got := URITransports(tt.uri); !slices.Equal(got, tt.want) {
			t.Errorf("URITransports(%q) = %q, want %q", tt.uri, got, tt.want)
		}
	}
}

func TestURITransportsDeepNesting(t *testing.T) {
	uri := strings.Repeat("static:(", 10000) + "tcp://a:1" + strings.Repeat(")", 10000)
	if got := URITransports(uri); got != nil {
		t.Errorf("got %q, want nil beyond the nesting limit", got)
	}
}

func TestURICredentials(t *testing.T) {
	tests := []struct {
		uri  string
		want bool
	}{
		{"ssl://user:pass@h:61617", true},
		{"static:(ssl://a:1,tcp://admin:hunter2@b:2)", true},
		{"masterslave:(tcp://u:p@a:1,tcp://b:2)", true},
		{"static:(ssl://b-3.mq.eu-west-1.amazonaws.com:61617?password=hunter3)", true},
		{"static:(ssl://a:1)?network.password=x", true},
		{"tcp://h:1?wireFormat.x=1&passwd=x", true},
		{"tcp://h:1?PWD=x", true},
		{"tcp://h:1?pass=x", true},
		{"tcp://h:1?passive=true&compass=x", false},
		{"ssl://h:1?transport.keyStorePassword=x", true},
		{"ldaps://cn=admin:secret@ldap.example.org:636", true},
		{"ssl://user:REDACTED@h:1", true},
		{"ssl://h:61617", false},
		{"ssl://user@h:61617", false},
		{"ssl://user:@h:61617", false},
		{"ssl://user:${bridge.password}@h:61617", false},
		{"tcp://h:1?password=${pw}", false},
		{"tcp://h:1?password=", false},
		{"tcp://h:1?maximumConnections=1000&wireFormat.maxFrameSize=104857600", false},
		{"tcp://h:1/path@x:y", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := URICredentials(tt.uri); got != tt.want {
			t.Errorf("URICredentials(%q) = %v, want %v", tt.uri, got, tt.want)
		}
	}
}

func TestRedactURI(t *testing.T) {
	tests := []struct{ uri, want string }{
		{"ssl://h:61617", "ssl://h:61617"},
		{"static:(ssl://admin:hunter2@b:1,tcp://u:p@c:2)?x=y", "static:(ssl://admin:REDACTED@b:1,tcp://u:REDACTED@c:2)?x=y"},
		{"static:(ssl://b:1?password=hunter3&x=1)", "static:(ssl://b:1?password=REDACTED&x=1)"},
		{"tcp://u:${pw}@h:1?password=${pw}", "tcp://u:${pw}@h:1?password=${pw}"},
		{"tcp://h:1?a=b&transport.keyStorePassword=k", "tcp://h:1?a=b&transport.keyStorePassword=REDACTED"},
		{"", ""},
	}
	for _, tt := range tests {
		got := RedactURI(tt.uri)
		if got != tt.want {
			t.Errorf("RedactURI(%q) = %q, want %q", tt.uri, got, tt.want)
		}
		if URICredentials(tt.uri) != URICredentials(got) {
			t.Errorf("URICredentials changes after RedactURI(%q)", tt.uri)
		}
	}
}

func FuzzURI(f *testing.F) {
	for _, s := range []string{"static:(tcp://a:1,ssl://b:2)?x=y", "ssl://u:p@h:1?password=x", "static://(", "a:(((", "tcp://@:@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		for _, s := range URITransports(uri) {
			if s != strings.ToLower(s) || s == "" {
				t.Errorf("URITransports(%q) returned %q", uri, s)
			}
		}
		red := RedactURI(uri)
		if URICredentials(uri) != URICredentials(red) {
			t.Errorf("URICredentials changes after RedactURI(%q) = %q", uri, red)
		}
		if RedactURI(red) != red {
			t.Errorf("RedactURI is not idempotent on %q", uri)
		}
	})
}
