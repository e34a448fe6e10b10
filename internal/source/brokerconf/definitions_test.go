package brokerconf

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/model"
)

// rabbitHash is RabbitMQ's password hash of password with a fixed salt.
func rabbitHash(h hash.Hash, password string) string {
	salt := []byte{1, 2, 3, 4}
	h.Write(salt)
	h.Write([]byte(password))
	return base64.StdEncoding.EncodeToString(append(salt, h.Sum(nil)...))
}

func TestReadDefinitions(t *testing.T) {
	doc := `{
  "rabbit_version": "3.13.7",
  "rabbitmq_version": "3.13.7",
  "users": [
    {
      "name": "guest",
      "password_hash": "` + rabbitHash(sha256.New(), "guest") + `",
      "hashing_algorithm": "rabbit_password_hashing_sha256",
      "tags": "administrator,management"
    },
    {"name": "md5", "password_hash": "` + rabbitHash(md5.New(), "guest") + `", "hashing_algorithm": "rabbit_password_hashing_md5", "tags": ["monitoring"]},
    {"name": "guest", "password_hash": "` + rabbitHash(sha512.New(), "not-guest") + `", "hashing_algorithm": "rabbit_password_hashing_sha512", "tags": []},
    {"name": "nopass", "password_hash": "", "tags": ""},
    {"name": "plain", "password": "Pp-S3cr3t", "tags": "management"}
  ],
  "vhosts": [{"name": "/"}, {"name": "q", "metadata": {"default_queue_type": "quorum"}}, {"name": "old", "default_queue_type": "classic"}],
  "permissions": [
    {"user": "guest", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "md5", "vhost": "q", "configure": "", "write": "", "read": ".*"}
  ],
  "topic_permissions": [{"user": "guest", "vhost": "/", "exchange": "", "write": ".*", "read": ".*"}],
  "parameters": [
    {"value": {"src-uri": "amqp://shovel:Sh-S3cr3t@h1", "dest-uri": ["amqp://h2"]}, "vhost": "/", "component": "shovel", "name": "s1"},
    {"value": {"uri": "amqp://h3"}, "vhost": "/", "component": "federation-upstream", "name": "up"}
  ],
  "global_parameters": [{"name": "cluster_name", "value": "rabbit@x"}],
  "policies": [
    {"vhost": "/", "name": "ha", "pattern": ".*", "apply-to": "queues", "definition": {"ha-mode": "all", "ha-sync-mode": "automatic"}, "priority": 0}
  ],
  "operator_policies": [{"vhost": "/", "name": "op", "pattern": "", "apply-to": "queues", "definition": {"max-length": 10}}],
  "queues": [
    {"name": "cq", "vhost": "/", "durable": true, "auto_delete": false, "arguments": {}},
    {"name": "qq", "vhost": "q", "durable": true, "arguments": {"x-queue-type": "quorum"}},
    {"name": "tmp", "vhost": "/", "exclusive": true, "auto_delete": true}
  ],
  "exchanges": [{"name": "x", "vhost": "/", "type": "topic", "arguments": {"nested": [1, {"a": [2]}]}}],
  "bindings": []
}
`
	d, err := ReadDefinitions(strings.NewReader(doc), "definitions.json", 1)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "version %s:%s@%d\n", d.Version.State, d.Version.V, d.Version.At.StartLine)
	for _, u := range d.Users {
		fmt.Fprintf(&b, "user %s tags=%v alg=%s:%s pw=%s guest=%v @%d-%d", u.Username.V, u.Tags.V, u.HashingAlgorithm.State, u.HashingAlgorithm.V,
			u.Password.Origin, u.DefaultPassword, u.At.StartLine, u.At.EndLine)
		for _, p := range u.Permissions {
			fmt.Fprintf(&b, " perm %s %q %q %q @%d", p.VHost, p.Configure, p.Write, p.Read, p.At.StartLine)
		}
		b.WriteString("\n")
	}
	for _, v := range d.VHosts {
		fmt.Fprintf(&b, "vhost %s %s:%q @%d\n", v.Name, v.DefaultQueueType.State, v.DefaultQueueType.V, v.At.StartLine)
	}
	for _, p := range d.Policies {
		fmt.Fprintf(&b, "policy %s/%s %s %s op=%v %v @%d\n", p.VHost, p.Name, p.Pattern, p.ApplyTo, p.Operator, p.Keys, p.At.StartLine)
	}
	for _, q := range d.Queues {
		fmt.Fprintf(&b, "queue %s/%s durable=%s:%v excl=%v ad=%v type=%s:%q @%d\n", q.VHost, q.Name, q.Durable.State, q.Durable.V, q.Exclusive, q.AutoDelete, q.Type.State, q.Type.V, q.At.StartLine)
	}
	for _, c := range d.Credentials {
		fmt.Fprintf(&b, "credential %s @%d\n", c.Where, c.At.StartLine)
	}
	want := `version explicit:3.13.7@3
user guest tags=[administrator management] alg=explicit:rabbit_password_hashing_sha256 pw=literal guest=true @5-10 perm / ".*" ".*" ".*" @18
user md5 tags=[monitoring] alg=explicit:rabbit_password_hashing_md5 pw=literal guest=false @11-11 perm q "" "" ".*" @19
user guest tags=[] alg=explicit:rabbit_password_hashing_sha512 pw=literal guest=false @12-12 perm / ".*" ".*" ".*" @18
user nopass tags=[] alg=default:rabbit_password_hashing_sha256 pw=absent guest=false @13-13
user plain tags=[management] alg=default:rabbit_password_hashing_sha256 pw=literal guest=false @14-14
vhost / default:"" @16
vhost q explicit:"quorum" @16
vhost old explicit:"classic" @16
policy //ha .* queues op=false [ha-mode ha-sync-mode] @28
policy //op  queues op=true [max-length] @30
queue //cq durable=explicit:true excl=false ad=false type=default:"" @32
queue q/qq durable=explicit:true excl=false ad=false type=explicit:"quorum" @33
queue //tmp durable=default:false excl=true ad=true type=default:"" @34
credential definitions user plain password @14
credential definitions parameter shovel s1 URI @23
`
	if got := b.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// The md5 user's hash is guest's, but only a user named guest has guest's shipped password.
	if !RabbitHashIs(strings.Split(strings.Split(doc, `"md5", "password_hash": "`)[1], `"`)[0], "rabbit_password_hashing_md5", "guest") {
		t.Errorf("the MD5 hash of guest does not verify")
	}
	if s := fmt.Sprintf("%+v", d); strings.Contains(s, "S3cr3t") || strings.Contains(s, rabbitHash(sha256.New(), "guest")) {
		t.Errorf("a secret or a hash is kept: %s", s)
	}
}

func TestReadDefinitionsVHostExport(t *testing.T) {
	d, err := ReadDefinitions(strings.NewReader(`{"rabbit_version":"3.12.0","queues":[{"name":"a","durable":false,"arguments":{"x-queue-type":"classic"}}],"policies":[]}`), "vh.json", 1)
	if err != nil {
		t.Fatal(err)
	}
	if d.HasUsers || len(d.Queues) != 1 || d.Queues[0].Durable.V || d.Queues[0].Type.V != "classic" || d.Version.V != "3.12.0" {
		t.Errorf("got %+v", d)
	}
}

func TestReadDefinitionsErrors(t *testing.T) {
	tests := []struct {
		doc  string
		line int
	}{
		{"{\n\"users\": [\n{\"name\": \"a\", \"password\": \"S3cr3t\"},\n]\n}", 4}, // the `]` after a trailing comma
		{"{\n\"users\": [\n{\"name\": \"a\"\n\"password\": \"S3cr3t\"}]}", 4},
		{"[1, 2]", 1},
		{"{\"users\": {\"S3cr3t\": 1}}", 1},
		{"{\"users\": [\"S3cr3t\"]}", 1},
		{"{\"queues\": [{\"name\": \"q\", \"durable\": \"S3cr3t\"}]}", 1},
		{"{\"users\": [{\"name\": \"q\",\n \"password\": 735173}]}", 1},
		{"{\n\"users\": [\n", 3},
		{"{\"vhosts\": []}\n\n{}", 3},
		{"", 1},
	}
	for _, tt := range tests {
		_, err := ReadDefinitions(strings.NewReader(tt.doc), "defs/definitions.json", 1)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Errorf("%q: error %v, want a ParseError", tt.doc, err)
			continue
		}
		if pe.File != "defs/definitions.json" || pe.Line != tt.line {
			t.Errorf("%q: error %v, want line %d", tt.doc, err, tt.line)
		}
		if strings.Contains(err.Error(), "S3cr3t") || strings.Contains(err.Error(), "735173") {
			t.Errorf("%q: the error quotes the document: %v", tt.doc, err)
		}
	}
}

// largeExport generates a definitions export of about size bytes without ever holding it: a
// few users and policies, then exchanges, bindings and queues until the size is reached.
type largeExport struct {
	size, done int64
	buf        bytes.Buffer
	n          int
	phase      int
}

func (g *largeExport) Read(p []byte) (int, error) {
	for g.buf.Len() < len(p) && g.phase < 4 {
		g.fill()
	}
	if g.buf.Len() == 0 {
		return 0, io.EOF
	}
	return g.buf.Read(p)
}

func (g *largeExport) fill() {
	switch g.phase {
	case 0:
		g.buf.WriteString("{\n  \"rabbit_version\": \"3.13.7\",\n  \"users\": [\n    {\"name\": \"guest\", \"password_hash\": \"" + rabbitHash(sha256.New(), "guest") + "\", \"tags\": [\"administrator\"]}\n  ],\n  \"bindings\": [\n")
		g.phase = 1
	case 1:
		before := g.buf.Len()
		if g.n > 0 {
			g.buf.WriteString(",\n")
		}
		fmt.Fprintf(&g.buf, "    {\"source\": \"ex%d\", \"vhost\": \"/\", \"destination\": \"q%d\", \"destination_type\": \"queue\", \"routing_key\": \"key.%d.#\", \"arguments\": {\"x-match\": \"all\", \"n\": [%d, %d]}}", g.n, g.n, g.n, g.n, g.n)
		g.n++
		g.done += int64(g.buf.Len() - before)
		if g.done >= g.size {
			g.buf.WriteString("\n  ],\n  \"queues\": [\n    {\"name\": \"last\", \"vhost\": \"/\", \"durable\": true, \"arguments\": {\"x-queue-type\": \"quorum\"}}\n  ]\n")
			g.phase = 2
		}
	case 2:
		g.buf.WriteString("}\n")
		g.phase = 4
	}
}

func TestReadDefinitionsLargeExportBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a 100 MB export")
	}
	const size = 100 << 20
	g := &largeExport{size: size}
	runtime.GC()
	var peak uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			default:
			}
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			time.Sleep(time.Millisecond)
		}
	}()
	d, err := ReadDefinitions(g, "big.json", 1)
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if g.done < size {
		t.Fatalf("generated %d bytes, want %d", g.done, size)
	}
	if len(d.Users) != 1 || !d.Users[0].DefaultPassword || len(d.Queues) != 1 || d.Queues[0].Type.V != "quorum" {
		t.Errorf("users %+v queues %+v", d.Users, d.Queues)
	}
	// The queue is on the export's last lines: the line count stays right across the stream.
	if want := g.n + 9; d.Queues[0].At.StartLine != want {
		t.Errorf("last queue at line %d, want %d", d.Queues[0].At.StartLine, want)
	}
	if peak > 64<<20 {
		t.Errorf("heap in use reached %d MB reading a %d MB export", peak>>20, size>>20)
	}
}

func FuzzDefinitions(f *testing.F) {
	for _, s := range []string{`{}`, `{"users":[{"name":"guest","password_hash":"AQIDBA==","tags":"a,b"}]}`, `{"queues":[{"name":"q","arguments":{"x-queue-type":"quorum"}}]}`,
		`{"policies":[{"name":"p","definition":{"ha-mode":"all"}}],"vhosts":[{"name":"/","metadata":{"default_queue_type":"quorum"}}]}`,
		`{"parameters":[{"component":"shovel","name":"s","value":{"src-uri":"amqp://u:p@h"}}]}`, `{"users":[1]}`, "{\n\"users\": [\n{},\n]}"} {
		f.Add([]byte(s))
	}
	addCorpusSeeds(f, RabbitDefinitions)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ReadDefinitions(bytes.NewReader(data), "f.json", 1)
		lines := bytes.Count(data, []byte("\n")) + 1
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "f.json" || pe.Line < 1 || pe.Line > lines {
				t.Fatalf("error %v (%d lines)", err, lines)
			}
			return
		}
		check := func(r model.Range) {
			if r.File != "f.json" || r.StartLine < 1 || r.EndLine > lines || r.EndLine < r.StartLine {
				t.Fatalf("range %+v (%d lines)", r, lines)
			}
		}
		for _, u := range d.Users {
			check(u.At)
			if u.Password.Origin == model.SecretUnknown {
				t.Fatalf("user %q password origin unknown", u.Username.V)
			}
		}
		for _, q := range d.Queues {
			check(q.At)
		}
		for _, p := range d.Policies {
			check(p.At)
		}
	})
}
