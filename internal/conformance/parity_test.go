package conformance

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/engine"
	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/source/cloudformation"
	"github.com/mqguard/mqguard/internal/source/terraform"
	"github.com/mqguard/mqguard/internal/source/tfplan"
)

// The three forms of a parity broker.
const (
	formTF   = "terraform"
	formPlan = "plan"
	formCFN  = "cloudformation"
)

// parityExcluded lists the rules not compared for a form, with the reason.
var parityExcluded = map[string]map[string]string{
	formPlan: {"MQG013": "a plan holds evaluated values, not where a password was written: MQG013 is N/A for plans by definition"},
}

// parityDifferences lists, by "dir/rule/subject", the documented differences between the forms: the
// status each form gives and why.
var parityDifferences = map[string]struct {
	want   map[string]string // form -> status
	reason string
}{
	"auto-upgrade-absent/MQG009/broker defaults": {
		want:   map[string]string{formTF: finding.StatusFail, formPlan: finding.StatusFail, formCFN: finding.StatusPass},
		reason: "AutoMinorVersionUpgrade absent: Terraform's default is false, CloudFormation's true",
	},
}

// parityResult is the findings of one form of one broker: "kind name" -> rule -> statuses.
type parityResult map[string]map[string][]string

// TestParity scans every broker of testdata/parity written three ways and requires the same
// (rule, subject, status) findings from each form, except for the documented differences.
// Together the brokers make every rule that applies to code fail somewhere and pass or not apply
// somewhere.
func TestParity(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "parity", "*"))
	if err != nil || len(dirs) == 0 {
		t.Fatal("no parity brokers")
	}
	seenFail, seenOther := map[string]bool{}, map[string]bool{}
	usedDiff := map[string]bool{}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			got := map[string]parityResult{
				formTF:   scanParity(t, dir, formTF),
				formPlan: scanParity(t, dir, formPlan),
				formCFN:  scanParity(t, dir, formCFN),
			}
			subjects := map[string]bool{}
			for _, r := range got {
				for s := range r {
					subjects[s] = true
				}
			}
			for _, subject := range sortedKeys(subjects) {
				ruleSet := map[string]bool{}
				for _, r := range got {
					for id := range r[subject] {
						ruleSet[id] = true
					}
				}
				for _, id := range sortedKeys(ruleSet) {
					per := map[string]string{}
					for _, form := range []string{formTF, formPlan, formCFN} {
						if _, excluded := parityExcluded[form][id]; excluded {
							continue
						}
						per[form] = strings.Join(got[form][subject][id], ",")
						for _, st := range got[form][subject][id] {
							switch st {
							case finding.StatusFail:
								seenFail[id] = true
							case finding.StatusPass, finding.StatusNA:
								seenOther[id] = true
							}
						}
					}
					key := name + "/" + id + "/" + subject
					if d, ok := parityDifferences[key]; ok {
						usedDiff[key] = true
						for form, want := range d.want {
							if per[form] != want {
								t.Errorf("%s on %s: documented difference (%s) wants %s from %s, got %s", id, subject, d.reason, want, form, per[form])
							}
						}
						continue
					}
					_, planExcluded := parityExcluded[formPlan][id]
					if per[formTF] != per[formCFN] || !planExcluded && per[formPlan] != per[formTF] {
						t.Errorf("%s on %s: terraform %q, plan %q, cloudformation %q", id, subject, per[formTF], per[formPlan], per[formCFN])
					}
				}
			}
		})
	}
	for key, d := range parityDifferences {
		if !usedDiff[key] {
			t.Errorf("documented parity difference %s (%s) names no finding", key, d.reason)
		}
	}
	for _, r := range rules.All() {
		if !failsInCode(r) {
			continue // live, probe or self-managed rules: nothing to compare in code
		}
		if !seenFail[r.ID] {
			t.Errorf("%s fails on no parity broker", r.ID)
		}
		if !seenOther[r.ID] {
			t.Errorf("%s passes (or does not apply) on no parity broker", r.ID)
		}
	}
}

// scanParity loads one form of a parity broker through its real source and returns its findings
// with --show-passed.
func scanParity(t *testing.T, dir, form string) parityResult {
	t.Helper()
	fsys := os.DirFS(dir)
	ctx := context.Background()
	var inv *model.Inventory
	var diags []model.Diagnostic
	switch form {
	case formTF:
		inv, diags = terraform.Load(ctx, fsys, []string{"."}, terraform.Options{})
	case formPlan:
		inv, diags = tfplan.Load(ctx, fsys, []string{"plan.json"}, tfplan.Options{})
	case formCFN:
		inv, diags = cloudformation.Load(ctx, fsys, []string{"template.yaml"}, cloudformation.Options{})
	}
	for _, d := range diags {
		if d.Severity == model.DiagError {
			t.Errorf("%s (%s): %v", dir, form, d)
		}
	}
	if len(inv.Brokers) != 1 {
		t.Fatalf("%s (%s): want one broker, got %d", dir, form, len(inv.Brokers))
	}
	rep, err := engine.Run(inv, diags, rules.All(), engine.Options{
		AsOf: asOf, Settings: rules.DefaultSettings(), ShowPassed: true, Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	out := parityResult{}
	for _, f := range rep.Findings {
		subject := subjectKind(f.Resource.Type) + " " + f.Resource.Name
		if out[subject] == nil {
			out[subject] = map[string][]string{}
		}
		out[subject][f.RuleID] = append(out[subject][f.RuleID], f.Status)
	}
	for _, byRule := range out {
		for _, st := range byRule {
			sort.Strings(st)
		}
	}
	return out
}

// subjectKind names a resource type the same way whatever its source.
func subjectKind(typ string) string {
	switch typ {
	case "aws_mq_broker", "AWS::AmazonMQ::Broker":
		return "broker"
	case "aws_mq_configuration", "AWS::AmazonMQ::Configuration":
		return "configuration"
	case "aws_security_group", "AWS::EC2::SecurityGroup":
		return "security group"
	case "aws_kms_key", "AWS::KMS::Key":
		return "key"
	}
	return typ
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// failsInCode reports whether a rule has a failing Terraform example: the rules that do not
// (live state, probes, self-managed brokers) have nothing to compare between code forms.
func failsInCode(r *rules.Rule) bool {
	for _, ex := range r.Examples {
		if ex.Kind == model.SourceTerraform && ex.Want == rules.Fail {
			return true
		}
	}
	return false
}
