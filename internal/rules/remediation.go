package rules

import "github.com/mqguard/mqguard/internal/model"

// ForEngine is the Remediation key of a text written for one engine of an input kind: a
// self-managed ActiveMQ broker and a RabbitMQ one are fixed in different files.
func ForEngine(kind model.SourceKind, engine string) model.SourceKind {
	return kind + "/" + model.SourceKind(engine)
}

// RemediationFor returns the remediation for a resource of engine read from kind: the text for
// that engine and kind, else the kind's, else the rule's fallback ("" key).
func (r *Rule) RemediationFor(kind model.SourceKind, engine string) string {
	if engine != "" {
		if s, ok := r.Remediation[ForEngine(kind, model.NormalizeEngine(engine))]; ok {
			return s
		}
	}
	if s, ok := r.Remediation[kind]; ok {
		return s
	}
	return r.Remediation[""]
}
