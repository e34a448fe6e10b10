package conformance

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mqguard/mqguard/internal/engine"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/source/cloudformation"
)

// cloudformationDisagreements lists, with the reason, every CloudFormation fixture resource on
// which mqguard's verdict differs from the peer's on purpose.
var cloudformationDisagreements = map[string]string{
	// KICS passes any broker with EncryptionOptions; UseAwsOwnedKey: true is the AWS owned key,
	// which RULES.md MQG005 fails.
	"kics/amazon_mq_broker_encryption_disabled/negative1.yaml:BasicBroker": "UseAwsOwnedKey: true is the AWS owned key, not a customer managed key",
	"kics/amazon_mq_broker_encryption_disabled/negative2.json:BasicBroker": "UseAwsOwnedKey: true is the AWS owned key, not a customer managed key",
	// A Serverless Framework file (serverless.yml) embedding CloudFormation under
	// resources.Resources: not a CloudFormation template, so mqguard does not read it.
	"kics/mq/positive3.yaml:line 4": "a Serverless Framework file, not a CloudFormation template",
	// The fixtures have no EngineType (a required property). Audit logs exist for ActiveMQ only,
	// so mqguard cannot tell whether MQG007 applies: UNKNOWN. Trivy ignores the engine.
	"trivy/AWS-0070/fail_1.yaml:BadBroker":                            "no EngineType: audit logging applies to ActiveMQ only (MQG007 UNKNOWN)",
	"trivy/AWS-0070/pass_1.yaml:GoodBroker":                           "no EngineType: audit logging applies to ActiveMQ only (MQG007 UNKNOWN)",
	"trivy-adapter/AWS-0070/cloudformation/complete.yaml:BasicBroker": "no EngineType: audit logging applies to ActiveMQ only (MQG007 UNKNOWN)",
	"trivy-adapter/AWS-0070/cloudformation/empty.yaml:BasicBroker":    "no EngineType: audit logging applies to ActiveMQ only (MQG007 UNKNOWN)",
}

// scanTemplate loads one template file of dir through the CloudFormation source and scans it
// with the given rules.
func scanTemplate(t *testing.T, dir, file string, ruleIDs []string) scanned {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.ToSlash(file)
	fsys := fstest.MapFS{name: &fstest.MapFile{Data: b}}
	inv, diags := cloudformation.Load(context.Background(), fsys, []string{name}, cloudformation.Options{})
	for _, d := range diags {
		if d.Severity == model.DiagError {
			t.Errorf("%s: %v", filepath.Join(dir, file), d)
		}
	}
	rep, err := engine.Run(inv, diags, rules.All(), engine.Options{
		AsOf: asOf, Settings: rules.DefaultSettings(), Only: ruleIDs, ShowPassed: true, Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	return scanned{inv: inv, report: rep}
}

func TestCloudFormationConformance(t *testing.T) {
	root := corpusDir(t)
	var outcomes []outcome
	outcomes = append(outcomes, checkovCFNOutcomes(t, root)...)
	outcomes = append(outcomes, trivyOutcomes(t, root, ".yaml", "cloudformation/", scanTemplate)...)
	outcomes = append(outcomes, kicsCFNOutcomes(t, root)...)
	score(t, "cloudformation", prefixed("cloudformation", outcomes), prefixedMap("cloudformation", cloudformationDisagreements))
}

// checkovCFNOutcomes scores checkov's CloudFormation checks; their addresses are
// "AWS::AmazonMQ::Broker.LogicalId", and logical IDs are unique across a check's fixtures.
func checkovCFNOutcomes(t *testing.T, root string) []outcome {
	dirs, _ := filepath.Glob(filepath.Join(root, "checkov", "cloudformation", "*"))
	if len(dirs) == 0 {
		t.Fatal("no checkov cloudformation fixtures")
	}
	var out []outcome
	for _, dir := range dirs {
		var exp checkovExpected
		readJSON(t, filepath.Join(dir, "expected.json"), &exp)
		ruleIDs, ok := checkovRules[exp.CheckID]
		if !ok {
			t.Fatalf("%s: no mqguard rule mapped to %s", dir, exp.CheckID)
		}
		scans := map[string]scanned{}
		for _, f := range exp.Fixtures {
			scans[f] = scanTemplate(t, dir, f, ruleIDs)
		}
		add := func(entries []string, peer verdict) {
			for _, e := range entries {
				id := strings.TrimPrefix(e, "AWS::AmazonMQ::Broker.")
				file := ""
				var statuses []string
				for _, f := range exp.Fixtures {
					if st := scans[f].statusesFor(id); len(st) > 0 {
						file = f
						statuses = append(statuses, st...)
					}
				}
				out = append(out, outcome{key: "checkov/" + exp.CheckID + "/" + file + ":" + id, peer: peer, ours: combine(statuses)})
			}
		}
		add(exp.Passed, vPass)
		add(exp.Failed, vFail)
		add(exp.Unknown, vUnknown)
	}
	return out
}

// kicsCFNOutcomes scores KICS's CloudFormation queries: a broker fails when a result line of its
// file falls within the broker's resource; every other broker passes.
func kicsCFNOutcomes(t *testing.T, root string) []outcome {
	var dirs []string
	for _, pattern := range []string{"kics/cloudFormation/aws/*", "kics/cloudFormation/aws_bom/*"} {
		m, _ := filepath.Glob(filepath.Join(root, pattern))
		dirs = append(dirs, m...)
	}
	if len(dirs) == 0 {
		t.Fatal("no KICS cloudformation fixtures")
	}
	var out []outcome
	for _, dir := range dirs {
		query := filepath.Base(dir)
		ruleIDs, ok := kicsRules[query]
		if !ok {
			t.Fatalf("%s: no mqguard rule mapped to KICS query %s", dir, query)
		}
		testDir := filepath.Join(dir, "test")
		var results []kicsResult
		readJSON(t, filepath.Join(testDir, "positive_expected_result.json"), &results)
		entries, err := os.ReadDir(testDir)
		if err != nil {
			t.Fatal(err)
		}
		var files []string
		for _, e := range entries {
			n := e.Name()
			if (strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".json")) && (strings.HasPrefix(n, "positive") || strings.HasPrefix(n, "negative")) && !strings.HasSuffix(n, "_expected_result.json") {
				files = append(files, n)
			}
		}
		failLines := map[string]map[int]bool{}
		for _, r := range results {
			if failLines[r.FileName] == nil {
				failLines[r.FileName] = map[int]bool{}
			}
			failLines[r.FileName][r.Line] = true
		}
		for _, name := range files {
			s := scanTemplate(t, testDir, name, ruleIDs)
			matched := map[int]bool{}
			for _, b := range s.inv.Brokers {
				peer := vPass
				for line := range failLines[name] {
					if line >= b.ID.At.StartLine && line <= b.ID.At.EndLine {
						peer = vFail
						matched[line] = true
					}
				}
				ours := combine(s.statusesFor(b.ID.Address))
				if ruleIDs == nil { // BOM: the broker is listed
					ours = vFail
				}
				out = append(out, outcome{key: "kics/" + query + "/" + name + ":" + b.ID.Address, peer: peer, ours: ours})
			}
			for line := range failLines[name] {
				if !matched[line] {
					out = append(out, outcome{key: "kics/" + query + "/" + name + ":line " + strconv.Itoa(line), peer: vFail, ours: vUnknown})
				}
			}
		}
	}
	return out
}

// realworldCFNErrors lists the error entries real-world templates are allowed to produce, by
// corpus path, with the reason.
var realworldCFNErrors = map[string]string{
	"realworld/aws-samples__amazon-mq-workshop/CloudFormationTemplate/CreateAmazonMQWorkshop.yaml": "the template repeats the AutoMinorVersionUpgrade key of a broker",
}

// TestRealworldCloudFormation loads every CloudFormation template of the real-world corpus: no
// panic and no error entry other than documented ones.
func TestRealworldCloudFormation(t *testing.T) {
	corpus := corpusDir(t)
	root := filepath.Join(corpus, "realworld")
	var templates []string
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json", ".template":
		default:
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil && cloudformation.IsTemplate(b) {
			templates = append(templates, p)
		}
		return nil
	})
	if len(templates) == 0 {
		t.Fatal("no CloudFormation template in the real-world corpus")
	}
	seen := map[string]bool{}
	for _, p := range templates {
		rel, _ := filepath.Rel(corpus, p)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			dir := filepath.Dir(p)
			name := filepath.Base(p)
			inv, diags := cloudformation.Load(context.Background(), os.DirFS(dir), []string{name}, cloudformation.Options{})
			var errs []string
			for _, d := range diags {
				if d.Severity == model.DiagError {
					errs = append(errs, d.Error())
				}
			}
			if len(errs) > 0 {
				if realworldCFNErrors[rel] == "" {
					t.Errorf("unexpected error entries:\n%s", strings.Join(errs, "\n"))
				}
				seen[rel] = true
			}
			rep, err := engine.Run(inv, diags, rules.All(), engine.Options{AsOf: asOf, Settings: rules.DefaultSettings(), Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d brokers, %d configurations, %d findings (%d fail, %d unknown), %d errors",
				len(inv.Brokers), len(inv.Configurations), len(rep.Findings), rep.Summary.Fail, rep.Summary.Unknown, rep.Summary.Errors)
		})
	}
	for rel, reason := range realworldCFNErrors {
		if !seen[rel] {
			t.Errorf("%s is listed as producing errors (%s) but loads cleanly: remove it from the table", rel, reason)
		}
	}
}
