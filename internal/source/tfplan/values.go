package tfplan

import (
	"encoding/json"
	"strconv"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/mqguard/mqguard/internal/model"
)

// obj is one object of a planned value (a resource or a nested block) with what the plan says
// about it: the values (change.after), which of them are unknown until apply
// (change.after_unknown) or sensitive (change.after_sensitive), and, when the plan carries the
// configuration, the expressions that set them.
type obj struct {
	v    map[string]any
	unk  any // true, or an object/list mirroring v with true at unknown leaves
	sens any // likewise for sensitive values
	// cfg holds the configuration expressions of the object; hasCfg says whether they are known
	// (false: the plan has no configuration for it, so absence from cfg proves nothing).
	cfg    map[string]*tfjson.Expression
	hasCfg bool
	// noDefaultTags: the plan's configuration shows no aws provider with default_tags, so
	// tags_all, even when computed, equals tags.
	noDefaultTags bool
	at            model.Range
	lines         map[string]int // line of each attribute, when known
}

// attrAt locates attribute name: its own line when known, else the object.
func (o *obj) attrAt(name string) model.Range {
	if line := o.lines[name]; line > 0 {
		return model.Range{File: o.at.File, StartLine: line, EndLine: line}
	}
	return o.at
}

// field returns the planned value of name, whether any part of it is unknown until apply, and
// whether any part of it is sensitive.
func (o *obj) field(name string) (v any, unknown, sensitive bool) {
	return o.v[name], anyTrue(member(o.unk, name)), anyTrue(member(o.sens, name))
}

// absentInConfig reports whether the configuration is known and does not set name.
func (o *obj) absentInConfig(name string) bool {
	return o.hasCfg && o.cfg[name] == nil
}

// refs returns the references of the expression that sets name.
func (o *obj) refs(name string) []string {
	if e := o.cfg[name]; e != nil && e.ExpressionData != nil {
		return e.References
	}
	return nil
}

// member is the part of an after_unknown/after_sensitive structure for key name.
func member(s any, name string) any {
	switch x := s.(type) {
	case bool:
		return x
	case map[string]any:
		return x[name]
	}
	return nil
}

// element is the part of an after_unknown/after_sensitive structure for list element i.
func element(s any, i int) any {
	switch x := s.(type) {
	case bool:
		return x
	case []any:
		if i < len(x) {
			return x[i]
		}
	}
	return nil
}

// anyTrue reports whether s is true or holds true anywhere.
func anyTrue(s any) bool {
	switch x := s.(type) {
	case bool:
		return x
	case map[string]any:
		for _, e := range x {
			if anyTrue(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if anyTrue(e) {
				return true
			}
		}
	}
	return false
}

// str maps a string attribute; def is the provider default (nil: none, an absent value is
// unknown). A value Terraform only knows at apply is Unknown, unless the configuration does not
// set it, in which case it takes the default as the Terraform source does. Sensitive values are
// never kept: they are Unknown.
func (o *obj) str(name string, def *string) model.String {
	v, unk, sens := o.field(name)
	at := o.attrAt(name)
	switch {
	case unk:
		if def != nil && o.absentInConfig(name) {
			return model.DefaultString(*def, o.at)
		}
		return model.UnknownString(at)
	case v == nil:
		if def != nil {
			return model.DefaultString(*def, o.at)
		}
		return model.UnknownString(o.at)
	case sens:
		return model.UnknownString(at)
	}
	if s, ok := scalarString(v); ok {
		return model.ExplicitString(s, at)
	}
	return model.UnknownString(at)
}

// scalarString converts a JSON scalar to a string as Terraform does.
func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func (o *obj) boolean(name string, def *bool) model.Bool {
	v, unk, sens := o.field(name)
	at := o.attrAt(name)
	switch {
	case unk:
		if def != nil && o.absentInConfig(name) {
			return model.DefaultBool(*def, o.at)
		}
		return model.UnknownBool(at)
	case v == nil:
		if def != nil {
			return model.DefaultBool(*def, o.at)
		}
		return model.UnknownBool(o.at)
	case sens:
		return model.UnknownBool(at)
	}
	switch x := v.(type) {
	case bool:
		return model.ExplicitBool(x, at)
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return model.ExplicitBool(b, at)
		}
	}
	return model.UnknownBool(at)
}

func (o *obj) integer(name string) model.Int {
	v, unk, sens := o.field(name)
	at := o.attrAt(name)
	if v == nil && !unk {
		return model.Int{At: o.at}
	}
	if unk || sens {
		return model.Int{At: at}
	}
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = x
	default:
		return model.Int{At: at}
	}
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return model.Int{At: at}
	}
	return model.Int{V: i, State: model.Explicit, At: at}
}

// list maps a list (or set) of strings; absent is Default empty when defEmpty, else Unknown. A
// single string is a list of one element.
func (o *obj) list(name string, defEmpty bool) model.StringList {
	v, unk, sens := o.field(name)
	at := o.attrAt(name)
	switch {
	case unk:
		if defEmpty && o.absentInConfig(name) {
			return model.StringList{V: []string{}, State: model.Default, At: o.at}
		}
		return model.StringList{At: at}
	case v == nil:
		if defEmpty {
			return model.StringList{V: []string{}, State: model.Default, At: o.at}
		}
		return model.StringList{At: o.at}
	case sens:
		return model.StringList{At: at}
	}
	if s, ok := v.(string); ok {
		return model.StringList{V: []string{s}, State: model.Explicit, At: at}
	}
	l, ok := v.([]any)
	if !ok {
		return model.StringList{At: at}
	}
	out := []string{}
	for _, e := range l {
		if e == nil {
			continue
		}
		s, ok := scalarString(e)
		if !ok {
			return model.StringList{At: at}
		}
		out = append(out, s)
	}
	return model.StringList{V: out, State: model.Explicit, At: at}
}

// secret maps a password attribute. A plan shows the value Terraform will send, not where it came
// from (a literal, a secrets store, a generated value all look alike), so a set password has an
// unknown origin; the value itself is never kept. A write-only argument (name_wo) set in the
// configuration is ephemeral.
func (o *obj) secret(name string) model.Secret {
	wo := name + "_wo"
	if (o.hasCfg && o.cfg[wo] != nil) || o.v[wo] != nil {
		return model.Secret{Origin: model.SecretEphemeral, At: o.attrAt(wo)}
	}
	v, unk, _ := o.field(name)
	if v == nil && !unk {
		return model.Secret{Origin: model.SecretAbsent, At: o.at}
	}
	return model.Secret{Origin: model.SecretUnknown, At: o.attrAt(name)}
}

// blocks returns the nested blocks (a list of objects) of name. unknown is true when the list
// itself, or one of its elements, cannot be read. The configuration of each block is the nested
// block at the same position, when the configuration is known.
func (o *obj) blocks(name string) (out []*obj, unknown bool) {
	v, u, s := o.v[name], member(o.unk, name), member(o.sens, name)
	if b, ok := u.(bool); ok && b {
		return nil, true
	}
	if b, ok := s.(bool); ok && b {
		return nil, true
	}
	l, _ := v.([]any)
	if v != nil && l == nil {
		return nil, true
	}
	var nested []map[string]*tfjson.Expression
	expr := o.cfg[name]
	if expr != nil && expr.ExpressionData != nil {
		nested = expr.NestedBlocks
	}
	at := o.attrAt(name)
	for i, e := range l {
		m, ok := e.(map[string]any)
		if !ok {
			unknown = true
			continue
		}
		child := &obj{v: m, unk: element(u, i), sens: element(s, i), at: at}
		switch {
		case !o.hasCfg:
		case expr == nil:
			// A block the configuration does not write (computed by the provider).
			child.hasCfg, child.cfg = true, map[string]*tfjson.Expression{}
		case i < len(nested):
			child.hasCfg, child.cfg = true, nested[i]
		}
		out = append(out, child)
	}
	return out, unknown
}

// tags maps tags_all (which includes the provider's default_tags) when the plan has it, else tags.
// Tags that are unknown until apply or sensitive make the map Unknown, with what is known in V.
func (o *obj) tags() model.Tags {
	t := model.Tags{V: map[string]string{}, KeyAt: map[string]model.Range{}, State: model.Default, At: o.at}
	name := "tags"
	if v, unk, _ := o.field("tags_all"); v != nil || unk {
		name = "tags_all"
	}
	v, unk, _ := o.field(name)
	if v == nil && !unk {
		return t
	}
	at := o.attrAt(name)
	t.State, t.At = model.Explicit, at
	u, s := member(o.unk, name), member(o.sens, name)
	if name == "tags_all" && u == true {
		// The merged map is computed at apply: keep what the resource writes itself. Without
		// provider default_tags, that is the whole map.
		if !o.noDefaultTags {
			t.State = model.Unknown
		}
		v, u, s = o.v["tags"], member(o.unk, "tags"), member(o.sens, "tags")
		if v == nil && u == nil && o.noDefaultTags {
			t.State = model.Default
			return t
		}
	}
	if u == true || s == true {
		t.State = model.Unknown
		return t
	}
	m, ok := v.(map[string]any)
	if (v != nil && !ok) || anyTrue(u) {
		// Keys whose values are known only at apply are absent from the planned map.
		t.State = model.Unknown
	}
	for k, e := range m {
		if anyTrue(member(u, k)) || anyTrue(member(s, k)) {
			t.State = model.Unknown
			continue
		}
		if e == nil {
			continue
		}
		str, ok := scalarString(e)
		if !ok {
			t.State = model.Unknown
			continue
		}
		t.V[k] = str
		t.KeyAt[k] = at
	}
	return t
}

func ptr[T any](v T) *T { return &v }
