package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// scanTarget is what the user asked to scan, resolved against the file system: the root module
// directories as paths of the FS rooted at "/", and how to display a path to the user.
type scanTarget struct {
	// Roots are directories and .tf files, as FS paths (absolute paths without the leading "/").
	Roots []string
	cwd   string
	// relative: display paths relative to cwd (the user named at least one relative path);
	// otherwise absolute.
	relative bool
}

// resolvePaths checks each PATH (a directory, or a Terraform file that stands for its module
// directory) and turns it into an FS path. The result keeps the user's order without duplicates.
func resolvePaths(cwd string, paths []string) (*scanTarget, error) {
	t := &scanTarget{cwd: cwd}
	seen := map[string]bool{}
	for _, p := range paths {
		if p == "" {
			return nil, usagef("empty PATH")
		}
		abs := p
		if !filepath.IsAbs(p) {
			t.relative = true
			abs = filepath.Join(cwd, p)
		}
		abs = filepath.Clean(abs)
		st, err := os.Stat(abs)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, usagef("%s: no such file or directory", p)
		case err != nil:
			return nil, usagef("%s: %v", p, unwrapPathError(err))
		case st.IsDir(), st.Mode().IsRegular():
		default:
			return nil, usagef("%s: not a directory or a regular file", p)
		}
		root := fsPath(abs)
		if !seen[root] {
			seen[root] = true
			t.Roots = append(t.Roots, root)
		}
	}
	return t, nil
}

// fsPath turns an absolute OS path into a path of os.DirFS("/").
func fsPath(abs string) string {
	p := strings.TrimPrefix(filepath.ToSlash(filepath.Clean(abs)), "/")
	if p == "" {
		return "."
	}
	return p
}

// Display turns an FS path into the path shown to the user: relative to the working directory
// when the user named relative paths, absolute otherwise.
func (t *scanTarget) Display(p string) string {
	abs := "/"
	if p != "." {
		abs = "/" + p
	}
	abs = filepath.FromSlash(abs)
	if !t.relative {
		return abs
	}
	rel, err := filepath.Rel(t.cwd, abs)
	if err != nil {
		return abs
	}
	return filepath.ToSlash(rel)
}

// unwrapPathError drops the path from an *fs.PathError: the caller already names the path as
// the user wrote it.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
