package brokerconf

import (
	"context"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

// TestRabbitCorpus loads every RabbitMQ file of the shared corpus: no crash, and an error entry
// only for the export that is not valid JSON.
func TestRabbitCorpus(t *testing.T) {
	root := corpusDir(t) + "/brokerconf"
	fsys := os.DirFS(root)
	files := map[string]FileKind{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !Candidate(p) {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if k := Sniff(p, data[:min(len(data), SniffSize)]); k != NotBrokerConf && k != ActiveMQXML {
			files[p] = k
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	inv, diags := Load(context.Background(), fsys, files, Options{})
	var errs []string
	for _, d := range diags {
		if d.Severity == model.DiagError {
			errs = append(errs, d.Error())
		}
	}
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "Captalys__coelhomq__root/definitions.json:") {
		t.Errorf("error entries = %q, want only the invalid Captalys export", errs)
	}
	got := map[string]*model.Broker{}
	for _, b := range inv.Brokers {
		got[b.ID.Address] = b
		if b.SelfManaged == nil || b.SelfManaged.RabbitMQ == nil || b.Configuration == nil {
			t.Errorf("%s: incomplete broker", b.ID.Address)
		}
	}
	for _, want := range []string{
		"Captalys__coelhomq__root/rabbitmq.config",
		"Ensembl__ensembl-prodinf-event__rabbitmq_config/rabbitmq.config",
		"Zerpet__docker-rabbitmq-cluster__root/rabbitmq.conf",
		"bitnami__charts__rabbitmq-values/values.yaml",
		"evoila__rabbitmq-3node-cluster-TLS__root/rabbitmq.config",
		// The manifest's load_definitions names the export beside it: one broker.
		"rabbitmq__cluster-operator__import-definitions/rabbitmq.yaml",
		"rabbitmq__cluster-operator__set-login-password-username/rabbitmq.yaml",
		"rabbitmq__diy-kubernetes-examples__minikube/configmap.yaml",
		"rabbitmq__rabbitmq-server__docs-examples/advanced.config.example",
		"rabbitmq__rabbitmq-server__oauth2-rsa-docker/rabbitmq.conf",
		"rabbitmq__rabbitmq-server__prometheus-dist-tls/rabbitmq-dist-tls.conf",
	} {
		if got[want] == nil {
			t.Errorf("no broker %s", want)
		}
	}
	if b := got["rabbitmq__cluster-operator__import-definitions/definitions.json"]; b != nil {
		t.Error("the export the RabbitmqCluster loads is a broker of its own")
	}
	if b := got["rabbitmq__cluster-operator__import-definitions/rabbitmq.yaml"]; b != nil && b.SelfManaged.UsersState != model.Explicit {
		t.Errorf("the RabbitmqCluster's users (from the export it loads) are %v", b.SelfManaged.UsersState)
	}
	if testing.Verbose() {
		for _, b := range inv.Brokers {
			t.Logf("%s", dumpRabbit(b))
		}
	}
}
