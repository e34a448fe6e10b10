package cloudformation

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// kind is the shape of an evaluated value.
type kind uint8

const (
	kUnknown kind = iota // could not be decided (parameter without value, resource attribute...)
	kNoValue             // AWS::NoValue or null: the property is absent
	kScalar
	kList
	kMap
)

// val is an evaluated template value. Scalars keep the raw text written in the template, so
// `EngineVersion: 3.10` stays "3.10". Provenance travels with the value: orig says where a
// secret-like value comes from (a literal and where it is written, a secrets store, a deploy-time
// input), refs names the resources (logical IDs) a value is computed from.
type val struct {
	k     kind
	s     string
	list  []*val
	keys  []string
	m     map[string]*val
	at    model.Range
	orig  model.SecretOrigin
	litAt model.Range
	refs  []string
	// storeOf is the logical ID of the AWS::SecretsManager::Secret whose ARN the value is (its Ref
	// or Fn::GetAtt Id), or of the AWS::SSM::Parameter whose name it is (its Ref), so that a
	// dynamic reference to it can read what the template says it holds.
	storeOf string
}

// originPriority orders origins when a value is built from several: what is only known at deploy
// time wins over a literal that took part in the expression.
var originPriority = map[model.SecretOrigin]int{
	model.SecretEphemeral: 5, model.SecretStore: 4, model.SecretGenerated: 3, model.SecretInput: 2, model.SecretLiteral: 1,
}

func unknown(at model.Range) *val { return &val{k: kUnknown, at: at} }

func scalar(s string, at model.Range) *val {
	return &val{k: kScalar, s: s, at: at, orig: model.SecretLiteral, litAt: at}
}

func (v *val) known() bool { return v != nil && v.k != kUnknown }

func (v *val) isScalar() bool { return v != nil && v.k == kScalar }

// at returns a shallow copy of v located at r (the place that uses the value).
func (v *val) located(r model.Range) *val {
	c := *v
	c.at = r
	return &c
}

// absorb merges the provenance of parts into v.
func (v *val) absorb(parts ...*val) *val {
	for _, p := range parts {
		if p == nil {
			continue
		}
		if originPriority[p.orig] > originPriority[v.orig] {
			v.orig, v.litAt = p.orig, p.litAt
		}
		for _, r := range p.refs {
			v.addRef(r)
		}
		if p.k == kList {
			v.absorb(p.list...)
		}
	}
	return v
}

func (v *val) addRef(r string) {
	for _, x := range v.refs {
		if x == r {
			return
		}
	}
	v.refs = append(v.refs, r)
}

// unknownFrom is an unknown value that keeps the provenance of parts. A literal that only took
// part in an unknown value says nothing about its origin.
func unknownFrom(at model.Range, parts ...*val) *val {
	v := unknown(at).absorb(parts...)
	if v.orig == model.SecretLiteral {
		v.orig, v.litAt = model.SecretUnknown, model.Range{}
	}
	return v
}

// get returns the member name of a map (nil when absent or AWS::NoValue).
func (v *val) get(name string) *val {
	if v == nil || v.k != kMap {
		return nil
	}
	e := v.m[name]
	if e == nil || e.k == kNoValue {
		return nil
	}
	return e
}

// equal compares two known values.
func equal(a, b *val) bool {
	if a.k != b.k {
		return false
	}
	switch a.k {
	case kScalar:
		return a.s == b.s
	case kList:
		if len(a.list) != len(b.list) {
			return false
		}
		for i := range a.list {
			if !equal(a.list[i], b.list[i]) {
				return false
			}
		}
		return true
	case kMap:
		if len(a.keys) != len(b.keys) {
			return false
		}
		for _, k := range a.keys {
			if bv, ok := b.m[k]; !ok || !equal(a.m[k], bv) {
				return false
			}
		}
		return true
	case kNoValue:
		return true
	}
	return false
}

// wholeKnown reports whether v and everything inside it is known.
func wholeKnown(v *val) bool {
	switch v.k {
	case kUnknown:
		return false
	case kList:
		for _, e := range v.list {
			if !wholeKnown(e) {
				return false
			}
		}
	case kMap:
		for _, k := range v.keys {
			if !wholeKnown(v.m[k]) {
				return false
			}
		}
	}
	return true
}

// parseBool reads a boolean as CloudFormation accepts it: true/false in any case, and the YAML 1.1
// words yes/no/on/off that YAML readers turn into booleans.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on", "y":
		return true, true
	case "false", "no", "off", "n":
		return false, true
	}
	return false, false
}

// dynamicRef classifies a string holding a CloudFormation dynamic reference.
func dynamicRef(s string) (isRef bool, origin model.SecretOrigin) {
	i := strings.Index(s, "{{resolve:")
	if i < 0 {
		return false, model.SecretUnknown
	}
	rest := s[i+len("{{resolve:"):]
	switch {
	case strings.HasPrefix(rest, "secretsmanager:"), strings.HasPrefix(rest, "ssm-secure:"), strings.HasPrefix(rest, "ssm:"):
		return true, model.SecretStore
	}
	return true, model.SecretUnknown
}
