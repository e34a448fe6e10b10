package terraform

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mqguard/mqguard/internal/model"
)

// The persistent cache. With Options.CacheDir, the evaluated model of each root module (and the
// module calls of each directory, which decide the root modules) is kept on disk with the list
// of everything it was computed from: every file read (size, modification time and content
// hash), every directory listed, every path whose absence or kind mattered, and a key made of the
// options (variables, TF_VAR_* values, display paths) and the mqguard build. An entry is reused
// only while each of those is unchanged; a file whose size or time changed is hashed again, so a
// touched but identical file still hits. Entries are written to a temporary file and renamed, so
// a concurrent or interrupted scan never reads half an entry; an unreadable entry is a miss.
//
// Entries hold the model, never a secret's value (the model has none), but they do hold what
// the scanned files say (names, tags, comments): the directory and its files are made readable by
// the user alone.

// cacheSchema changes whenever what an entry means changes.
const cacheSchema = "mqguard-terraform-cache/1"

type cache struct {
	dir  string
	fsys fs.FS
	key  string // hash of the options and the build
}

// openCache returns the cache for opts, or nil (every method of a nil cache misses and stores
// nothing) when there is none.
func openCache(opts Options, fsys fs.FS) *cache {
	if opts.CacheDir == "" {
		return nil
	}
	h := sha256.New()
	put := func(s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	put(cacheSchema)
	put(opts.Version)
	put(buildIdentity())
	put(boolString(fastPath))
	put("require-modules " + boolString(opts.RequireModules))
	for _, v := range opts.Vars {
		put("var " + v.Assign)
		put("var-file " + v.File)
	}
	env := append([]string(nil), opts.Env...)
	sort.Strings(env)
	for _, e := range env {
		put("env " + e)
	}
	return &cache{dir: filepath.Join(opts.CacheDir, "terraform"), fsys: fsys, key: hex.EncodeToString(h.Sum(nil))}
}

// buildIdentity names the running binary: its path, size and modification time, so a rebuilt
// mqguard (whose evaluation may differ) never reads a previous build's entries.
func buildIdentity() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	st, err := os.Stat(exe)
	if err != nil {
		return exe
	}
	return exe + "|" + st.ModTime().UTC().Format(time.RFC3339Nano) + "|" + strconv.FormatInt(st.Size(), 10)
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// entryPath is where the entry of kind for name lives.
func (c *cache) entryPath(kind, name string, extra ...string) string {
	h := sha256.New()
	for _, s := range append([]string{c.key, kind, name}, extra...) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	sum := hex.EncodeToString(h.Sum(nil))
	return filepath.Join(c.dir, sum[:2], sum[2:])
}

// entry is what a cache file holds.
type entry struct {
	Deps  deps
	Calls []string // a directory's local module calls
	Part  []byte   // a root module's model (model.EncodePart)
}

// calls returns the cached local module calls of dir.
func (c *cache) calls(dir string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	e, ok := c.load(c.entryPath("calls", dir))
	if !ok {
		return nil, false
	}
	return e.Calls, true
}

func (c *cache) storeCalls(dir string, rec *recorder, calls []string) {
	if c == nil {
		return
	}
	c.save(c.entryPath("calls", dir), &entry{Deps: rec.deps(), Calls: calls})
}

// root returns the cached model of the root module dir.
func (c *cache) root(l *loader, dir string) (*model.Inventory, []model.Diagnostic, bool) {
	if c == nil {
		return nil, nil, false
	}
	e, ok := c.load(c.entryPath("root", dir, l.displayPath(dir)))
	if !ok {
		return nil, nil, false
	}
	inv, diags, err := model.DecodePart(bytes.NewReader(e.Part))
	if err != nil {
		return nil, nil, false
	}
	return inv, diags, true
}

// storeRoot keeps the model of an evaluated root module with the inputs of every module
// directory it used. diags carry display paths.
func (c *cache) storeRoot(l *loader, r *rootRun, diags []model.Diagnostic) {
	if c == nil || r.stopped {
		return
	}
	if r.rec == nil {
		return
	}
	d := r.rec.deps()
	for _, md := range r.mdirs {
		if md.deps == nil {
			return // parsed without recording: nothing safe to store
		}
		d.merge(*md.deps)
	}
	var buf bytes.Buffer
	if err := model.EncodePart(&buf, r.inv, diags); err != nil {
		return
	}
	c.save(c.entryPath("root", r.rootDir, l.displayPath(r.rootDir)), &entry{Deps: d, Part: buf.Bytes()})
}

func (c *cache) load(name string) (*entry, bool) {
	if c == nil {
		return nil, false
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	var e entry
	if err := gob.NewDecoder(f).Decode(&e); err != nil {
		return nil, false
	}
	if !e.Deps.valid(c.fsys) {
		return nil, false
	}
	// A used entry is marked so trimming keeps it (at most once an hour, to save writes).
	if st, err := f.Stat(); err == nil && time.Since(st.ModTime()) > time.Hour {
		now := time.Now()
		_ = os.Chtimes(name, now, now)
	}
	return &e, true
}

// Trimming: entries of other builds, options or deleted repositories are never used again. Once a
// day at most, a scan removes the entries unused for cacheMaxAge, as Go's build cache does.
const (
	cacheMaxAge    = 7 * 24 * time.Hour
	cacheTrimEvery = 24 * time.Hour
)

// trim removes old entries when the last trim is older than cacheTrimEvery. Errors are ignored:
// the cache is an optimisation.
func (c *cache) trim(now time.Time) {
	if c == nil {
		return
	}
	marker := filepath.Join(c.dir, "trimmed")
	if st, err := os.Stat(marker); err == nil && now.Sub(st.ModTime()) < cacheTrimEvery {
		return
	}
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return
	}
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		return
	}
	_ = os.Chtimes(marker, now, now)
	_ = filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == marker {
			return nil
		}
		if info, err := d.Info(); err == nil && now.Sub(info.ModTime()) > cacheMaxAge {
			_ = os.Remove(p)
		}
		return nil
	})
}

// save writes an entry atomically. Failing to write is not an error of the scan: the next scan
// evaluates again.
func (c *cache) save(name string, e *entry) {
	if err := os.MkdirAll(filepath.Dir(name), 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".entry-*")
	if err != nil {
		return
	}
	err = gob.NewEncoder(tmp).Encode(e)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
}

// deps are the inputs an entry was computed from, by FS path.
type deps struct {
	Files map[string]fileDep
	Dirs  map[string]string // directory -> hash of its listing
}

// fileDep is what mattered of a path: whether it exists and is a directory, and for a file
// whose content was read, its size, modification time and content hash.
type fileDep struct {
	Exists, IsDir bool
	Read          bool
	Size          int64
	ModTime       int64
	Hash          string
}

func (d *deps) merge(o deps) {
	if d.Files == nil {
		d.Files = map[string]fileDep{}
	}
	if d.Dirs == nil {
		d.Dirs = map[string]string{}
	}
	for k, v := range o.Files {
		if cur, ok := d.Files[k]; !ok || (v.Read && !cur.Read) {
			d.Files[k] = v
		}
	}
	for k, v := range o.Dirs {
		d.Dirs[k] = v
	}
}

// valid reports whether every input is as recorded.
func (d deps) valid(fsys fs.FS) bool {
	for name, want := range d.Files {
		st, err := fs.Stat(fsys, name)
		switch {
		case err != nil:
			if want.Exists || !errors.Is(err, fs.ErrNotExist) {
				return false
			}
			continue
		case !want.Exists || st.IsDir() != want.IsDir:
			return false
		case !want.Read:
			continue
		case st.Size() == want.Size && st.ModTime().UnixNano() == want.ModTime:
			continue
		}
		src, err := fs.ReadFile(fsys, name)
		if err != nil || contentHash(src) != want.Hash {
			return false
		}
	}
	for name, want := range d.Dirs {
		entries, err := fs.ReadDir(fsys, name)
		if err != nil || listingHash(entries) != want {
			return false
		}
	}
	return true
}

func contentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// listingHash hashes the names in a directory listing that the evaluation reads a directory
// for: configuration and variable files. Other files and directories (a report or the cache
// written beside the code) do not invalidate an entry.
func listingHash(entries []fs.DirEntry) string {
	h := sha256.New()
	for _, e := range entries {
		if n := e.Name(); !e.IsDir() && listed(n) {
			h.Write([]byte(n))
			h.Write([]byte{0})
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// listed reports whether a file name matters in a directory listing.
func listed(name string) bool {
	for _, suffix := range []string{".tf", ".tf.json", ".tfvars", ".tfvars.json"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}

// recorder is an fs.FS that records what is read through it, for the cache. It is safe for
// concurrent use.
type recorder struct {
	fsys  fs.FS
	mu    sync.Mutex
	files map[string]fileDep
	dirs  map[string]string
}

func newRecorder(fsys fs.FS) *recorder {
	return &recorder{fsys: fsys, files: map[string]fileDep{}, dirs: map[string]string{}}
}

func (r *recorder) noteStat(name string, st fs.FileInfo, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, seen := r.files[name]; seen {
		return
	}
	if err != nil {
		r.files[name] = fileDep{}
		return
	}
	r.files[name] = fileDep{Exists: true, IsDir: st.IsDir()}
}

func (r *recorder) Open(name string) (fs.File, error) {
	f, err := r.fsys.Open(name)
	if err != nil {
		r.noteStat(name, nil, err)
		return nil, err
	}
	// Content read through Open is recorded as a whole read of the file.
	if st, serr := f.Stat(); serr == nil && !st.IsDir() {
		src, rerr := io.ReadAll(f)
		_ = f.Close()
		if rerr != nil {
			return nil, rerr
		}
		r.noteRead(name, st, src)
		return r.fsys.Open(name)
	}
	return f, nil
}

func (r *recorder) noteRead(name string, st fs.FileInfo, src []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files[name] = fileDep{Exists: true, Read: true, Size: st.Size(), ModTime: st.ModTime().UnixNano(), Hash: contentHash(src)}
}

func (r *recorder) Stat(name string) (fs.FileInfo, error) {
	st, err := fs.Stat(r.fsys, name)
	r.noteStat(name, st, err)
	return st, err
}

func (r *recorder) ReadFile(name string) ([]byte, error) {
	st, err := fs.Stat(r.fsys, name)
	if err != nil {
		r.noteStat(name, nil, err)
		return nil, err
	}
	src, err := fs.ReadFile(r.fsys, name)
	if err != nil {
		return nil, err
	}
	r.noteRead(name, st, src)
	return src, nil
}

func (r *recorder) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, err := fs.ReadDir(r.fsys, name)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if _, seen := r.files[name]; !seen {
			r.files[name] = fileDep{}
		}
		return nil, err
	}
	r.dirs[name] = listingHash(entries)
	return entries, nil
}

// deps returns a copy of what was recorded.
func (r *recorder) deps() deps {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := deps{Files: make(map[string]fileDep, len(r.files)), Dirs: make(map[string]string, len(r.dirs))}
	for k, v := range r.files {
		d.Files[k] = v
	}
	for k, v := range r.dirs {
		d.Dirs[k] = v
	}
	return d
}
