// Package testcorpus finds the shared test corpus for the tests of every package that reads it.
package testcorpus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Path is the shared test corpus: $MQGUARD_CORPUS (relative to the module root unless
// absolute), else shared/corpus beside the module root, the directory holding go.mod
// (../shared/corpus from the repository). On error it returns the path it looked for.
func Path() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the test's directory")
		}
		dir = parent
	}
	corpus := os.Getenv("MQGUARD_CORPUS")
	if corpus == "" {
		corpus = filepath.Join("..", "shared", "corpus")
	}
	if !filepath.IsAbs(corpus) {
		corpus = filepath.Join(dir, corpus)
	}
	// A corpus reached through a symbolic link is walked as the directory it names.
	resolved, err := filepath.EvalSymlinks(corpus)
	if err != nil {
		return corpus, err
	}
	if fi, err := os.Stat(resolved); err != nil {
		return corpus, err
	} else if !fi.IsDir() {
		return corpus, errors.New("not a directory")
	}
	return resolved, nil
}

// Dir is Path for a test that needs the corpus: without it the test skips, or
// fails when CI is set (CI always has shared/ beside the clone).
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := Path()
	if err != nil {
		msg := fmt.Sprintf("no shared test corpus at %s (%v): put shared/ beside the repository or set MQGUARD_CORPUS", dir, err)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}
