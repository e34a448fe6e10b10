package scan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/mqguard/mqguard/internal/rules"
)

// TestExamples scans the README's bundled examples: the hardened broker must come out clean and
// each bad broker must show the weaknesses it was written to show.
func TestExamples(t *testing.T) {
	dir, err := filepath.Abs("../../examples/terraform")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Request{FS: os.DirFS(dir), Paths: []string{"."}, AsOf: asOf, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	// The examples fail on purpose: the bad brokers fail the default threshold.
	if !res.Fails(rules.Info, false) {
		t.Error("the examples do not fail the scan")
	}
	rep := res.Report
	if len(rep.Errors) > 0 {
		t.Errorf("errors: %+v", rep.Errors)
	}
	got := map[string]map[string]bool{} // address -> rule IDs that fail or are unknown
	for _, f := range rep.Findings {
		if got[f.Resource.Address] == nil {
			got[f.Resource.Address] = map[string]bool{}
		}
		got[f.Resource.Address][f.RuleID] = true
	}
	for _, clean := range []string{"aws_mq_broker.orders", `module.tenant_broker["billing"].aws_mq_broker.this`} {
		if len(got[clean]) > 0 {
			t.Errorf("%s should be clean, has %v", clean, got[clean])
		}
	}
	want := map[string][]string{
		"aws_mq_broker.legacy_notifications":                {"MQG001", "MQG003", "MQG010", "MQG013", "MQG014", "MQG020"},
		"aws_mq_broker.partner":                             {"MQG010", "MQG012", "MQG013", "MQG017", "MQG018"},
		`module.tenant_broker["search"].aws_mq_broker.this`: {"MQG003"},
		"aws_mq_broker.sandbox[0]":                          {"MQG003"},
	}
	for addr, ids := range want {
		for _, id := range ids {
			if !got[addr][id] {
				t.Errorf("%s: no %s finding (has %v)", addr, id, got[addr])
			}
		}
	}
}

// TestBrokerExamples scans the README's bundled self-managed brokers: the hardened ones come
// out clean, and each weak one shows what it was written to show.
func TestBrokerExamples(t *testing.T) {
	dir, err := filepath.Abs("../../examples/brokers")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Request{FS: os.DirFS(dir), Paths: []string{"."}, AsOf: asOf, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Report.Errors) > 0 {
		t.Errorf("errors: %+v", res.Report.Errors)
	}
	if res.Report.Summary.Brokers != 4 {
		t.Errorf("%d brokers, want 4", res.Report.Summary.Brokers)
	}
	got := map[string]map[string]bool{}
	for _, f := range res.Report.Findings {
		if got[f.Resource.Address] == nil {
			got[f.Resource.Address] = map[string]bool{}
		}
		got[f.Resource.Address][f.RuleID] = true
	}
	for _, clean := range []string{"activemq-orders/conf/activemq.xml", "rabbitmq-payments/rabbitmq.conf"} {
		if len(got[clean]) > 0 {
			t.Errorf("%s should be clean, has %v", clean, got[clean])
		}
	}
	want := map[string][]string{
		"activemq-legacy/conf/activemq.xml": {"MQG017", "MQG018", "MQG024", "MQG033", "MQG034", "MQG035", "MQG036"},
		"rabbitmq-events/rabbitmq.conf":     {"MQG019", "MQG024", "MQG025", "MQG028", "MQG029", "MQG031", "MQG032"},
	}
	for addr, ids := range want {
		for _, id := range ids {
			if !got[addr][id] {
				t.Errorf("%s: no %s finding (has %v)", addr, id, got[addr])
			}
		}
	}
}
