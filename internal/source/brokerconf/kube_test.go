package brokerconf

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mqguard/mqguard/internal/model"
)

func FuzzRabbitKube(f *testing.F) {
	for _, s := range []string{
		"kind: ConfigMap\ndata:\n  rabbitmq.conf: |\n    a = b\n  enabled_plugins: |\n    [rabbitmq_management].\n",
		"kind: RabbitmqCluster\nspec:\n  replicas: 3\n  rabbitmq:\n    additionalConfig: |\n      listeners.tcp = none\n    advancedConfig: |\n      [{rabbit, []}].\n",
		"auth:\n  username: u\n  password: p\nconfiguration: |-\n  default_user = {{ .Values.auth.username }}\nreplicaCount: 2\nldap:\n  enabled: true\n  servers: [a]\n",
		"---\nkind: ConfigMap\ndata:\n  definitions.json: '{\"users\": []}'\n---\n[1, 2]\n",
	} {
		f.Add([]byte(s))
	}
	addCorpusSeeds(f, RabbitKube)
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"k/values.yaml": &fstest.MapFile{Data: data}}
		b, diags := loadRabbitKube(fsys, "k/values.yaml", Options{Display: func(p string) string { return p }})
		if b == nil || b.SelfManaged == nil || b.SelfManaged.RabbitMQ == nil || b.ID.Address != "k/values.yaml" {
			t.Fatalf("broker %+v", b)
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, d := range diags {
			if d.Severity != model.DiagError || d.At.File != "k/values.yaml" || d.At.StartLine > lines {
				t.Fatalf("diagnostic %+v (%d lines)", d, lines)
			}
		}
		for k, v := range b.SelfManaged.RabbitMQ.Conf {
			if v.At.StartLine < 1 || v.At.StartLine > lines {
				t.Fatalf("key %s at %+v (%d lines)", k, v.At, lines)
			}
		}
	})
}

// TestKubeDefinitionsLines: an export embedded in a ConfigMap is located at its lines in the
// YAML file, its elements and its errors alike.
func TestKubeDefinitionsLines(t *testing.T) {
	const good = "apiVersion: v1\nkind: ConfigMap\ndata:\n  definitions.json: |\n    {\"rabbit_version\": \"3.13.7\",\n     \"users\": [\n      {\"name\": \"ops\", \"password_hash\": \"\", \"tags\": [\"administrator\"]}\n     ]}\n"
	const bad = "apiVersion: v1\nkind: ConfigMap\ndata:\n  definitions.json: |\n    {\"users\": [\n      {\"name\": \"ops\"},\n     ]}\n"
	fsys := fstest.MapFS{"k/good.yaml": {Data: []byte(good)}, "k/bad.yaml": {Data: []byte(bad)}}
	b, diags := loadRabbitKube(fsys, "k/good.yaml", Options{Display: func(p string) string { return p }})
	if len(diags) > 0 || b == nil || len(b.SelfManaged.Users) != 1 {
		t.Fatalf("broker %+v, diagnostics %v", b, diags)
	}
	if at := b.SelfManaged.Users[0].At; at.File != "k/good.yaml" || at.StartLine != 7 {
		t.Errorf("user at %+v, want k/good.yaml:7", at)
	}
	_, diags = loadRabbitKube(fsys, "k/bad.yaml", Options{Display: func(p string) string { return p }})
	if len(diags) != 1 || diags[0].At.File != "k/bad.yaml" || diags[0].At.StartLine != 7 {
		t.Errorf("diagnostics %+v, want one at k/bad.yaml:7", diags)
	}
}
