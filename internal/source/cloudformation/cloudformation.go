// Package cloudformation reads CloudFormation templates (YAML and JSON, SAM included), CDK cloud
// assemblies (cdk.out) and local nested stacks into the model. It evaluates parameters, pseudo
// parameters, conditions, mappings and intrinsic functions, keeps the provenance of every value,
// and maps the Amazon MQ, security group and KMS resources. It describes what a template
// declares; it never decides compliance.
package cloudformation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/sync/errgroup"

	"github.com/mqguard/mqguard/internal/model"
)

// Options tune a load.
type Options struct {
	Params     []string          // --cfn-param Key=Value, in command-line order (later wins)
	ParamFiles []string          // AWS CLI parameter files (FS paths); they apply before Params
	Pseudo     map[string]string // pseudo parameter values (AWS::Region...); unknown unless given
	Display    func(fsPath string) string
	// SkipUnrelated, when it returns true for a top-level template, skips that template without
	// parsing it if it cannot hold a broker (no AWS::AmazonMQ:: resource and no nested stack).
	// Scans of whole directories use it for the templates they found: most templates of a
	// repository are not about brokers. A syntax error in a skipped template is not reported.
	SkipUnrelated func(fsPath string) bool
}

// maxNestingDepth bounds nested stacks.
const maxNestingDepth = 8

type loader struct {
	fsys  fs.FS
	opts  Options
	given map[string]*val
}

// Load reads the named template files (FS paths) and the CDK cloud assemblies among them: a path
// naming a cdk.out directory (or its manifest.json) loads every stack template listed in
// manifest.json (artifacts of type aws:cloudformation:stack, properties.templateFile). Local
// nested stacks (AWS::CloudFormation::Stack with a relative TemplateURL) are loaded with the
// parameters their parent passes; their resources are addressed "Parent/Child".
//
// Parameter values come from ParamFiles, then Params (later wins), then each parameter's Default.
// A template that cannot be read is an error diagnostic naming its file and line; the others are
// still loaded.
func Load(ctx context.Context, fsys fs.FS, paths []string, opts Options) (*model.Inventory, []model.Diagnostic) {
	l := &loader{fsys: fsys, opts: opts, given: map[string]*val{}}
	if l.opts.Display == nil {
		l.opts.Display = func(p string) string { return p }
	}
	var diags []model.Diagnostic
	for _, f := range opts.ParamFiles {
		diags = append(diags, l.readParamFile(f)...)
	}
	for _, p := range opts.Params {
		k, v, ok := strings.Cut(p, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			diags = append(diags, model.Diagnostic{Severity: model.DiagError, Source: model.SourceCloudFormation,
				Message: "invalid --cfn-param: want Key=Value"})
			continue
		}
		l.given[k] = &val{k: kScalar, s: v, at: model.Range{Ref: "--cfn-param " + k}, orig: model.SecretLiteral, litAt: model.Range{Ref: "--cfn-param " + k}}
	}

	templates, d := l.expand(paths)
	diags = append(diags, d...)

	invs := make([]*model.Inventory, len(templates))
	tdiags := make([][]model.Diagnostic, len(templates))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, p := range templates {
		g.Go(func() error {
			if gctx.Err() != nil {
				return nil
			}
			invs[i], tdiags[i] = l.loadRoot(p)
			return nil
		})
	}
	_ = g.Wait()
	inv := &model.Inventory{}
	for i := range templates {
		inv.Merge(invs[i])
		diags = append(diags, tdiags[i]...)
	}
	if err := ctx.Err(); err != nil {
		diags = append(diags, model.Diagnostic{Severity: model.DiagError, Source: model.SourceCloudFormation, Message: "scan interrupted: " + err.Error()})
	}
	return inv, diags
}

func (l *loader) errorAt(fsPath string, line int, msg string) model.Diagnostic {
	r := model.Range{File: l.opts.Display(fsPath)}
	if line > 0 {
		r.StartLine, r.EndLine = line, line
	}
	return model.Diagnostic{Severity: model.DiagError, Source: model.SourceCloudFormation, At: r, Message: msg}
}

// expand turns the given paths into template files: CDK assemblies are replaced by their stack
// templates; a template named twice is loaded once.
func (l *loader) expand(paths []string) ([]string, []model.Diagnostic) {
	var out []string
	var diags []model.Diagnostic
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		p = path.Clean(p)
		st, err := fs.Stat(l.fsys, p)
		if err != nil {
			diags = append(diags, l.errorAt(p, 0, "cannot read: "+fsError(err)))
			continue
		}
		switch {
		case st.IsDir():
			manifest := path.Join(p, "manifest.json")
			if _, err := fs.Stat(l.fsys, manifest); err != nil {
				diags = append(diags, l.errorAt(p, 0, "directory is not a CDK cloud assembly (no manifest.json)"))
				continue
			}
			ts, d := l.assembly(manifest, 0)
			diags = append(diags, d...)
			for _, t := range ts {
				add(t)
			}
		case path.Base(p) == "manifest.json":
			ts, d := l.assembly(p, 0)
			diags = append(diags, d...)
			for _, t := range ts {
				add(t)
			}
		default:
			add(p)
		}
	}
	return out, diags
}

// assembly lists the stack templates of a CDK cloud assembly manifest, following nested
// assemblies (CDK stages).
func (l *loader) assembly(manifest string, depth int) ([]string, []model.Diagnostic) {
	data, err := readLimited(l.fsys, manifest)
	if err != nil {
		return nil, []model.Diagnostic{l.errorAt(manifest, 0, "cannot read: "+fsError(err))}
	}
	root, err := parseDocument(data)
	if err != nil {
		var pe *parseError
		_ = errors.As(err, &pe)
		return nil, []model.Diagnostic{l.errorAt(manifest, pe.line, pe.msg)}
	}
	_, arts := lookup(root, "artifacts")
	if arts == nil {
		return nil, []model.Diagnostic{l.errorAt(manifest, 1, "not a CDK cloud assembly manifest (no artifacts)")}
	}
	dir := path.Dir(manifest)
	ps := pairs(arts)
	sort.Slice(ps, func(i, j int) bool { return ps[i][0].Value < ps[j][0].Value })
	var out []string
	var diags []model.Diagnostic
	for _, a := range ps {
		_, typ := lookup(a[1], "type")
		_, props := lookup(a[1], "properties")
		if typ == nil {
			continue
		}
		switch typ.Value {
		case "aws:cloudformation:stack":
			if _, tf := lookup(props, "templateFile"); tf != nil && tf.Kind == yaml.ScalarNode {
				if p, ok := localPath(dir, tf.Value); ok {
					out = append(out, p)
				}
			}
		case "cdk:cloud-assembly":
			_, sub := lookup(props, "directoryName")
			if sub == nil || sub.Kind != yaml.ScalarNode || depth >= maxNestingDepth {
				continue
			}
			if p, ok := localPath(dir, sub.Value); ok {
				ts, d := l.assembly(path.Join(p, "manifest.json"), depth+1)
				out, diags = append(out, ts...), append(diags, d...)
			}
		}
	}
	return out, diags
}

// localPath resolves rel against dir, refusing URLs and paths leaving the file system.
func localPath(dir, rel string) (string, bool) {
	rel = strings.TrimSpace(rel)
	if rel == "" || strings.Contains(rel, "://") || strings.HasPrefix(rel, "/") || strings.HasPrefix(rel, "s3:") {
		return "", false
	}
	p := path.Join(dir, strings.TrimPrefix(rel, "file:"))
	if !fs.ValidPath(p) {
		return "", false
	}
	return p, true
}

// fsError is err without the path, which diagnostics already name.
func fsError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// readLimited reads a file, refusing one larger than MaxTemplateSize.
func readLimited(fsys fs.FS, p string) ([]byte, error) {
	st, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, fmt.Errorf("is a directory")
	}
	if !st.Mode().IsRegular() {
		// A pipe, socket or device: reading it may never end.
		return nil, fmt.Errorf("not a regular file")
	}
	if st.Size() > MaxTemplateSize {
		return nil, tooLarge(st.Size())
	}
	data, err := fs.ReadFile(fsys, p)
	if err == nil && len(data) > MaxTemplateSize {
		return nil, tooLarge(int64(len(data)))
	}
	return data, err
}

func tooLarge(size int64) error {
	return fmt.Errorf("file is too large: %d bytes, more than the %d bytes mqguard reads", size, MaxTemplateSize)
}

// loadRoot loads one top-level template.
func (l *loader) loadRoot(p string) (inv *model.Inventory, diags []model.Diagnostic) {
	inv = &model.Inventory{}
	defer func() {
		if r := recover(); r != nil {
			diags = append(diags, l.errorAt(p, 0, "internal error while reading the template; it was not scanned"))
		}
	}()
	diags = l.loadTemplate(inv, p, l.given, "", l.opts.Display(p), []string{p})
	return inv, diags
}

// loadTemplate loads the template at p into inv. prefix is prepended to logical IDs (nested
// stacks), scope is the display path of the top-level template, stack the templates being loaded.
func (l *loader) loadTemplate(inv *model.Inventory, p string, given map[string]*val, prefix, scope string, stack []string) []model.Diagnostic {
	data, err := readLimited(l.fsys, p)
	if err != nil {
		return []model.Diagnostic{l.errorAt(p, 0, "cannot read: "+fsError(err))}
	}
	if len(stack) == 1 && l.opts.SkipUnrelated != nil && l.opts.SkipUnrelated(p) && !mayDescribeBroker(data) {
		// Nothing in this template can be a broker or lead to one: parsing it would only cost
		// time (most templates of a repository are not about brokers).
		return nil
	}
	root, err := parseDocument(data)
	if err != nil {
		var pe *parseError
		_ = errors.As(err, &pe)
		return []model.Diagnostic{l.errorAt(p, pe.line, pe.msg)}
	}
	if root.Kind != yaml.MappingNode {
		return []model.Diagnostic{l.errorAt(p, root.Line, "not a CloudFormation template: the document is not a mapping")}
	}
	disp := l.opts.Display(p)
	var diags []model.Diagnostic
	duplicateKeys(root, disp, &diags)
	t := newTmpl(disp, root, given, l.opts.Pseudo)
	mp := &mapper{t: t, inv: inv, scope: scope, prefix: prefix}
	mp.run()
	for _, id := range t.order {
		r := t.resources[id]
		if r.typ == typeStack && mp.live[id] {
			l.nested(inv, mp, r, p, scope, stack)
		}
	}
	return append(diags, t.diags...)
}

// nested loads the child template of an AWS::CloudFormation::Stack whose TemplateURL is a local
// path (or, in a CDK assembly, whose aws:asset:path metadata names the child template).
func (l *loader) nested(inv *model.Inventory, mp *mapper, r *resource, p, scope string, stack []string) {
	t := mp.t
	o := mp.properties(r)
	child, ok := "", false
	if u := o.field("TemplateURL"); u.isScalar() {
		child, ok = localPath(path.Dir(p), u.s)
	}
	if !ok {
		_, meta := lookup(r.node, "Metadata")
		if _, a := lookup(meta, "aws:asset:path"); a != nil && a.Kind == yaml.ScalarNode && strings.HasSuffix(a.Value, ".json") {
			child, ok = localPath(path.Dir(p), a.Value)
		}
	}
	if !ok {
		t.diag(model.DiagNote, r.at, "nested stack "+mp.prefix+r.id+" is not scanned: its template is not a local file")
		return
	}
	for _, s := range stack {
		if s == child {
			t.diag(model.DiagError, r.at, "nested stack "+mp.prefix+r.id+" includes itself (recursion)")
			return
		}
	}
	if len(stack) > maxNestingDepth {
		t.diag(model.DiagError, r.at, "nested stack "+mp.prefix+r.id+" is nested too deeply")
		return
	}
	given := map[string]*val{}
	if ps := o.field("Parameters"); ps != nil && ps.k == kMap {
		for _, k := range ps.keys {
			given[k] = ps.m[k]
		}
	}
	d := l.loadTemplate(inv, child, given, mp.prefix+r.id+"/", scope, append(append([]string(nil), stack...), child))
	t.diags = append(t.diags, d...)
}

// readParamFile reads a parameter file: the AWS CLI form [{"ParameterKey": K, "ParameterValue":
// V}], or {"Parameters": {K: V}}, or {K: V}.
func (l *loader) readParamFile(p string) []model.Diagnostic {
	data, err := readLimited(l.fsys, p)
	if err != nil {
		return []model.Diagnostic{l.errorAt(p, 0, "cannot read parameter file: "+fsError(err))}
	}
	root, err := parseDocument(data)
	if err != nil {
		var pe *parseError
		_ = errors.As(err, &pe)
		return []model.Diagnostic{l.errorAt(p, pe.line, "invalid parameter file: "+strings.TrimPrefix(pe.msg, "invalid template: "))}
	}
	disp := l.opts.Display(p)
	set := func(k string, v *yaml.Node) {
		at := model.Range{File: disp, StartLine: v.Line, EndLine: v.Line}
		s := v.Value
		if v.Kind == yaml.SequenceNode {
			var parts []string
			for _, e := range v.Content {
				parts = append(parts, deref(e).Value)
			}
			s = strings.Join(parts, ",")
		}
		l.given[k] = &val{k: kScalar, s: s, at: at, orig: model.SecretLiteral, litAt: at}
	}
	bad := func(n *yaml.Node) []model.Diagnostic {
		return []model.Diagnostic{l.errorAt(p, n.Line, "invalid parameter file: want [{\"ParameterKey\": ..., \"ParameterValue\": ...}] or {\"Parameters\": {...}}")}
	}
	switch root.Kind {
	case yaml.SequenceNode:
		for _, e := range root.Content {
			_, k := lookup(e, "ParameterKey")
			_, v := lookup(e, "ParameterValue")
			if k == nil || k.Kind != yaml.ScalarNode {
				return bad(e)
			}
			if v == nil {
				continue // UsePreviousValue: nothing known here
			}
			set(k.Value, v)
		}
	case yaml.MappingNode:
		m := root
		if _, ps := lookup(root, "Parameters"); ps != nil && ps.Kind == yaml.MappingNode {
			m = ps
		}
		for _, kv := range pairs(m) {
			set(kv[0].Value, kv[1])
		}
	default:
		return bad(root)
	}
	return nil
}

// brokerMarkers are the strings a template that declares a broker, or includes a stack that may,
// must contain.
var brokerMarkers = [][]byte{[]byte("AWS::AmazonMQ::"), []byte("AWS::CloudFormation::Stack"), []byte("AWS::Serverless::Application")}

// mayDescribeBroker reports whether a top-level template can hold a broker, directly or through
// a nested stack. Other templates are not parsed, so a syntax error in a template that declares
// no broker is not reported.
func mayDescribeBroker(data []byte) bool {
	for _, m := range brokerMarkers {
		if bytes.Contains(data, m) {
			return true
		}
	}
	return false
}
