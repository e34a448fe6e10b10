package brokeruri

import (
	"reflect"
	"testing"
)

func TestURITransports(t *testing.T) {
	tests := []struct {
		uri  string
		want []string
	}{
		{"tcp://broker-a:61616", []string{"tcp"}},
		{"ssl://b-1234.mq.us-east-1.amazonaws.com:61617", []string{"ssl"}},
		{"nio+ssl://host:61617?wireFormat.maxInactivityDuration=0", []string{"nio+ssl"}},
		{"static:(tcp://a:61616,ssl://b:61617)?maxReconnectAttempts=-1", []string{"tcp", "ssl"}},
		{"static:(ssl://b-1.mq.eu-west-1.amazonaws.com:61617)", []string{"ssl"}},
		{"masterslave:(tcp://a:61616,tcp://b:61616)", []string{"tcp", "tcp"}},
		{"static://(TCP://a:61616)", []string{"tcp"}},
		{"multicast://default", []string{"multicast"}},
		{"discovery:(multicast://default)?group=x", []string{"multicast"}},
		{"failover:(auto+ssl://a:5671, https://b)", []string{"auto+ssl", "https"}},
		{"static:(ssl://a:61617)?redirect=http://example.com", []string{"ssl", "http"}},
		{"ssl://a:61617/path/tcp://nothing", []string{"ssl"}},
		{"", nil},
		{"static:(hostname)", nil},
		{"://host", nil},
		{"1tcp://host", nil},
	}
	for _, tt := range tests {
		if got := Transports(tt.uri); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Transports(%q) = %q, want %q", tt.uri, got, tt.want)
		}
	}
}

func TestIsTLSTransport(t *testing.T) {
	for scheme, want := range map[string]bool{
		"ssl": true, "nio+ssl": true, "auto+ssl": true, "auto+nio+ssl": true, "https": true,
		"wss": true, "tcp": false, "nio": false, "multicast": false, "auto": false, "http": false,
		"ws": false, "udp": false, "sslx": false,
	} {
		if got := IsTLS(scheme); got != want {
			t.Errorf("IsTLS(%q) = %v, want %v", scheme, got, want)
		}
	}
}

func TestURIHasCredentials(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"amqps://app:s3cret@b-1.mq.eu-west-1.amazonaws.com:5671", true},
		{"static:(ssl://bridge:hunter2@b-2.mq.eu-west-1.amazonaws.com:61617)", true},
		{"static:(ssl://a:61617,tcp://u:p@b:61616)", true},
		{"ldaps://svc:Passw0rd@ldap.example.com:636", true},
		{"https://dashboard.example.com/?user=ops&password=letmein", true},
		{"Server=db;User Id=app;Password=abc123", true},
		{"ssl://a:61617?keyStorePassword=changeit", true},
		{"static:(ssl://a:61617)?userName=bridge&password=fake", true},
		{"password=hunter2", true},
		{"ssl://user@host:61617", false},
		{"ssl://user:@host:61617", false},
		{"https://host/path?password=", false},
		{"https://host/path?password=${MQ_PASSWORD}", false},
		{"amqps://app:${var.password}@host", false},
		{"amqps://app:****@host", false},
		{"https://example.com:8443/path", false},
		{"arn:aws:mq:us-east-1:123456789012:broker:orders:b-1234", false},
		{"ops@example.com", false},
		{"rotate-password=monthly", false},
		{"passwordless", false},
		{"mailto:a@b.com", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := HasCredentials(tt.s); got != tt.want {
			t.Errorf("HasCredentials(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func FuzzURIHelpers(f *testing.F) {
	for _, s := range []string{"static:(tcp://a:1,ssl://u:p@b:2)?password=x", "://", "a://@", "tcp://(", ":@//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = Transports(s)
		_ = HasCredentials(s)
	})
}

func TestHasCredentialsURIs(t *testing.T) {
	tests := []struct {
		uri  string
		want bool
	}{
		{"ssl://user:pass@h:61617", true},
		{"static:(ssl://a:1,tcp://admin:hunter2@b:2)", true},
		{"masterslave:(tcp://u:p@a:1,tcp://b:2)", true},
		{"static:(ssl://b-3.mq.eu-west-1.amazonaws.com:61617?password=hunter3)", true},
		{"static:(ssl://a:1)?network.password=s3cret", true},
		{"tcp://h:1?wireFormat.x=1&passwd=s3cret", true},
		{"tcp://h:1?PWD=s3cret", true},
		{"tcp://h:1?pass=s3cret", true},
		{"tcp://h:1?passive=true&compass=x", false},
		{"ssl://h:1?transport.keyStorePassword=s3cret", true},
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
		if got := HasCredentials(tt.uri); got != tt.want {
			t.Errorf("HasCredentials(%q) = %v, want %v", tt.uri, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ uri, want string }{
		{"ssl://h:61617", "ssl://h:61617"},
		{"static:(ssl://admin:hunter2@b:1,tcp://u:p@c:2)?x=y", "static:(ssl://admin:REDACTED@b:1,tcp://u:REDACTED@c:2)?x=y"},
		{"static:(ssl://b:1?password=hunter3&x=1)", "static:(ssl://b:1?password=REDACTED&x=1)"},
		{"tcp://u:${pw}@h:1?password=${pw}", "tcp://u:${pw}@h:1?password=${pw}"},
		{"tcp://h:1?a=b&transport.keyStorePassword=k", "tcp://h:1?a=b&transport.keyStorePassword=REDACTED"},
		{"", ""},
	}
	for _, tt := range tests {
		got := Redact(tt.uri)
		if got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.uri, got, tt.want)
		}
		if HasCredentials(tt.uri) != HasCredentials(got) {
			t.Errorf("URICredentials changes after Redact(%q)", tt.uri)
		}
	}
}

func FuzzRedact(f *testing.F) {
	for _, s := range []string{"static:(tcp://a:1,ssl://b:2)?x=y", "ssl://u:p@h:1?password=x", "static://(", "a:(((", "tcp://@:@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, uri string) {
		red := Redact(uri)
		if HasCredentials(uri) != HasCredentials(red) {
			t.Errorf("URICredentials changes after Redact(%q) = %q", uri, red)
		}
		if Redact(red) != red {
			t.Errorf("RedactURI is not idempotent on %q", uri)
		}
	})
}

func TestIsLoopbackHost(t *testing.T) {
	for h, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "127.0.0.1": true, "127.8.9.10": true, "::1": true, "[::1]": true,
		"0.0.0.0": false, "::": false, "": false, "10.0.0.5": false, "127.corp.example": false, "broker.internal": false,
	} {
		if got := IsLoopbackHost(h); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", h, got, want)
		}
	}
}
