package terraform

import (
	"bytes"
	"context"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/terraform/hclscan"
)

// Emit receives one part of a scan: the model of one root module and its diagnostics, or
// diagnostics alone (part nil). It is called from several goroutines at once.
type Emit func(part *model.Inventory, diags []model.Diagnostic)

// Stream scans the named roots (FS paths of directories or .tf files, slash-separated, "."
// allowed) in fsys. Every directory with .tf/.tf.json files under a root is found (skipping
// .git, .terraform except for installed modules, node_modules); a directory called as a local
// module by another found directory is not also scanned as a root (its resources appear under
// module addresses).
//
// Root modules are found first, from the module calls alone; then each is parsed, evaluated and
// mapped on its own worker and handed to emit, and its syntax trees are dropped (a module
// directory that several root modules call is kept until the last of them is done). Memory
// follows the root modules in flight, not the repository. The order of emit calls is not
// defined; everything emitted is deterministic.
//
// Variable values given on the command line apply to every root module, after the automatic
// tfvars files, in the order given.
func Stream(ctx context.Context, fsys fs.FS, roots []string, opts Options, emit Emit) {
	stream(ctx, fsys, roots, opts, func(_ int, part *model.Inventory, diags []model.Diagnostic) { emit(part, diags) })
}

// stream is Stream, telling emit the index of the root module (in path order) each part is;
// -1 for diagnostics that belong to no root module.
func stream(ctx context.Context, fsys fs.FS, roots []string, opts Options, emit func(int, *model.Inventory, []model.Diagnostic)) {
	l := &loader{fsys: fsys, opts: opts, dirs: map[string]*dirEntry{}, uses: map[string]int{}}
	if l.opts.Display == nil {
		l.opts.Display = func(p string) string { return p }
	}
	dirs, d := l.discover(roots)
	emit(-1, nil, l.displayAll(d))

	cache := openCache(opts, fsys)
	defer cache.trim(time.Now())
	sources := l.localCalls(ctx, dirs, cache)
	rootDirs, reach := rootModules(dirs, sources)
	l.roots = make(map[string]bool, len(rootDirs))
	for _, r := range rootDirs {
		l.roots[r] = true
	}
	for _, r := range rootDirs {
		for _, d := range reach[r] {
			l.uses[d]++
		}
	}

	// "function X is not supported" is said once per scan, at its first root module in path
	// order, whichever worker meets it first.
	var mu sync.Mutex
	funcNotes := map[string]indexedDiag{}
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(rootDirs)) {
		wg.Go(func() {
			for i := range next {
				inv, diags := l.root(rootDirs[i], reach[rootDirs[i]], cache)
				var kept []model.Diagnostic
				for _, dg := range diags {
					if dg.Severity == model.DiagNote && strings.HasPrefix(dg.Message, "function ") {
						mu.Lock()
						if prev, seen := funcNotes[dg.Message]; !seen || i < prev.index {
							funcNotes[dg.Message] = indexedDiag{i, dg}
						}
						mu.Unlock()
						continue
					}
					kept = append(kept, dg)
				}
				emit(i, inv, kept)
			}
		})
	}
feed:
	for i := range rootDirs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	var notes []model.Diagnostic
	for _, n := range funcNotes {
		notes = append(notes, n.diag)
	}
	if err := ctx.Err(); err != nil {
		notes = append(notes, model.Diagnostic{Severity: model.DiagError, Source: model.SourceTerraform, Message: "scan interrupted: " + err.Error()})
	}
	emit(-1, nil, notes)
}

type indexedDiag struct {
	index int
	diag  model.Diagnostic
}

// root evaluates one root module, or takes its model from the cache, and releases the module
// directories it used. Diagnostics carry display paths.
func (l *loader) root(dir string, reach []string, cache *cache) (*model.Inventory, []model.Diagnostic) {
	if l.opts.Stats != nil {
		l.opts.Stats.Roots.Add(1)
	}
	if inv, diags, ok := cache.root(l, dir); ok {
		if l.opts.Stats != nil {
			l.opts.Stats.CacheHits.Add(1)
		}
		l.release(reach, nil)
		return inv, l.takeVarErrors(diags)
	}
	r := l.runRoot(dir)
	diags := l.displayAll(r.diags)
	cache.storeRoot(l, r, diags)
	l.release(reach, r.used)
	return r.inv, l.takeVarErrors(diags)
}

// takeVarErrors moves the DiagVarInvalid diagnostics to Stats, when there is one, for the
// caller to report as a usage error; without Stats they stay errors of the scan.
func (l *loader) takeVarErrors(diags []model.Diagnostic) []model.Diagnostic {
	if l.opts.Stats == nil {
		return diags
	}
	kept := diags[:0:0]
	for _, d := range diags {
		if d.Kind == model.DiagVarInvalid {
			l.opts.Stats.addVarError(d.Message)
			continue
		}
		kept = append(kept, d)
	}
	return kept
}

// release drops the parsed directories no root module still to be evaluated uses: those reach
// counted for this root, and those the evaluation used without their being counted (installed
// modules, calls found only by evaluation).
func (l *loader) release(reach []string, used map[string]bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range reach {
		l.uses[d]--
		if l.uses[d] <= 0 {
			delete(l.dirs, d)
		}
	}
	for d := range used {
		if l.uses[d] <= 0 {
			delete(l.dirs, d)
		}
	}
}

func (l *loader) displayAll(diags []model.Diagnostic) []model.Diagnostic {
	for i := range diags {
		diags[i] = l.display(diags[i])
	}
	return diags
}

// localCalls returns, for every directory, the sources of its module calls that are local
// paths, in parallel. Only module blocks are parsed (a file the block scanner is unsure of is
// parsed whole); syntax errors are left to the evaluation to report.
func (l *loader) localCalls(ctx context.Context, dirs []string, cache *cache) map[string][]string {
	out := make([][]string, len(dirs))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(dirs)) {
		wg.Go(func() {
			for i := range next {
				if calls, ok := cache.calls(dirs[i]); ok {
					out[i] = calls
					continue
				}
				if cache == nil {
					out[i] = dirLocalCalls(l.fsys, dirs[i])
					continue
				}
				rec := newRecorder(l.fsys)
				out[i] = dirLocalCalls(rec, dirs[i])
				cache.storeCalls(dirs[i], rec, out[i])
			}
		})
	}
feed:
	for i := range dirs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	m := make(map[string][]string, len(dirs))
	for i, d := range dirs {
		m[d] = out[i]
	}
	return m
}

// mayDeclareModule reports whether a native-syntax file may hold a module block: a line whose
// first word, after spaces and tabs, is "module". Most files hold none, and need no scan.
func mayDeclareModule(src []byte) bool {
	for i := 0; ; {
		j := bytes.Index(src[i:], []byte("module"))
		if j < 0 {
			return false
		}
		j += i
		k := j
		for k > 0 && (src[k-1] == ' ' || src[k-1] == '\t') {
			k--
		}
		if k == 0 || src[k-1] == '\n' {
			return true
		}
		i = j + len("module")
	}
}

// moduleBlockSchema picks the module blocks of a file.
var moduleBlockSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "module", LabelNames: []string{"name"}}}}

// dirLocalCalls returns the local sources of the module calls of one directory.
func dirLocalCalls(fsys fs.FS, dir string) []string {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isConfigFile(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var calls []string
	add := func(f *hcl.File) {
		if f == nil {
			return
		}
		content, _, _ := f.Body.PartialContent(moduleBlockSchema)
		if content == nil {
			return
		}
		for _, blk := range content.Blocks {
			attrs, _ := blk.Body.JustAttributes()
			if src, ok := literalString(attrs["source"]); ok && localSource(src) {
				calls = append(calls, src)
			}
		}
	}
	for _, n := range names {
		name := path.Join(dir, n)
		src, d := readFile(fsys, name)
		if d != nil {
			continue // reported when the directory is loaded
		}
		if fastPath && !strings.HasSuffix(name, ".json") {
			if !mayDeclareModule(src) {
				continue
			}
			if blocks, ok := hclscan.Blocks(src); ok {
				for _, b := range blocks {
					if b.Type == "module" && checkBlock(name, src, b) == nil {
						f, _ := hclsyntax.ParseConfig(src[b.Start:b.End], name, hcl.Pos{Line: b.Line, Column: b.Column, Byte: b.Start})
						add(f)
					}
				}
				continue
			}
		}
		f, _ := parseFile(name, src)
		add(f)
	}
	return calls
}
