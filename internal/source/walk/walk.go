// Package walk lists what is under a directory a user names, for every source that searches
// directories (the Terraform source and the detection of templates and plans), so that they all
// see the same tree:
//
//   - symbolic links are followed, as Terraform and the operating system do: a link to a
//     directory is walked under the link's path, a link to a file is that file;
//   - a link that leads back to a directory being walked (a loop) is not followed;
//   - a FIFO, socket or device is never opened (opening a FIFO nobody writes to blocks forever,
//     a device never ends);
//   - a directory that cannot be listed and a broken link are reported, not skipped silently.
package walk

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// skipped are the directories no source searches: version control metadata, installed
// Terraform modules and providers (read through .terraform/modules/modules.json when a
// configuration calls them), JavaScript dependencies.
var skipped = map[string]bool{".git": true, ".hg": true, ".svn": true, ".terraform": true, "node_modules": true}

// Skipped reports whether a directory of this name (below a root) is not searched.
func Skipped(name string) bool { return skipped[name] }

// Kind is what an entry of the walk is.
type Kind uint8

// Kinds of entries.
const (
	// Dir is a directory, the root included; its visit may return fs.SkipDir.
	Dir Kind = iota
	// File is a regular file (possibly through a link).
	File
	// Irregular is a FIFO, socket, device or other file that is not regular: never opened.
	Irregular
	// Loop is a link to a directory the walk is already inside: not followed.
	Loop
	// Broken is a link whose target cannot be resolved.
	Broken
	// Unreadable is a directory that cannot be listed.
	Unreadable
	// TooManyLinks is the first link to a directory not followed because the walk already
	// followed MaxLinks of them.
	TooManyLinks
)

const (
	// MaxLinks bounds the links to directories one walk follows: links can make a small tree
	// look exponentially large (each level linking twice to the next) without any loop.
	MaxLinks = 10000
	// maxLinkDepth bounds the links followed on one path. It stops loops on file systems whose
	// file information cannot tell two directories apart (os.SameFile needs the os package's).
	maxLinkDepth = 40
)

// Entry is one thing found by the walk.
type Entry struct {
	// Path is the FS path, under the root as walked (through links, not their targets).
	Path string
	Kind Kind
	// Mode is the type of the resolved file (for Irregular: the pipe, socket or device bit).
	Mode fs.FileMode
	// Link is true when Path is a symbolic link (Irregular, Loop, Broken, or a followed one).
	Link bool
	// Target is, for a Loop, the path of the directory it leads back to ("" when unknown).
	Target string
	// Err is why a Broken link or an Unreadable directory cannot be read.
	Err error
}

// Problem reports whether the entry is something the user should be told about.
func (e Entry) Problem() bool { return e.Kind != Dir && e.Kind != File }

// Diagnostic describes a problem entry, at its FS path. Skipped entries (Irregular, Loop,
// Broken) are notes: they are no inputs, or lead back to inputs already searched. An Unreadable
// directory and links not followed past MaxLinks are errors: inputs may be missing, the scan is
// incomplete.
func (e Entry) Diagnostic(src model.SourceKind) model.Diagnostic {
	d := model.Diagnostic{Severity: model.DiagNote, Source: src, At: model.Range{File: e.Path}}
	switch e.Kind {
	case Irregular:
		d.Message = fmt.Sprintf("not a regular file (%s); skipped", TypeName(e.Mode))
	case Loop:
		// The target is named relative to the link, which reads the same whatever the paths
		// are displayed as.
		switch rel := RelPath(path.Dir(e.Path), e.Target); {
		case e.Target == "":
			d.Message = "symbolic link loop (too many levels of links); not followed"
		case rel == ".":
			d.Message = "symbolic link loop (leads back to the directory it is in); not followed"
		default:
			d.Message = fmt.Sprintf("symbolic link loop (leads back to %s); not followed", rel)
		}
	case Broken:
		d.Message = "broken symbolic link (" + ErrText(e.Err) + "); skipped"
	case Unreadable:
		d.Severity = model.DiagError
		d.Message = "cannot read directory: " + ErrText(e.Err)
	case TooManyLinks:
		d.Severity = model.DiagError
		d.Message = fmt.Sprintf("more than %d symbolic links to directories; this one and the rest are not followed", MaxLinks)
	}
	return d
}

// RelPath returns target relative to base; both are clean slash-separated FS paths.
func RelPath(base, target string) string {
	split := func(p string) []string {
		if p == "." || p == "" {
			return nil
		}
		return strings.Split(p, "/")
	}
	b, t := split(base), split(target)
	i := 0
	for i < len(b) && i < len(t) && b[i] == t[i] {
		i++
	}
	var parts []string
	for range b[i:] {
		parts = append(parts, "..")
	}
	parts = append(parts, t[i:]...)
	if len(parts) == 0 {
		return "."
	}
	return strings.Join(parts, "/")
}

// TypeName names the type of a file that is not regular.
func TypeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeIrregular != 0:
		return "irregular file"
	case m.IsDir():
		return "directory"
	}
	return "special file"
}

// ErrText is an error's text without the path, which a diagnostic names already.
func ErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// Walk visits root (a directory) and everything under it, in lexical order, a directory before
// its contents. visit may return fs.SkipDir for a Dir to skip it; any other error stops the walk
// and is returned. Problems are visited as entries, never returned as errors.
func Walk(fsys fs.FS, root string, visit func(Entry) error) error {
	w := &walker{fsys: fsys, visit: visit}
	err := w.dir(root, false)
	if errors.Is(err, fs.SkipDir) || errors.Is(err, fs.SkipAll) {
		return nil
	}
	return err
}

type walker struct {
	fsys  fs.FS
	visit func(Entry) error
	// stack holds the directories the walk is inside, root first.
	stack []ancestor
	links int // links to directories followed
}

type ancestor struct {
	path string
	info fs.FileInfo // resolved information, read when a link needs comparing
	link bool
}

func (w *walker) dir(p string, link bool) error {
	if err := w.visit(Entry{Path: p, Kind: Dir, Mode: fs.ModeDir, Link: link}); err != nil {
		return err
	}
	entries, err := fs.ReadDir(w.fsys, p)
	if err != nil {
		if err := w.visit(Entry{Path: p, Kind: Unreadable, Mode: fs.ModeDir, Link: link, Err: err}); err != nil {
			return err
		}
		// fs.ReadDir may return the entries it read before the error: walk them.
	}
	w.stack = append(w.stack, ancestor{path: p, link: link})
	defer func() { w.stack = w.stack[:len(w.stack)-1] }()
	for _, d := range entries {
		if err := w.entry(path.Join(p, d.Name()), d); err != nil {
			if errors.Is(err, fs.SkipDir) {
				continue
			}
			return err
		}
	}
	return nil
}

func (w *walker) entry(p string, d fs.DirEntry) error {
	t := d.Type()
	switch {
	case t.IsRegular():
		return w.visit(Entry{Path: p, Kind: File})
	case t.IsDir():
		return w.dir(p, false)
	case t&fs.ModeSymlink == 0:
		return w.visit(Entry{Path: p, Kind: Irregular, Mode: t})
	}
	info, err := fs.Stat(w.fsys, p)
	switch {
	case err != nil:
		return w.visit(Entry{Path: p, Kind: Broken, Mode: fs.ModeSymlink, Link: true, Err: err})
	case info.Mode().IsRegular():
		return w.visit(Entry{Path: p, Kind: File, Link: true})
	case !info.IsDir():
		return w.visit(Entry{Path: p, Kind: Irregular, Mode: info.Mode().Type(), Link: true})
	}
	if target, loop := w.loop(info); loop {
		return w.visit(Entry{Path: p, Kind: Loop, Mode: fs.ModeDir, Link: true, Target: target})
	}
	if w.links >= MaxLinks {
		if w.links == MaxLinks {
			w.links++
			return w.visit(Entry{Path: p, Kind: TooManyLinks, Mode: fs.ModeDir, Link: true})
		}
		return nil
	}
	w.links++
	return w.dir(p, true)
}

// loop reports whether the directory info describes is one the walk is inside, and which.
func (w *walker) loop(info fs.FileInfo) (string, bool) {
	depth := 0
	for i := range w.stack {
		a := &w.stack[i]
		if a.link {
			depth++
		}
		if a.info == nil {
			if st, err := fs.Stat(w.fsys, a.path); err == nil {
				a.info = st
			}
		}
		if a.info != nil && os.SameFile(a.info, info) {
			return a.path, true
		}
	}
	return "", depth >= maxLinkDepth
}
