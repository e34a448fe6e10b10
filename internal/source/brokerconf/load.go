package brokerconf

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mqguard/mqguard/internal/model"
)

// FileKind is what a file holds, as Sniff recognises it.
type FileKind uint8

// File kinds.
const (
	NotBrokerConf FileKind = iota
	// ActiveMQXML: an ActiveMQ broker configuration (a <broker> element of ActiveMQ's schema).
	ActiveMQXML
	// RabbitConf: rabbitmq.conf, the sysctl-like format.
	RabbitConf
	// RabbitErlang: Erlang terms (the classic rabbitmq.config, advanced.config).
	RabbitErlang
	// RabbitDefinitions: a definitions export (rabbitmqctl export_definitions, /api/definitions).
	RabbitDefinitions
	// RabbitKube: a Kubernetes manifest (ConfigMap, RabbitmqCluster) or Helm values file that
	// embeds RabbitMQ configuration or definitions.
	RabbitKube
)

var kindNames = [...]string{"", "activemq.xml", "rabbitmq.conf", "erlang terms", "definitions", "kubernetes"}

func (k FileKind) String() string { return kindNames[k] }

// SniffSize is how much of a file Sniff needs.
const SniffSize = 64 << 10

// Sniff recognises a broker configuration file from its name and the first SniffSize bytes of its
// content. It reads nothing itself.
func Sniff(name string, head []byte) FileKind {
	base := strings.ToLower(path.Base(name))
	base = strings.TrimSuffix(base, ".example")
	base = strings.TrimSuffix(base, ".sample")
	h := bytes.TrimLeft(head, " \t\r\n\ufeff")
	switch {
	case strings.HasSuffix(base, ".xml"):
		if isActiveMQXML(h) {
			return ActiveMQXML
		}
	case strings.HasSuffix(base, ".json"):
		if isDefinitions(h) {
			return RabbitDefinitions
		}
	case strings.HasSuffix(base, ".yaml"), strings.HasSuffix(base, ".yml"):
		if isRabbitKube(h) {
			return RabbitKube
		}
	case strings.HasSuffix(base, ".conf"), strings.HasSuffix(base, ".config"), base == "rabbitmq.conf.d":
		if isErlangTerms(h) {
			return RabbitErlang
		}
		if isRabbitConf(h) {
			return RabbitConf
		}
	}
	return NotBrokerConf
}

// Candidate reports whether a file name may hold a broker configuration, so that a walk reads
// only those.
func Candidate(name string) bool {
	base := strings.ToLower(path.Base(name))
	base = strings.TrimSuffix(base, ".example")
	base = strings.TrimSuffix(base, ".sample")
	for _, ext := range []string{".xml", ".json", ".yaml", ".yml", ".conf", ".config"} {
		if strings.HasSuffix(base, ext) {
			return true
		}
	}
	return false
}

// Options are the brokerconf source's options.
type Options struct {
	// Display maps an FS path to the path shown in the report.
	Display func(string) string
}

// Load reads the broker configuration files (FS paths, as Sniff recognised them with their
// kinds) into self-managed brokers: the files of one directory describe one broker per engine
// (one per ActiveMQ XML document; a Kubernetes or Helm file is a broker of its own). A file that
// cannot be read or parsed is an error diagnostic naming file and line; the other files are still
// read.
func Load(ctx context.Context, fsys fs.FS, files map[string]FileKind, opts Options) (*model.Inventory, []model.Diagnostic) {
	if opts.Display == nil {
		opts.Display = func(p string) string { return p }
	}
	byDir := map[string]map[string]FileKind{}
	for p, k := range files {
		d := path.Dir(p)
		if byDir[d] == nil {
			byDir[d] = map[string]FileKind{}
		}
		byDir[d][p] = k
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	// Directories are read on every core; the inventory lists them in path order.
	type dirResult struct {
		brokers []*model.Broker
		diags   []model.Diagnostic
	}
	results := make([]dirResult, len(dirs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(dirs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(dirs) || ctx.Err() != nil {
					return
				}
				results[i].brokers, results[i].diags = loadDir(fsys, dirs[i], byDir[dirs[i]], opts)
			}
		})
	}
	wg.Wait()
	// A file that one broker reads beside its main file (the definitions its load_definitions
	// names, in another directory or under a Kubernetes manifest) is that broker's: a broker
	// made of such files alone is the same broker seen twice, and is dropped.
	companion := map[string]bool{}
	for _, r := range results {
		for _, b := range r.brokers {
			if b.SelfManaged != nil && len(b.SelfManaged.Files) > 1 {
				for _, f := range b.SelfManaged.Files[1:] {
					companion[f] = true
				}
			}
		}
	}
	inv := &model.Inventory{}
	var diags []model.Diagnostic
	seen := map[string]bool{}
	for _, r := range results {
		for _, b := range r.brokers {
			if !readElsewhere(b, companion) {
				addBrokers(inv, []*model.Broker{b})
			}
		}
		for _, d := range r.diags {
			// A file read for two brokers is reported once.
			if k := d.At.String() + "\x00" + d.Message; !seen[k] {
				seen[k] = true
				diags = append(diags, d)
			}
		}
	}
	for i := range diags {
		diags[i].Source = model.SourceBrokerConf
	}
	return inv, diags
}

// readElsewhere reports whether every file b was read from is another broker's companion.
func readElsewhere(b *model.Broker, companion map[string]bool) bool {
	if b.SelfManaged == nil || len(b.SelfManaged.Files) == 0 {
		return false
	}
	for _, f := range b.SelfManaged.Files {
		if !companion[f] {
			return false
		}
	}
	return true
}

// loadDir reads the broker configuration files of one directory.
func loadDir(fsys fs.FS, d string, files map[string]FileKind, opts Options) ([]*model.Broker, []model.Diagnostic) {
	var amq, rabbit, kube []string
	for p, k := range files {
		switch k {
		case ActiveMQXML:
			amq = append(amq, p)
		case RabbitConf, RabbitErlang, RabbitDefinitions:
			rabbit = append(rabbit, p)
		case RabbitKube:
			kube = append(kube, p)
		}
	}
	sort.Strings(amq)
	sort.Strings(kube)
	var brokers []*model.Broker
	var diags []model.Diagnostic
	if len(amq) > 0 {
		bs, ds := loadActiveMQDir(fsys, d, amq, opts)
		brokers = append(brokers, bs...)
		diags = append(diags, ds...)
	}
	if len(rabbit) > 0 {
		kinds := make(map[string]FileKind, len(rabbit))
		for _, p := range rabbit {
			kinds[p] = files[p]
		}
		b, ds := loadRabbitDir(fsys, d, kinds, opts)
		if b != nil {
			brokers = append(brokers, b)
		}
		diags = append(diags, ds...)
	}
	for _, p := range kube {
		b, ds := loadRabbitKube(fsys, p, opts)
		if b != nil {
			brokers = append(brokers, b)
		}
		diags = append(diags, ds...)
	}
	return brokers, diags
}

// addBrokers adds brokers and the configurations they use to inv.
func addBrokers(inv *model.Inventory, bs []*model.Broker) {
	for _, b := range bs {
		inv.Brokers = append(inv.Brokers, b)
		if b.Configuration != nil && b.Configuration.Config != nil {
			b.Configuration.Config.UsedBy++
			inv.Configurations = append(inv.Configurations, b.Configuration.Config)
		}
	}
}

// readFile reads a whole file of at most limit bytes.
func readFile(fsys fs.FS, p string, limit int64) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errTooLarge
	}
	return data, nil
}

type tooLargeError struct{}

func (tooLargeError) Error() string { return "file is too large" }

var errTooLarge error = tooLargeError{}

// isActiveMQXML recognises a self-managed broker's configuration: a Spring <beans> document
// (ActiveMQ loads its configuration through Spring) holding a <broker> of ActiveMQ's schema. A
// document whose root is <broker> is what Amazon MQ takes (aws_mq_configuration data, aws mq
// update-configuration): it describes no broker of its own.
func isActiveMQXML(h []byte) bool {
	return bytes.Contains(h, []byte("http://activemq.apache.org/schema/core")) && bytes.Contains(h, []byte("<broker")) &&
		bytes.Contains(h, []byte("<beans"))
}

func isDefinitions(h []byte) bool {
	if len(h) == 0 || h[0] != '{' {
		return false
	}
	for _, k := range []string{`"rabbit_version"`, `"rabbitmq_version"`, `"vhosts"`, `"permissions"`, `"policies"`, `"exchanges"`, `"bindings"`} {
		if bytes.Contains(h, []byte(k)) {
			return true
		}
	}
	// A users-only export still names its hashing algorithm or password hashes.
	return bytes.Contains(h, []byte(`"users"`)) && (bytes.Contains(h, []byte(`"password_hash"`)) || bytes.Contains(h, []byte(`"hashing_algorithm"`)))
}

func isRabbitKube(h []byte) bool {
	for _, k := range []string{"rabbitmq.conf:", "advanced.config:", "enabled_plugins:", "kind: RabbitmqCluster", "additionalConfig:", "rabbitmq/rabbitmq", "loadDefinition:", "load_definitions"} {
		if bytes.Contains(h, []byte(k)) {
			return true
		}
	}
	// Helm values of a RabbitMQ chart.
	return bytes.Contains(h, []byte("rabbitmq")) && bytes.Contains(h, []byte("configuration:")) && bytes.Contains(h, []byte("auth:"))
}

func isErlangTerms(h []byte) bool {
	h = skipErlangComments(h)
	if len(h) == 0 || h[0] != '[' {
		return false
	}
	return bytes.Contains(h, []byte("{rabbit")) || bytes.Contains(h, []byte("{kernel")) || bytes.Contains(h, []byte("{ssl"))
}

func skipErlangComments(h []byte) []byte {
	for {
		h = bytes.TrimLeft(h, " \t\r\n")
		if len(h) == 0 || h[0] != '%' {
			return h
		}
		i := bytes.IndexByte(h, '\n')
		if i < 0 {
			return nil
		}
		h = h[i+1:]
	}
}

// rabbitConfPrefixes are key prefixes that only RabbitMQ's configuration uses.
var rabbitConfPrefixes = []string{"listeners.", "loopback_users", "default_user", "default_pass", "default_vhost",
	"management.", "ssl_options.", "cluster_formation.", "vm_memory_high_watermark", "disk_free_limit",
	"auth_backends.", "auth_mechanisms.", "auth_ldap.", "mqtt.", "stomp.", "web_stomp.", "web_mqtt.",
	"load_definitions", "cluster_name", "queue_master_locator", "default_queue_type", "heartbeat", "log.",
	"prometheus.", "stream.", "password_hashing_module", "deprecated_features.", "anonymous_login_"}

func isRabbitConf(h []byte) bool {
	n := 0
	for _, line := range bytes.Split(h, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		eq := bytes.IndexByte(line, '=')
		if eq <= 0 {
			continue
		}
		key := string(bytes.TrimSpace(line[:eq]))
		for _, p := range rabbitConfPrefixes {
			if strings.HasPrefix(key, p) {
				n++
				break
			}
		}
		if n > 0 {
			return true
		}
	}
	return false
}
