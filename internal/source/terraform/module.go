package terraform

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/terraform/hclscan"
	"github.com/mqguard/mqguard/internal/source/walk"
)

// moduleDir is one parsed directory of .tf/.tf.json files: the declarations of a module, shared
// by every instance of it.
type moduleDir struct {
	dir       string
	variables map[string]*variableDecl
	locals    map[string]*hcl.Attribute
	outputs   map[string]*hcl.Attribute
	resources []*resourceDecl
	modules   []*moduleCall
	providers []*providerDecl
	diags     []model.Diagnostic
	// dupVariables are variable blocks whose name was already declared.
	dupVariables []*variableDecl
	// lazy holds top-level blocks kept unparsed until referenced (see fastpath.go).
	lazy map[string][]lazyBlock

	graph *graph
	// deps are the inputs the directory was parsed from, when the cache records them.
	deps *deps
	// called: some module calls this one, so its outputs are evaluated.
	called bool
}

type variableDecl struct {
	name       string
	typ        cty.Type
	defaults   *typeexpr.Defaults
	hasType    bool
	def        *hcl.Attribute
	nullable   bool
	sensitive  bool
	rng        hcl.Range
	complexTyp bool // values given on the command line are parsed as HCL expressions
}

type resourceDecl struct {
	mode string // "managed", "data" or "ephemeral"
	typ  string
	name string
	body *body
	rng  hcl.Range
	file string
	// src is a copy of the block's bytes, kept for brokers and configurations only (comment
	// directives, heredoc detection); above are the comment lines directly above the block.
	src   []byte
	above []model.Directive
}

// key is the name of the resource inside its module: aws_mq_broker.x, data.t.n, ephemeral.t.n.
func (r *resourceDecl) key() string {
	switch r.mode {
	case "data":
		return "data." + r.typ + "." + r.name
	case "ephemeral":
		return "ephemeral." + r.typ + "." + r.name
	}
	return r.typ + "." + r.name
}

type moduleCall struct {
	name   string
	source string
	body   *body
	rng    hcl.Range
}

type providerDecl struct {
	name string // "aws" or "aws.alias"
	body *body
	rng  hcl.Range
}

var topSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
	{Type: "output", LabelNames: []string{"name"}},
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "data", LabelNames: []string{"type", "name"}},
	{Type: "ephemeral", LabelNames: []string{"type", "name"}},
	{Type: "module", LabelNames: []string{"name"}},
	{Type: "provider", LabelNames: []string{"name"}},
	{Type: "terraform"},
}}

// isConfigFile reports whether name is a Terraform configuration file (not an override file).
func isConfigFile(name string) bool {
	base := path.Base(name)
	if !strings.HasSuffix(base, ".tf") && !strings.HasSuffix(base, ".tf.json") {
		return false
	}
	stem := strings.TrimSuffix(strings.TrimSuffix(base, ".json"), ".tf")
	return stem != "override" && !strings.HasSuffix(stem, "_override")
}

// isAutoVarFile reports whether name is a variable file Terraform reads without being told.
func isAutoVarFile(name string) bool {
	base := path.Base(name)
	return base == "terraform.tfvars" || base == "terraform.tfvars.json" ||
		strings.HasSuffix(base, ".auto.tfvars") || strings.HasSuffix(base, ".auto.tfvars.json")
}

// readFile reads an FS file, refusing files over maxFileSize and files that are not regular: a
// socket or device (which never ends) is never opened, and neither is a named pipe found by its
// name (a configuration or automatic variable file), which would block forever when nobody
// writes to it. A skipped file is a note. A pipe named otherwise is read: the user named it
// (`--var-file <(...)` hands the shell's pipe over).
func readFile(fsys fs.FS, name string) ([]byte, *model.Diagnostic) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, &model.Diagnostic{Severity: model.DiagError, Source: model.SourceTerraform, At: model.Range{File: name}, Message: "cannot read file: " + errText(err)}
	}
	if m := info.Mode(); !m.IsRegular() && (m&fs.ModeNamedPipe == 0 || isConfigFile(name) || isAutoVarFile(name)) {
		return nil, &model.Diagnostic{Severity: model.DiagNote, Source: model.SourceTerraform, At: model.Range{File: name}, Message: "not a regular file (" + walk.TypeName(m) + "); skipped"}
	}
	if info.Size() > maxFileSize {
		return nil, &model.Diagnostic{Severity: model.DiagError, Source: model.SourceTerraform, At: model.Range{File: name}, Message: "file is larger than 10 MiB; not parsed"}
	}
	src, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, &model.Diagnostic{Severity: model.DiagError, Source: model.SourceTerraform, At: model.Range{File: name}, Message: "cannot read file: " + errText(err)}
	}
	if len(src) > maxFileSize {
		return nil, &model.Diagnostic{Severity: model.DiagError, Source: model.SourceTerraform, At: model.Range{File: name}, Message: "file is larger than 10 MiB; not parsed"}
	}
	return src, nil
}

// errText keeps the error kind without repeating a path the diagnostic already names.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// loadModuleDir parses every configuration file of dir. Display paths are applied later, when
// diagnostics leave the package.
//
// called says whether another module calls this one: only then are its outputs read (a root
// module's outputs reach no one, and the blocks only they reference need not be parsed).
func loadModuleDir(fsys fs.FS, dir string, called bool) *moduleDir {
	m := &moduleDir{
		dir:       dir,
		called:    called,
		variables: map[string]*variableDecl{},
		locals:    map[string]*hcl.Attribute{},
		outputs:   map[string]*hcl.Attribute{},
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		m.diags = append(m.diags, model.Diagnostic{Severity: model.DiagError, Source: model.SourceTerraform, At: model.Range{File: dir}, Message: "cannot read directory: " + errText(err)})
		return m
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isConfigFile(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		name := path.Join(dir, n)
		src, d := readFile(fsys, name)
		if d != nil {
			m.diags = append(m.diags, *d)
			continue
		}
		// The nesting guard (checkSource) runs on what hclsyntax is given: each block the fast
		// path parses (parseBlock), or the whole file (parseFile).
		if fastPath && !strings.HasSuffix(name, ".json") {
			if blocks, ok := hclscan.Blocks(src); ok {
				m.addScanned(name, src, blocks)
				continue
			}
		}
		f, diags := parseFile(name, src)
		if diags.HasErrors() {
			// What HCL recovers from a file that does not parse is not what Terraform would
			// apply (an attribute lost to the error reads as its default): nothing of it is
			// used, and the error entry makes the scan incomplete.
			m.diags = append(m.diags, hclDiags(diags)...)
			continue
		}
		if f == nil {
			continue
		}
		m.addFile(name, src, f)
	}
	m.checkDuplicates()
	m.resolveLazy()
	return m
}

// checkDuplicates reports what Terraform refuses: two resources, data sources or module calls
// of one module with the same address, and two variables of the same name. The first
// declaration is the one evaluated; the scan is incomplete.
func (m *moduleDir) checkDuplicates() {
	type decl struct {
		file string
		line int
	}
	// An item names its declaration as kind + " " + labels joined with dots; the name is built
	// only for a duplicate (a large module has tens of thousands of declarations).
	type item struct {
		key, kind string
		labels    []string
		file      string
		line      int
	}
	n := len(m.resources) + len(m.modules) + len(m.dupVariables)
	for _, lbs := range m.lazy {
		n += len(lbs)
	}
	items := make([]item, 0, n)
	for _, r := range m.resources {
		kind := r.mode
		if kind == "managed" {
			kind = "resource"
		}
		items = append(items, item{r.key(), kind, []string{r.typ, r.name}, r.file, r.rng.Start.Line})
	}
	for k, lbs := range m.lazy {
		for _, lb := range lbs {
			items = append(items, item{k, lb.block.Type, lb.block.Labels, lb.file, lb.block.Line})
		}
	}
	for _, c := range m.modules {
		items = append(items, item{"module." + c.name, "module", []string{c.name}, c.rng.Filename, c.rng.Start.Line})
	}
	for _, v := range m.dupVariables {
		items = append(items, item{"var." + v.name, "variable", []string{v.name}, v.rng.Filename, v.rng.Start.Line})
	}
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].file != items[j].file {
			return items[i].file < items[j].file
		}
		return items[i].line < items[j].line
	})
	first := make(map[string]decl, len(items)+len(m.variables))
	for _, v := range m.variables {
		first["var."+v.name] = decl{v.rng.Filename, v.rng.Start.Line}
	}
	for _, it := range items {
		f, dup := first[it.key]
		if !dup {
			first[it.key] = decl{it.file, it.line}
			continue
		}
		what := it.kind + " " + strings.Join(it.labels, ".")
		m.diags = append(m.diags, model.Diagnostic{Severity: model.DiagError, Source: model.SourceTerraform,
			At:      model.Range{File: it.file, StartLine: it.line, EndLine: it.line},
			Message: fmt.Sprintf("duplicate %s: already declared at %s:%d; Terraform refuses this configuration", what, path.Base(f.file), f.line)})
	}
}

func (m *moduleDir) addFile(name string, src []byte, f *hcl.File) {
	content, _, diags := f.Body.PartialContent(topSchema)
	if diags.HasErrors() {
		m.diags = append(m.diags, hclDiags(diags)...)
	}
	if content == nil {
		return
	}
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "variable":
			m.addVariable(blk)
		case "locals":
			attrs, diags := blk.Body.JustAttributes()
			if diags.HasErrors() {
				m.diags = append(m.diags, hclDiags(diags)...)
			}
			for n, a := range attrs {
				if _, dup := m.locals[n]; !dup {
					m.locals[n] = a
				}
			}
		case "output":
			attrs, _ := blk.Body.JustAttributes()
			if a := attrs["value"]; a != nil {
				m.outputs[blk.Labels[0]] = a
			}
		case "resource", "data", "ephemeral":
			mode := blk.Type
			if mode == "resource" {
				mode = "managed"
			}
			decl := &resourceDecl{
				mode: mode, typ: blk.Labels[0], name: blk.Labels[1],
				body: toBody(blk.Body, 0), rng: blockRange(blk), file: name,
			}
			if keepsSource[decl.typ] && !strings.HasSuffix(name, ".json") && decl.rng.End.Byte <= len(src) && decl.rng.Start.Byte <= decl.rng.End.Byte {
				decl.src = bytes.Clone(src[decl.rng.Start.Byte:decl.rng.End.Byte])
				decl.above = commentsAbove(src, decl.rng.Start.Byte, decl.rng.Start.Line, name)
			}
			m.resources = append(m.resources, decl)
		case "module":
			b := toBody(blk.Body, 0)
			mc := &moduleCall{name: blk.Labels[0], body: b, rng: blockRange(blk)}
			mc.source, _ = literalString(b.attr("source"))
			m.modules = append(m.modules, mc)
		case "provider":
			b := toBody(blk.Body, 0)
			name := blk.Labels[0]
			if alias, ok := literalString(b.attr("alias")); ok {
				name += "." + alias
			}
			m.providers = append(m.providers, &providerDecl{name: name, body: b, rng: blockRange(blk)})
		}
	}
}

// literalString is the value of an attribute that is a literal string (a module's source, a
// provider's alias), evaluated without context; ok is false for anything else.
func literalString(a *hcl.Attribute) (string, bool) {
	if a == nil {
		return "", false
	}
	v, d := a.Expr.Value(nil)
	if d.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

// blockRange is the whole block for native syntax and the definition for JSON.
func blockRange(blk *hcl.Block) hcl.Range {
	type ranger interface{ Range() hcl.Range }
	if r, ok := blk.Body.(ranger); ok && strings.HasSuffix(blk.DefRange.Filename, ".tf") {
		br := r.Range()
		return hcl.RangeBetween(blk.DefRange, br)
	}
	return blk.DefRange
}

func (m *moduleDir) addVariable(blk *hcl.Block) {
	name := blk.Labels[0]
	if _, dup := m.variables[name]; dup {
		m.dupVariables = append(m.dupVariables, &variableDecl{name: name, rng: blockRange(blk)})
		return
	}
	attrs, _ := blk.Body.JustAttributes()
	v := &variableDecl{name: name, typ: cty.DynamicPseudoType, nullable: true, rng: blockRange(blk), def: attrs["default"]}
	if a := attrs["type"]; a != nil {
		ty, defaults, diags := typeexpr.TypeConstraintWithDefaults(a.Expr)
		if !diags.HasErrors() {
			v.typ, v.defaults, v.hasType = ty, defaults, true
			v.complexTyp = !ty.IsPrimitiveType()
		}
	}
	if a := attrs["nullable"]; a != nil {
		if b, d := a.Expr.Value(nil); !d.HasErrors() && b.IsKnown() && b.Type() == cty.Bool {
			v.nullable = b.True()
		}
	}
	if a := attrs["sensitive"]; a != nil {
		if b, d := a.Expr.Value(nil); !d.HasErrors() && b.IsKnown() && b.Type() == cty.Bool {
			v.sensitive = b.True()
		}
	}
	m.variables[name] = v
}

// hclDiags converts HCL error diagnostics. Only the summary is kept: details may quote input.
func hclDiags(diags hcl.Diagnostics) []model.Diagnostic {
	var out []model.Diagnostic
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		out = append(out, model.Diagnostic{Severity: model.DiagError, Source: model.SourceTerraform, At: hclRange(d.Subject), Message: d.Summary})
	}
	return out
}

// hclRange converts an HCL range (FS path, not yet a display path).
func hclRange(r *hcl.Range) model.Range {
	if r == nil {
		return model.Range{}
	}
	return model.Range{File: r.Filename, StartLine: r.Start.Line, EndLine: r.End.Line}
}
