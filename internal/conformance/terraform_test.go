package conformance

import (
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Peer check → mqguard rules. A peer check covering several of our rules fails when any fails.
var (
	checkovRules = map[string][]string{
		"CKV_AWS_69":  {"MQG001"},
		"CKV_AWS_48":  {"MQG008"},
		"CKV_AWS_197": {"MQG007"},
		"CKV_AWS_207": {"MQG009"},
		"CKV_AWS_208": {"MQG010"},
		"CKV_AWS_209": {"MQG005"},
	}
	trivyRules = map[string][]string{
		"AWS-0070": {"MQG007"},
		"AWS-0071": {"MQG008"},
		"AWS-0072": {"MQG001"},
	}
	kicsRules = map[string][]string{
		"mq_broker_is_publicly_accessible":     {"MQG001"},
		"mq_broker_logging_disabled":           {"MQG007", "MQG008"},
		"amazon_mq_broker_encryption_disabled": {"MQG005"},
		// The BOM query lists every broker: compared as "mqguard found the broker".
		"mq": nil,
	}
)

// terraformDisagreements lists, with the reason, every Terraform fixture resource on which
// mqguard's verdict differs from the peer's on purpose.
var terraformDisagreements = map[string]string{
	// Checkov hard-codes minimum versions (ActiveMQ 5.17, RabbitMQ 3.11); mqguard judges the
	// Amazon MQ end-of-support table at the scan date (2026-11-22 here).
	"checkov/CKV_AWS_208/main.tf:aws_mq_broker.pass":        "ActiveMQ 5.17 reached end of support on 2025-06-16",
	"checkov/CKV_AWS_208/main.tf:aws_mq_broker.pass2":       "RabbitMQ 3.11 reached end of support on 2025-02-17",
	"checkov/CKV_AWS_208/main.tf:aws_mq_configuration.pass": "a configuration is not a broker: MQG010 judges the version a broker runs",
	"checkov/CKV_AWS_208/main.tf:aws_mq_configuration.fail": "a configuration is not a broker: MQG010 judges the version a broker runs",
	// Checkov passes any kms_key_id; an empty encryption_options block is the AWS owned key.
	// KICS treats an empty encryption_options block as encrypted; Amazon MQ then uses the AWS
	// owned key, which RULES.md MQG005 fails.
	"kics/amazon_mq_broker_encryption_disabled/negative.tf:aws_mq_broker.negative2":              "an empty encryption_options block means use_aws_owned_key = true (the AWS owned key)",
	"kics-datadog-fork/amazon_mq_broker_encryption_disabled/negative.tf:aws_mq_broker.negative2": "an empty encryption_options block means use_aws_owned_key = true (the AWS owned key)",
	// A module from the registry that is not installed: mqguard never downloads, so the broker
	// inside it cannot be seen (a note says so).
	"kics-datadog-fork/amazon_mq_broker_encryption_disabled/positive_module.tf:line 1": "registry module terraform-aws-modules/mq/aws is not installed",
	// The fixture has no engine_type (a required argument). Audit logs exist for ActiveMQ only,
	// so mqguard cannot tell whether MQG007 applies: UNKNOWN. KICS and Trivy ignore the engine
	// and fail every broker without audit logs, RabbitMQ ones included.
	"kics/mq_broker_logging_disabled/positive.tf:aws_mq_broker.positive2":    "no engine_type: audit logging applies to ActiveMQ only (MQG007 UNKNOWN); general logs are on",
	"trivy-adapter/AWS-0070/terraform/audit_logs.tf:aws_mq_broker.example":   "no engine_type: audit logging applies to ActiveMQ only",
	"trivy-adapter/AWS-0070/terraform/defaults.tf:aws_mq_broker.example":     "no engine_type: audit logging applies to ActiveMQ only",
	"trivy-adapter/AWS-0070/terraform/general_logs.tf:aws_mq_broker.example": "no engine_type: audit logging applies to ActiveMQ only",
	"trivy-adapter/AWS-0070/terraform/lines.tf:aws_mq_broker.example":        "no engine_type: audit logging applies to ActiveMQ only",
}

func TestTerraformConformance(t *testing.T) {
	root := corpusDir(t)
	var outcomes []outcome
	outcomes = append(outcomes, checkovOutcomes(t, root)...)
	outcomes = append(outcomes, trivyOutcomes(t, root, ".tf", "terraform/", scanTerraformFile)...)
	outcomes = append(outcomes, kicsOutcomes(t, root)...)
	score(t, "terraform", prefixed("terraform", outcomes), prefixedMap("terraform", terraformDisagreements))
}

// prefixed puts the score's name in front of every key so that tables of several scores can
// share the stale-entry check.
func prefixed(name string, os []outcome) []outcome {
	out := make([]outcome, len(os))
	for i, o := range os {
		o.key = name + "/" + o.key
		out[i] = o
	}
	return out
}

func prefixedMap(name string, m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[name+"/"+k] = v
	}
	return out
}

type checkovExpected struct {
	CheckID  string   `json:"check_id"`
	Passed   []string `json:"passed"`
	Failed   []string `json:"failed"`
	Unknown  []string `json:"unknown"`
	Fixtures []string `json:"fixtures"`
}

func checkovOutcomes(t *testing.T, root string) []outcome {
	dirs, _ := filepath.Glob(filepath.Join(root, "checkov", "terraform", "*"))
	if len(dirs) == 0 {
		t.Fatal("no checkov terraform fixtures")
	}
	var out []outcome
	for _, dir := range dirs {
		var exp checkovExpected
		readJSON(t, filepath.Join(dir, "expected.json"), &exp)
		ruleIDs, ok := checkovRules[exp.CheckID]
		if !ok {
			t.Fatalf("%s: no mqguard rule mapped to %s", dir, exp.CheckID)
		}
		// Each fixture file is scanned alone: several declare the same address.
		scans := map[string]scanned{}
		for _, f := range exp.Fixtures {
			scans[f] = scanFiles(t, dir, []string{f}, ruleIDs)
		}
		add := func(entries []string, peer verdict) {
			for _, e := range entries {
				file, addr := splitFileAddress(e)
				var statuses []string
				for f, s := range scans {
					if file == "" || f == file {
						statuses = append(statuses, s.statusesFor(addr)...)
					}
				}
				shown := file
				if shown == "" {
					shown = exp.Fixtures[0]
				}
				out = append(out, outcome{key: "checkov/" + exp.CheckID + "/" + shown + ":" + addr, peer: peer, ours: combine(statuses)})
			}
		}
		add(exp.Passed, vPass)
		add(exp.Failed, vFail)
		add(exp.Unknown, vUnknown)
	}
	return out
}

// splitFileAddress splits checkov's and trivy's "file:address" form.
func splitFileAddress(e string) (file, addr string) {
	if i := strings.Index(e, ":"); i > 0 && (strings.HasSuffix(e[:i], ".tf") || strings.HasSuffix(e[:i], ".yaml")) {
		return e[:i], e[i+1:]
	}
	return "", e
}

type trivyExpected struct {
	CheckID string   `json:"check_id"`
	Passed  []string `json:"passed"`
	Failed  []string `json:"failed"`
}

type trivyAdapter struct {
	Cases []struct {
		File     string            `json:"file"`
		Resource string            `json:"resource"`
		Derived  map[string]string `json:"derived_check_results"`
		Ranges   map[string][2]int `json:"expected_ranges"`
	} `json:"cases"`
}

// trivyOutcomes scores trivy's examples of one input kind (fixture files ending in ext, named
// file:address) and the cases of its adapter tests under adapterDir ("terraform/" or
// "cloudformation/"), each scanned alone with scan.
func trivyOutcomes(t *testing.T, root, ext, adapterDir string, scan func(t *testing.T, dir, file string, ruleIDs []string) scanned) []outcome {
	dirs, _ := filepath.Glob(filepath.Join(root, "trivy", "AWS-*"))
	var out []outcome
	for _, dir := range dirs {
		var exp trivyExpected
		readJSON(t, filepath.Join(dir, "expected.json"), &exp)
		ruleIDs := trivyRules[exp.CheckID]
		for _, list := range []struct {
			entries []string
			peer    verdict
		}{{exp.Passed, vPass}, {exp.Failed, vFail}} {
			for _, e := range list.entries {
				file, addr := splitFileAddress(e)
				if !strings.HasSuffix(file, ext) {
					continue // the other input kind's fixture
				}
				s := scan(t, dir, file, ruleIDs)
				out = append(out, outcome{key: "trivy/" + exp.CheckID + "/" + e, peer: list.peer, ours: combine(s.statusesFor(addr))})
			}
		}
	}
	// The adapter cases: values trivy's adapters assert, with the check results derived from them.
	var ad trivyAdapter
	readJSON(t, filepath.Join(root, "trivy", "adapter", "expected.json"), &ad)
	for _, c := range ad.Cases {
		if !strings.HasPrefix(c.File, adapterDir) {
			continue
		}
		checks := make([]string, 0, len(c.Derived))
		for k := range c.Derived {
			checks = append(checks, k)
		}
		sort.Strings(checks)
		for _, check := range checks {
			s := scan(t, filepath.Join(root, "trivy", "adapter"), c.File, trivyRules[check])
			out = append(out, outcome{key: "trivy-adapter/" + check + "/" + c.File + ":" + c.Resource,
				peer: verdict(c.Derived[check]), ours: combine(s.statusesFor(c.Resource))})
		}
	}
	return out
}

// scanTerraformFile scans one Terraform fixture file alone.
func scanTerraformFile(t *testing.T, dir, file string, ruleIDs []string) scanned {
	return scanFiles(t, dir, []string{file}, ruleIDs)
}

type kicsResult struct {
	QueryName string `json:"queryName"`
	Line      int    `json:"line"`
	FileName  string `json:"fileName"`
}

func kicsOutcomes(t *testing.T, root string) []outcome {
	var dirs []string
	for _, pattern := range []string{"kics/terraform/*/*", "kics-datadog-fork/terraform/*/*"} {
		m, _ := filepath.Glob(filepath.Join(root, pattern))
		dirs = append(dirs, m...)
	}
	var out []outcome
	for _, dir := range dirs {
		query := filepath.Base(dir)
		peerName := strings.SplitN(strings.TrimPrefix(dir, root+string(filepath.Separator)), string(filepath.Separator), 2)[0]
		ruleIDs, ok := kicsRules[query]
		if !ok {
			t.Fatalf("%s: no mqguard rule mapped to KICS query %s", dir, query)
		}
		testDir := filepath.Join(dir, "test")
		var results []kicsResult
		readJSON(t, filepath.Join(testDir, "positive_expected_result.json"), &results)
		files, _ := filepath.Glob(filepath.Join(testDir, "*.tf"))
		var positives []string
		for _, f := range files {
			if strings.HasPrefix(filepath.Base(f), "positive") {
				positives = append(positives, filepath.Base(f))
			}
		}
		failLines := map[string]map[int]bool{}
		for _, r := range results {
			// Without a file name, KICS matches the line in any positive file.
			names := []string{r.FileName}
			if r.FileName == "" {
				names = positives
			}
			for _, name := range names {
				if failLines[name] == nil {
					failLines[name] = map[int]bool{}
				}
				failLines[name][r.Line] = true
			}
		}
		for _, f := range files {
			name := filepath.Base(f)
			s := scanFiles(t, testDir, []string{name}, ruleIDs)
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
				out = append(out, outcome{key: peerName + "/" + query + "/" + name + ":" + b.ID.Address, peer: peer, ours: ours})
			}
			for line := range failLines[name] {
				if !matched[line] {
					out = append(out, outcome{key: peerName + "/" + query + "/" + name + ":line " + strconv.Itoa(line), peer: vFail, ours: vUnknown})
				}
			}
		}
	}
	return out
}
