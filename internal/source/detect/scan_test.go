package detect_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/mqguard/mqguard/internal/scan"
)

// These tests run whole scans: the template walk (detect.Find) and the Terraform walk meet the
// same directories, and what they meet must be reported once, with display paths.

const broker = `resource "aws_mq_broker" "b" {
  engine_type         = "ActiveMQ"
  publicly_accessible = true
}
`

// guardFS is an FS whose listing of some directories is denied (as chmod 000 does for users
// other than root) and that fails the test when a file it must never open is opened.
type guardFS struct {
	fs.FS
	t      *testing.T
	denied map[string]bool
	noOpen map[string]bool
}

func (g guardFS) Open(name string) (fs.File, error) {
	if g.noOpen[name] {
		g.t.Errorf("%s was opened", name)
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return g.FS.Open(name)
}

func (g guardFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if g.denied[name] {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrPermission}
	}
	return fs.ReadDir(g.FS, name)
}

func (g guardFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(g.FS, name) }

func run(t *testing.T, fsys fs.FS, root string) (errors, notes []string) {
	t.Helper()
	res, err := scan.Run(context.Background(), scan.Request{
		FS:      fsys,
		Paths:   []string{root},
		Display: func(p string) string { return "./" + strings.TrimPrefix(p, root+"/") },
		Rules:   []string{"MQG001"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Summary.Brokers != 1 {
		t.Errorf("%d brokers, want the readable one", res.Report.Summary.Brokers)
	}
	for _, e := range res.Report.Errors {
		errors = append(errors, e.Path+": "+e.Message)
	}
	for _, n := range res.Report.Notes {
		notes = append(notes, n.Path+": "+n.Message)
	}
	return errors, notes
}

func TestScanUnreadableDirectoryOnce(t *testing.T) {
	fsys := guardFS{FS: fstest.MapFS{
		"home/u/infra/main.tf":        {Data: []byte(broker)},
		"home/u/infra/locked/main.tf": {Data: []byte(broker)},
		"home/u/infra/locked/t.yaml":  {Data: []byte("AWSTemplateFormatVersion: '2010-09-09'\n")},
	}, t: t, denied: map[string]bool{"home/u/infra/locked": true}}
	errs, _ := run(t, fsys, "home/u/infra")
	if want := []string{"./locked: cannot read directory: permission denied"}; !reflect.DeepEqual(errs, want) {
		t.Errorf("errors = %q, want %q", errs, want)
	}
}

func TestScanSpecialFilesAndLoopsOnce(t *testing.T) {
	dir := t.TempDir()
	infra := filepath.Join(dir, "infra")
	if err := os.MkdirAll(infra, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(infra, "main.tf"), []byte(broker), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"pipe.tf", "pipe.yaml", "terraform.tfvars"} {
		if err := syscall.Mkfifo(filepath.Join(infra, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(".", filepath.Join(infra, "loop")); err != nil {
		t.Fatal(err)
	}
	fsys := guardFS{FS: os.DirFS(dir), t: t, noOpen: map[string]bool{
		"infra/pipe.tf": true, "infra/pipe.yaml": true, "infra/terraform.tfvars": true,
	}}
	errs, notes := run(t, fsys, "infra")
	if len(errs) != 0 {
		t.Errorf("errors = %q, want none", errs)
	}
	want := []string{
		"./loop: symbolic link loop (leads back to the directory it is in); not followed",
		"./pipe.tf: not a regular file (named pipe); skipped",
		"./pipe.yaml: not a regular file (named pipe); skipped",
		"./terraform.tfvars: not a regular file (named pipe); skipped",
	}
	if !reflect.DeepEqual(notes, want) {
		t.Errorf("notes:\n got %q\nwant %q", notes, want)
	}
}
