package brokerconf

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestParseActiveMQFiles(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"amazonmq-default.xml", `plugin authorizationPlugin @22-34
plugin forcePersistencyModeBrokerPlugin @35-35
plugin statisticsBrokerPlugin @36-36
plugin timeStampingBrokerPlugin @37-37
authorizationPlugin @22-34
  map @24-32
  entry queue ">" read=[admins users] write=[admins users] admin=[admins] @26-26
  entry topic "ActiveMQ.Advisory.>" read=[admins users] write=[admins users] admin=[admins] @27-27
  entry temp "" read=[tempDestinationAdmins] write=[tempDestinationAdmins] admin=[tempDestinationAdmins] @30-30
`},
		{"network-of-brokers.xml", `network name=explicit:"connector_1_to_2" uri=explicit:"static:(ssl://b-1234a5b6-78cd-901e-2fgh-3i45j6k178l9-1.mq.us-east-1.amazonaws.com:61617)" @4-6
network name=explicit:"legacy" uri=explicit:"masterslave:(tcp://10.0.0.1:61616,tcp://10.0.0.2:61616)" @7-11
network name=explicit:"embedded" uri=explicit:"static:(ssl://admin:REDACTED@b-2.mq.eu-west-1.amazonaws.com:61617)" @12-12
network name=default:"bridge" uri=explicit:"static:(ssl://b-3.mq.eu-west-1.amazonaws.com:61617?password=REDACTED)" @13-13
network name=explicit:"mc" uri=explicit:"multicast://default" @14-14
credential networkConnector "connector_1_to_2" password @4-6
credential networkConnector "embedded" uri @12-12
credential networkConnector uri @13-13
`},
		{"activemq.xml", `transport name=explicit:"openwire" uri=explicit:"tcp://0.0.0.0:61616?maximumConnections=1000&wireFormat.maxFrameSize=104857600" @74-74
transport name=explicit:"amqp" uri=explicit:"amqp://0.0.0.0:5672?maximumConnections=1000&wireFormat.maxFrameSize=104857600" @75-75
transport name=explicit:"stomp+ssl" uri=explicit:"stomp+ssl://0.0.0.0:61613?maximumConnections=1000&transport.needClientAuth=true" @76-76
transport name=explicit:"mqtt" uri=explicit:"mqtt://0.0.0.0:1883?maximumConnections=1000&wireFormat.maxFrameSize=104857600" @77-77
transport name=default:"" uri=explicit:"ws://0.0.0.0:61614?maximumConnections=1000&wireFormat.maxFrameSize=104857600" @78-78
plugin simpleAuthenticationPlugin @49-55
plugin authorizationPlugin @56-56
authorizationPlugin @56-56
user explicit:"system" groups=[users admins] @51-51
user explicit:"user" groups=[users] @52-52
user explicit:"guest" groups=[guests activemq-webconsole] @53-53
credential property "password" value @23-23
credential authenticationUser password @52-52
credential authenticationUser password @53-53
credential sslContext keyStorePassword @60-61
`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := ParseActiveMQ(data, tt.file, 1)
			if err != nil {
				t.Fatalf("ParseActiveMQ: %v", err)
			}
			if got := dump(cfg); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			checkRanges(t, cfg, tt.file, 1, 1+bytes.Count(data, []byte{'\n'}))
			assertNoSecrets(t, dump(cfg))
		})
	}
}

func TestParseActiveMQDocuments(t *testing.T) {
	tests := []struct {
		name      string
		doc       string
		firstLine int
		want      string
	}{
		{
			name:      "empty broker in a heredoc",
			firstLine: 15,
			doc: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<broker xmlns="http://activemq.apache.org/schema/core">
</broker>
`,
			want: ``,
		},
		{
			name:      "heredoc lines are file lines",
			firstLine: 40,
			doc: `<broker xmlns="http://activemq.apache.org/schema/core">
  <transportConnectors>
    <transportConnector name="openwire"
        uri="tcp://0.0.0.0:61616"/>
  </transportConnectors>
  <networkConnectors>
    <networkConnector name="n" uri="static:(tcp://u:p@h:61616)" password="s3cret"/>
  </networkConnectors>
</broker>`,
			want: `network name=explicit:"n" uri=explicit:"static:(tcp://u:REDACTED@h:61616)" @46-46
transport name=explicit:"openwire" uri=explicit:"tcp://0.0.0.0:61616" @42-43
credential networkConnector "n" uri @46-46
credential networkConnector "n" password @46-46
`,
		},
		{
			name:      "prefixed namespace and LDAP map",
			firstLine: 1,
			doc: `<beans xmlns="http://www.springframework.org/schema/beans" xmlns:amq="http://activemq.apache.org/schema/core">
<amq:broker>
  <amq:plugins>
    <amq:authorizationPlugin>
      <amq:map>
        <amq:cachedLDAPAuthorizationMap connectionURL="ldap://ldap.example.org:389" connectionUsername="cn=mq" connectionPassword="s3cret"/>
      </amq:map>
    </amq:authorizationPlugin>
  </amq:plugins>
</amq:broker>
</beans>`,
			want: `plugin authorizationPlugin @4-8
authorizationPlugin @4-8
  map @6-6
credential cachedLDAPAuthorizationMap connectionPassword @6-6
`,
		},
		{
			name:      "map referenced by id",
			firstLine: 1,
			doc: `<beans xmlns="http://www.springframework.org/schema/beans">
<broker xmlns="http://activemq.apache.org/schema/core">
  <plugins>
    <authorizationPlugin map="#authMap"/>
  </plugins>
</broker>
<authorizationMap xmlns="http://activemq.apache.org/schema/core" id="authMap">
  <authorizationEntries>
    <authorizationEntry topic=">" read="everyone" write="admins" admin="admins"/>
    <authorizationEntry queue="TEST.*" tempQueue="true"/>
  </authorizationEntries>
</authorizationMap>
</beans>`,
			want: `plugin authorizationPlugin @4-4
authorizationPlugin @4-4
  map @7-12
  entry topic ">" read=[everyone] write=[admins] admin=[admins] @9-9
  entry queue "TEST.*" read=[] write=[] admin=[] @10-10
`,
		},
		{
			name:      "temporary destination entries and a user without name",
			firstLine: 1,
			doc: `<broker>
  <plugins>
    <simpleAuthenticationPlugin>
      <users><authenticationUser groups="admins" password="${pw}"/></users>
    </simpleAuthenticationPlugin>
    <authorizationPlugin><map><authorizationMap>
      <authorizationEntries><authorizationEntry tempTopic="true" read="a"/></authorizationEntries>
      <tempDestinationAuthorizationEntry read="t" write="t" admin="t"/>
    </authorizationMap></map></authorizationPlugin>
  </plugins>
</broker>`,
			want: `plugin simpleAuthenticationPlugin @3-5
plugin authorizationPlugin @6-9
authorizationPlugin @6-9
  map @6-9
  entry temp "" read=[a] write=[] admin=[] @7-7
  entry temp "" read=[t] write=[t] admin=[t] @8-8
user unknown:"" groups=[admins] @4-4
`,
		},
		{
			name:      "byte order mark and CRLF line ends",
			firstLine: 2,
			doc:       "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<broker>\r\n<plugins>\r\n<statisticsBrokerPlugin/></plugins>\r\n</broker>",
			want: `plugin statisticsBrokerPlugin @5-5
`,
		},
		{
			name:      "connectors outside the broker are not the broker's",
			firstLine: 1,
			doc:       `<beans><transportConnector name="x" uri="tcp://h:1"/><broker/></beans>`,
			want:      ``,
		},
		{
			name:      "old Spring DOCTYPE without entities",
			firstLine: 1,
			doc: `<?xml version="1.0" encoding="us-ascii"?>
<!DOCTYPE beans PUBLIC "-//SPRING//DTD BEAN//EN" "http://www.springframework.org/dtd/spring-beans.dtd">
<beans><broker xmlns="http://activemq.apache.org/schema/core"><plugins><statisticsBrokerPlugin/></plugins></broker></beans>`,
			want: `plugin statisticsBrokerPlugin @3-3
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseActiveMQ([]byte(tt.doc), "mq.tf", tt.firstLine)
			if err != nil {
				t.Fatalf("ParseActiveMQ: %v", err)
			}
			if got := dump(cfg); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			checkRanges(t, cfg, "mq.tf", tt.firstLine, tt.firstLine+strings.Count(tt.doc, "\n"))
		})
	}
}

func TestParseActiveMQErrors(t *testing.T) {
	tests := []struct {
		name      string
		doc       string
		firstLine int
		wantLine  int
		wantMsg   string // substring of Msg
	}{
		{"broken XML", "<broker>\n  <plugins>\n  </plugin>\n</broker>\n", 10, 12, "element <plugins> closed by </plugin>"},
		{"unclosed", "<broker>\n  <plugins>\n", 1, 3, "unexpected EOF"},
		{"DTD with entities", "<?xml version=\"1.0\"?>\n<!DOCTYPE broker [\n  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n<broker>&xxe;</broker>", 5, 6, "DTD/entity declarations are not allowed"},
		{"only beans", "<beans xmlns=\"http://www.springframework.org/schema/beans\">\n  <bean id=\"x\"/>\n</beans>\n", 3, 3, "no <broker> element"},
		{"empty", "", 1, 1, "no <broker> element"},
		{"text only", "not xml at all", 1, 1, "no <broker> element"},
		{"undefined entity in a password", "<broker>\n<networkConnector password=\"p&secretpart;\"/>\n</broker>", 1, 2, "invalid character entity"},
		{"unsupported encoding", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<broker/>", 1, 1, "unsupported encoding"},
		{"too deep", "<broker>" + strings.Repeat("<a>", MaxDepth) + strings.Repeat("</a>", MaxDepth) + "</broker>", 1, 1, "nested deeper than 256"},
		{"too large", "<broker>" + strings.Repeat(" ", MaxDocumentSize) + "</broker>", 7, 7, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseActiveMQ([]byte(tt.doc), "conf/activemq.xml", tt.firstLine)
			if err == nil {
				t.Fatalf("got %v, want an error", dump(cfg))
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if pe.File != "conf/activemq.xml" || pe.Line != tt.wantLine || !strings.Contains(pe.Msg, tt.wantMsg) {
				t.Errorf("got %q (line %d), want line %d and %q", err, pe.Line, tt.wantLine, tt.wantMsg)
			}
			assertNoSecrets(t, err.Error())
		})
	}
}

// assertNoSecrets fails when s contains a password used in the test documents.
func assertNoSecrets(t *testing.T, s string) {
	t.Helper()
	for _, secret := range []string{"Sup3rSecret", "hunter2", "hunter3", "guest-pass", "activemq-db-pass", "s3cret", "secretpart"} {
		if strings.Contains(s, secret) {
			t.Errorf("output reveals a secret: %q", s)
		}
	}
}

// checkRanges fails unless every range in cfg names file and lies within [first, last].
func checkRanges(t testing.TB, cfg *model.ActiveMQConfig, file string, first, last int) {
	t.Helper()
	check := func(what string, r model.Range) {
		if r.File != file || r.StartLine < first || r.EndLine > last || r.StartLine > r.EndLine {
			t.Errorf("%s: range %+v outside %s:%d-%d", what, r, file, first, last)
		}
	}
	for _, n := range cfg.NetworkConnectors {
		check("network connector", n.At)
		check("network connector name", n.Name.At)
		check("network connector uri", n.URI.At)
	}
	for _, c := range cfg.TransportConnectors {
		check("transport connector", c.At)
		check("transport connector name", c.Name.At)
		check("transport connector uri", c.URI.At)
	}
	for _, p := range cfg.Plugins {
		check("plugin", p.At)
	}
	if ap := cfg.AuthorizationPlugin; ap != nil {
		check("authorization plugin", ap.At)
		if ap.Map != nil {
			check("authorization map", ap.Map.At)
			for _, e := range ap.Map.Entries {
				check("authorization entry", e.At)
			}
		}
	}
	for _, u := range cfg.Users {
		check("user", u.At)
		check("username", u.Username.At)
	}
	for _, c := range cfg.Credentials {
		check("credential", c.At)
	}
}

// TestParseActiveMQCorpus parses the ActiveMQ documents embedded in the shared corpus: Terraform
// heredocs and CloudFormation block scalars, from the line holding <?xml (or <broker) to the line
// holding </broker>.
func TestParseActiveMQCorpus(t *testing.T) {
	root := corpusDir(t)
	found := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(path) {
		case ".tf", ".yaml", ".yml", ".json":
		default:
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(data, []byte("<broker")) {
			return err
		}
		for _, doc := range embeddedDocuments(data) {
			found++
			cfg, err := ParseActiveMQ([]byte(doc.text), path, doc.line)
			if err != nil {
				t.Errorf("%s: %v", path, err)
				continue
			}
			checkRanges(t, cfg, path, doc.line, doc.line+strings.Count(doc.text, "\n"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Error("no ActiveMQ document found in the corpus")
	}
	t.Logf("parsed %d documents", found)
}

type embedded struct {
	text string
	line int
}

func embeddedDocuments(data []byte) []embedded {
	var docs []embedded
	var cur *embedded
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if cur == nil && (strings.Contains(line, "<?xml") || strings.Contains(line, "<broker")) &&
			!strings.Contains(line, `\n`) {
			cur = &embedded{line: n}
		}
		if cur != nil {
			cur.text += line + "\n"
			if strings.Contains(line, "</broker>") {
				docs = append(docs, *cur)
				cur = nil
			}
		}
	}
	return docs
}

func FuzzParseActiveMQ(f *testing.F) {
	for _, name := range []string{"amazonmq-default.xml", "network-of-brokers.xml", "activemq.xml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, 1)
	}
	f.Add([]byte("<broker>\n<plugins>\n</plugin>\n</broker>"), 10)
	f.Add([]byte("<!DOCTYPE broker [<!ENTITY a \"b\">]><broker>&a;</broker>"), 3)
	f.Add([]byte("<beans><broker><networkConnectors><networkConnector uri=\"static:(tcp://u:p@h:1)\"/></networkConnectors></broker></beans>"), 0)
	f.Fuzz(func(t *testing.T, data []byte, firstLine int) {
		if firstLine < -1000 || firstLine > 1_000_000 {
			return
		}
		cfg, err := ParseActiveMQ(data, "f.xml", firstLine)
		first := max(firstLine, 1)
		last := first + bytes.Count(data, []byte{'\n'})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if pe.File != "f.xml" || pe.Line < first || pe.Line > last {
				t.Fatalf("error line %d outside %d-%d: %v", pe.Line, first, last, err)
			}
			return
		}
		checkRanges(t, cfg, "f.xml", first, last)
	})
}
