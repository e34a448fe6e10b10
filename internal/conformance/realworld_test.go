package conformance

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

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
			inv, diags := terraform.Load(context.Background(), os.DirFS(dir), []string{"."}, terraform.Options{})
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
