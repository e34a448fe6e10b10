package conformance

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/scan"
)

// brokerconfExpected is, for each folder of the broker configuration corpus (real files from
// public repositories, see brokerconf/SOURCES.md), the brokers a scan of the folder finds and
// the rules that FAIL (F) or are UNKNOWN (U) on each, checked by hand against the files.
// Every other rule passes or does not apply.
var brokerconfExpected = map[string]map[string]string{
	// {loopback_users, []} lets guest in from the network; the definitions export is invalid
	// JSON (trailing commas), so users, policies and the version are unknown.
	"Captalys__coelhomq__root": {"rabbitmq.config": "MQG019:U MQG024:F MQG025:F MQG028:U MQG030:U MQG031:U MQG035:U"},
	// New-format lines in a file named rabbitmq.config: loopback_users.guest = false, plaintext
	// AMQP and management; the 3.8.16 export has guest as its one administrator.
	"Ensembl__ensembl-prodinf-event__rabbitmq_config": {"rabbitmq.config": "MQG024:F MQG025:F"},
	// authenticationUser password="CHANGEME" in the XML, tcp/stomp on 0.0.0.0, admin/admin
	// still in jetty-realm.properties, anonymousAccessAllowed="true"; useJmx="false" turns JMX
	// off; no jar says the version.
	"ISISComputingGroup__EPICS-ActiveMQ__conf": {"activemq.xml": "MQG016:F MQG024:F MQG034:F MQG035:F MQG036:U"},
	// loopback_users = none (and its classic twin); plaintext AMQP; no definitions.
	"Zerpet__docker-rabbitmq-cluster__root": {"rabbitmq.conf": "MQG024:F MQG025:F MQG028:U MQG035:U"},
	// 6.x stock: the plugins block is commented out (no authorization map, no authentication),
	// tcp:// on every interface, admin=admin in users.properties.
	"apache__activemq__conf-6.x-head": {"activemq.xml": "MQG018:F MQG024:F MQG034:F MQG035:F MQG036:U"},
	// A Go template: judged only where the template does not decide (its TLS listener is
	// templated); the chart's AMQP port stays plaintext (it cannot be disabled without TLS).
	"bitnami__charts__rabbitmq-values": {"values.yaml": "MQG019:U MQG023:U MQG024:F MQG025:U MQG028:U MQG030:U MQG031:U MQG032:U MQG035:U"},
	// Plaintext listeners bound to 127.0.0.1 and ::1, TLS on every interface with Erlang/OTP's
	// default suites (CBC ones among them: no ciphers are listed).
	"evoila__rabbitmq-3node-cluster-TLS__root": {"rabbitmq.config": "MQG023:F MQG028:U"},
	// Plaintext users in simpleAuthenticationPlugin; the network variant's static:(tcp://...)
	// connectors carry a password.
	"openshift__openshift-extras__ose-install-scripts": {
		"activemq.xml":         "MQG016:F MQG024:F MQG036:U",
		"activemq-network.xml": "MQG016:F MQG017:F MQG024:F MQG036:U",
	},
	// The RabbitmqCluster loads the 3.8.11 export beside it: one broker, one replica.
	"rabbitmq__cluster-operator__import-definitions": {"rabbitmq.yaml": "MQG024:F"},
	// default_user=guest / default_pass=guest written in the manifest.
	"rabbitmq__cluster-operator__set-login-password-username": {"rabbitmq.yaml": "MQG016:F MQG024:F MQG025:F MQG028:U"},
	// k8s peer discovery (a cluster), loopback_users.guest = false, no definitions.
	"rabbitmq__diy-kubernetes-examples__minikube": {"configmap.yaml": "MQG024:F MQG025:F MQG028:U MQG029:U MQG035:U"},
	// rabbitmq.conf.example is all comments: the broker is advanced.config.example's.
	"rabbitmq__rabbitmq-server__docs-examples": {"advanced.config.example": "MQG024:F MQG028:U"},
	// {default_pass, <<"rabo2">>} in the classic file.
	"rabbitmq__rabbitmq-server__oauth2-rsa-docker": {"rabbitmq.conf": "MQG016:F MQG024:F MQG028:U"},
	// Three ha-mode policies, loopback_users.guest = false, plaintext AMQP and management.
	"rabbitmq__rabbitmq-server__prometheus-dist-tls": {"rabbitmq-dist-tls.conf": "MQG024:F MQG025:F MQG028:F MQG035:U"},
}

// brokerconfErrors are the error entries the corpus may produce: only the invalid export.
var brokerconfErrors = map[string]string{
	"Captalys__coelhomq__root": "definitions.json:65: invalid JSON", // the ] after a trailing comma
}

// TestBrokerconfCorpus scans each folder of the broker configuration corpus through the
// library entry point and checks its brokers, findings and error entries against the table.
func TestBrokerconfCorpus(t *testing.T) {
	root := filepath.Join(corpusDir(t), "brokerconf")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		seen++
		want, ok := brokerconfExpected[e.Name()]
		if !ok {
			t.Errorf("%s: a corpus folder the table does not describe", e.Name())
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			res, err := scan.Run(context.Background(), scan.Request{
				FS: os.DirFS(filepath.Join(root, e.Name())), Paths: []string{"."},
				AsOf: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC), Version: "test",
			})
			if err != nil {
				t.Fatal(err)
			}
			var errs []string
			for _, x := range res.Report.Errors {
				errs = append(errs, x.Path+":"+strconv.Itoa(x.Line)+": "+x.Message)
			}
			if w := brokerconfErrors[e.Name()]; w == "" && len(errs) > 0 || w != "" && (len(errs) != 1 || !strings.HasPrefix(errs[0], w)) {
				t.Errorf("error entries %q, want %q", errs, w)
			}
			got := map[string][]string{}
			for _, f := range res.Report.Findings {
				s := f.RuleID + ":" + f.Status[:1]
				if f.Status == finding.StatusSuppressed {
					s = f.RuleID + ":S"
				}
				if !slices.Contains(got[f.Resource.Address], s) {
					got[f.Resource.Address] = append(got[f.Resource.Address], s)
				}
			}
			if res.Report.Summary.Brokers != len(want) {
				t.Errorf("%d brokers, want %d (%v)", res.Report.Summary.Brokers, len(want), keys(got))
			}
			for addr, w := range want {
				g := got[addr]
				sort.Strings(g)
				if strings.Join(g, " ") != w {
					t.Errorf("%s:\n got  %s\n want %s", addr, strings.Join(g, " "), w)
				}
			}
		})
	}
	if seen != len(brokerconfExpected) {
		t.Errorf("%d corpus folders, the table describes %d", seen, len(brokerconfExpected))
	}
}

func keys(m map[string][]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
