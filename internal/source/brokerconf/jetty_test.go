package brokerconf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func dumpJetty(j *JettyFacts) string {
	var b strings.Builder
	for _, l := range j.Listeners {
		fmt.Fprintf(&b, "%s %s tls=%s:%v host=%s:%q port=%s:%d loopback=%s:%v @%d-%d\n", l.Protocol, l.Name,
			l.TLS.State, l.TLS.V, l.Host.State, l.Host.V, l.Port.State, l.Port.V, l.Loopback.State, l.Loopback.V, l.At.StartLine, l.At.EndLine)
	}
	fmt.Fprintf(&b, "authenticate=%s:%v@%d fileserver=%s:%v@%d\n", j.Authenticate.State, j.Authenticate.V, j.Authenticate.At.StartLine,
		j.FileServer.State, j.FileServer.V, j.FileServer.At.StartLine)
	return b.String()
}

const jettyHead = `<beans xmlns="http://www.springframework.org/schema/beans">
`

func TestParseJetty(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"recent 5.x: loopback console, login on", jettyHead + `<bean id="securityConstraint" class="org.eclipse.jetty.util.security.Constraint">
  <property name="authenticate" value="true" />
</bean>
<bean id="jettyPort" class="org.apache.activemq.web.WebConsolePort" init-method="start">
  <property name="host" value="127.0.0.1"/>
  <property name="port" value="8161"/>
</bean>
<bean id="Connector" class="org.eclipse.jetty.server.ServerConnector">
  <property name="host" value="#{systemProperties['jetty.host']}" />
</bean>
</beans>
`, "http jettyPort tls=explicit:false host=explicit:\"127.0.0.1\" port=explicit:8161 loopback=explicit:true @5-8\nauthenticate=explicit:true@3 fileserver=explicit:false@1\n"},
		{"login off, defaults, fileserver, TLS connector", jettyHead + `<bean id="securityConstraint" class="org.eclipse.jetty.util.security.Constraint">
  <property name="authenticate" value="true" />
</bean>
<bean id="adminSecurityConstraint" class="org.eclipse.jetty.util.security.Constraint">
  <property name="authenticate" value="false" />
</bean>
<bean id="jettyPort" class="org.apache.activemq.web.WebConsolePort"/>
<bean class="org.eclipse.jetty.webapp.WebAppContext">
  <property name="contextPath" value="/fileserver" />
  <property name="resourceBase" value="${activemq.home}/webapps/fileserver" />
</bean>
<bean id="Connector" class="org.eclipse.jetty.server.ServerConnector"/>
<bean id="SecureConnector" class="org.eclipse.jetty.server.ServerConnector">
  <constructor-arg>
    <bean class="org.eclipse.jetty.util.ssl.SslContextFactory">
      <property name="keyStorePath" value="${activemq.conf}/broker.ks" />
    </bean>
  </constructor-arg>
  <property name="port" value="8162" />
</bean>
</beans>
`, "http jettyPort tls=explicit:false host=default:\"0.0.0.0\" port=default:8161 loopback=default:false @8-8\n" +
			"http SecureConnector tls=explicit:true host=default:\"0.0.0.0\" port=explicit:8162 loopback=default:false @14-21\n" +
			"authenticate=explicit:false@6 fileserver=explicit:true@9\n"},
		{"only a TLS connector: the console port is TLS; expressions are unknown", jettyHead + `<bean id="jettyPort" class="org.apache.activemq.web.WebConsolePort">
  <property name="host" value="${jetty.host}"/>
  <property name="port" value="#{systemProperties['jetty.port']}"/>
</bean>
<bean id="SecureConnector" class="org.eclipse.jetty.server.ServerConnector">
  <constructor-arg><bean class="org.eclipse.jetty.util.ssl.SslContextFactory$Server"/></constructor-arg>
  <property name="port" value="#{systemProperties['jetty.port']}" />
</bean>
</beans>
`, "http jettyPort tls=explicit:true host=unknown:\"\" port=unknown:0 loopback=unknown:false @2-5\nauthenticate=unknown:false@1 fileserver=explicit:false@1\n"},
		{"no console bean", jettyHead + "</beans>\n", "authenticate=unknown:false@1 fileserver=explicit:false@1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := ParseJetty([]byte(tt.in), "jetty.xml")
			if err != nil {
				t.Fatal(err)
			}
			if got := dumpJetty(j); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestParseJettyCorpus(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpusDir(t), "brokerconf", "ISISComputingGroup__EPICS-ActiveMQ__conf", "jetty.xml"))
	if err != nil {
		t.Fatal(err)
	}
	j, err := ParseJetty(data, "jetty.xml")
	if err != nil {
		t.Fatal(err)
	}
	// The jettyPort bean binds 0.0.0.0:8161; the SecureConnector is commented out; login is on.
	want := "http jettyPort tls=explicit:false host=explicit:\"0.0.0.0\" port=explicit:8161 loopback=explicit:false @107-111\n" +
		"authenticate=explicit:true@32 fileserver=explicit:false@1\n"
	if got := dumpJetty(j); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestParseJettyErrors(t *testing.T) {
	for _, in := range []string{
		jettyHead + "<bean id=\"x\">\n<property name=\"keyStorePassword\" value=\"hunter2\">\n</beans>",
		jettyHead + "<!DOCTYPE x [<!ENTITY e \"hunter2\">]>\n",
		jettyHead + "<bean>",
	} {
		_, err := ParseJetty([]byte(in), "jetty.xml")
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line < 1 {
			t.Errorf("err = %v, want a located *ParseError", err)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error quotes the document: %v", err)
		}
	}
}

func FuzzJetty(f *testing.F) {
	f.Add([]byte(jettyHead + `<bean id="jettyPort"><property name="port" value="8161"/></bean></beans>`))
	f.Add([]byte(jettyHead + `<bean class="x.ServerConnector"><bean class="SslContextFactory"/><property name="port" value="1"/></bean></beans>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := ParseJetty(data, "jetty.xml")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		for _, l := range j.Listeners {
			if l.Protocol != "http" || l.Port.V < 0 || l.Port.V > 65535 || (l.Port.State == model.Unknown && l.Port.V != 0) {
				t.Fatalf("bad listener %+v", l)
			}
		}
	})
}
