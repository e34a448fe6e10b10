package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"module.partner.*", "module.partner.aws_mq_broker.x", true},
		{"module.partner.*", "module.partners.aws_mq_broker.x", false},
		{"*-prod", "orders-prod", true},
		{"*-prod", "orders-prod-2", false},
		{"infra/*", "infra/a/b/main.tf", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*", "", true},
		{"", "", true},
		{"", "a", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
	}
	for _, tt := range tests {
		if got := MatchGlob(tt.pattern, tt.s); got != tt.want {
			t.Errorf("MatchGlob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

// TestProductionNamePatterns: a name pattern marks a broker production; an undecided name
// leaves it open, never no.
func TestProductionNamePatterns(t *testing.T) {
	s := DefaultSettings()
	s.ProductionNamePatterns = []string{"*-prod"}
	at := model.Range{File: "main.tf", StartLine: 3}
	noTags := model.Tags{State: model.Explicit}
	tests := []struct {
		name string
		b    model.Broker
		want Tri
	}{
		{"matching name", model.Broker{Name: model.ExplicitString("Orders-PROD", at), Tags: noTags}, Yes},
		{"other name", model.Broker{Name: model.ExplicitString("orders-dev", at), Tags: noTags}, No},
		{"unknown name", model.Broker{Name: model.UnknownString(at), Tags: noTags}, Maybe},
		{"no name at all", model.Broker{Tags: noTags}, No},
	}
	for _, tt := range tests {
		if got, _ := Production(&tt.b, s); got != tt.want {
			t.Errorf("%s: Production = %v, want %v", tt.name, got, tt.want)
		}
	}
}
