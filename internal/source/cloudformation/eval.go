package cloudformation

import (
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mqguard/mqguard/internal/model"
)

const (
	maxEvalDepth  = 200
	maxEvalSteps  = 2_000_000
	maxStringSize = 4 << 20
)

// resource is a declared resource of a template.
type resource struct {
	id    string
	typ   string
	key   *yaml.Node // the logical ID
	node  *yaml.Node // the resource mapping
	props *yaml.Node
	at    model.Range
}

// param is a declared parameter with its resolved value.
type param struct {
	typ    string
	noEcho bool
	v      *val
}

// tmpl is one template being evaluated.
type tmpl struct {
	disp      string // display path of the template
	root      *yaml.Node
	pseudo    map[string]string
	params    map[string]*param
	mappings  *yaml.Node
	condNodes map[string]*yaml.Node
	condVals  map[string]int8 // memo: 1 true, 0 false, -1 unknown
	condBusy  map[string]bool
	resources map[string]*resource
	order     []string // logical IDs, sorted
	steps     int
	diags     []model.Diagnostic
	reported  map[string]bool
	stores    map[string]*val // memo of the properties of secrets and SSM parameters (templateStore)
}

func (t *tmpl) rng(n *yaml.Node) model.Range {
	if n == nil {
		return model.Range{File: t.disp}
	}
	return model.Range{File: t.disp, StartLine: n.Line, EndLine: n.Line}
}

func (t *tmpl) diag(sev model.DiagSeverity, at model.Range, msg string) {
	key := at.String() + msg
	if t.reported == nil {
		t.reported = map[string]bool{}
	}
	if t.reported[key] {
		return
	}
	t.reported[key] = true
	t.diags = append(t.diags, model.Diagnostic{Severity: sev, Source: model.SourceCloudFormation, At: at, Message: msg})
}

// newTmpl reads the sections of a parsed template. given holds parameter values supplied from
// outside (parameter files, --cfn-param, a parent stack), which win over Default.
func newTmpl(disp string, root *yaml.Node, given map[string]*val, pseudo map[string]string) *tmpl {
	t := &tmpl{disp: disp, root: root, pseudo: pseudo, params: map[string]*param{},
		condNodes: map[string]*yaml.Node{}, condVals: map[string]int8{}, condBusy: map[string]bool{},
		resources: map[string]*resource{}}
	_, t.mappings = lookup(root, "Mappings")
	_, conds := lookup(root, "Conditions")
	for _, p := range pairs(conds) {
		t.condNodes[p[0].Value] = p[1]
	}
	_, params := lookup(root, "Parameters")
	for _, p := range pairs(params) {
		t.params[p[0].Value] = t.param(p[0], p[1], given[p[0].Value])
	}
	_, res := lookup(root, "Resources")
	for _, p := range pairs(res) {
		r := &resource{id: p[0].Value, key: p[0], node: p[1]}
		if _, typ := lookup(p[1], "Type"); typ != nil && typ.Kind == yaml.ScalarNode {
			r.typ = typ.Value
		}
		_, r.props = lookup(p[1], "Properties")
		r.at = model.Range{File: disp, StartLine: p[0].Line, EndLine: max(p[0].Line, lastLine(p[1]))}
		t.resources[r.id] = r
		t.order = append(t.order, r.id)
	}
	sort.Strings(t.order)
	return t
}

// param resolves one parameter: a given value, else its Default, else unknown (a deploy-time
// input).
func (t *tmpl) param(key, decl *yaml.Node, given *val) *param {
	p := &param{typ: "String"}
	if _, n := lookup(decl, "Type"); n != nil && n.Kind == yaml.ScalarNode {
		p.typ = strings.TrimSpace(n.Value)
	}
	if _, n := lookup(decl, "NoEcho"); n != nil && n.Kind == yaml.ScalarNode {
		p.noEcho, _ = parseBool(n.Value)
	}
	ssm := strings.HasPrefix(p.typ, "AWS::SSM::Parameter::Value<")
	switch _, def := lookup(decl, "Default"); {
	case given != nil:
		p.v = given
	case def != nil && !ssm && def.Kind == yaml.ScalarNode && def.Tag != "!!null":
		p.v = scalar(def.Value, t.rng(def))
	case def != nil && !ssm && def.Kind == yaml.SequenceNode:
		var parts []string
		for _, e := range def.Content {
			parts = append(parts, deref(e).Value)
		}
		p.v = scalar(strings.Join(parts, ","), t.rng(def))
	default:
		// No value anywhere (or an SSM parameter name whose value is read at deploy time).
		p.v = unknown(t.rng(key))
		p.v.orig, p.v.litAt = model.SecretInput, t.rng(key)
		if ssm && def != nil {
			p.v.orig, p.v.litAt = model.SecretStore, t.rng(def)
		}
	}
	if isListType(p.typ) && p.v.k == kScalar {
		l := &val{k: kList, at: p.v.at, orig: p.v.orig, litAt: p.v.litAt}
		if p.v.s != "" {
			for _, s := range strings.Split(p.v.s, ",") {
				e := *p.v
				e.s = strings.TrimSpace(s)
				l.list = append(l.list, &e)
			}
		}
		p.v = l
	}
	return p
}

func isListType(typ string) bool {
	return typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<") ||
		strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<List<") || typ == "AWS::SSM::Parameter::Value<CommaDelimitedList>"
}

// condition evaluates a named condition: 1 true, 0 false, -1 undecided.
func (t *tmpl) condition(name string, at model.Range) int8 {
	if v, ok := t.condVals[name]; ok {
		return v
	}
	n, ok := t.condNodes[name]
	if !ok {
		t.diag(model.DiagError, at, fmt.Sprintf("condition %q is not defined", truncate(name, 80)))
		return -1
	}
	if t.condBusy[name] {
		t.diag(model.DiagError, t.rng(n), fmt.Sprintf("condition %q refers to itself (cycle)", truncate(name, 80)))
		return -1
	}
	t.condBusy[name] = true
	r := truth(t.evalCond(n, 0))
	delete(t.condBusy, name)
	t.condVals[name] = r
	return r
}

// truth reads a condition value.
func truth(v *val) int8 {
	if v.isScalar() {
		if b, ok := parseBool(v.s); ok {
			if b {
				return 1
			}
			return 0
		}
	}
	return -1
}

func boolVal(b int8, at model.Range) *val {
	switch b {
	case 1:
		return scalar("true", at)
	case 0:
		return scalar("false", at)
	}
	return unknown(at)
}

// evalCond evaluates a condition expression, where {Condition: Name} names another condition.
func (t *tmpl) evalCond(n *yaml.Node, depth int) *val {
	n = deref(n)
	if n != nil && n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Condition" {
		name := deref(n.Content[1])
		if name == nil || name.Kind != yaml.ScalarNode {
			return unknown(t.rng(n))
		}
		return boolVal(t.condition(name.Value, t.rng(name)), t.rng(n))
	}
	return t.eval(n, depth)
}

// intrinsic returns the function a node calls and its argument: a short-form tag (!Ref X) or a
// one-key mapping (Ref / Fn::X).
func intrinsic(n *yaml.Node) (string, *yaml.Node, bool) {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		name := n.Tag[1:]
		if name != "Ref" && name != "Condition" {
			name = "Fn::" + name
		}
		arg := *n
		switch n.Kind {
		case yaml.ScalarNode:
			arg.Tag = "!!str"
		case yaml.SequenceNode:
			arg.Tag = "!!seq"
		case yaml.MappingNode:
			arg.Tag = "!!map"
		}
		return name, &arg, true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		k := n.Content[0].Value
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, n.Content[1], true
		}
	}
	return "", nil, false
}

// eval evaluates a template node.
func (t *tmpl) eval(n *yaml.Node, depth int) *val {
	n = deref(n)
	if n == nil {
		return &val{k: kNoValue}
	}
	at := t.rng(n)
	t.steps++
	if depth > maxEvalDepth || t.steps > maxEvalSteps {
		t.diag(model.DiagError, at, "expression too deeply nested or too large to evaluate")
		return unknown(at)
	}
	if fn, arg, ok := intrinsic(n); ok {
		return t.call(fn, arg, at, depth+1)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return &val{k: kNoValue, at: at}
		}
		return t.dynamic(scalar(n.Value, at), depth)
	case yaml.SequenceNode:
		l := &val{k: kList, at: at, orig: model.SecretLiteral, litAt: at}
		for _, c := range n.Content {
			e := t.eval(c, depth+1)
			if e.k == kNoValue {
				continue
			}
			l.list = append(l.list, e)
		}
		return l
	case yaml.MappingNode:
		m := &val{k: kMap, at: at, m: map[string]*val{}, orig: model.SecretLiteral, litAt: at}
		for _, p := range pairs(n) {
			e := t.eval(p[1], depth+1)
			if e.k == kNoValue {
				continue
			}
			if _, dup := m.m[p[0].Value]; !dup {
				m.keys = append(m.keys, p[0].Value)
			}
			m.m[p[0].Value] = e
		}
		return m
	}
	return unknown(at)
}

// args returns the elements of a list argument holding between min and maxN elements.
func (t *tmpl) args(arg *yaml.Node, minN, maxN, depth int) ([]*yaml.Node, bool) {
	arg = deref(arg)
	if arg == nil || arg.Kind != yaml.SequenceNode || len(arg.Content) < minN || len(arg.Content) > maxN {
		return nil, false
	}
	return arg.Content, true
}

// str evaluates n to a known scalar.
func (t *tmpl) str(n *yaml.Node, depth int) (*val, bool) {
	v := t.eval(n, depth)
	ok := v.isScalar()
	return v, ok
}

func (t *tmpl) call(fn string, arg *yaml.Node, at model.Range, depth int) *val {
	switch fn {
	case "Ref":
		// CloudFormation takes only a literal name; anything else (which could quote a
		// parameter's value in an error) is unknown.
		name := deref(arg)
		if name == nil || name.Kind != yaml.ScalarNode {
			return t.invalid(fn, at)
		}
		return t.ref(name.Value, at)
	case "Fn::GetAtt":
		var id, attr string
		if a := deref(arg); a != nil && a.Kind == yaml.ScalarNode {
			id, attr, _ = strings.Cut(a.Value, ".")
		} else if parts, ok := t.args(arg, 2, 2, depth); ok && deref(parts[0]) != nil && deref(parts[0]).Kind == yaml.ScalarNode {
			id, attr = deref(parts[0]).Value, t.eval(parts[1], depth).s
		} else {
			return t.invalid(fn, at)
		}
		return t.getAtt(id, attr, at)
	case "Fn::Sub":
		return t.sub(arg, at, depth)
	case "Fn::Join":
		parts, ok := t.args(arg, 2, 2, depth)
		if !ok {
			return t.invalid(fn, at)
		}
		delim, ok := t.str(parts[0], depth)
		if pieces, ok2 := t.joinPieces(delim, parts[1], depth); ok && ok2 {
			return t.dynamicPieces(pieces, at, depth)
		}
		list := t.eval(parts[1], depth)
		if !ok || list.k != kList {
			return unknownFrom(at, delim, list)
		}
		var sb strings.Builder
		out := scalar("", at)
		out.orig = model.SecretUnknown
		for i, e := range list.list {
			if !e.isScalar() {
				return unknownFrom(at, list)
			}
			if i > 0 {
				sb.WriteString(delim.s)
			}
			sb.WriteString(e.s)
			if sb.Len() > maxStringSize {
				return unknownFrom(at, list)
			}
		}
		out.s = sb.String()
		out.absorb(list.list...)
		if out.orig == model.SecretUnknown {
			out.orig, out.litAt = model.SecretLiteral, at
		}
		return t.dynamic(out, depth)
	case "Fn::Select":
		parts, ok := t.args(arg, 2, 2, depth)
		if !ok {
			return t.invalid(fn, at)
		}
		idx, ok := t.str(parts[0], depth)
		list := t.eval(parts[1], depth)
		if !ok || list.k != kList {
			return unknownFrom(at, idx, list)
		}
		i, err := strconv.Atoi(strings.TrimSpace(idx.s))
		if err != nil || i < 0 || i >= len(list.list) {
			t.diag(model.DiagError, at, "Fn::Select index out of range")
			return unknownFrom(at, list)
		}
		return list.list[i].located(at)
	case "Fn::Split":
		parts, ok := t.args(arg, 2, 2, depth)
		if !ok {
			return t.invalid(fn, at)
		}
		delim, ok1 := t.str(parts[0], depth)
		s, ok2 := t.str(parts[1], depth)
		if !ok1 || !ok2 || delim.s == "" {
			return unknownFrom(at, delim, s)
		}
		l := &val{k: kList, at: at, orig: s.orig, litAt: s.litAt, refs: s.refs}
		for _, p := range strings.Split(s.s, delim.s) {
			e := s.located(at)
			e.s = p
			l.list = append(l.list, e)
		}
		return l
	case "Fn::If":
		parts, ok := t.args(arg, 3, 3, depth)
		if !ok {
			return t.invalid(fn, at)
		}
		name := deref(parts[0])
		if name == nil || name.Kind != yaml.ScalarNode {
			return t.invalid(fn, at)
		}
		switch t.condition(name.Value, t.rng(name)) {
		case 1:
			return t.eval(parts[1], depth)
		case 0:
			return t.eval(parts[2], depth)
		}
		a, b := t.eval(parts[1], depth), t.eval(parts[2], depth)
		if wholeKnown(a) && wholeKnown(b) && equal(a, b) {
			return a
		}
		return unknownFrom(at, a, b)
	case "Fn::Equals":
		parts, ok := t.args(arg, 2, 2, depth)
		if !ok {
			return t.invalid(fn, at)
		}
		a, b := t.eval(parts[0], depth), t.eval(parts[1], depth)
		if !wholeKnown(a) || !wholeKnown(b) {
			return unknown(at)
		}
		return boolVal(map[bool]int8{true: 1, false: 0}[equal(a, b)], at)
	case "Fn::And", "Fn::Or":
		parts, ok := t.args(arg, 1, 10, depth)
		if !ok {
			return t.invalid(fn, at)
		}
		and := fn == "Fn::And"
		res := map[bool]int8{true: 1, false: 0}[and]
		for _, p := range parts {
			switch truth(t.evalCond(p, depth)) {
			case -1:
				res = -1
			case 0:
				if and {
					return boolVal(0, at)
				}
			case 1:
				if !and {
					return boolVal(1, at)
				}
			}
		}
		return boolVal(res, at)
	case "Fn::Not":
		parts, ok := t.args(arg, 1, 1, depth)
		if !ok {
			return t.invalid(fn, at)
		}
		r := truth(t.evalCond(parts[0], depth))
		if r >= 0 {
			r = 1 - r
		}
		return boolVal(r, at)
	case "Condition":
		name := deref(arg)
		if name == nil || name.Kind != yaml.ScalarNode {
			return t.invalid(fn, at)
		}
		return boolVal(t.condition(name.Value, t.rng(name)), at)
	case "Fn::FindInMap":
		return t.findInMap(arg, at, depth)
	case "Fn::Base64":
		s, ok := t.str(arg, depth)
		if !ok {
			return unknownFrom(at, s)
		}
		out := s.located(at)
		out.s = base64.StdEncoding.EncodeToString([]byte(s.s))
		return out
	default:
		// Fn::GetAZs, Fn::ImportValue, Fn::Cidr, Fn::Length, Fn::ToJsonString, Fn::Transform...:
		// decided at deploy time (or not modelled).
		return unknown(at)
	}
}

func (t *tmpl) invalid(fn string, at model.Range) *val {
	t.diag(model.DiagError, at, "invalid arguments to "+fn)
	return unknown(at)
}

// dynamic turns a known string holding a dynamic reference into the value it reads: what a
// secret of the template holds, else an unknown value read from a store.
func (t *tmpl) dynamic(v *val, depth int) *val {
	if ok, _ := dynamicRef(v.s); ok && v.isScalar() {
		return t.dynamicPieces([]piece{{v: v}}, v.at, depth)
	}
	return v
}

// ref resolves Ref name.
func (t *tmpl) ref(name string, at model.Range) *val {
	if name == "AWS::NoValue" {
		return &val{k: kNoValue, at: at}
	}
	if strings.HasPrefix(name, "AWS::") {
		if s, ok := t.pseudo[name]; ok {
			v := scalar(s, at)
			v.litAt = model.Range{Ref: "pseudo parameter " + name}
			return v
		}
		return unknown(at)
	}
	if p, ok := t.params[name]; ok {
		return p.v.located(at)
	}
	if r, ok := t.resources[name]; ok {
		v := unknown(at)
		v.refs = []string{r.id}
		switch r.typ {
		case typeSecret:
			v.orig, v.storeOf = model.SecretStore, r.id
		case typeParameter:
			v.storeOf = r.id
		}
		return v
	}
	t.diag(model.DiagNote, model.Range{File: t.disp}, fmt.Sprintf("Ref to %q, which is neither a parameter nor a resource of the template: its value is unknown", truncate(name, 80)))
	return unknown(at)
}

// getAtt resolves Fn::GetAtt: the attributes of a resource are known at deploy time only; the
// value keeps the resource it comes from.
func (t *tmpl) getAtt(id, attr string, at model.Range) *val {
	v := unknown(at)
	if r, ok := t.resources[id]; ok {
		v.refs = []string{r.id}
		if r.typ == typeSecret {
			v.orig = model.SecretStore
			if attr == "Id" {
				v.storeOf = r.id // the secret's ARN, as Ref
			}
		}
	} else {
		t.diag(model.DiagNote, model.Range{File: t.disp}, fmt.Sprintf("Fn::GetAtt of %q, which is not a resource of the template: its value is unknown", truncate(id, 80)))
	}
	return v
}

// sub evaluates Fn::Sub in its string and [string, {vars}] forms.
func (t *tmpl) sub(arg *yaml.Node, at model.Range, depth int) *val {
	arg = deref(arg)
	var text *yaml.Node
	vars := map[string]*val{}
	var varList []*val
	switch {
	case arg != nil && arg.Kind == yaml.ScalarNode:
		text = arg
	case arg != nil && arg.Kind == yaml.SequenceNode && len(arg.Content) == 2:
		text = deref(arg.Content[0])
		for _, p := range pairs(arg.Content[1]) {
			v := t.eval(p[1], depth)
			vars[p[0].Value] = v
			varList = append(varList, v)
		}
	default:
		return t.invalid("Fn::Sub", at)
	}
	if text == nil || text.Kind != yaml.ScalarNode {
		return t.invalid("Fn::Sub", at)
	}
	s := text.Value
	isDynamic, _ := dynamicRef(s)
	out := scalar("", at)
	out.orig = model.SecretUnknown
	var sb strings.Builder
	var parts []*val
	var pieces []piece // for a dynamic reference
	unknownPart := false
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			sb.WriteString(s)
			pieces = append(pieces, piece{text: s})
			break
		}
		sb.WriteString(s[:i])
		pieces = append(pieces, piece{text: s[:i]})
		s = s[i+2:]
		j := strings.IndexByte(s, '}')
		if j < 0 {
			sb.WriteString("${" + s)
			pieces = append(pieces, piece{text: "${" + s})
			break
		}
		name := s[:j]
		s = s[j+1:]
		if strings.HasPrefix(name, "!") {
			sb.WriteString("${" + name[1:] + "}")
			pieces = append(pieces, piece{text: "${" + name[1:] + "}"})
			continue
		}
		name = strings.TrimSpace(name)
		var v *val
		switch id, attr, dotted := strings.Cut(name, "."); {
		case vars[name] != nil:
			v = vars[name]
		case dotted && !strings.HasPrefix(name, "AWS::"):
			v = t.getAtt(id, attr, at)
		default:
			v = t.ref(name, at)
		}
		parts = append(parts, v)
		pieces = append(pieces, piece{v: v})
		if !v.isScalar() {
			unknownPart = true
			continue
		}
		sb.WriteString(v.s)
		if sb.Len() > maxStringSize {
			unknownPart = true
			break
		}
	}
	if isDynamic {
		if sb.Len() > maxStringSize {
			pieces = []piece{{text: text.Value}} // too large to build: the text says which store
		}
		return t.dynamicPieces(pieces, at, depth, varList...)
	}
	if unknownPart {
		return unknownFrom(at, parts...)
	}
	out.s = sb.String()
	out.absorb(parts...)
	if out.orig == model.SecretUnknown {
		out.orig, out.litAt = model.SecretLiteral, t.rng(text)
	}
	return t.dynamic(out, depth)
}

func (t *tmpl) findInMap(arg *yaml.Node, at model.Range, depth int) *val {
	parts, ok := t.args(arg, 3, 4, depth)
	if !ok {
		return t.invalid("Fn::FindInMap", at)
	}
	var keys []string
	var used []*val
	for _, p := range parts[:3] {
		v, ok := t.str(p, depth)
		used = append(used, v)
		if !ok {
			return unknownFrom(at, used...)
		}
		keys = append(keys, v.s)
	}
	_, m := lookup(t.mappings, keys[0])
	_, m = lookup(m, keys[1])
	_, m = lookup(m, keys[2])
	if m == nil {
		if len(parts) == 4 {
			if _, d := lookup(parts[3], "DefaultValue"); d != nil {
				return t.eval(d, depth)
			}
		}
		t.diag(model.DiagNote, at, "Fn::FindInMap: no such entry in Mappings; the value is unknown")
		return unknown(at)
	}
	return t.eval(m, depth).located(at).absorb(used...)
}
