package brokerconf

import (
	"context"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mqguard/mqguard/internal/model"
)

// loadFS runs Load on the ActiveMQ XML files (by Sniff) of fsys.
func loadFS(t *testing.T, fsys fs.FS) (*model.Inventory, []model.Diagnostic) {
	t.Helper()
	files := map[string]FileKind{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !Candidate(p) {
			return err
		}
		head, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if k := Sniff(p, head); k == ActiveMQXML {
			files[p] = k
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return Load(context.Background(), fsys, files, Options{})
}

func diagStrings(ds []model.Diagnostic) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Error())
	}
	return strings.Join(out, "\n")
}

const stock515XML = `<beans xmlns="http://www.springframework.org/schema/beans">
  <bean class="org.springframework.beans.factory.config.PropertyPlaceholderConfigurer">
    <property name="locations"><value>file:${activemq.conf}/credentials.properties</value></property>
  </bean>
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="${broker.name}" dataDirectory="${activemq.data}">
    <managementContext>
      <managementContext/>
    </managementContext>
    <plugins>
      <jaasAuthenticationPlugin configuration="activemq"/>
    </plugins>
    <transportConnectors>
      <transportConnector name="openwire" uri="tcp://0.0.0.0:61616?maximumConnections=1000"/>
      <transportConnector name="ssl" uri="nio+ssl://[::1]:61617"/>
      <transportConnector name="amqp" uri="amqp+ssl://${amqp.host}:5671"/>
      <transportConnector name="vm" uri="vm://localhost"/>
      <transportConnector name="ws" uri="ws://localhost:61614"/>
    </transportConnectors>
  </broker>
  <import resource="jetty.xml"/>
</beans>
`

const stockJetty = `<beans xmlns="http://www.springframework.org/schema/beans">
  <bean id="securityConstraint" class="org.eclipse.jetty.util.security.Constraint">
    <property name="authenticate" value="true" />
  </bean>
  <bean class="org.eclipse.jetty.webapp.WebAppContext">
    <property name="contextPath" value="/fileserver" />
  </bean>
  <bean id="jettyPort" class="org.apache.activemq.web.WebConsolePort" init-method="start">
    <property name="host" value="127.0.0.1"/>
    <property name="port" value="8161"/>
  </bean>
  <bean id="Connector" class="org.eclipse.jetty.server.ServerConnector"/>
</beans>
`

func TestLoadActiveMQDir(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name  string
		fsys  fstest.MapFS
		want  string
		diags string
	}{
		{"5.15 installation with every companion file", fstest.MapFS{
			"amq/conf/activemq.xml":              file(stock515XML),
			"amq/conf/jetty.xml":                 file(stockJetty),
			"amq/conf/credentials.properties":    file("activemq.username=system\nactivemq.password=manager\nbroker.name=amq1\n"),
			"amq/conf/users.properties":          file("admin=admin\nops=Str0ng\n"),
			"amq/conf/groups.properties":         file("admins=admin\nusers=admin,ops\n"),
			"amq/conf/jetty-realm.properties":    file("admin: admin, admin\nuser: user, user\nops: OBF:1x2y, admin\n"),
			"amq/conf/jmx.password":              file("admin activemq\nmonitor s3cret\n"),
			"amq/conf/jmx.access":                file("admin readwrite\nmonitor readonly\n"),
			"amq/conf/login.config":              file("activemq {\n  org.apache.activemq.jaas.PropertiesLoginModule required\n    org.apache.activemq.jaas.properties.user=\"users.properties\";\n  org.apache.activemq.jaas.LDAPLoginModule sufficient connectionURL=\"ldap://ldap.example.com:389\"\n    connectionUsername=\"cn=mq\" connectionPassword=\"pw\";\n};\n"),
			"amq/bin/env":                        file("# ACTIVEMQ_SUNJMX_START=\"-Dcom.sun.management.jmxremote.port=1\"\nACTIVEMQ_SUNJMX_START=\"$ACTIVEMQ_SUNJMX_START -Dcom.sun.management.jmxremote.port=11099 -Dcom.sun.management.jmxremote.authenticate=false\"\nACTIVEMQ_SUNJMX_START=\"$ACTIVEMQ_SUNJMX_START -Djava.rmi.server.hostname=10.0.0.5\"\n"),
			"amq/lib/activemq-broker-5.15.9.jar": file(""),
			"amq/lib/activemq-client-5.15.9.jar": file(""),
		}, `broker amq/conf/activemq.xml name=explicit:"amq1" version=explicit:"5.15.9"
files [amq/conf/activemq.xml amq/conf/credentials.properties amq/conf/login.config amq/conf/groups.properties amq/conf/users.properties amq/conf/jetty-realm.properties amq/conf/jmx.password amq/conf/jmx.access amq/conf/jetty.xml amq/bin/env]
listeners explicit
  openwire "openwire" tls=explicit:false host=explicit:"0.0.0.0" port=explicit:61616 loopback=explicit:false @amq/conf/activemq.xml:13-13
  openwire "ssl" tls=explicit:true host=explicit:"[::1]" port=explicit:61617 loopback=explicit:true @amq/conf/activemq.xml:14-14
  amqp "amqp" tls=explicit:true host=unknown:"" port=explicit:5671 loopback=unknown:false @amq/conf/activemq.xml:15-15
  ws "ws" tls=explicit:false host=explicit:"localhost" port=explicit:61614 loopback=explicit:true @amq/conf/activemq.xml:17-17
  http "jettyPort" tls=explicit:false host=explicit:"127.0.0.1" port=explicit:8161 loopback=explicit:true @amq/conf/jetty.xml:8-11
users explicit
  users.properties explicit:"admin" groups=explicit:[admins users] password=literal default=true @amq/conf/users.properties:1-1
  users.properties explicit:"ops" groups=explicit:[users] password=literal default=false @amq/conf/users.properties:2-2
  jetty-realm.properties explicit:"admin" groups=explicit:[admin] password=literal default=true @amq/conf/jetty-realm.properties:1-1
  jetty-realm.properties explicit:"user" groups=explicit:[user] password=literal default=true @amq/conf/jetty-realm.properties:2-2
  jetty-realm.properties explicit:"ops" groups=explicit:[admin] password=literal default=false @amq/conf/jetty-realm.properties:3-3
  jmx.password explicit:"admin" groups=explicit:[readwrite] password=literal default=true @amq/conf/jmx.password:1-1
  jmx.password explicit:"monitor" groups=explicit:[readonly] password=literal default=false @amq/conf/jmx.password:2-2
  credentials.properties explicit:"system" groups=default:[] password=literal default=true @amq/conf/credentials.properties:1-1
ldap explicit:[ldap://ldap.example.com:389] user=explicit:"cn=mq" password=literal@amq/conf/login.config:5
managementContext enabled=default:true auth=default:false host=default:"" port=default:1099 @amq/conf/activemq.xml:6-8
jvmAgent enabled=explicit:true auth=explicit:false host=explicit:"10.0.0.5" port=explicit:11099 @amq/bin/env:2-2
authentication jaasAuthenticationPlugin @amq/conf/activemq.xml:10-10
anonymous default:false
loginModules explicit
loginModule activemq org.apache.activemq.jaas.PropertiesLoginModule url=unknown:"" @amq/conf/login.config:2-2
loginModule activemq org.apache.activemq.jaas.LDAPLoginModule url=explicit:"ldap://ldap.example.com:389" @amq/conf/login.config:4-4
fileserver explicit:true
consoleLogin explicit:true
placeholders [${amqp.host}]
`, ""},
		{"broken companion files: error entries, and what they would say is unknown", fstest.MapFS{
			"c/activemq.xml":           file(stock515XML),
			"c/users.properties":       file("admin=admin\nbad=\\uZZZZ\n"),
			"c/groups.properties":      file("admins=\\u00"),
			"c/login.config":           file("activemq {\n  x;\n};\n"),
			"c/jetty.xml":              file("<beans>\n<bean>\n</beans>\n"),
			"c/credentials.properties": file("activemq.password=\\uXYZW\n"),
		}, `broker c/activemq.xml name=unknown:"" version=unknown:""
files [c/activemq.xml c/credentials.properties c/login.config c/groups.properties c/users.properties c/jetty.xml]
listeners unknown
  openwire "openwire" tls=explicit:false host=explicit:"0.0.0.0" port=explicit:61616 loopback=explicit:false @c/activemq.xml:13-13
  openwire "ssl" tls=explicit:true host=explicit:"[::1]" port=explicit:61617 loopback=explicit:true @c/activemq.xml:14-14
  amqp "amqp" tls=explicit:true host=unknown:"" port=explicit:5671 loopback=unknown:false @c/activemq.xml:15-15
  ws "ws" tls=explicit:false host=explicit:"localhost" port=explicit:61614 loopback=explicit:true @c/activemq.xml:17-17
users unknown
managementContext enabled=unknown:false auth=default:false host=default:"" port=default:1099 @c/activemq.xml:6-8
authentication jaasAuthenticationPlugin @c/activemq.xml:10-10
anonymous default:false
loginModules unknown
fileserver unknown:false
consoleLogin unknown:false
placeholders [${amqp.host} ${broker.name}]
`, `c/credentials.properties:1: value: malformed \uXXXX escape
c/login.config:2: expected a control flag (required, requisite, sufficient, optional) after the login module class
c/groups.properties:1: value: malformed \uXXXX escape
c/users.properties:2: value: malformed \uXXXX escape
c/jetty.xml:3: XML syntax error: element <bean> closed by </beans>`},
		{"Debian layout: instance directory, jars in /usr/share/java", fstest.MapFS{
			"etc/activemq/instances-available/main/activemq.xml": file(`<beans xmlns="http://www.springframework.org/schema/beans">
    <bean class="org.springframework.beans.factory.config.PropertyPlaceholderConfigurer"/>
    <broker xmlns="http://activemq.apache.org/schema/core" useJmx="false" brokerName="localhost" dataDirectory="${activemq.base}/data">
        <transportConnectors>
            <transportConnector name="openwire" uri="tcp://127.0.0.1:61616"/>
        </transportConnectors>
    </broker>
</beans>
`),
			"usr/share/activemq/lib/activemq-broker.jar": file(""),
			"usr/share/java/activemq-broker.jar":         file(""),
			"usr/share/java/activemq-broker-5.17.2.jar":  file(""),
			"usr/share/java/activemq-protobuf-1.1.jar":   file(""),
		}, `broker etc/activemq/instances-available/main/activemq.xml name=explicit:"localhost" version=explicit:"5.17.2"
files [etc/activemq/instances-available/main/activemq.xml]
listeners explicit
  openwire "openwire" tls=explicit:false host=explicit:"127.0.0.1" port=explicit:61616 loopback=explicit:true @etc/activemq/instances-available/main/activemq.xml:5-5
users explicit
managementContext enabled=explicit:false auth=default:false host=default:"" port=default:1099 @etc/activemq/instances-available/main/activemq.xml:3-7
anonymous default:false
loginModules default
fileserver unknown:false
consoleLogin unknown:false
`, ""},
		{"6.x: a bare managementContext is off; jetty.xml not imported: no console", fstest.MapFS{
			"x/conf/activemq.xml": file(`<beans xmlns="http://www.springframework.org/schema/beans">
<broker xmlns="http://activemq.apache.org/schema/core">
  <managementContext><managementContext connectorHost="127.0.0.1" connectorPort="1099"/></managementContext>
  <plugins><simpleAuthenticationPlugin anonymousAccessAllowed="true"/></plugins>
</broker>
</beans>
`),
			"x/conf/jetty.xml":              file(stockJetty),
			"x/conf/users.properties":       file("admin=N0tTheDefault\n"),
			"x/conf/jetty-realm.properties": file("admin: admin2, admin\nuser: admin, user\n"),
			"x/conf/jmx.password":           file("admin activemq2\n"),
			"x/conf/credentials.properties": file("activemq.username=system\nactivemq.password=other\n"),
			"x/lib/activemq-all-6.1.2.jar":  file(""),
		}, `broker x/conf/activemq.xml name=default:"conf" version=explicit:"6.1.2"
files [x/conf/activemq.xml x/conf/credentials.properties x/conf/users.properties x/conf/jetty-realm.properties x/conf/jmx.password x/conf/jetty.xml]
listeners explicit
users explicit
  users.properties explicit:"admin" groups=default:[] password=literal default=false @x/conf/users.properties:1-1
  jetty-realm.properties explicit:"admin" groups=explicit:[admin] password=literal default=false @x/conf/jetty-realm.properties:1-1
  jetty-realm.properties explicit:"user" groups=explicit:[user] password=literal default=false @x/conf/jetty-realm.properties:2-2
  jmx.password explicit:"admin" groups=default:[] password=literal default=false @x/conf/jmx.password:1-1
  credentials.properties explicit:"system" groups=default:[] password=literal default=false @x/conf/credentials.properties:1-1
managementContext enabled=default:false auth=default:false host=explicit:"127.0.0.1" port=explicit:1099 @x/conf/activemq.xml:3-3
authentication simpleAuthenticationPlugin @x/conf/activemq.xml:4-4
anonymous explicit:true
loginModules default
fileserver explicit:false
consoleLogin unknown:false
`, ""},
		{"console login turned off; fileserver absent", fstest.MapFS{
			"o/activemq.xml": file(`<beans xmlns="http://www.springframework.org/schema/beans">
<broker xmlns="http://activemq.apache.org/schema/core"/>
<import resource="jetty.xml"/>
</beans>
`),
			"o/jetty.xml": file(strings.Replace(strings.Replace(stockJetty, `value="true"`, `value="false"`, 1), "/fileserver", "/admin", 1)),
		}, `broker o/activemq.xml name=default:"o" version=unknown:""
files [o/activemq.xml o/jetty.xml]
listeners explicit
  http "jettyPort" tls=explicit:false host=explicit:"127.0.0.1" port=explicit:8161 loopback=explicit:true @o/jetty.xml:8-11
users explicit
anonymous default:false
loginModules default
fileserver explicit:false
consoleLogin explicit:false
`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := loadFS(t, tt.fsys)
			if got := diagStrings(diags); got != tt.diags {
				t.Errorf("diagnostics:\n%s\nwant\n%s", got, tt.diags)
			}
			if len(inv.Brokers) != 1 {
				t.Fatalf("%d brokers", len(inv.Brokers))
			}
			b := inv.Brokers[0]
			if got := dumpBroker(b); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			checkBrokerContract(t, b, inv)
			for _, d := range diags {
				if d.Severity != model.DiagError || d.Source != model.SourceBrokerConf || d.At.StartLine < 1 {
					t.Errorf("diagnostic %+v", d)
				}
			}
		})
	}
}

// checkBrokerContract checks what every self-managed ActiveMQ broker has, whatever its files.
func checkBrokerContract(t *testing.T, b *model.Broker, inv *model.Inventory) {
	t.Helper()
	main := b.SelfManaged.Files[0]
	if b.ID.Source != model.SourceBrokerConf || b.ID.Type != "activemq" || b.ID.Address != main || b.ID.Scope != main || b.ID.At.File != main || b.ID.At.StartLine != 1 {
		t.Errorf("identity %+v", b.ID)
	}
	if !b.IsEngine(model.EngineActiveMQ) || b.Engine.State != model.Explicit || !b.IsSelfManaged() {
		t.Errorf("engine %+v", b.Engine)
	}
	if b.SelfManaged.Version != b.EngineVersion {
		t.Errorf("versions differ: %+v %+v", b.SelfManaged.Version, b.EngineVersion)
	}
	c := b.Configuration.Config
	if c == nil || c.ActiveMQ == nil || c.ID.Type != "activemq.xml" || c.Data != model.Explicit || c.DataAt.File != main || c.UsedBy != 1 {
		t.Errorf("configuration %+v", c)
	}
	found := false
	for _, ic := range inv.Configurations {
		found = found || ic == c
	}
	if !found {
		t.Error("configuration not in the inventory")
	}
	if b.SelfManaged.ActiveMQ == nil {
		t.Fatal("no ActiveMQ install")
	}
	for _, u := range b.SelfManaged.Users {
		if u.Password.Origin == model.SecretLiteral && u.Password.At.StartLine < 1 {
			t.Errorf("literal password of %s not located", u.Username.V)
		}
	}
}

func TestLoadActiveMQDirBrokenMain(t *testing.T) {
	fsys := fstest.MapFS{
		"a/activemq.xml":     {Data: []byte("<beans xmlns=\"http://activemq.apache.org/schema/core\"><broker>\n<x password=\"hunter2\">\n</broker></beans>")},
		"a/users.properties": {Data: []byte("admin=admin\n")},
		"b/activemq.xml":     {Data: []byte(`<beans><broker xmlns="http://activemq.apache.org/schema/core"/></beans>`)},
	}
	inv, diags := loadFS(t, fsys)
	if len(inv.Brokers) != 1 || inv.Brokers[0].ID.Address != "b/activemq.xml" {
		t.Fatalf("brokers: %d", len(inv.Brokers))
	}
	got := diagStrings(diags)
	if !strings.HasPrefix(got, "a/activemq.xml:3: ") || strings.Contains(got, "hunter2") || len(diags) != 1 {
		t.Errorf("diagnostics: %s", got)
	}
}

func TestLoadActiveMQNoSecrets(t *testing.T) {
	secrets := []string{"manager", "Str0ng", "s3cret", "hunter2"}
	fsys := fstest.MapFS{
		"conf/activemq.xml":           {Data: []byte(stock515XML)},
		"conf/credentials.properties": {Data: []byte("activemq.username=system\nactivemq.password=manager\n")},
		"conf/users.properties":       {Data: []byte("ops=Str0ng\n")},
		"conf/jmx.password":           {Data: []byte("monitor s3cret\n")},
		"conf/login.config":           {Data: []byte("a { b required connectionPassword=\"hunter2\" connectionURL=\"ldap://u:hunter2@h:389\"; };")},
	}
	inv, _ := loadFS(t, fsys)
	dumped := dumpBroker(inv.Brokers[0]) + dump(inv.Brokers[0].Configuration.Config.ActiveMQ)
	for _, s := range secrets {
		if strings.Contains(dumped, s) {
			t.Errorf("secret %q kept", s)
		}
	}
}

// TestLoadDebianPackage reads the layout the Debian activemq package installs.
func TestLoadDebianPackage(t *testing.T) {
	const main = "/etc/activemq/instances-available/main/activemq.xml"
	if _, err := os.Stat(main); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the activemq package is not installed: %v", err)
		}
		t.Skip("the activemq package is not installed")
	}
	fsys := os.DirFS("/")
	p := strings.TrimPrefix(main, "/")
	inv, diags := Load(context.Background(), fsys, map[string]FileKind{p: ActiveMQXML}, Options{})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %s", diagStrings(diags))
	}
	b := inv.Brokers[0]
	checkBrokerContract(t, b, inv)
	if !b.EngineVersion.Known() || !strings.HasPrefix(b.EngineVersion.V, "5.") {
		t.Errorf("version %+v", b.EngineVersion)
	}
	if b.Name.V != "localhost" {
		t.Errorf("name %+v", b.Name)
	}
	if ls := b.SelfManaged.Listeners; len(ls) == 0 || ls[0].Protocol != "openwire" {
		t.Errorf("listeners %+v", ls)
	}
}

// TestLoadActiveMQCorpus loads the corpus's ActiveMQ folders and checks the facts read by hand.
func TestLoadActiveMQCorpus(t *testing.T) {
	tests := []struct {
		dir  string
		main string
		// contains are lines of dumpBroker's output the broker must have; absent must not appear.
		contains, absent []string
		// network is the number of network connectors in the configuration.
		network int
	}{
		{"apache__activemq__conf-6.x-head", "activemq.xml", []string{
			`broker apache__activemq__conf-6.x-head/activemq.xml name=explicit:"localhost" version=unknown:""`,
			`  openwire "openwire" tls=explicit:false host=explicit:"0.0.0.0" port=explicit:61616 loopback=explicit:false @apache__activemq__conf-6.x-head/activemq.xml:178-178`,
			`  users.properties explicit:"admin" groups=explicit:[admins] password=literal default=true @apache__activemq__conf-6.x-head/users.properties:18-18`,
			`  credentials.properties explicit:"system" groups=default:[] password=literal default=true @apache__activemq__conf-6.x-head/credentials.properties:20-20`,
			`managementContext enabled=explicit:false auth=default:false host=default:"" port=default:1099 @apache__activemq__conf-6.x-head/activemq.xml:128-130`,
			`loginModule activemq org.apache.activemq.jaas.PropertiesLoginModule url=unknown:"" @apache__activemq__conf-6.x-head/login.config:18-18`,
			"users explicit", "anonymous default:false", "fileserver unknown:false", "loginModules explicit",
		}, []string{"authentication ", "jetty-realm", "placeholders"}, 0},
		{"ISISComputingGroup__EPICS-ActiveMQ__conf", "activemq.xml", []string{
			`  openwire "openwire" tls=explicit:false host=explicit:"0.0.0.0" port=explicit:39990 loopback=explicit:false @ISISComputingGroup__EPICS-ActiveMQ__conf/activemq.xml:141-141`,
			`  stomp "stomp" tls=explicit:false host=explicit:"0.0.0.0" port=explicit:39991 loopback=explicit:false @ISISComputingGroup__EPICS-ActiveMQ__conf/activemq.xml:143-143`,
			`  jetty-realm.properties explicit:"admin" groups=explicit:[admin] password=literal default=true @ISISComputingGroup__EPICS-ActiveMQ__conf/jetty-realm.properties:20-20`,
			`  jetty-realm.properties explicit:"user" groups=explicit:[user] password=literal default=true @ISISComputingGroup__EPICS-ActiveMQ__conf/jetty-realm.properties:21-21`,
			`  simpleAuthenticationPlugin explicit:"username" groups=explicit:[admins everyone] password=literal default=false @ISISComputingGroup__EPICS-ActiveMQ__conf/activemq.xml:68-68`,
			"authentication simpleAuthenticationPlugin @ISISComputingGroup__EPICS-ActiveMQ__conf/activemq.xml:66-70",
			"anonymous explicit:true",
			// jetty.xml is there but its import is commented out: no console listener.
			"fileserver explicit:false", "consoleLogin unknown:false", "loginModules default",
			// useJmx="false": no JMX connector, whatever the version.
			`managementContext enabled=explicit:false auth=default:false host=default:"" port=default:1099 @ISISComputingGroup__EPICS-ActiveMQ__conf/activemq.xml:40-153`,
		}, []string{"http "}, 0},
		{"openshift__openshift-extras__ose-install-scripts", "activemq-network.xml", []string{
			`broker openshift__openshift-extras__ose-install-scripts/activemq-network.xml name=explicit:"activemq1.example.com" version=unknown:""`,
			`  simpleAuthenticationPlugin explicit:"amquser" groups=explicit:[admins everyone] password=literal default=false @openshift__openshift-extras__ose-install-scripts/activemq-network.xml:89-89`,
			`managementContext enabled=explicit:false auth=default:false host=default:"" port=default:1099 @openshift__openshift-extras__ose-install-scripts/activemq-network.xml:63-65`,
			"anonymous default:false",
		}, nil, 4},
		{"openshift__openshift-extras__ose-install-scripts", "activemq.xml", []string{
			`broker openshift__openshift-extras__ose-install-scripts/activemq.xml name=explicit:"activemq.example.com" version=unknown:""`,
			`  stomp "stomp" tls=explicit:false host=explicit:"0.0.0.0" port=explicit:61613 loopback=explicit:false @openshift__openshift-extras__ose-install-scripts/activemq.xml:161-161`,
			"authentication simpleAuthenticationPlugin @openshift__openshift-extras__ose-install-scripts/activemq.xml:98-103",
		}, []string{"amquser"}, 0},
	}
	root := filepath.Join(corpusDir(t), "brokerconf")
	for _, tt := range tests {
		t.Run(tt.dir+"/"+tt.main, func(t *testing.T) {
			sub, err := fs.Sub(os.DirFS(root), tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			inv, diags := loadFS(t, sub)
			if len(diags) != 0 {
				t.Fatalf("diagnostics: %s", diagStrings(diags))
			}
			var b *model.Broker
			for _, x := range inv.Brokers {
				if x.ID.Address == tt.main {
					b = x
				}
			}
			if b == nil {
				t.Fatalf("no broker for %s among %d", tt.main, len(inv.Brokers))
			}
			checkBrokerContract(t, b, inv)
			// Show the paths as the scan would, prefixed with the corpus folder.
			b.ID.Address = path.Join(tt.dir, b.ID.Address)
			got := strings.ReplaceAll(dumpBroker(b), "@", "@"+tt.dir+"/")
			got = strings.ReplaceAll(got, "@"+tt.dir+"/"+tt.dir+"/", "@"+tt.dir+"/")
			for _, line := range tt.contains {
				if !strings.Contains(got, line+"\n") {
					t.Errorf("missing %q in\n%s", line, got)
				}
			}
			for _, s := range tt.absent {
				if strings.Contains(got, s) {
					t.Errorf("unexpected %q in\n%s", s, got)
				}
			}
			if n := len(b.Configuration.Config.ActiveMQ.NetworkConnectors); n != tt.network {
				t.Errorf("%d network connectors, want %d", n, tt.network)
			}
		})
	}
}

func TestManagementContextDefault(t *testing.T) {
	at := model.Range{File: "activemq.xml", StartLine: 3}
	tests := []struct {
		version string
		known   bool
		want    model.Bool
	}{
		{"5.13.4", true, model.DefaultBool(true, at)},
		{"5.15.16", true, model.DefaultBool(true, at)},
		{"5.16.0", true, model.DefaultBool(false, at)},
		{"5.18.3", true, model.DefaultBool(false, at)},
		{"6.1.2", true, model.DefaultBool(false, at)},
		{"4.1.2", true, model.DefaultBool(true, at)},
		{"", false, model.UnknownBool(at)},
		{"x.y", true, model.UnknownBool(at)},
	}
	for _, tt := range tests {
		v := model.UnknownString(at)
		if tt.known {
			v = model.ExplicitString(tt.version, at)
		}
		if got := mgmtDefaultEnabled(v, at); got != tt.want {
			t.Errorf("%q: got %+v, want %+v", tt.version, got, tt.want)
		}
	}
}

// BenchmarkLoadActiveMQDirs loads 1,000 installations of the stock 6.x files.
func BenchmarkLoadActiveMQDirs(b *testing.B) {
	src := filepath.Join(corpusDir(b), "brokerconf", "apache__activemq__conf-6.x-head")
	ents, err := os.ReadDir(src)
	if err != nil {
		b.Fatal(err)
	}
	root := b.TempDir()
	files := map[string]FileKind{}
	for i := range 1000 {
		conf := filepath.Join(root, "b"+strconv.Itoa(i), "conf")
		if err := os.MkdirAll(conf, 0o755); err != nil {
			b.Fatal(err)
		}
		for _, e := range ents {
			data, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(conf, e.Name()), data, 0o644); err != nil {
				b.Fatal(err)
			}
			if e.Name() == "activemq.xml" {
				files[path.Join("b"+strconv.Itoa(i), "conf", e.Name())] = ActiveMQXML
			}
		}
	}
	fsys := os.DirFS(root)
	b.ResetTimer()
	for b.Loop() {
		inv, diags := Load(context.Background(), fsys, files, Options{})
		if len(inv.Brokers) != 1000 || len(diags) != 0 {
			b.Fatalf("%d brokers, %d diagnostics", len(inv.Brokers), len(diags))
		}
	}
}
