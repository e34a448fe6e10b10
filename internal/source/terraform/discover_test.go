package terraform

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/mqguard/mqguard/internal/model"
)

const guardBroker = `resource "aws_mq_broker" "b" {
  engine_type = "ActiveMQ"
}
`

// diagStrings describes diagnostics as "file:line: message" (":0" when they name no line).
func diagStrings(diags []model.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		s := d.At.File + ":" + strconv.Itoa(d.At.StartLine) + ": " + d.Message
		if d.Severity == model.DiagNote {
			s = "note " + s
		}
		out = append(out, s)
	}
	return out
}

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

// An unreadable directory is one error, with its display path.
func TestDiscoverUnreadableDirectory(t *testing.T) {
	fsys := deniedFS{mapFS(map[string]string{"work/infra/main.tf": guardBroker, "work/infra/locked/main.tf": guardBroker}),
		map[string]bool{"work/infra/locked": true}}
	display := func(p string) string { return strings.TrimPrefix(p, "work/") }
	inv, diags := Load(context.Background(), fsys, []string{"work/infra"}, Options{Display: display})
	if want := []string{"infra/locked:0: cannot read directory: permission denied"}; !reflect.DeepEqual(diagStrings(diags), want) {
		t.Errorf("diagnostics = %q, want %q", diagStrings(diags), want)
	}
	if len(inv.Brokers) != 1 {
		t.Errorf("%d brokers, want the readable one", len(inv.Brokers))
	}
}

// osDir makes files, FIFOs (".fifo" content) and links ("-> target" content) under a new
// directory and returns it as an FS.
func osDir(t *testing.T, files map[string]string) fs.FS {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case src == ".fifo":
			err = syscall.Mkfifo(p, 0o644)
		case strings.HasPrefix(src, "-> "):
			err = os.Symlink(strings.TrimPrefix(src, "-> "), p)
		default:
			err = os.WriteFile(p, []byte(src), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return os.DirFS(dir)
}

// Linked directories are walked under the link's path, loops are cut with one note, FIFOs are
// never opened (the test would hang) and noted once.
func TestDiscoverLinksAndSpecialFiles(t *testing.T) {
	fsys := osDir(t, map[string]string{
		"stacks/mq/main.tf":            guardBroker,
		"infra/prod":                   "-> ../stacks/mq",
		"infra/loop":                   "-> .",
		"infra/dev/main.tf":            `resource "aws_mq_broker" "dev" {}`,
		"infra/dev/pipe.tf":            ".fifo",
		"infra/dev/terraform.tfvars":   ".fifo",
		"infra/dev/override.tf":        ".fifo",
		"infra/dev/gone.tf":            "-> nowhere.tf",
		"infra/dev/dangling":           "-> nowhere",
		"infra/dev/.terraform/x/p.tf":  ".fifo",
		"infra/dev/node_modules/p.tf":  ".fifo",
		"infra/dev/modules/m/main.tf":  `resource "aws_mq_broker" "m" {}`,
		"infra/dev/modules/m/pipe.tf":  ".fifo",
		"infra/dev/modules/m/link.yml": "-> ../../main.tf",
	})
	inv, diags := Load(context.Background(), fsys, []string{"infra"}, Options{})
	var addrs []string
	for _, b := range inv.Brokers {
		addrs = append(addrs, b.ID.At.File+" "+b.ID.Address)
	}
	wantAddrs := []string{"infra/dev/main.tf aws_mq_broker.dev", "infra/dev/modules/m/main.tf aws_mq_broker.m", "infra/prod/main.tf aws_mq_broker.b"}
	if !reflect.DeepEqual(addrs, wantAddrs) {
		t.Errorf("brokers = %q, want %q", addrs, wantAddrs)
	}
	want := []string{
		"note infra/loop:0: symbolic link loop (leads back to the directory it is in); not followed",
		"note infra/dev/dangling:0: broken symbolic link (no such file or directory); skipped",
		"note infra/dev/override.tf:0: not a regular file (named pipe); skipped",
		"infra/dev/gone.tf:0: cannot read file: no such file or directory",
		"note infra/dev/pipe.tf:0: not a regular file (named pipe); skipped",
		"note infra/dev/terraform.tfvars:0: not a regular file (named pipe); skipped",
		"note infra/dev/modules/m/pipe.tf:0: not a regular file (named pipe); skipped",
	}
	got := diagStrings(diags)
	if !sameSet(got, want) {
		t.Errorf("diagnostics:\n got %q\nwant %q", got, want)
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return true
}

// A FIFO given as a -var-file is read: that is how a shell hands `--var-file <(...)` over. Only
// files the loader finds by their names must be regular.
func TestReadFileNamedPipe(t *testing.T) {
	fsys := fstest.MapFS{
		"vars.pipe":        {Data: []byte(`x = "y"`), Mode: fs.ModeNamedPipe},
		"terraform.tfvars": {Data: []byte(`x = "y"`), Mode: fs.ModeNamedPipe},
		"main.tf":          {Data: []byte(guardBroker), Mode: fs.ModeNamedPipe},
		"dev":              {Data: []byte(`x`), Mode: fs.ModeDevice},
	}
	for name, wantRead := range map[string]bool{"vars.pipe": true, "terraform.tfvars": false, "main.tf": false, "dev": false} {
		src, d := readFile(fsys, name)
		if got := d == nil; got != wantRead {
			t.Errorf("readFile(%s) = %q, %v; want read %v", name, src, d, wantRead)
		}
		if d != nil && (d.Severity != model.DiagNote || !strings.HasPrefix(d.Message, "not a regular file")) {
			t.Errorf("readFile(%s): %v, want a note", name, d)
		}
	}
}
