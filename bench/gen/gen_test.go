package main

import (
	"context"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/cloudformation"
)

func generate(t *testing.T, files, cfn int) string {
	t.Helper()
	dir := t.TempDir()
	g := &gen{r: rand.New(rand.NewPCG(3, 0x6d71677561726400)), out: dir}
	if err := g.run(files, cfn); err != nil {
		t.Fatal(err)
	}
	return dir
}

// readTree returns every file under dir by its relative path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCFNDeterministic(t *testing.T) {
	a, b := readTree(t, generate(t, 0, 40)), readTree(t, generate(t, 0, 40))
	if len(a) != 40 {
		t.Fatalf("%d files, want 40", len(a))
	}
	for p, content := range a {
		if b[p] != content {
			t.Errorf("%s differs between two runs with the same seed", p)
		}
	}
}

// TestCFNTemplatesLoad checks that every generated template is recognised and
// loads without an error, in both syntaxes, and that the messaging stacks
// describe brokers and their neighbours.
func TestCFNTemplatesLoad(t *testing.T) {
	dir := generate(t, 0, 120)
	tree := readTree(t, dir)
	var paths []string
	exts := map[string]int{}
	for p, content := range tree {
		if !cloudformation.IsTemplate([]byte(content)) {
			t.Errorf("%s is not recognised as a template", p)
		}
		exts[filepath.Ext(p)]++
		if strings.HasPrefix(strings.TrimSpace(content), "{") {
			exts["json syntax"]++
		}
		paths = append(paths, p)
	}
	if exts["json syntax"] == 0 || exts["json syntax"] == len(paths) {
		t.Errorf("syntax mix: %v", exts)
	}
	inv, diags := cloudformation.Load(context.Background(), os.DirFS(dir), paths, cloudformation.Options{})
	for _, d := range diags {
		if d.Severity == model.DiagError {
			t.Errorf("load: %v", d)
		}
	}
	if len(inv.Brokers) == 0 || len(inv.Configurations) == 0 || len(inv.SecurityGroups) == 0 || len(inv.Keys) == 0 {
		t.Errorf("inventory: %d brokers, %d configurations, %d security groups, %d keys; want some of each",
			len(inv.Brokers), len(inv.Configurations), len(inv.SecurityGroups), len(inv.Keys))
	}
}

func TestMixedCorpus(t *testing.T) {
	tree := readTree(t, generate(t, 30, 10))
	var tf, cfn int
	for p := range tree {
		switch {
		case strings.HasSuffix(p, ".tf"):
			tf++
		case strings.HasPrefix(p, "cfn/"):
			cfn++
		}
	}
	if tf != 30 || cfn != 10 {
		t.Errorf("%d .tf files and %d templates, want 30 and 10", tf, cfn)
	}
}

func TestYAMLScalar(t *testing.T) {
	tests := []struct{ in, want string }{
		{"String", "String"},
		{"AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroup"},
		{"mq.t3.micro", "mq.t3.micro"},
		{"yes", `"yes"`},
		{"No", `"No"`},
		{"3.10", `"3.10"`},
		{"10.0.0.0/8", `"10.0.0.0/8"`},
		{"*", `"*"`},
		{"", `""`},
		{"a: b", `"a: b"`},
		{"x #y", `"x #y"`},
		{"-1", `"-1"`},
		{"List<String>", `List<String>`},
	}
	for _, tt := range tests {
		if got := yamlScalar(tt.in); got != tt.want {
			t.Errorf("yamlScalar(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
