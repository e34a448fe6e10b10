package rules

import (
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestRemediationFor(t *testing.T) {
	r := &Rule{Remediation: map[model.SourceKind]string{
		"":                     "fallback",
		model.SourceTerraform:  "terraform",
		model.SourceBrokerConf: "files",
		ForEngine(model.SourceBrokerConf, model.EngineRabbitMQ): "rabbitmq.conf",
	}}
	for _, tt := range []struct {
		kind   model.SourceKind
		engine string
		want   string
	}{
		{model.SourceBrokerConf, "rabbitmq", "rabbitmq.conf"}, // any casing of the engine
		{model.SourceBrokerConf, model.EngineActiveMQ, "files"},
		{model.SourceBrokerConf, "", "files"},
		{model.SourceTerraform, model.EngineRabbitMQ, "terraform"},
		{model.SourceAWS, model.EngineRabbitMQ, "fallback"},
	} {
		if got := r.RemediationFor(tt.kind, tt.engine); got != tt.want {
			t.Errorf("RemediationFor(%s, %q) = %q, want %q", tt.kind, tt.engine, got, tt.want)
		}
	}
}

// TestSelfManagedRemediationPerEngine: a rule that applies to both engines' self-managed files
// says how to fix each engine's files, never the other engine's.
func TestSelfManagedRemediationPerEngine(t *testing.T) {
	for _, r := range All() {
		if !r.SelfManaged {
			continue
		}
		for _, engine := range []string{model.EngineActiveMQ, model.EngineRabbitMQ} {
			if len(r.Engines) > 0 && !engineListed(r.Engines, engine) {
				continue
			}
			other := model.EngineRabbitMQ
			if engine == model.EngineRabbitMQ {
				other = model.EngineActiveMQ
			}
			text := r.RemediationFor(model.SourceBrokerConf, engine)
			if text == "" {
				t.Errorf("%s: no remediation for %s configuration files", r.ID, engine)
			}
			if strings.Contains(text, other+":") {
				t.Errorf("%s: the remediation for %s files tells how to fix %s: %q", r.ID, engine, other, text)
			}
		}
	}
}

func engineListed(list []string, s string) bool {
	for _, e := range list {
		if model.NormalizeEngine(e) == s {
			return true
		}
	}
	return false
}
