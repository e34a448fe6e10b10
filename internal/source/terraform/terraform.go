// Package terraform reads Terraform configurations (.tf, .tf.json, tfvars, local and installed
// modules) into the model: it evaluates variables, locals, modules, count/for_each, dynamic
// blocks, conditionals and functions, and maps the Amazon MQ, security group and KMS resources.
// It describes what the code declares; it never decides compliance.
package terraform

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/walk"
)

// Options tune a load.
type Options struct {
	// Vars are the -var and -var-file arguments, in command-line order: a later one wins, as
	// in Terraform. Values are parsed as Terraform does (an HCL expression for complex types).
	Vars    []VarArg
	Env     []string                   // environment for TF_VAR_* (KEY=VALUE); nil means none
	Display func(fsPath string) string // maps an FS path to the path shown to users; identity when nil
	// CacheDir keeps each root module's evaluated model between scans (see cache.go); "" means
	// no cache. Version names the mqguard build in the cache key.
	CacheDir string
	Version  string
	// Stats, when set, counts the root modules evaluated and those taken from the cache, and
	// collects the command-line variable values that cannot be used (see Stats.VarErrors).
	Stats *Stats
	// RequireModules makes a module call whose module is missing (not installed, or a local
	// folder not found) an error rather than a note: what it declares is not scanned.
	RequireModules bool
}

// Stats counts what a scan did with its root modules.
type Stats struct {
	Roots, CacheHits atomic.Int64

	mu        sync.Mutex
	varErrors []string
}

// VarErrors returns, sorted and without duplicates, the problems of the -var values: a value
// that does not convert to its variable's type, an argument that is not NAME=VALUE. Each
// message names the variable, never the value. With Stats set they are reported here only,
// for the caller to make a usage error; without, they are error diagnostics.
func (s *Stats) VarErrors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.varErrors)
}

func (s *Stats) addVarError(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, found := slices.BinarySearch(s.varErrors, msg); !found {
		s.varErrors = slices.Insert(s.varErrors, i, msg)
	}
}

// VarArg is one -var (Assign, "NAME=VALUE") or -var-file (File, an FS path) argument.
type VarArg struct {
	Assign string
	File   string
}

// Load scans the named roots (FS paths of directories or .tf files, slash-separated, "." allowed)
// in fsys and returns everything at once, root modules in path order; Stream hands over each
// root module as it is ready.
func Load(ctx context.Context, fsys fs.FS, roots []string, opts Options) (*model.Inventory, []model.Diagnostic) {
	type part struct {
		index int
		inv   *model.Inventory
		diags []model.Diagnostic
	}
	var parts []part
	var mu sync.Mutex
	stream(ctx, fsys, roots, opts, func(i int, inv *model.Inventory, d []model.Diagnostic) {
		mu.Lock()
		defer mu.Unlock()
		parts = append(parts, part{i, inv, d})
	})
	sort.SliceStable(parts, func(a, b int) bool { return parts[a].index < parts[b].index })
	inv := &model.Inventory{}
	var diags []model.Diagnostic
	for _, p := range parts {
		inv.Merge(p.inv)
		diags = append(diags, p.diags...)
	}
	return inv, diags
}

type loader struct {
	fsys fs.FS
	opts Options
	mu   sync.Mutex
	dirs map[string]*dirEntry
	// uses counts, for each directory, the root modules still to be evaluated that call it
	// (directly or through other local modules): a parsed directory is dropped when it falls
	// to zero, so memory follows the root modules in flight, not the repository.
	uses map[string]int
	// roots are the root module directories; every other directory is parsed as a called
	// module.
	roots map[string]bool
	// shown memoises display paths (FS path -> display path).
	shown sync.Map
}

type dirEntry struct {
	once sync.Once
	m    *moduleDir
}

// moduleDir returns the parsed directory, parsing it once.
func (l *loader) moduleDir(dir string) *moduleDir {
	l.mu.Lock()
	e := l.dirs[dir]
	if e == nil {
		e = &dirEntry{}
		l.dirs[dir] = e
	}
	l.mu.Unlock()
	e.once.Do(func() {
		fsys := l.fsys
		var rec *recorder
		if l.opts.CacheDir != "" {
			rec = newRecorder(l.fsys)
			fsys = rec
		}
		e.m = loadModuleDir(fsys, dir, !l.roots[dir])
		e.m.graph = buildGraph(e.m)
		if rec != nil {
			d := rec.deps()
			e.m.deps = &d
		}
	})
	return e.m
}

func (l *loader) display(d model.Diagnostic) model.Diagnostic {
	if d.At.File != "" {
		d.At.File = l.displayPath(d.At.File)
	}
	return d
}

func (l *loader) rng(r model.Range) model.Range {
	if r.File != "" {
		r.File = l.displayPath(r.File)
	}
	return r
}

// displayPath is opts.Display, computed once per path: every value of the model carries its
// file, and one string per file serves them all.
func (l *loader) displayPath(p string) string {
	if v, ok := l.shown.Load(p); ok {
		return v.(string)
	}
	v, _ := l.shown.LoadOrStore(p, l.opts.Display(p))
	return v.(string)
}

// discover returns every directory holding configuration files under the roots, sorted. The
// walk follows links to directories (as Terraform reads a linked module), cuts loops and never
// opens a FIFO, socket or device (see package walk); what it skips or cannot read is reported.
// A configuration file that is not regular or is a broken link, and an automatic variable
// file that is not regular, are left to the loader, which reports them where it would read
// them (readFile).
func (l *loader) discover(roots []string) ([]string, []model.Diagnostic) {
	var diags []model.Diagnostic
	found := map[string]bool{}
	for _, root := range roots {
		root = path.Clean(strings.TrimPrefix(root, "./"))
		if !fs.ValidPath(root) {
			diags = append(diags, model.Diagnostic{Severity: model.DiagError, Source: model.SourceTerraform, At: model.Range{File: root}, Message: "invalid path"})
			continue
		}
		info, err := fs.Stat(l.fsys, root)
		if err != nil {
			diags = append(diags, model.Diagnostic{Severity: model.DiagError, Source: model.SourceTerraform, At: model.Range{File: root}, Message: "cannot read: " + errText(err)})
			continue
		}
		if !info.IsDir() {
			if isConfigFile(root) {
				found[path.Dir(root)] = true
			}
			continue
		}
		err = walk.Walk(l.fsys, root, func(e walk.Entry) error {
			switch {
			case e.Kind == walk.Dir:
				if e.Path != root && walk.Skipped(path.Base(e.Path)) {
					return fs.SkipDir
				}
			case e.Kind == walk.File, e.Kind == walk.Broken && isConfigFile(e.Path),
				e.Kind == walk.Irregular && (isConfigFile(e.Path) || isAutoVarFile(e.Path)):
				if isConfigFile(e.Path) {
					found[path.Dir(e.Path)] = true
				}
			default:
				diags = append(diags, e.Diagnostic(model.SourceTerraform))
			}
			return nil
		})
		if err != nil {
			diags = append(diags, model.Diagnostic{Severity: model.DiagError, Source: model.SourceTerraform, At: model.Range{File: root}, Message: "cannot read: " + errText(err)})
		}
	}
	dirs := make([]string, 0, len(found))
	for d := range found {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	return dirs, diags
}

// rootModules returns the found directories that no other found directory calls as a local
// module, plus any directory only reachable through a call cycle; and, for each root, the
// found directories it calls, directly or not (itself included).
func rootModules(dirs []string, sources map[string][]string) (roots []string, reach map[string][]string) {
	isFound := map[string]bool{}
	for _, d := range dirs {
		isFound[d] = true
	}
	calls := map[string][]string{}
	called := map[string]bool{}
	for _, d := range dirs {
		for _, src := range sources[d] {
			target, ok := cleanJoin(d, src)
			if ok && target != d && isFound[target] {
				calls[d] = append(calls[d], target)
				called[target] = true
			}
		}
	}
	reached := map[string]bool{}
	var mark func(map[string]bool, string)
	mark = func(seen map[string]bool, d string) {
		if seen[d] {
			return
		}
		seen[d] = true
		for _, t := range calls[d] {
			mark(seen, t)
		}
	}
	for _, d := range dirs {
		if !called[d] {
			roots = append(roots, d)
			mark(reached, d)
		}
	}
	for _, d := range dirs {
		if !reached[d] {
			roots = append(roots, d)
			mark(reached, d)
		}
	}
	sort.Strings(roots)
	reach = map[string][]string{}
	for _, r := range roots {
		seen := map[string]bool{}
		mark(seen, r)
		for d := range seen {
			reach[r] = append(reach[r], d)
		}
		sort.Strings(reach[r])
	}
	return roots, reach
}

// rootRun is the evaluation of one root module with all its module instances.
type rootRun struct {
	l *loader
	// fsys is what the evaluation reads through: rec when the cache records the inputs.
	fsys      fs.FS
	rec       *recorder
	mdirs     map[string]*moduleDir
	rootDir   string
	installed map[string]string // modules.json key -> directory (FS path)
	inv       *model.Inventory
	diags     []model.Diagnostic
	resources []*resInst

	instances    int
	stopped      bool
	notedFuncs   map[string]bool
	notedFiles   map[string]bool
	reportedDirs map[string]bool
	// used are the module directories the evaluation parsed or reused, released when it ends.
	used map[string]bool
}

// module returns the parsed module directory, recording that this root uses it.
func (r *rootRun) module(dir string) *moduleDir {
	if r.used == nil {
		r.used = map[string]bool{}
	}
	r.used[dir] = true
	if md := r.mdirs[dir]; md != nil {
		return md
	}
	md := r.l.moduleDir(dir)
	if r.mdirs == nil {
		r.mdirs = map[string]*moduleDir{}
	}
	r.mdirs[dir] = md
	return md
}

func (r *rootRun) diag(sev model.DiagSeverity, at model.Range, msg string) {
	r.diags = append(r.diags, model.Diagnostic{Severity: sev, Source: model.SourceTerraform, At: at, Message: msg})
}

// noteFile says once per root module why a file function left a value unknown.
func (r *rootRun) noteFile(why string, at model.Range) {
	if r.notedFiles == nil {
		r.notedFiles = map[string]bool{}
	}
	if r.notedFiles[why] {
		return
	}
	r.notedFiles[why] = true
	r.diag(model.DiagNote, at, why+"; the value read from it is unknown")
}

func (r *rootRun) noteFunc(name string, at model.Range) {
	if r.notedFuncs[name] {
		return
	}
	r.notedFuncs[name] = true
	r.diag(model.DiagNote, at, fmt.Sprintf("function %s is not supported; its result is unknown", name))
}

// countInstance accounts for one more resource or module instance; false past the budget.
func (r *rootRun) countInstance(at hcl.Range) bool {
	if r.stopped {
		return false
	}
	r.instances++
	if r.instances > maxInstances {
		r.stopped = true
		r.diag(model.DiagError, hclRange(&at), fmt.Sprintf("more than %d resource and module instances; evaluation stopped", maxInstances))
		return false
	}
	return true
}

// addDirDiags reports a directory's parse diagnostics and cycles once per root.
func (r *rootRun) addDirDiags(m *moduleDir) {
	if r.reportedDirs[m.dir] {
		return
	}
	r.reportedDirs[m.dir] = true
	r.diags = append(r.diags, m.diags...)
	for _, c := range m.graph.cycles {
		rg := m.graph.rng[c[0]]
		r.diag(model.DiagError, hclRange(&rg), cycleMessage(c))
	}
}

func (r *rootRun) reportCycles(m *moduleDir) { r.addDirDiags(m) }

func (r *rootRun) newInstance(md *moduleDir, addr, key string, inputs map[string]cty.Value, stack []string) *modInst {
	files := &fileLog{}
	return &modInst{
		run: r, dir: md, addr: addr, key: key, inputs: inputs, providers: map[string]*defaultTags{}, stack: stack,
		values: map[string]cty.Value{},
		funcs:  makeFuncs(r.fsys, r.rootDir, md.dir, files),
		files:  files,
	}
}

// runRoot evaluates one root module and maps its resources.
func (l *loader) runRoot(dir string) *rootRun {
	r := &rootRun{l: l, fsys: l.fsys, rootDir: dir, inv: &model.Inventory{}, notedFuncs: map[string]bool{}, reportedDirs: map[string]bool{}}
	if l.opts.CacheDir != "" {
		r.rec = newRecorder(l.fsys)
		r.fsys = r.rec
	}
	md := r.module(dir)
	r.addDirDiags(md)
	r.installed = r.readModulesJSON()
	inputs := r.rootInputs(md)
	mi := r.newInstance(md, "", "", inputs, []string{dir})
	mi.evaluate()
	r.mapResources()
	return r
}

// readModulesJSON reads .terraform/modules/modules.json of the root module, if present.
func (r *rootRun) readModulesJSON() map[string]string {
	name := path.Join(r.rootDir, ".terraform/modules/modules.json")
	st, err := fs.Stat(r.fsys, name)
	if err != nil {
		return nil
	}
	if !st.Mode().IsRegular() {
		// A pipe there would block the scan.
		r.diag(model.DiagNote, model.Range{File: name}, "cannot read installed modules list: not a regular file")
		return nil
	}
	src, d := readFile(r.fsys, name)
	if d != nil {
		r.diag(model.DiagNote, model.Range{File: name}, "cannot read installed modules list: "+d.Message)
		return nil
	}
	var doc struct {
		Modules []struct{ Key, Source, Dir string }
	}
	if err := json.Unmarshal(src, &doc); err != nil {
		r.diag(model.DiagNote, model.Range{File: name}, "cannot read installed modules list: invalid JSON")
		return nil
	}
	out := map[string]string{}
	for _, m := range doc.Modules {
		if m.Key == "" || m.Dir == "" {
			continue
		}
		if d, ok := cleanJoin(r.rootDir, m.Dir); ok {
			out[m.Key] = d
		}
	}
	return out
}

// resolveModule finds the directory of a module call: a local path, or an installed module.
func (r *rootRun) resolveModule(mi *modInst, c *moduleCall) (string, bool) {
	key := c.name
	if mi.key != "" {
		key = mi.key + "." + c.name
	}
	if localSource(c.source) {
		d, ok := cleanJoin(mi.dir.dir, c.source)
		if ok && r.hasConfig(d) {
			return d, true
		}
	}
	if d, ok := r.installed[key]; ok && r.hasConfig(d) {
		return d, true
	}
	return "", false
}

// moduleMissing reports a module call whose module is not there: a note (an error with
// RequireModules) of kind DiagModuleMissing, since whatever the module declares, brokers
// included, is not scanned. Messages keep stable prefixes: "module NAME (source S) is not
// installed" for registry and remote sources, "module NAME: local source S ..." for local paths.
func (r *rootRun) moduleMissing(mi *modInst, c *moduleCall) {
	var msg string
	switch d, inside := cleanJoin(mi.dir.dir, c.source); {
	case !localSource(c.source):
		msg = fmt.Sprintf("module %s (source %s) is not installed; its outputs are unknown", c.name, c.source)
	case !inside:
		msg = fmt.Sprintf("module %s: local source %s is outside the scanned directory; its outputs are unknown", c.name, c.source)
	case r.isDir(d):
		msg = fmt.Sprintf("module %s: local source %s holds no Terraform files; its outputs are unknown", c.name, c.source)
	default:
		msg = fmt.Sprintf("module %s: local source %s not found; its outputs are unknown", c.name, c.source)
	}
	sev := model.DiagNote
	if r.l.opts.RequireModules {
		sev = model.DiagError
	}
	r.diags = append(r.diags, model.Diagnostic{Severity: sev, Source: model.SourceTerraform, Kind: model.DiagModuleMissing,
		At: hclRange(&c.rng), Message: msg})
}

func (r *rootRun) isDir(dir string) bool {
	info, err := fs.Stat(r.fsys, dir)
	return err == nil && info.IsDir()
}

func (r *rootRun) hasConfig(dir string) bool {
	entries, err := fs.ReadDir(r.fsys, dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.IsDir() && isConfigFile(e.Name()) {
			return true
		}
	}
	return false
}

// rootInputs computes the root variables' values with Terraform's precedence: defaults (in
// the declaration) < TF_VAR_ < terraform.tfvars < terraform.tfvars.json < *.auto.tfvars(.json)
// in lexical order < -var-file files < -var values.
func (r *rootRun) rootInputs(md *moduleDir) map[string]cty.Value {
	inputs := map[string]cty.Value{}
	for _, kv := range r.l.opts.Env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, "TF_VAR_") {
			continue
		}
		name := strings.TrimPrefix(k, "TF_VAR_")
		if decl := md.variables[name]; decl != nil {
			val, err := parseCLIValue(decl, v)
			if err != "" {
				r.diag(model.DiagNote, model.Range{}, k+": "+err+"; ignored")
				continue
			}
			inputs[name] = val.Mark(originMark{origin: model.SecretInput, at: model.Range{Ref: k}})
		}
	}
	var files []string
	entries, _ := fs.ReadDir(r.fsys, r.rootDir)
	var auto []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() {
			continue
		}
		if strings.HasSuffix(n, ".auto.tfvars") || strings.HasSuffix(n, ".auto.tfvars.json") {
			auto = append(auto, n)
		}
	}
	sort.Strings(auto)
	for _, n := range append([]string{"terraform.tfvars", "terraform.tfvars.json"}, auto...) {
		p := path.Join(r.rootDir, n)
		if _, err := fs.Stat(r.fsys, p); err == nil {
			files = append(files, p)
		}
	}
	for _, f := range files {
		r.readVarFile(md, f, inputs)
	}
	for _, a := range r.l.opts.Vars {
		if a.File != "" {
			r.readVarFile(md, a.File, inputs)
			continue
		}
		k, v, ok := strings.Cut(a.Assign, "=")
		if !ok || k == "" {
			r.varError("--var: an argument is not NAME=VALUE")
			continue
		}
		decl := md.variables[k]
		if decl == nil {
			continue
		}
		val, err := parseCLIValue(decl, v)
		if err != "" {
			r.varError("--var " + k + ": " + err)
			continue
		}
		// Given when the command runs, like TF_VAR_*: not a literal written in the code.
		inputs[k] = val.Mark(originMark{origin: model.SecretInput, at: model.Range{Ref: "--var " + k}})
	}
	return inputs
}

// varError reports a -var value that cannot be used: as a DiagVarInvalid error, which
// loader.root hands to Stats when there is one (the diagnostic is cached with the root's
// model, so a cache hit reports it too).
func (r *rootRun) varError(msg string) {
	r.diags = append(r.diags, model.Diagnostic{Severity: model.DiagError, Source: model.SourceTerraform,
		Kind: model.DiagVarInvalid, Message: msg})
}

// readVarFile applies one tfvars file to inputs; values are marked with where they are written.
func (r *rootRun) readVarFile(md *moduleDir, name string, inputs map[string]cty.Value) {
	src, d := readFile(r.fsys, name)
	if d != nil {
		r.diags = append(r.diags, *d)
		return
	}
	f, diags := parseFile(name, src)
	if diags.HasErrors() {
		r.diags = append(r.diags, hclDiags(diags)...)
	}
	if f == nil {
		return
	}
	attrs, diags := f.Body.JustAttributes()
	if diags.HasErrors() {
		r.diags = append(r.diags, hclDiags(diags)...)
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if md.variables[n] == nil {
			continue
		}
		a := attrs[n]
		v, _ := safeValue(a.Expr)
		inputs[n] = v.Mark(originMark{origin: model.SecretLiteral, at: hclRange(&a.Range)})
	}
}

// safeValue evaluates a constant expression.
func safeValue(e hcl.Expression) (v cty.Value, diags hcl.Diagnostics) {
	defer func() {
		if recover() != nil {
			v = cty.DynamicVal
		}
	}()
	v, diags = e.Value(&hcl.EvalContext{Functions: baseFuncs})
	if v == cty.NilVal {
		v = cty.DynamicVal
	}
	return v, diags
}

// parseCLIValue parses a -var or TF_VAR_ value as Terraform does: a raw string for primitive or
// untyped variables, an HCL expression otherwise; the value must convert to the variable's type.
// The problem, if any, is described without the value.
func parseCLIValue(decl *variableDecl, raw string) (cty.Value, string) {
	v := cty.StringVal(raw)
	if decl.complexTyp {
		if checkSource("-var "+decl.name, []byte(raw)) != nil {
			return cty.NilVal, "the value is nested too deep to be read"
		}
		expr, diags := hclsyntax.ParseExpression([]byte(raw), "<value for var."+decl.name+">", hcl.InitialPos)
		if diags.HasErrors() {
			return cty.NilVal, "the value is not a valid expression for a " + decl.typ.FriendlyName()
		}
		if v, diags = safeValue(expr); diags.HasErrors() {
			return cty.NilVal, "the value is not a constant " + decl.typ.FriendlyName()
		}
	}
	if decl.hasType {
		check := v
		if decl.defaults != nil {
			check = applyDefaults(decl, check)
		}
		if _, err := convert.Convert(check, decl.typ); err != nil {
			return cty.NilVal, "the value is not a valid " + decl.typ.FriendlyName()
		}
	}
	return v, ""
}
