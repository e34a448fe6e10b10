package tfplan

import (
	"context"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

func FuzzLoad(f *testing.F) {
	if data, err := os.ReadFile("testdata/plan.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(planDoc("", change("aws_mq_broker.b", "aws_mq_broker", []string{"create"}, `{`+minimalBroker+`, "user": [{"username": "a", "password": "`+planSecret+`"}]}`, `{"security_groups": true}`, `{"user": [{"password": true}]}`))))
	f.Add([]byte(`{"format_version": "1.2", "resource_changes": [{"address": "module.a[\"x.y\"].aws_mq_broker.b", "mode": "managed", "type": "aws_mq_broker", "name": "b", "change": {"actions": ["create"], "after": {"tags_all": {"a": 1}}, "after_unknown": {"tags_all": true, "user": [true]}}}]}`))
	f.Add([]byte(`{"format_version": "1.2", "planned_values": {"root_module": {"resources": [{"address": "aws_kms_key.k", "mode": "managed", "type": "aws_kms_key", "name": "k", "values": {"is_enabled": "x"}, "sensitive_values": true}]}}}`))
	f.Add([]byte(`{"format_version": "9"}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"p.json": {Data: data}}
		inv, diags := Load(context.Background(), fsys, []string{"p.json"}, Options{})
		if inv == nil {
			t.Fatal("nil inventory")
		}
		for _, d := range diags {
			if d.At.File != "p.json" || d.At.StartLine < 1 {
				t.Fatalf("diagnostic without file and line: %+v", d)
			}
			if strings.Contains(d.Message, planSecret) {
				t.Fatal("secret in a diagnostic")
			}
		}
	})
}
