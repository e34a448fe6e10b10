package blocksel

import (
	"testing"

	"github.com/mqguard/mqguard/internal/source/terraform/hclscan"
)

func TestParsed(t *testing.T) {
	tests := []struct {
		typ    string
		labels []string
		want   bool
	}{
		{"resource", []string{"aws_mq_broker", "main"}, true},
		{"resource", []string{"aws_security_group_rule", "in"}, true},
		{"resource", []string{"aws_kms_key", "mq"}, true},
		{"resource", []string{"random_password", "mq"}, true},
		{"resource", []string{"aws_instance", "app"}, false},
		{"resource", []string{"aws_cloudwatch_metric_alarm", "cpu"}, false},
		{"data", []string{"aws_secretsmanager_secret_version", "mq"}, true},
		{"data", []string{"aws_iam_policy_document", "doc"}, false},
		{"variable", []string{"region"}, true},
		{"locals", nil, true},
		{"module", []string{"mq"}, true},
		{"output", []string{"id"}, true},
		{"provider", []string{"aws"}, true},
		{"terraform", nil, false},
		{"moved", nil, false},
	}
	for _, tt := range tests {
		if got := Parsed(hclscan.Block{Type: tt.typ, Labels: tt.labels}); got != tt.want {
			t.Errorf("Parsed(%s %v) = %v, want %v", tt.typ, tt.labels, got, tt.want)
		}
	}
}
