package cloudformation

import (
	"encoding/json"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mqguard/mqguard/internal/model"
)

const (
	typeSecret    = "AWS::SecretsManager::Secret" //nolint:gosec // a resource type name, not a credential
	typeParameter = "AWS::SSM::Parameter"
)

// piece is a part of a string being built by Fn::Sub or Fn::Join: literal text, or a value
// (v non-nil), known or not.
type piece struct {
	text string
	v    *val
}

// hole stands for a piece whose value is not a known string.
const hole = "\x00"

// flatten joins pieces, writing hole for each one that is not a known string, and returns those
// pieces' values in order.
func flatten(pieces []piece) (string, []*val) {
	var sb strings.Builder
	var holes []*val
	for _, p := range pieces {
		switch {
		case p.v == nil:
			sb.WriteString(p.text)
		case p.v.isScalar():
			sb.WriteString(p.v.s)
		default:
			sb.WriteString(hole)
			holes = append(holes, p.v)
		}
	}
	return sb.String(), holes
}

// dynamicPieces is the value of a string holding a dynamic reference, made of pieces: the value a
// secret or parameter of this template holds (templateStore), else an unknown value read from a
// store, which keeps the resources the pieces (and the other values used, such as Fn::Sub
// variables) come from.
func (t *tmpl) dynamicPieces(pieces []piece, at model.Range, depth int, used ...*val) *val {
	if v := t.templateStore(pieces, at, depth); v != nil {
		return v
	}
	s, _ := flatten(pieces)
	_, origin := dynamicRef(s)
	u := unknown(at)
	u.orig = origin
	for _, p := range pieces {
		used = append(used, p.v)
	}
	for _, v := range used {
		if v != nil {
			for _, r := range v.refs {
				u.addRef(r)
			}
		}
	}
	return u
}

// joinPieces returns the pieces of Fn::Join [delim, list] when list is written in the template
// and holds a dynamic reference (false otherwise). Its literal elements are taken as text: a
// fragment such as '{{resolve:secretsmanager:' is no dynamic reference by itself.
func (t *tmpl) joinPieces(delim *val, list *yaml.Node, depth int) ([]piece, bool) {
	list = deref(list)
	if list == nil || list.Kind != yaml.SequenceNode || list.Tag != "!!seq" {
		return nil, false
	}
	plain := func(e *yaml.Node) bool {
		return e.Kind == yaml.ScalarNode && e.Tag != "!!null" && (e.Tag == "" || strings.HasPrefix(e.Tag, "!!"))
	}
	var text strings.Builder
	for _, e := range list.Content {
		if e = deref(e); e != nil && plain(e) {
			text.WriteString(e.Value)
		}
	}
	if ok, _ := dynamicRef(text.String()); !ok {
		return nil, false // evaluated as any Fn::Join
	}
	var out []piece
	for i, e := range list.Content {
		if i > 0 {
			out = append(out, piece{text: delim.s})
		}
		if e = deref(e); e != nil && plain(e) {
			out = append(out, piece{text: e.Value})
		} else {
			out = append(out, piece{v: t.eval(e, depth+1)})
		}
	}
	return out, true
}

// templateStore resolves a string that is exactly one dynamic reference to a secret or SSM
// parameter the template itself defines, when the template says what it holds (secretRef,
// parameterRef). It returns nil otherwise: the value stays one read from the store.
func (t *tmpl) templateStore(pieces []piece, at model.Range, depth int) *val {
	s, holes := flatten(pieces)
	if !strings.HasSuffix(s, "}}") || strings.Count(s, "{{") != 1 ||
		strings.Count(s, hole) != len(holes) { // a NUL written in the text itself
		return nil
	}
	for _, ref := range []struct {
		prefix  string
		resolve func(body string, holes []*val, at model.Range, depth int) *val
	}{
		{"{{resolve:secretsmanager:", t.secretRef},
		{"{{resolve:ssm:", t.parameterRef},
	} {
		if body, ok := strings.CutPrefix(s, ref.prefix); ok {
			return ref.resolve(strings.TrimSuffix(body, "}}"), holes, at, depth)
		}
	}
	return nil
}

// secretRef resolves the body of {{resolve:secretsmanager:body}} naming a secret the template
// defines (by Ref or Fn::GetAtt Id, or by its literal name or ARN):
//   - a key of GenerateSecretString's SecretStringTemplate, or of a SecretString, is the literal
//     written there (located there: `{"username": "admin"}` makes the username admin);
//   - the GenerateStringKey, or the whole secret generated without a template, is generated.
//
// Anything else (another key, another version than the current one, a secret the template does
// not describe) is nil.
func (t *tmpl) secretRef(body string, holes []*val, at model.Range, depth int) *val {
	var id, rest string
	switch {
	case strings.HasPrefix(body, hole):
		// The secret ID is a Ref (or GetAtt Id) of a resource: its ARN.
		if t.resources[holes[0].storeOf] == nil || t.resources[holes[0].storeOf].typ != typeSecret {
			return nil
		}
		id, rest = holes[0].storeOf, body[len(hole):]
	case strings.HasPrefix(body, "arn:"):
		// arn:partition:secretsmanager:region:account:secret:name
		f := strings.SplitN(body, ":", 8)
		if len(f) < 7 || f[2] != "secretsmanager" || f[5] != "secret" {
			return nil
		}
		id = t.storeNamed(typeSecret, f[6], true, depth)
		if len(f) == 8 {
			rest = ":" + f[7]
		}
	default:
		name, r, found := strings.Cut(body, ":")
		id = t.storeNamed(typeSecret, name, false, depth)
		if found {
			rest = ":" + r
		}
	}
	if id == "" || strings.Contains(rest, hole) {
		return nil
	}
	// [:SecretString[:json-key[:version-stage[:version-id]]]]
	var key string
	if rest != "" {
		f := strings.Split(rest[1:], ":")
		if f[0] != "SecretString" || len(f) > 4 {
			return nil
		}
		if len(f) > 1 {
			key = f[1]
		}
		if (len(f) > 2 && f[2] != "" && f[2] != "AWSCURRENT") || (len(f) > 3 && f[3] != "") {
			return nil // another version than the one the template creates
		}
	}
	return t.secretValue(id, key, at, depth)
}

// parameterRef resolves the body of {{resolve:ssm:body}} naming an AWS::SSM::Parameter the
// template defines (by Ref or its literal name) to its Value, located where it is written. A
// version (name:3) may be a later value than the template's, and is nil.
func (t *tmpl) parameterRef(body string, holes []*val, _ model.Range, depth int) *val {
	var id string
	switch {
	case body == hole:
		id = holes[0].storeOf
		if t.resources[id] == nil || t.resources[id].typ != typeParameter {
			return nil
		}
	case strings.ContainsAny(body, ":"+hole):
		return nil
	default:
		id = t.storeNamed(typeParameter, body, false, depth)
	}
	if id == "" {
		return nil
	}
	v := t.storeProps(id, depth).get("Value")
	if !v.isScalar() {
		return nil
	}
	v = v.located(v.at) // a copy, where the value is written
	v.refs = []string{id}
	return v
}

// storeProps evaluates the properties of the secret or parameter resource id, once; nil while
// they are being evaluated (a resource whose properties refer to itself).
func (t *tmpl) storeProps(id string, depth int) *val {
	if v, ok := t.stores[id]; ok {
		return v
	}
	if t.stores == nil {
		t.stores = map[string]*val{}
	}
	t.stores[id] = nil
	v := t.eval(t.resources[id].props, depth+1)
	if v.k != kMap {
		v = nil
	}
	t.stores[id] = v
	return v
}

// storeNamed returns the logical ID of the resource of type typ whose Name is name (or, for a
// secret ARN's name part, name followed by the six-character suffix Secrets Manager adds), ""
// when none is.
func (t *tmpl) storeNamed(typ, name string, arn bool, depth int) string {
	if name == "" {
		return ""
	}
	for _, id := range t.order {
		if t.resources[id].typ != typ {
			continue
		}
		n := t.storeProps(id, depth).get("Name")
		if !n.isScalar() || n.s == "" {
			continue
		}
		if name == n.s || (arn && len(name) == len(n.s)+7 && strings.HasPrefix(name, n.s+"-")) {
			return id
		}
	}
	return ""
}

// secretValue is the value of key (the whole secret string when key is empty) of the secret
// resource id used at at, nil when the template does not decide it.
func (t *tmpl) secretValue(id, key string, at model.Range, depth int) *val {
	props := t.storeProps(id, depth)
	if props == nil {
		return nil
	}
	gen, lit := props.get("GenerateSecretString"), props.get("SecretString")
	generated := func() *val {
		v := unknown(at)
		v.orig, v.refs = model.SecretGenerated, []string{id}
		return v
	}
	var text *val
	switch {
	case gen != nil && lit != nil:
		return nil // CloudFormation refuses a secret with both
	case gen != nil:
		if gen.k != kMap {
			return nil
		}
		template, genKey := gen.get("SecretStringTemplate"), gen.get("GenerateStringKey")
		if template == nil && genKey == nil {
			if key == "" {
				return generated() // the secret string is the generated password itself
			}
			return nil
		}
		if key == "" || template == nil || !genKey.isScalar() {
			return nil
		}
		if key == genKey.s {
			// GenerateStringKey's value is generated, even when the template also has the key.
			return generated()
		}
		text = template
	case lit != nil:
		if key == "" {
			if !lit.isScalar() {
				return nil
			}
			v := lit.located(lit.at) // a copy, where the secret string is written
			v.refs = []string{id}
			return v
		}
		text = lit
	default:
		return nil
	}
	if !text.isScalar() {
		return nil
	}
	s, ok := jsonMember(text.s, key)
	if !ok {
		return nil
	}
	// Located where the secret's text is written: the use site only names the secret.
	v := text.located(text.at) // a copy
	v.s, v.refs = s, []string{id}
	return v
}

// jsonMember returns the member key of the JSON object text as a string (strings, numbers and
// booleans as written), false when text is no object or the member is absent or structured.
func jsonMember(text, key string) (string, bool) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(text), &obj); err != nil {
		return "", false
	}
	raw, ok := obj[key]
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	switch v.(type) {
	case float64, bool:
		return strings.TrimSpace(string(raw)), true
	}
	return "", false
}
