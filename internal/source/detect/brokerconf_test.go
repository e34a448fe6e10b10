package detect

import (
	"testing"
	"testing/fstest"

	"github.com/mqguard/mqguard/internal/source/brokerconf"
)

// TestFindBrokerConf: broker configuration files are recognised by content wherever they are,
// files of the same names or extensions that hold something else are not, and a named file
// is taken when its content is a broker configuration.
func TestFindBrokerConf(t *testing.T) {
	fsys := fstest.MapFS{
		"amq/conf/activemq.xml":     {Data: []byte(`<beans><broker xmlns="http://activemq.apache.org/schema/core" brokerName="b"/></beans>`)},
		"amq/conf/users.properties": {Data: []byte("admin=admin\n")},
		// What Amazon MQ takes (a <broker> root, no Spring beans): no broker of its own.
		"amazonmq/configuration.xml": {Data: []byte(`<broker xmlns="http://activemq.apache.org/schema/core"><plugins/></broker>`)},
		"app/pom.xml":                {Data: []byte(`<project><broker>not activemq</broker></project>`)},
		"rmq/rabbitmq.conf":          {Data: []byte("# node\nlisteners.tcp.default = 5672\n")},
		"rmq/advanced.config":        {Data: []byte("%% advanced\n[{rabbit, [{loopback_users, []}]}].\n")},
		"rmq/definitions.json":       {Data: []byte(`{"rabbit_version":"3.13.7","users":[]}`)},
		"rmq/other.json":             {Data: []byte(`{"name":"x"}`)},
		"web/nginx.conf":             {Data: []byte("server { listen 80; }\n")},
		"k8s/configmap.yaml":         {Data: []byte("apiVersion: v1\nkind: ConfigMap\ndata:\n  rabbitmq.conf: |\n    loopback_users.guest = false\n")},
		"k8s/deploy.yaml":            {Data: []byte("apiVersion: apps/v1\nkind: Deployment\n")},
		"docs/rabbitmq.conf.example": {Data: []byte("listeners.ssl.default = 5671\n")},
		// Bodies of aws_mq_configuration resources, read by the Terraform code beside them.
		"tf/mq/main.tf":            {Data: []byte(`resource "aws_mq_configuration" "c" { data = file("${path.module}/files/activemq.xml") }` + "\n" + `resource "aws_mq_configuration" "r" { data = file("rabbitmq.conf") }`)},
		"tf/mq/files/activemq.xml": {Data: []byte(`<beans><broker xmlns="http://activemq.apache.org/schema/core"/></beans>`)},
		"tf/mq/rabbitmq.conf":      {Data: []byte("consumer_timeout = 1800000\nlisteners.tcp = none\n")},
		"tf/other/main.tf":         {Data: []byte(`locals { x = 1 }`)},
		"tf/other/rabbitmq.conf":   {Data: []byte("listeners.tcp = none\n")},
	}
	in, diags := Find(fsys, []string{"."}, Auto)
	if len(diags) > 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	want := map[string]brokerconf.FileKind{
		"amq/conf/activemq.xml":      brokerconf.ActiveMQXML,
		"rmq/rabbitmq.conf":          brokerconf.RabbitConf,
		"rmq/advanced.config":        brokerconf.RabbitErlang,
		"rmq/definitions.json":       brokerconf.RabbitDefinitions,
		"k8s/configmap.yaml":         brokerconf.RabbitKube,
		"docs/rabbitmq.conf.example": brokerconf.RabbitConf,
		"tf/other/rabbitmq.conf":     brokerconf.RabbitConf, // no Terraform code names it
	}
	if len(in.BrokerConf) != len(want) {
		t.Errorf("found %v, want %v", in.BrokerConf, want)
	}
	for p, k := range want {
		if in.BrokerConf[p] != k {
			t.Errorf("%s: kind %v, want %v", p, in.BrokerConf[p], k)
		}
	}
	if len(in.CloudFormation) > 0 || len(in.Plans) > 0 {
		t.Errorf("broker files taken for templates or plans: %v %v", in.CloudFormation, in.Plans)
	}

	// Named: a broker file is accepted; a file of the right extension holding something else
	// is an error naming it.
	in, diags = Find(fsys, []string{"rmq/rabbitmq.conf", "web/nginx.conf"}, Auto)
	if in.BrokerConf["rmq/rabbitmq.conf"] != brokerconf.RabbitConf {
		t.Errorf("named rabbitmq.conf not found: %v", in.BrokerConf)
	}
	if len(diags) != 1 || diags[0].At.File != "web/nginx.conf" {
		t.Errorf("diagnostics %v, want one for web/nginx.conf", diags)
	}

	// A Terraform body the user names is read as a broker's configuration.
	in, _ = Find(fsys, []string{"tf/mq/rabbitmq.conf"}, Auto)
	if in.BrokerConf["tf/mq/rabbitmq.conf"] != brokerconf.RabbitConf {
		t.Errorf("named Terraform body not taken: %v", in.BrokerConf)
	}

	// --input-type brokerconf finds only broker files.
	in, _ = Find(fsys, []string{"."}, BrokerConf)
	if len(in.BrokerConf) != len(want) || len(in.Terraform) > 0 {
		t.Errorf("forced brokerconf: %v, terraform %v", in.BrokerConf, in.Terraform)
	}
}
