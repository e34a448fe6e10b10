package walk

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/mqguard/mqguard/internal/model"
)

// deniedFS is fsys with the listing of some directories denied, as chmod 000 does for users
// other than root (tests run as root, where permissions are not enforced).
type deniedFS struct {
	fs.FS
	denied map[string]bool
}

func (d deniedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if d.denied[name] {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrPermission}
	}
	return fs.ReadDir(d.FS, name)
}

func (d deniedFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(d.FS, name) }

// entries walks root and describes every entry as "kind path [detail]".
func entries(t *testing.T, fsys fs.FS, root string) []string {
	t.Helper()
	var out []string
	err := Walk(fsys, root, func(e Entry) error {
		s := kindNames[e.Kind] + " " + e.Path
		if e.Problem() {
			s += ": " + e.Diagnostic("").Message
		}
		out = append(out, s)
		if e.Kind == Dir && Skipped(path.Base(e.Path)) {
			return fs.SkipDir
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var kindNames = map[Kind]string{Dir: "dir", File: "file", Irregular: "irregular", Loop: "loop", Broken: "broken", Unreadable: "unreadable", TooManyLinks: "toomany"}

// osTree makes files (content "x"), directories (a trailing "/") and links ("name -> target")
// under a new directory, and returns the directory as an FS.
func osTree(t *testing.T, items ...string) fs.FS {
	t.Helper()
	dir := t.TempDir()
	for _, it := range items {
		name, target, link := strings.Cut(it, " -> ")
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(name, "/")))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case link:
			err = os.Symlink(target, p)
		case strings.HasSuffix(name, "/"):
			err = os.MkdirAll(p, 0o755)
		case strings.HasSuffix(name, ".fifo"):
			err = syscall.Mkfifo(p, 0o644)
		case strings.HasSuffix(name, ".sock"):
			var l *net.UnixListener
			l, err = net.ListenUnix("unix", &net.UnixAddr{Name: p, Net: "unix"})
			if err == nil {
				l.SetUnlinkOnClose(false)
				err = l.Close()
			}
		default:
			err = os.WriteFile(p, []byte("x"), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return os.DirFS(dir)
}

func TestWalk(t *testing.T) {
	tests := []struct {
		name  string
		fsys  fs.FS
		want  []string
		diags []model.DiagSeverity // of the problems, in order
	}{
		{"files and directories in order", osTree(t, "r/b.tf", "r/a/c.tf", "r/a/d/"),
			[]string{"dir r", "dir r/a", "file r/a/c.tf", "dir r/a/d", "file r/b.tf"}, nil},
		{"a linked directory is walked under the link's path", osTree(t, "mods/mq/main.tf", "r/mq -> ../mods/mq"),
			[]string{"dir r", "dir r/mq", "file r/mq/main.tf"}, nil},
		{"a linked file is a file", osTree(t, "t.yaml", "r/t.yaml -> ../t.yaml"),
			[]string{"dir r", "file r/t.yaml"}, nil},
		{"a link to its own directory is a loop", osTree(t, "r/a.tf", "r/self -> ."),
			[]string{"dir r", "file r/a.tf", "loop r/self: symbolic link loop (leads back to the directory it is in); not followed"},
			[]model.DiagSeverity{model.DiagNote}},
		{"a link to the root from below is a loop", osTree(t, "r/x/y/", "r/x/y/up -> ../.."),
			[]string{"dir r", "dir r/x", "dir r/x/y", "loop r/x/y/up: symbolic link loop (leads back to ../..); not followed"},
			[]model.DiagSeverity{model.DiagNote}},
		{"links into each other loop once each way", osTree(t, "r/a/to-b -> ../b", "r/b/to-a -> ../a"),
			[]string{"dir r", "dir r/a", "dir r/a/to-b", "loop r/a/to-b/to-a: symbolic link loop (leads back to ..); not followed",
				"dir r/b", "dir r/b/to-a", "loop r/b/to-a/to-b: symbolic link loop (leads back to ..); not followed"},
			[]model.DiagSeverity{model.DiagNote, model.DiagNote}},
		{"a broken link", osTree(t, "r/gone.yaml -> nowhere"),
			[]string{"dir r", "broken r/gone.yaml: broken symbolic link (no such file or directory); skipped"},
			[]model.DiagSeverity{model.DiagNote}},
		{"FIFOs, sockets and devices are never opened", osTree(t, "r/p.fifo", "r/s.sock", "r/null.tf -> /dev/null", "r/p2.tf -> p.fifo"),
			[]string{"dir r", "irregular r/null.tf: not a regular file (character device); skipped",
				"irregular r/p.fifo: not a regular file (named pipe); skipped",
				"irregular r/p2.tf: not a regular file (named pipe); skipped",
				"irregular r/s.sock: not a regular file (socket); skipped"},
			[]model.DiagSeverity{model.DiagNote, model.DiagNote, model.DiagNote, model.DiagNote}},
		{"an unreadable directory", deniedFS{fstest.MapFS{"r/a.tf": {}, "r/locked/b.tf": {}}, map[string]bool{"r/locked": true}},
			[]string{"dir r", "file r/a.tf", "dir r/locked", "unreadable r/locked: cannot read directory: permission denied"},
			[]model.DiagSeverity{model.DiagError}},
		{"an unreadable root", deniedFS{fstest.MapFS{"r/a.tf": {}}, map[string]bool{"r": true}},
			[]string{"dir r", "unreadable r: cannot read directory: permission denied"},
			[]model.DiagSeverity{model.DiagError}},
		// A file system whose file information cannot tell directories apart: the loop ends
		// after a bounded number of links.
		{"a loop on a map file system", fstest.MapFS{"r/a.tf": {}, "r/self": {Data: []byte("."), Mode: fs.ModeSymlink}},
			nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := entries(t, tc.fsys, "r")
			var sev []model.DiagSeverity
			_ = Walk(tc.fsys, "r", func(e Entry) error {
				if e.Problem() {
					sev = append(sev, e.Diagnostic("").Severity)
				}
				return nil
			})
			if tc.want == nil { // the map file system loop
				if n := len(got); n < maxLinkDepth || n > 3*maxLinkDepth+3 {
					t.Fatalf("%d entries, want about %d: %q", n, 2*maxLinkDepth, got)
				}
				if last := got[len(got)-1]; !strings.Contains(last, "too many levels of links") {
					t.Fatalf("last entry %q, want the loop", last)
				}
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("walk:\n got %q\nwant %q", got, tc.want)
			}
			if !reflect.DeepEqual(sev, tc.diags) {
				t.Errorf("severities %v, want %v", sev, tc.diags)
			}
		})
	}
}

func TestWalkSkipDir(t *testing.T) {
	fsys := osTree(t, "r/.git/config", "r/node_modules/x/t.yaml", "r/a.tf")
	got := entries(t, fsys, "r")
	want := []string{"dir r", "dir r/.git", "file r/a.tf", "dir r/node_modules"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("walk:\n got %q\nwant %q", got, want)
	}
}

func TestWalkManyLinks(t *testing.T) {
	// Each level links twice to the next: 2^n paths without a loop. The walk stops following
	// links after MaxLinks and says so once.
	items := []string{"d0/"}
	const levels = 16
	for i := range levels {
		items = append(items, "d"+strconv.Itoa(i)+"/a -> ../d"+strconv.Itoa(i+1), "d"+strconv.Itoa(i)+"/b -> ../d"+strconv.Itoa(i+1), "d"+strconv.Itoa(i+1)+"/")
	}
	fsys := osTree(t, items...)
	var links, tooMany int
	err := Walk(fsys, "d0", func(e Entry) error {
		switch {
		case e.Kind == Dir && e.Link:
			links++
		case e.Kind == TooManyLinks:
			tooMany++
			if d := e.Diagnostic(""); d.Severity != model.DiagError {
				t.Errorf("too many links: %v, want an error", d)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if links != MaxLinks || tooMany != 1 {
		t.Errorf("followed %d links and reported %d times, want %d and once", links, tooMany, MaxLinks)
	}
}

func TestWalkStops(t *testing.T) {
	stop := errors.New("stop")
	err := Walk(fstest.MapFS{"r/a": {}, "r/b": {}}, "r", func(e Entry) error {
		if e.Kind == File {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Errorf("Walk = %v, want the visit's error", err)
	}
}
