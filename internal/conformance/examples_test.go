package conformance

import (
	"context"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mqguard/mqguard/internal/engine"
	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/source/awsapi"
	"github.com/mqguard/mqguard/internal/source/brokerconf"
	"github.com/mqguard/mqguard/internal/source/cloudformation"
	"github.com/mqguard/mqguard/internal/source/terraform"
	"github.com/mqguard/mqguard/internal/source/tfplan"
)

// wantStatus maps a rule status to the report's status string.
var wantStatus = map[rules.Status]string{
	rules.Fail:          finding.StatusFail,
	rules.Unknown:       finding.StatusUnknown,
	rules.Pass:          finding.StatusPass,
	rules.NotApplicable: finding.StatusNA,
}

// TestRuleExamples runs every example of every rule through the real source of its input kind
// and the engine, so that rule metadata cannot drift from behaviour.
func TestRuleExamples(t *testing.T) {
	for _, r := range rules.All() {
		for i, ex := range r.Examples {
			t.Run(r.ID+"/"+string(ex.Kind)+"/"+wantStatus[ex.Want]+"/"+itoaPad(i), func(t *testing.T) {
				inv, diags := loadExample(t, ex)
				for _, d := range diags {
					if d.Severity == model.DiagError {
						t.Fatalf("example does not load: %v", d)
					}
				}
				rep, err := engine.Run(inv, diags, rules.All(), engine.Options{
					AsOf: asOf, Settings: rules.DefaultSettings(), Only: []string{r.ID}, ShowPassed: true, Version: "test",
				})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, f := range rep.Findings {
					if f.Resource.Address == ex.Address {
						got = append(got, f.Status)
					}
				}
				sort.Strings(got)
				want := wantStatus[ex.Want]
				ok := false
				for _, g := range got {
					if g == want {
						ok = true
					}
					// A failing example must not also pass, and a passing one must not fail.
					if want != finding.StatusFail && g == finding.StatusFail {
						ok = false
						break
					}
				}
				if !ok {
					t.Errorf("%s on %s: want %s, got %v (%s)", r.ID, ex.Address, want, got, ex.Note)
				}
			})
		}
	}
}

func loadExample(t *testing.T, ex rules.Example) (*model.Inventory, []model.Diagnostic) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range ex.Files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	ctx := context.Background()
	switch ex.Kind {
	case model.SourceTerraform:
		return terraform.Load(ctx, fsys, []string{"."}, terraform.Options{})
	case model.SourceCloudFormation:
		return cloudformation.Load(ctx, fsys, sortedNames(ex.Files), cloudformation.Options{})
	case model.SourceTFPlan:
		return tfplan.Load(ctx, fsys, sortedNames(ex.Files), tfplan.Options{})
	case model.SourceBrokerConf:
		files := map[string]brokerconf.FileKind{}
		for name, body := range ex.Files {
			if k := brokerconf.Sniff(name, []byte(body)); k != brokerconf.NotBrokerConf {
				files[name] = k
			}
		}
		return brokerconf.Load(ctx, fsys, files, brokerconf.Options{})
	case model.SourceAWS:
		// Live examples are snapshot directories, scanned through the same code as a live scan.
		return awsapi.LoadSnapshot(ctx, fsys, ".")
	default:
		t.Skipf("no source for input kind %q yet", ex.Kind)
		return nil, nil
	}
}

// sortedNames lists an example's files; nested stack children are loaded through their parent,
// so only top-level files (no slash) are named.
func sortedNames(files map[string]string) []string {
	var names []string
	for n := range files {
		if !strings.Contains(n, "/") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func itoaPad(i int) string { return string([]byte{byte('0' + i/10%10), byte('0' + i%10)}) }
