package rules

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
		if got := uriTransports(tt.uri); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("uriTransports(%q) = %q, want %q", tt.uri, got, tt.want)
		}
	}
}

func TestIsTLSTransport(t *testing.T) {
	for scheme, want := range map[string]bool{
		"ssl": true, "nio+ssl": true, "auto+ssl": true, "auto+nio+ssl": true, "https": true,
		"wss": true, "tcp": false, "nio": false, "multicast": false, "auto": false, "http": false,
		"ws": false, "udp": false, "sslx": false,
	} {
		if got := isTLSTransport(scheme); got != want {
			t.Errorf("isTLSTransport(%q) = %v, want %v", scheme, got, want)
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
		if got := uriHasCredentials(tt.s); got != tt.want {
			t.Errorf("uriHasCredentials(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func FuzzURIHelpers(f *testing.F) {
	for _, s := range []string{"static:(tcp://a:1,ssl://u:p@b:2)?password=x", "://", "a://@", "tcp://(", ":@//"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_ = uriTransports(s)
		_ = uriHasCredentials(s)
	})
}
