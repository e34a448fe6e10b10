package rules

import (
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMQG026LDAPWithoutTLS(t *testing.T) {
	unknownHosts := model.StringList{State: model.Unknown, At: aAt(41)}
	partlyUnknown := func(hosts ...string) model.StringList {
		l := cHosts(hosts...)
		l.State = model.Unknown
		return l
	}
	simple := func(b *model.Broker) { b.AuthStrategy = model.ExplicitString("SIMPLE", aAt(6)) }
	unknownAuth := func(b *model.Broker) { b.AuthStrategy = model.UnknownString(aAt(6)) }
	unread := func(b *model.Broker) { b.LDAPUnread = true }
	aRun(t, mqg026, []aCase{
		{name: "no ldap metadata", b: aBroker(model.EngineActiveMQ), want: []Status{NotApplicable}},
		{name: "ldap metadata not read", b: aBroker(model.EngineActiveMQ, unread, unknownAuth),
			want: []Status{Unknown}, at: aRange(aAt(1)), contains: "LDAP server"},
		{name: "ldap metadata not read, simple auth", b: aBroker(model.EngineActiveMQ, unread, simple),
			want: []Status{NotApplicable}, contains: "SIMPLE"},
		{name: "ldap metadata not read, ldap auth", b: aBroker(model.EngineActiveMQ, unread,
			func(b *model.Broker) { b.AuthStrategy = model.ExplicitString("LDAP", aAt(6)) }), want: []Status{Unknown}},
		{name: "metadata but simple auth", b: aBroker(model.EngineActiveMQ, cLDAP(cHosts("ldap://dir:389")), simple),
			want: []Status{NotApplicable}, contains: "SIMPLE"},
		{name: "bare host names", b: aBroker(model.EngineActiveMQ, cLDAP(cHosts("ldap.corp.example.com", "ldap2.corp.example.com"))),
			want: []Status{Pass}, from: aState(model.Explicit), at: aRange(aAt(41))},
		{name: "ldaps url", b: aBroker(model.EngineRabbitMQ, cLDAP(cHosts("LDAPS://ldap.corp.example.com:636"))), want: []Status{Pass}},
		{name: "host on 636", b: aBroker(model.EngineActiveMQ, cLDAP(cHosts("ldap.corp.example.com:636"))), want: []Status{Pass}},
		{name: "ipv6 host", b: aBroker(model.EngineActiveMQ, cLDAP(cHosts("[2001:db8::10]:636"))), want: []Status{Pass}},
		{name: "ldap scheme", b: aBroker(model.EngineActiveMQ, cLDAP(cHosts("ldap://ldap.corp.example.com"))),
			want: []Status{Fail}, contains: "ldap://ldap.corp.example.com", subjects: []string{"ldap-host:ldap://ldap.corp.example.com"}},
		{name: "port 389", b: aBroker(model.EngineActiveMQ, cLDAP(cHosts("ldap.corp.example.com:389"))),
			want: []Status{Fail}, contains: "port 389"},
		{name: "ldaps on 389", b: aBroker(model.EngineActiveMQ, cLDAP(cHosts("ldaps://ldap.corp.example.com:389"))),
			want: []Status{Fail}},
		{name: "one of two hosts", b: aBroker(model.EngineActiveMQ, cLDAP(cHosts("ldap.corp.example.com", "ldap://10.0.0.5:389/dc=corp"))),
			want: []Status{Fail}, subjects: []string{"ldap-host:ldap://10.0.0.5:389"}},
		{name: "two plain hosts, one repeated", b: aBroker(model.EngineActiveMQ, cLDAP(cHosts("ldap://a", "b:389", "ldap://a"))),
			want: []Status{Fail, Fail}, subjects: []string{"ldap-host:ldap://a", "ldap-host:b:389"}},
		{name: "hosts unknown", b: aBroker(model.EngineActiveMQ, cLDAP(unknownHosts)),
			want: []Status{Unknown}, at: aRange(aAt(41))},
		{name: "known plain host among unknown", b: aBroker(model.EngineActiveMQ, cLDAP(partlyUnknown("ldap://a"))),
			want: []Status{Fail}},
		{name: "known tls host among unknown", b: aBroker(model.EngineActiveMQ, cLDAP(partlyUnknown("a"))),
			want: []Status{Unknown}},
		{name: "auth unknown, tls hosts", b: aBroker(model.EngineActiveMQ, cLDAP(cHosts("a")), unknownAuth),
			want: []Status{Unknown}},
		{name: "auth unknown, plain host", b: aBroker(model.EngineActiveMQ, cLDAP(cHosts("ldap://a")), unknownAuth),
			want: []Status{Unknown}},
		{name: "other scheme", b: aBroker(model.EngineActiveMQ, cLDAP(cHosts("tcp://a:10389"))),
			want: []Status{Unknown}, contains: "scheme"},
		{name: "bad port", b: aBroker(model.EngineActiveMQ, cLDAP(cHosts("a:99999"))), want: []Status{Unknown}},
		{name: "empty list", b: aBroker(model.EngineActiveMQ, cLDAP(cHosts())), want: []Status{NotApplicable}},
		{name: "live broker", b: aBroker(model.EngineActiveMQ, cLive, cLDAP(cHosts("ldap://dir.example.com"))),
			want: []Status{Fail}},
	})
}

func TestMQG026NeverPrintsUserInfo(t *testing.T) {
	b := aBroker(model.EngineActiveMQ, cLDAP(cHosts("ldap://svc:Sup3rSecret@dir.example.com:389")))
	for _, r := range checkLDAPWithoutTLS(b, aCtx()) {
		if strings.Contains(r.Message+r.Subject, "Sup3rSecret") || strings.Contains(r.Message+r.Subject, "svc") {
			t.Errorf("result leaks user information: %+v", r)
		}
	}
}

func TestLDAPHostTLS(t *testing.T) {
	tests := []struct {
		in    string
		label string
		tls   Tri
	}{
		{"ldap.example.com", "ldap.example.com", Yes},
		{" ldap.example.com ", "ldap.example.com", Yes},
		{"ldaps://ldap.example.com", "ldaps://ldap.example.com", Yes},
		{"ldap://ldap.example.com:636", "ldap://ldap.example.com:636", No},
		{"ldap.example.com:389", "ldap.example.com:389", No},
		{"ldap://u:p@h:389/base?x", "ldap://h:389", No},
		{"", "(empty)", Maybe},
		{"h:port", "h:port", Maybe},
		{"ftp://h", "ftp://h", Maybe},
	}
	for _, tc := range tests {
		label, tls, _ := ldapHostTLS(tc.in)
		if label != tc.label || tls != tc.tls {
			t.Errorf("ldapHostTLS(%q) = %q, %v; want %q, %v", tc.in, label, tls, tc.label, tc.tls)
		}
	}
}

func FuzzLDAPHostTLS(f *testing.F) {
	for _, s := range []string{"ldap.example.com", "ldaps://h:636", "ldap://u:p@h:389/x", "[::1]:389", "://", "@", "h:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		label, tls, _ := ldapHostTLS(s)
		if tls > Maybe || label == "" {
			t.Fatalf("ldapHostTLS(%q) = %q, %v", s, label, tls)
		}
		if i := strings.Index(s, "://"); i >= 0 && strings.EqualFold(s[:i], "ldap") && tls != No {
			t.Fatalf("ldap:// entry %q judged %v", s, tls)
		}
	})
}

func TestMQG026SelfManaged(t *testing.T) {
	ldap := func(tls model.Bool, hosts ...string) func(*model.Broker) {
		return func(b *model.Broker) {
			b.LDAP = &model.LDAP{Hosts: model.StringList{V: hosts, State: model.Explicit, At: sAt(20)}, At: sAt(20)}
			b.SelfManaged.LDAPTLS = tls
		}
	}
	aRun(t, mqg026, []aCase{
		{name: "no ldap", b: sBroker(model.EngineRabbitMQ), want: []Status{NotApplicable}},
		{name: "rabbit use_ssl", b: sBroker(model.EngineRabbitMQ, ldap(model.ExplicitBool(true, sAt(21)), "ldap://dc1.example.com:636")),
			want: []Status{Pass}},
		{name: "rabbit starttls on 389 passes", b: sBroker(model.EngineRabbitMQ, ldap(model.ExplicitBool(true, sAt(22)), "ldap://dc1.example.com:389")),
			want: []Status{Pass}},
		{name: "rabbit without tls", b: sBroker(model.EngineRabbitMQ, ldap(model.DefaultBool(false, sAt(20)),
			"ldap://dc1.example.com:389", "ldap://dc2.example.com:389")), want: []Status{Fail, Fail}, from: aState(model.Default),
			subjects: []string{"ldap-host:ldap://dc1.example.com:389", "ldap-host:ldap://dc2.example.com:389"}},
		{name: "rabbit use_ssl false", b: sBroker(model.EngineRabbitMQ, ldap(model.ExplicitBool(false, sAt(21)), "ldap://dc1.example.com:389")),
			want: []Status{Fail}, contains: "is false"},
		{name: "rabbit tls unknown", b: sBroker(model.EngineRabbitMQ, ldap(model.UnknownBool(sAt(21)), "ldap://dc1.example.com:389")),
			want: []Status{Unknown}},
		{name: "activemq ldap://", b: sBroker(model.EngineActiveMQ, ldap(model.Bool{}, "ldap://dc1.example.com:389")), want: []Status{Fail}},
		{name: "activemq ldaps://", b: sBroker(model.EngineActiveMQ, ldap(model.Bool{}, "ldaps://dc1.example.com:636")), want: []Status{Pass}},
		{name: "ldap unread", b: sBroker(model.EngineActiveMQ, func(b *model.Broker) { b.LDAPUnread = true }), want: []Status{Unknown}},
	})
}
