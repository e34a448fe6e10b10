package rules

import "github.com/mqguard/mqguard/internal/model"

// AppliesToEngine checks r.Engines against the broker: NotApplicable when the engine is known and
// not listed, Unknown when the engine is unknown, Pass when the rule applies.
func AppliesToEngine(r *Rule, b *model.Broker) Status {
	if len(r.Engines) == 0 {
		return Pass
	}
	if !b.Engine.Known() {
		return Unknown
	}
	for _, e := range r.Engines {
		if b.IsEngine(e) {
			return Pass
		}
	}
	return NotApplicable
}

// isLive reports whether the broker was read from the AWS APIs.
func isLive(b *model.Broker) bool { return b.ID.Source == model.SourceAWS }
