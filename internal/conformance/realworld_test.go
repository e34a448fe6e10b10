package conformance

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mqguard/mqguard/internal/engine"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/source/terraform"
)

// realworldErrors lists the error entries a real-world repository is allowed to produce, by
// repository folder, with the reason. Notes (modules that are not installed) are always allowed.
var realworldErrors = map[string]string{
	// iac.mq/global.tf and iac.mq/mq_broker/global.tf are git symbolic links stored as plain
	// files whose whole content is "../iac.src/global.tf": not HCL.
	"aws-solutions-library-samples__guidance-for-iso20022-messaging-workflows-on-aws": "symbolic links stored as text",
}

// TestRealworldTerraform scans every real-world repository of the corpus: no panic, no error
// entry other than documented ones, and at least one broker or configuration found in each
// repository that declares one in Terraform.
func TestRealworldTerraform(t *testing.T) {
	root := filepath.Join(corpusDir(t), "realworld")
	repos, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, repo := range repos {
		if !repo.IsDir() {
			continue
		}
		t.Run(repo.Name(), func(t *testing.T) {
			dir := filepath.Join(root, repo.Name())
			declares := false
			_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && strings.HasSuffix(p, ".tf") {
					b, _ := os.ReadFile(p)
					if strings.Contains(string(b), `"aws_mq_broker"`) || strings.Contains(string(b), `"aws_mq_configuration"`) {
						declares = true
					}
				}
				return nil
			})
			if !declares {
				t.Skip("no Terraform MQ resource in this repository")
			}
			inv, diags := loadRealworld(t, dir)
			var errs []string
			for _, d := range diags {
				if d.Severity == model.DiagError {
					errs = append(errs, d.Error())
				}
			}
			sort.Strings(errs)
			if len(errs) > 0 && realworldErrors[repo.Name()] == "" {
				t.Errorf("unexpected error entries:\n%s", strings.Join(errs, "\n"))
			}
			if len(inv.Brokers)+len(inv.Configurations) == 0 {
				t.Errorf("no broker or configuration found")
			}
			rep, err := engine.Run(inv, diags, rules.All(), engine.Options{AsOf: asOf, Settings: rules.DefaultSettings(), Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d brokers, %d configurations, %d findings (%d fail, %d unknown), %d errors",
				len(inv.Brokers), len(inv.Configurations), len(rep.Findings), rep.Summary.Fail, rep.Summary.Unknown, rep.Summary.Errors)
		})
	}
}

// loadRealworld loads a real-world repository. Folders named "*.d" hold snippets taken out of
// test code or documentation (see the corpus's SOURCES.md): each file there is a configuration
// of its own, so each is loaded alone; everything else is loaded as the repository lays it out.
func loadRealworld(t *testing.T, dir string) (*model.Inventory, []model.Diagnostic) {
	t.Helper()
	ctx := context.Background()
	var snippets []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(filepath.Dir(p), ".d") && strings.HasSuffix(p, ".tf") {
			snippets = append(snippets, p)
		}
		return nil
	})
	if len(snippets) == 0 {
		return terraform.Load(ctx, os.DirFS(dir), []string{"."}, terraform.Options{})
	}
	inv := &model.Inventory{}
	var diags []model.Diagnostic
	for _, p := range snippets {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		i, d := terraform.Load(ctx, fstest.MapFS{filepath.ToSlash(rel): {Data: b}}, []string{"."}, terraform.Options{})
		inv.Merge(i)
		diags = append(diags, d...)
	}
	return inv, diags
}
