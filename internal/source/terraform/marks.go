package terraform

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/mqguard/mqguard/internal/model"
)

// Provenance travels with values as cty marks, so it survives locals, conditionals, module
// inputs and function calls (hclsyntax re-applies the marks of arguments to results).
//
//   - originMark says where a secret-like value comes from: a literal (with the file:line where
//     it was written), a secrets store data source, a generated value (random_password), a
//     deploy-time input (variable without default) or an ephemeral/write-only value.
//   - refMark names the absolute address of the resource instance whose computed attribute
//     (id, arn, key_id, ...) produced the value: `security_groups = [aws_security_group.mq.id]`
//     keeps an unknown value marked refMark{"aws_security_group.mq"}, which the model mapping
//     resolves to the group. Data sources are wholly unknown values carrying their refMark.
//   - fileMark names the file a value was read from (file, templatefile).
type originMark struct {
	origin model.SecretOrigin
	at     model.Range // FS path; where the literal was written, or the declaration
}

type refMark struct{ addr string }

// originPriority orders origins when a value carries several: what is computed at apply time
// wins over a literal that only took part in the expression.
var originPriority = map[model.SecretOrigin]int{
	model.SecretEphemeral: 5, model.SecretStore: 4, model.SecretGenerated: 3, model.SecretInput: 2, model.SecretLiteral: 1,
}

// marksOf returns every mark on v and inside it.
func marksOf(v cty.Value) cty.ValueMarks {
	_, marks := v.UnmarkDeep()
	return marks
}

// originOf decides the origin of a value from its marks: the highest priority origin mark, or,
// for a known value without one, a literal written at `at`.
func originOf(v cty.Value, at model.Range) (model.SecretOrigin, model.Range) {
	marks := marksOf(v)
	best, bestAt := model.SecretUnknown, model.Range{}
	for m := range marks {
		if om, ok := m.(originMark); ok && originPriority[om.origin] > originPriority[best] {
			best, bestAt = om.origin, om.at
		}
	}
	uv, _ := v.UnmarkDeep()
	if !uv.IsWhollyKnown() {
		if best == model.SecretLiteral {
			return model.SecretUnknown, model.Range{}
		}
		return best, bestAt
	}
	if uv.IsNull() {
		return model.SecretAbsent, model.Range{}
	}
	if best == model.SecretUnknown {
		return model.SecretLiteral, at
	}
	return best, bestAt
}

// refsOf returns the resource addresses named by refMarks on v (sorted for determinism).
func refsOf(v cty.Value) []string {
	var out []string
	for m := range marksOf(v) {
		if r, ok := m.(refMark); ok {
			out = append(out, r.addr)
		}
	}
	sortStrings(out)
	return out
}

// hasOrigin reports whether v carries an origin mark.
func hasOrigin(v cty.Value) bool {
	for m := range marksOf(v) {
		if _, ok := m.(originMark); ok {
			return true
		}
	}
	return false
}

// withLiteral marks a value without provenance as a literal written at `at`.
func withLiteral(v cty.Value, at model.Range) cty.Value {
	if v == cty.NilVal || hasOrigin(v) {
		return v
	}
	return v.Mark(originMark{origin: model.SecretLiteral, at: at})
}
