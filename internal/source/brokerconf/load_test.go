package brokerconf

import (
	"context"
	"testing"
	"testing/fstest"
)

// TestLoadOneBrokerPerDefinitions: a definitions export that a broker's load_definitions names
// (beside a Kubernetes manifest, or in another directory) belongs to that broker and makes no
// broker of its own; a definitions export nobody names is a broker.
func TestLoadOneBrokerPerDefinitions(t *testing.T) {
	defs := `{"rabbit_version":"3.13.7","users":[],"vhosts":[{"name":"/"}],"permissions":[],"policies":[],"queues":[]}`
	fsys := fstest.MapFS{
		"k8s/cluster.yaml":       {Data: []byte("apiVersion: rabbitmq.com/v1beta1\nkind: RabbitmqCluster\nmetadata:\n  name: c\nspec:\n  rabbitmq:\n    additionalConfig: |\n      load_definitions = /etc/rabbitmq/definitions.json\n")},
		"k8s/definitions.json":   {Data: []byte(defs)},
		"node/rabbitmq.conf":     {Data: []byte("load_definitions = ../exports/prod.json\n")},
		"exports/prod.json":      {Data: []byte(defs)},
		"alone/definitions.json": {Data: []byte(defs)},
	}
	files := map[string]FileKind{}
	for p, f := range fsys {
		if k := Sniff(p, f.Data); k != NotBrokerConf {
			files[p] = k
		}
	}
	inv, diags := Load(context.Background(), fsys, files, Options{})
	for _, d := range diags {
		t.Errorf("diagnostic: %v", d)
	}
	var got []string
	for _, b := range inv.Brokers {
		got = append(got, b.ID.Address)
	}
	want := []string{"alone/definitions.json", "k8s/cluster.yaml", "node/rabbitmq.conf"}
	if len(got) != len(want) {
		t.Fatalf("brokers %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("brokers %v, want %v", got, want)
			break
		}
	}
	for _, b := range inv.Brokers {
		if b.ID.Address != "alone/definitions.json" && len(b.SelfManaged.Files) != 2 {
			t.Errorf("%s read %v, want its definitions too", b.ID.Address, b.SelfManaged.Files)
		}
	}
}
