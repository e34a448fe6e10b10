package main

import (
	"context"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/mqguard/mqguard/bench/internal/blocksel"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/cloudformation"
	"github.com/mqguard/mqguard/internal/source/terraform/hclscan"
)

func generate(t *testing.T, files, cfn int) string {
	t.Helper()
	return generateProfile(t, files, cfn, false)
}

func generateProfile(t *testing.T, files, cfn int, dense bool) string {
	t.Helper()
	dir := t.TempDir()
	g := &gen{r: rand.New(rand.NewPCG(3, 0x6d71677561726400)), out: dir, dense: dense}
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

func TestDenseDeterministic(t *testing.T) {
	a, b := readTree(t, generateProfile(t, 120, 0, true)), readTree(t, generateProfile(t, 120, 0, true))
	if len(a) != len(b) {
		t.Fatalf("%d and %d files from two runs with the same seed", len(a), len(b))
	}
	for p, content := range a {
		if b[p] != content {
			t.Errorf("%s differs between two runs with the same seed", p)
		}
	}
}

// TestTerraformParses checks that every file of both profiles parses with
// hclsyntax, and that hclscan splits every .tf file, so that mqguard takes
// its fast path on the whole corpus as it would on a real repository.
func TestTerraformParses(t *testing.T) {
	for _, dense := range []bool{false, true} {
		tree := readTree(t, generateProfile(t, 150, 0, dense))
		tf := 0
		for p, content := range tree {
			if _, diags := hclsyntax.ParseConfig([]byte(content), p, hcl.InitialPos); diags.HasErrors() {
				t.Errorf("dense=%v: %s: %v", dense, p, diags)
			}
			if strings.HasSuffix(p, ".tf") {
				tf++
				if _, ok := hclscan.Blocks([]byte(content)); !ok {
					t.Errorf("dense=%v: hclscan cannot split %s", dense, p)
				}
			}
		}
		if tf != 150 {
			t.Errorf("dense=%v: %d .tf files, want 150", dense, tf)
		}
	}
}

// TestDenseShape checks, at a small size, the proportions the dense profile
// promises at 5,000 files: about 2 brokers per file, 1.25 security groups
// and 0.78 KMS keys per broker, 12.5 resources per broker, and 41 % of the
// bytes in the blocks mqguard parses at once.
func TestDenseShape(t *testing.T) {
	tree := readTree(t, generateProfile(t, 400, 0, true))
	types := map[string]int{}
	var resources, bytes, parsed int
	for p, content := range tree {
		if !strings.HasSuffix(p, ".tf") {
			continue
		}
		src := []byte(content)
		blocks, _ := hclscan.Blocks(src)
		bytes += len(src)
		for _, b := range blocks {
			if b.Type == "resource" {
				resources++
				types[b.Labels[0]]++
			}
			if blocksel.Parsed(b) {
				parsed += b.End - b.Start
			}
		}
	}
	brokers := float64(types["aws_mq_broker"])
	checks := []struct {
		what     string
		got      float64
		min, max float64
	}{
		{"brokers per .tf file", brokers / 400, 1.6, 2.4},
		{"security groups per broker", float64(types["aws_security_group"]) / brokers, 1.1, 1.4},
		{"KMS keys per broker", float64(types["aws_kms_key"]) / brokers, 0.65, 0.9},
		{"resources per broker", float64(resources) / brokers, 11, 14},
		{"share of bytes parsed at once", float64(parsed) / float64(bytes), 0.37, 0.45},
		{"bytes per .tf file", float64(bytes) / 400, 5500, 8500},
		{"ActiveMQ configurations per broker", float64(types["aws_mq_configuration"]) / brokers, 0.02, 0.1},
	}
	for _, c := range checks {
		if c.got < c.min || c.got > c.max {
			t.Errorf("%s: %.2f, want %.2f to %.2f", c.what, c.got, c.min, c.max)
		} else {
			t.Logf("%s: %.2f", c.what, c.got)
		}
	}
}
