package brokerconf

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

// dumpFacts renders ActiveMQFacts one line per fact.
func dumpFacts(f *ActiveMQFacts) string {
	var b strings.Builder
	str := func(s model.String) string { return fmt.Sprintf("%s:%q@%d", s.State, s.V, s.At.StartLine) }
	boo := func(v model.Bool) string { return fmt.Sprintf("%s:%v@%d", v.State, v.V, v.At.StartLine) }
	fmt.Fprintf(&b, "name=%s useJmx=%s broker@%d-%d\n", str(f.BrokerName), boo(f.UseJMX), f.BrokerAt.StartLine, f.BrokerAt.EndLine)
	if m := f.ManagementContext; m != nil {
		fmt.Fprintf(&b, "mgmt enabled=%s auth=%s host=%s port=%s:%d@%d @%d-%d\n", boo(m.Enabled), boo(m.Authenticated), str(m.Host), m.Port.State, m.Port.V, m.Port.At.StartLine, m.At.StartLine, m.At.EndLine)
	}
	for _, p := range f.Authentication {
		fmt.Fprintf(&b, "authn %s @%d-%d\n", p.Name, p.At.StartLine, p.At.EndLine)
	}
	fmt.Fprintf(&b, "anonymous=%s\n", boo(f.AnonymousAccessAllowed))
	for _, u := range f.Users {
		fmt.Fprintf(&b, "user %s groups=%s:%v password=%s\n", str(u.Username), u.Groups.State, u.Groups.V, u.Password.Origin)
	}
	for _, s := range f.JAASConfigurations {
		fmt.Fprintf(&b, "jaas %s\n", str(s))
	}
	for _, s := range f.LDAPURLs {
		fmt.Fprintf(&b, "ldap %s\n", str(s))
	}
	if len(f.LDAPURLs) > 0 {
		fmt.Fprintf(&b, "ldap account %s password=%s\n", str(f.LDAPUser), f.LDAPPassword.Origin)
	}
	for _, s := range f.PropertyLocations {
		fmt.Fprintf(&b, "location %s\n", str(s))
	}
	for _, s := range f.Imports {
		fmt.Fprintf(&b, "import %s\n", str(s))
	}
	if len(f.Placeholders) > 0 {
		fmt.Fprintf(&b, "placeholders %v\n", f.Placeholders)
	}
	return b.String()
}

const beansHead = `<beans xmlns="http://www.springframework.org/schema/beans">
`

func TestParseActiveMQInstall(t *testing.T) {
	props := map[string]string{"activemq.username": "system", "activemq.password": "manager", "jmx.host": "127.0.0.1", "anon": "true"}
	resolve := func(n string) (string, bool) { v, ok := props[n]; return v, ok }
	tests := []struct {
		name    string
		in      string
		resolve Resolver
		want    string
		// wantDump, when set, is the dump of the ActiveMQConfig (connector URIs).
		wantDump string
	}{
		{"bare managementContext, no broker name", beansHead + `<broker xmlns="http://activemq.apache.org/schema/core">
  <managementContext>
    <managementContext/>
  </managementContext>
</broker>
</beans>`, resolve, `name=unknown:""@0 useJmx=unknown:false@0 broker@2-6
mgmt enabled=unknown:false@3 auth=default:false@3 host=default:""@3 port=default:1099@3 @3-5
anonymous=unknown:false@0
`, ""},
		{"connector with authentication and placeholders", beansHead + `<bean class="org.springframework.beans.factory.config.PropertyPlaceholderConfigurer">
  <property name="locations">
    <list>
      <value>file:${activemq.conf}/credentials.properties</value>
      <value>classpath:extra.properties</value>
    </list>
  </property>
</bean>
<broker xmlns="http://activemq.apache.org/schema/core" brokerName="${broker.name}" useJmx="true">
  <managementContext>
    <managementContext createConnector="true" connectorHost="${jmx.host}" connectorPort="1616">
      <property xmlns="http://www.springframework.org/schema/beans" name="environment">
        <map xmlns="http://www.springframework.org/schema/beans">
          <entry key="jmx.remote.x.password.file" value="${activemq.conf}/jmx.password"/>
          <entry key="jmx.remote.x.access.file" value="${activemq.conf}/jmx.access"/>
        </map>
      </property>
    </managementContext>
  </managementContext>
  <plugins>
    <simpleAuthenticationPlugin anonymousAccessAllowed="${anon}">
      <users>
        <authenticationUser username="${activemq.username}" password="${activemq.password}" groups="users,admins"/>
        <authenticationUser username="guest" password="${guest.password}"/>
        <authenticationUser username="nopass"/>
      </users>
    </simpleAuthenticationPlugin>
    <authorizationPlugin>
      <map><cachedLDAPAuthorizationMap connectionURL="ldap://ldap.example.com:389" connectionUsername="uid=admin" connectionPassword="hunter2"/></map>
    </authorizationPlugin>
  </plugins>
  <networkConnectors>
    <ldapNetworkConnector uri="ldaps://dir.example.com:636"/>
  </networkConnectors>
  <transportConnectors>
    <transportConnector name="openwire" uri="tcp://${host}:61616"/>
    <transportConnector name="ssl" uri="ssl://${jmx.host}:61617"/>
    <transportConnector name="dflt" uri="stomp://${stomp.host:0.0.0.0}:61613"/>
  </transportConnectors>
</broker>
<import resource="jetty.xml"/>
</beans>`, resolve, `name=unknown:""@10 useJmx=explicit:true@10 broker@10-41
mgmt enabled=explicit:true@12 auth=explicit:true@16 host=explicit:"127.0.0.1"@12 port=explicit:1616@12 @11-20
authn simpleAuthenticationPlugin @22-28
anonymous=explicit:true@22
user explicit:"system"@24 groups=explicit:[users admins] password=literal
user explicit:"guest"@25 groups=default:[] password=unknown
user explicit:"nopass"@26 groups=default:[] password=absent
ldap explicit:"ldap://ldap.example.com:389"@30
ldap explicit:"ldaps://dir.example.com:636"@34
ldap account explicit:"uid=admin"@30 password=literal
location explicit:"file:${activemq.conf}/credentials.properties"@5
location explicit:"classpath:extra.properties"@6
import explicit:"jetty.xml"@42
placeholders [${broker.name} ${guest.password} ${host}]
`, `transport name=explicit:"openwire" uri=unknown:"" @37-37
transport name=explicit:"ssl" uri=explicit:"ssl://127.0.0.1:61617" @38-38
transport name=explicit:"dflt" uri=explicit:"stomp://0.0.0.0:61613" @39-39
plugin simpleAuthenticationPlugin @22-28
plugin authorizationPlugin @29-31
authorizationPlugin @29-31
  map @30-30
user explicit:"system" groups=[users admins] @24-24
user explicit:"guest" groups=[] @25-25
user explicit:"nopass" groups=[] @26-26
credential cachedLDAPAuthorizationMap connectionPassword @30-30
`},
		{"without a resolver, attributes are kept as written", beansHead + `<broker xmlns="http://activemq.apache.org/schema/core" brokerName="b1">
  <transportConnectors><transportConnector name="openwire" uri="tcp://${host}:61616"/></transportConnectors>
</broker></beans>`, nil, `name=explicit:"b1"@2 useJmx=unknown:false@0 broker@2-4
anonymous=unknown:false@0
`, `transport name=explicit:"openwire" uri=explicit:"tcp://${host}:61616" @3-3
`},
		{"useJmx false turns the connector off; one environment file only; jaas plugins", beansHead + `<broker xmlns="http://activemq.apache.org/schema/core" useJmx="false">
  <managementContext><managementContext createConnector="true">
    <property name="environment"><map><entry key="jmx.remote.x.password.file" value="x"/></map></property>
  </managementContext></managementContext>
  <plugins>
    <jaasAuthenticationPlugin configuration="LDAPLogin"/>
    <jaasDualAuthenticationPlugin/>
    <jaasCertificateAuthenticationPlugin configuration="CertLogin"/>
    <simpleAuthenticationPlugin/>
  </plugins>
</broker></beans>`, resolve, `name=unknown:""@0 useJmx=explicit:false@2 broker@2-12
mgmt enabled=explicit:false@2 auth=explicit:false@4 host=default:""@3 port=default:1099@3 @3-5
authn jaasAuthenticationPlugin @7-7
authn jaasDualAuthenticationPlugin @8-8
authn jaasCertificateAuthenticationPlugin @9-9
authn simpleAuthenticationPlugin @10-10
anonymous=default:false@10
jaas explicit:"LDAPLogin"@7
jaas default:"activemq"@8
jaas explicit:"CertLogin"@9
`, ""},
		{"context:property-placeholder and location attribute", `<beans xmlns="http://www.springframework.org/schema/beans" xmlns:context="http://www.springframework.org/schema/context">
<context:property-placeholder location="classpath:a.properties,file:${activemq.conf}/b.properties"/>
<bean class="org.springframework.context.support.PropertySourcesPlaceholderConfigurer"><property name="location" value="c.properties"/></bean>
<broker xmlns="http://activemq.apache.org/schema/core"/>
</beans>`, resolve, `name=unknown:""@0 useJmx=unknown:false@0 broker@4-4
anonymous=unknown:false@0
location explicit:"classpath:a.properties"@2
location explicit:"file:${activemq.conf}/b.properties"@2
location explicit:"c.properties"@3
`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, facts, err := ParseActiveMQInstall([]byte(tt.in), "activemq.xml", 1, tt.resolve)
			if err != nil {
				t.Fatal(err)
			}
			if got := dumpFacts(facts); got != tt.want {
				t.Errorf("facts:\n%s\nwant\n%s", got, tt.want)
			}
			if tt.wantDump != "" {
				if got := dump(cfg); got != tt.wantDump {
					t.Errorf("config:\n%s\nwant\n%s", got, tt.wantDump)
				}
			}
		})
	}
}

func TestParseActiveMQInstallError(t *testing.T) {
	_, _, err := ParseActiveMQInstall([]byte(beansHead+"<broker xmlns=\"http://activemq.apache.org/schema/core\">\n<x password=\"hunter2\">\n</broker>"), "activemq.xml", 1, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "activemq.xml:") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v", err)
	}
}

// unresolvedRef is a complete ${...} reference.
var unresolvedRef = regexp.MustCompile(`\$\{[^}]*\}`)

func FuzzParseActiveMQInstall(f *testing.F) {
	f.Add([]byte(beansHead + `<broker xmlns="http://activemq.apache.org/schema/core" brokerName="${n}"><managementContext><managementContext createConnector="${c}" connectorPort="x"/></managementContext>
<plugins><simpleAuthenticationPlugin anonymousAccessAllowed="${a:true}"><users><authenticationUser username="${u}" password="${p}"/></users></simpleAuthenticationPlugin></plugins>
<transportConnectors><transportConnector uri="tcp://${h}:${port}"/></transportConnectors></broker></beans>`))
	f.Add([]byte(`<beans><bean class="x.PropertyPlaceholderConfigurer"><property name="locations"><list><value>a,b</value></list></property></bean><broker xmlns="http://activemq.apache.org/schema/core"/></beans>`))
	props := map[string]string{"n": "b", "c": "true", "h": "${h}", "u": "admin"}
	resolve := func(n string) (string, bool) { v, ok := props[n]; return v, ok }
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, facts, err := ParseActiveMQInstall(data, "activemq.xml", 1, resolve)
		if err != nil {
			if cfg != nil || facts != nil {
				t.Fatal("result with an error")
			}
			return
		}
		if cfg == nil || facts == nil {
			t.Fatal("nil result without an error")
		}
		for i := 1; i < len(facts.Placeholders); i++ {
			if facts.Placeholders[i-1] >= facts.Placeholders[i] {
				t.Fatalf("placeholders not sorted and unique: %v", facts.Placeholders)
			}
		}
		if m := facts.ManagementContext; m != nil && (m.At.StartLine < 1 || m.Authenticated.At.IsZero() || m.Port.At.IsZero()) {
			t.Fatalf("management context not located: %+v", m)
		}
		for _, tc := range cfg.TransportConnectors {
			if tc.URI.Known() && unresolvedRef.MatchString(strings.ReplaceAll(tc.URI.V, "${h}", "")) {
				t.Fatalf("unresolved placeholder kept as known: %q", tc.URI.V)
			}
		}
	})
}

// TestConfigUserGroupsPlaceholder: a groups attribute whose placeholder does not resolve is
// marked unknown, not read as the groups that did resolve.
func TestConfigUserGroupsPlaceholder(t *testing.T) {
	doc := beansHead + `<broker xmlns="http://activemq.apache.org/schema/core"><plugins><simpleAuthenticationPlugin><users>
<authenticationUser username="app" password="${app.password}" groups="users,${extra.groups}"/>
<authenticationUser username="ops" password="${ops.password}" groups="admins,${known}"/>
</users></simpleAuthenticationPlugin></plugins></broker></beans>`
	resolve := func(name string) (string, bool) { return "activemq-webconsole", name == "known" }
	cfg, _, err := ParseActiveMQInstall([]byte(doc), "activemq.xml", 1, resolve)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Users) != 2 || !cfg.Users[0].GroupsUnknown || cfg.Users[1].GroupsUnknown {
		t.Fatalf("users %+v", cfg.Users)
	}
	if got := cfg.Users[1].Groups; len(got) != 2 || got[1] != "activemq-webconsole" {
		t.Errorf("resolved groups %v", got)
	}
}
