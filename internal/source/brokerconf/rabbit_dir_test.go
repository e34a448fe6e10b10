package brokerconf

import (
	"context"
	"crypto/sha256"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mqguard/mqguard/internal/model"
)

// loadMap sniffs and loads the files of a map, as the scan does.
func loadMap(t *testing.T, files map[string]string) (*model.Inventory, []model.Diagnostic) {
	t.Helper()
	fsys := fstest.MapFS{}
	kinds := map[string]FileKind{}
	for p, s := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(s)}
		if k := Sniff(p, []byte(s)); k != NotBrokerConf {
			kinds[p] = k
		}
	}
	return Load(context.Background(), fsys, kinds, Options{Display: func(p string) string { return "repo/" + p }})
}

func TestLoadRabbit(t *testing.T) {
	guestHash := rabbitHash(sha256.New(), "guest")
	tests := []struct {
		name   string
		files  map[string]string
		main   string   // the broker checked, when the files make several
		want   []string // lines of dumpRabbit that must be there
		absent []string // substrings that must not be there
		errors []string // error diagnostics, as file:line
	}{
		{name: "defaults", files: map[string]string{"n1/rabbitmq.conf": "# x\nloopback_users.guest = false\n"},
			want: []string{
				`broker repo/n1/rabbitmq.conf name=default:"n1" version=unknown:"" files=[repo/n1/rabbitmq.conf]`,
				"conf explicit plugins unknown:[] policies unknown queues unknown listeners explicit users explicit clustered default:false@1 ldaptls unknown:false",
				`listener amqp tls=default:false host=default:"" port=default:5672 loopback=default:false @1`,
				`user default:"guest" tags=[administrator] pw=literal default=true realm=default_user perms=1 @1`,
			},
			absent: []string{"listener http"}},
		{name: "no plaintext listener, plugins", files: map[string]string{
			"n2/rabbitmq.conf":   "listeners.tcp = none\nlisteners.ssl.default = 5671\nssl_options.versions.1 = tlsv1.2\n",
			"n2/enabled_plugins": "[rabbitmq_management,rabbitmq_mqtt,rabbitmq_stomp].\n"},
			want: []string{
				"plugins explicit:[rabbitmq_management rabbitmq_mqtt rabbitmq_stomp]",
				`listener amqp tls=explicit:true host=explicit:"" port=explicit:5671 loopback=explicit:false @2`,
				`listener http tls=default:false host=default:"" port=default:15672 loopback=default:false @1`,
				`listener mqtt tls=default:false host=default:"" port=default:1883`,
				`listener stomp tls=default:false host=default:"" port=default:61613`,
				"files=[repo/n2/rabbitmq.conf repo/n2/enabled_plugins]",
			},
			absent: []string{"listener amqp tls=default", "listener amqp tls=explicit:false"}},
		{name: "loopback binds", files: map[string]string{
			"n3/rabbitmq.conf": "listeners.tcp.local = 127.0.0.1:5672\nlisteners.tcp.v6 = ::1:5672\nlisteners.tcp.all = 0.0.0.0:5673\n" +
				"management.tcp.ip = 127.0.0.1\nmanagement.tcp.port = 15672\nmqtt.listeners.ssl.default = 8883\n"},
			want: []string{
				`listener amqp tls=explicit:false host=explicit:"127.0.0.1" port=explicit:5672 loopback=explicit:true @1`,
				`listener amqp tls=explicit:false host=explicit:"::1" port=explicit:5672 loopback=explicit:true @2`,
				`listener amqp tls=explicit:false host=explicit:"0.0.0.0" port=explicit:5673 loopback=explicit:false @3`,
				`listener http tls=explicit:false host=explicit:"127.0.0.1" port=explicit:15672 loopback=explicit:true @5`,
				`listener mqtt tls=explicit:true host=explicit:"" port=explicit:8883 loopback=explicit:false @6`,
			}},
		{name: "default user from the configuration", files: map[string]string{
			"n4/rabbitmq.conf": "default_user = admin\ndefault_pass = Xx-S3cr3t\ndefault_vhost = prod\ndefault_permissions.write = ^$\ncluster_name = orders\n"},
			want: []string{
				`name=explicit:"orders"`,
				`user explicit:"admin" tags=[administrator] pw=literal default=false realm=default_user perms=1 @1`,
				"credential rabbitmq.conf default_pass @2",
			}},
		{name: "guest named in the configuration", files: map[string]string{"n5/rabbitmq.conf": "default_user = guest\ndefault_pass = guest\n"},
			want: []string{`user explicit:"guest" tags=[administrator] pw=literal default=true realm=default_user`}},
		{name: "classic config cluster", files: map[string]string{
			"n6/rabbitmq.config": "[{rabbit, [{cluster_nodes, {['rabbit@a', 'rabbit@b'], disc}}, {tcp_listeners, [{\"127.0.0.1\", 5672}]}]}].\n"},
			want: []string{"clustered explicit:true@1", `listener amqp tls=explicit:false host=explicit:"127.0.0.1" port=explicit:5672 loopback=explicit:true @1`}},
		{name: "one node is no cluster", files: map[string]string{"n7/rabbitmq.conf": "cluster_formation.classic_config.nodes.1 = rabbit@a\n"},
			want: []string{"clustered default:false@1"}},
		{name: "k8s discovery is a cluster", files: map[string]string{"n8/rabbitmq.conf": "\ncluster_formation.peer_discovery_backend = k8s\n"},
			want: []string{"clustered explicit:true@2"}},
		{name: "ldap over tls", files: map[string]string{
			"n9/rabbitmq.conf": "auth_backends.1 = ldap\nauth_ldap.servers.1 = ldap1.example.com\nauth_ldap.servers.2 = ldap2.example.com\nauth_ldap.port = 636\nauth_ldap.use_ssl = true\n"},
			want: []string{"ldaptls explicit:true", "ldap [ldap://ldap1.example.com:636 ldap://ldap2.example.com:636]"}},
		{name: "ldap without tls", files: map[string]string{
			"n10/rabbitmq.conf": "auth_backends.1 = rabbit_auth_backend_ldap\nauth_ldap.servers.1 = ldap1\n"},
			want: []string{"ldaptls default:false", "ldap [ldap://ldap1:389]"}},
		{name: "ldap servers but no ldap backend", files: map[string]string{"n11/rabbitmq.conf": "auth_ldap.servers.1 = ldap1\n"},
			absent: []string{"ldap ["}},
		{name: "definitions named by the configuration", main: "repo/n12/rabbitmq.conf", files: map[string]string{
			"n12/rabbitmq.conf": "load_definitions = defs/export.json\nlisteners.tcp.default = 5672\n",
			"n12/defs/export.json": `{"rabbit_version": "3.12.1",
 "users": [{"name": "guest", "password_hash": "` + guestHash + `", "tags": "administrator"}],
 "permissions": [{"user": "guest", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}],
 "policies": [{"vhost": "/", "name": "ha", "pattern": ".*", "apply-to": "queues", "definition": {"ha-mode": "all"}}],
 "queues": [{"name": "q", "vhost": "/", "durable": true, "arguments": {"x-queue-type": "classic"}}]}`},
			want: []string{
				`version=explicit:"3.12.1" files=[repo/n12/rabbitmq.conf repo/n12/defs/export.json]`,
				"conf explicit plugins unknown:[] policies explicit queues explicit listeners explicit users explicit",
				`user explicit:"guest" tags=[administrator] pw=literal default=true realm=definitions perms=1 @2`,
				"policy //ha op=false keys=[ha-mode] @4",
				`queue //q durable=explicit:true type=explicit:"classic" @5`,
			},
			absent: []string{"realm=default_user"}},
		{name: "absolute load_definitions mounted beside", files: map[string]string{
			"n13/rabbitmq.conf":       "management.load_definitions = /etc/rabbitmq/definitions.json\n",
			"n13/definitions.json.in": `{"users": [], "vhosts": []}`},
			want: []string{"users unknown"}},
		{name: "load_definitions not found", files: map[string]string{"n14/rabbitmq.conf": "load_definitions = /etc/rabbitmq/definitions.json\n"},
			want: []string{"policies unknown queues unknown listeners explicit users unknown"}, absent: []string{"user "}},
		{name: "broken definitions", files: map[string]string{
			"n15/rabbitmq.conf":      "listeners.tcp.default = 5672\n",
			"n15/definitions.json":   "{\"users\": [\n{\"name\": \"a\", \"password_hash\": \"x\"},\n]}\n",
			"n15/rabbitmq.conf.keep": "x"},
			want:   []string{"conf explicit plugins unknown:[] policies unknown queues unknown listeners explicit users unknown", "listener amqp tls=explicit:false"},
			absent: []string{"user "}, errors: []string{"repo/n15/definitions.json:3"}},
		{name: "broken configuration", files: map[string]string{
			"n16/rabbitmq.conf":    "listeners.tcp.default = 5672\nthis line is broken\n",
			"n16/definitions.json": `{"users": [{"name": "u", "password_hash": "", "tags": ["management"]}], "policies": []}`},
			want: []string{"conf unknown plugins unknown:[] policies explicit queues explicit listeners unknown users explicit clustered unknown",
				`user explicit:"u" tags=[management] pw=absent default=false realm=definitions`},
			errors: []string{"repo/n16/rabbitmq.conf:2"}},
		{name: "advanced.config overrides rabbitmq.conf", files: map[string]string{
			"n17/advanced.config": "[{rabbit, [{loopback_users, []}, {default_pass, <<\"Yy-S3cr3t\">>}]}].\n",
			"n17/rabbitmq.conf":   "loopback_users.guest = true\nloopback_users = guest\n"},
			want: []string{"broker repo/n17/rabbitmq.conf ", `loopback_users = "none" @1`, "credential rabbit default_pass @1",
				`user default:"guest" tags=[administrator] pw=literal default=false`}},
		{name: "broken plugins file", files: map[string]string{"n18/rabbitmq.conf": "cluster_name = x\n", "n18/enabled_plugins": "[rabbitmq_management"},
			want: []string{"plugins unknown"}, errors: []string{"repo/n18/enabled_plugins:1"}},
		{name: "definitions alone", files: map[string]string{"n19/definitions.json": `{"rabbitmq_version": "4.0.5", "vhosts": [{"name": "/", "metadata": {"default_queue_type": "quorum"}}]}`},
			want: []string{`broker repo/n19/definitions.json name=default:"n19" version=explicit:"4.0.5"`, "conf unknown", "users explicit",
				`user default:"guest" tags=[administrator] pw=literal default=true realm=default_user`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := loadMap(t, tt.files)
			var errs []string
			for _, d := range diags {
				if d.Severity == model.DiagError {
					errs = append(errs, d.At.String())
				}
				if strings.Contains(d.Message, "S3cr3t") {
					t.Errorf("a diagnostic quotes a secret: %s", d.Message)
				}
			}
			if strings.Join(errs, " ") != strings.Join(tt.errors, " ") {
				t.Errorf("errors = %v, want %v", errs, tt.errors)
			}
			var b *model.Broker
			for _, c := range inv.Brokers {
				if tt.main == "" || c.ID.Address == tt.main {
					b = c
				}
			}
			if b == nil || tt.main == "" && len(inv.Brokers) != 1 {
				t.Fatalf("%d brokers", len(inv.Brokers))
			}
			got := dumpRabbit(b)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(got, a) {
					t.Errorf("unexpected %q in\n%s", a, got)
				}
			}
			if strings.Contains(got, "S3cr3t") {
				t.Errorf("a secret is kept:\n%s", got)
			}
			checkRabbitBroker(t, b, inv, tt.main == "")
		})
	}
}

// checkRabbitBroker checks what the contract says of every RabbitMQ broker read from files.
func checkRabbitBroker(t *testing.T, b *model.Broker, inv *model.Inventory, alone bool) {
	t.Helper()
	if b.ID.Source != model.SourceBrokerConf || b.ID.Type != "rabbitmq" || b.ID.Scope != b.ID.Address || b.ID.At.File != b.ID.Address {
		t.Errorf("identity %+v", b.ID)
	}
	if !b.IsEngine(model.EngineRabbitMQ) || b.Engine.State != model.Explicit || !b.IsSelfManaged() {
		t.Errorf("engine %+v", b.Engine)
	}
	sm := b.SelfManaged
	if len(sm.Files) == 0 || sm.Files[0] != b.ID.Address {
		t.Errorf("files %v, main %s", sm.Files, b.ID.Address)
	}
	c := b.Configuration
	if c == nil || c.Config == nil || c.Config.RabbitMQ != sm.RabbitMQ || c.Config.ID.Type != "rabbitmq.conf" || c.Config.UsedBy != 1 {
		t.Fatalf("configuration %+v", c)
	}
	if alone && (len(inv.Configurations) != 1 || inv.Configurations[0] != c.Config) {
		t.Errorf("inventory configurations %v", inv.Configurations)
	}
	if sm.Version != b.EngineVersion {
		t.Errorf("versions %+v %+v", sm.Version, b.EngineVersion)
	}
}

func TestLoadRabbitKube(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		want   []string
		absent []string
		errors []string
	}{
		{name: "configmap", files: map[string]string{"k/cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: rabbit
data:
  enabled_plugins: |
    [rabbitmq_management,rabbitmq_peer_discovery_k8s].
  rabbitmq.conf: |
    cluster_formation.peer_discovery_backend = rabbit_peer_discovery_k8s
    loopback_users.guest = false
    listeners.tcp.default = 5672
  definitions.json: |
    {"users": [{"name": "ops", "password_hash": "AQIDBAUG", "tags": "administrator"}],
     "queues": [{"name": "q", "vhost": "/", "durable": false}]}
`},
			want: []string{`broker repo/k/cm.yaml name=explicit:"rabbit"`, "plugins explicit:[rabbitmq_management rabbitmq_peer_discovery_k8s]",
				`loopback_users.guest = "false" @10`, "clustered explicit:true@9", `listener amqp tls=explicit:false host=explicit:"" port=explicit:5672 loopback=explicit:false @11`,
				`user explicit:"ops" tags=[administrator] pw=literal default=false realm=definitions perms=0 @13`,
				`queue //q durable=explicit:false type=default:"" @14`, "policies explicit queues explicit"}},
		{name: "cluster operator", files: map[string]string{"k2/rabbitmq.yaml": `apiVersion: rabbitmq.com/v1beta1
kind: RabbitmqCluster
metadata:
  name: prod
spec:
  replicas: 3
  rabbitmq:
    additionalPlugins:
      - rabbitmq_mqtt
    additionalConfig: |
      listeners.tcp = none
      listeners.ssl.default = 5671
    advancedConfig: |
      [{rabbit, [{default_queue_type, quorum}]}].
`},
			want: []string{"clustered explicit:true@6", "plugins explicit:[rabbitmq_peer_discovery_k8s rabbitmq_prometheus rabbitmq_management rabbitmq_mqtt]",
				`default_queue_type = "quorum" @14`, `listener amqp tls=explicit:true host=explicit:"" port=explicit:5671 loopback=explicit:false @12`,
				"listener mqtt", `user unknown:"" tags=[administrator] pw=generated default=false realm=default_user`},
			absent: []string{"listener amqp tls=default"}},
		{name: "cluster operator, one replica", files: map[string]string{"k3/rabbitmq.yaml": "kind: RabbitmqCluster\nmetadata:\n  name: one\nspec:\n  replicas: 1\n  rabbitmq:\n    additionalConfig: |\n      default_user=guest\n      default_pass=guest"},
			want: []string{"clustered explicit:false@5", `user explicit:"guest" tags=[administrator] pw=literal default=true realm=default_user perms=1 @8`}},
		{name: "helm values", files: map[string]string{"k4/values.yaml": `image:
  repository: bitnami/rabbitmq
auth:
  username: guest
  password: guest
  erlangCookie: Cc-S3cr3t
replicaCount: 3
plugins: "rabbitmq_management rabbitmq_peer_discovery_k8s"
extraPlugins: "rabbitmq_auth_backend_ldap"
ldap:
  enabled: true
  servers:
    - ldap.example.com
  port: "389"
  tls:
    enabled: false
configuration: |-
  default_user = {{ .Values.auth.username }}
  listeners.tcp.default = 5672
`},
			want: []string{"clustered explicit:true@7", "plugins explicit:[rabbitmq_management rabbitmq_peer_discovery_k8s rabbitmq_auth_backend_ldap]",
				"conf unknown", "listeners unknown", `user explicit:"guest" tags=[administrator] pw=literal default=true realm=default_user perms=1 @4`,
				"credential values password @5", "credential values erlangCookie @6", "ldap [ldap://ldap.example.com:389]", "ldaptls explicit:false",
				`listeners.tcp.default = "5672" @19`}},
		{name: "helm definitions from a secret", files: map[string]string{"k5/values.yaml": "auth:\n  username: user\nconfiguration: |\n  cluster_name = x\nloadDefinition:\n  enabled: true\n  existingSecret: defs\n"},
			want: []string{"users unknown"}, absent: []string{"user "}},
		{name: "broken yaml", files: map[string]string{"k6/values.yaml": "image: bitnami/rabbitmq\nauth:\n  username: user\nconfiguration: |\n  a = b\n x: [\n"},
			want: []string{"conf unknown", "users unknown"}, errors: []string{"repo/k6/values.yaml:5"}},
		{name: "broken embedded conf", files: map[string]string{"k7/cm.yaml": "kind: ConfigMap\ndata:\n  rabbitmq.conf: |\n    a = b\n    broken line\n"},
			want: []string{"conf unknown", "listeners unknown"}, errors: []string{"repo/k7/cm.yaml:5"}},
		{name: "broken embedded definitions", files: map[string]string{"k8/cm.yaml": "kind: ConfigMap\ndata:\n  rabbitmq.conf: |\n    a = b\n  definitions.json: |\n    {\"users\": [\n    1}\n"},
			want: []string{"users unknown"}, errors: []string{"repo/k8/cm.yaml:7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := loadMap(t, tt.files)
			var errs []string
			for _, d := range diags {
				if d.Severity == model.DiagError {
					errs = append(errs, d.At.String())
				}
			}
			if strings.Join(errs, " ") != strings.Join(tt.errors, " ") {
				t.Errorf("errors = %v, want %v", errs, tt.errors)
			}
			if len(inv.Brokers) != 1 {
				t.Fatalf("%d brokers", len(inv.Brokers))
			}
			got := dumpRabbit(inv.Brokers[0])
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
			for _, a := range tt.absent {
				if strings.Contains(got, a) {
					t.Errorf("unexpected %q in\n%s", a, got)
				}
			}
			if strings.Contains(got, "S3cr3t") {
				t.Errorf("a secret is kept:\n%s", got)
			}
			checkRabbitBroker(t, inv.Brokers[0], inv, true)
		})
	}
}
