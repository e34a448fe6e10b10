package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mqguard/mqguard/internal/finding"
)

// testProductARN is the product of the account the IaC findings of the fixture are filed under.
const testProductARN = "arn:aws:securityhub:eu-central-1:444455556666:product/444455556666/default"

// categorised is the fixture with the categories the engine gives each rule.
func categorised() *finding.Report { return withCategories(fixture()) }

func withCategories(r *finding.Report) *finding.Report {
	byRule := map[string]string{"MQG001": "network-exposure", "MQG005": "encryption-at-rest", "MQG007": "logging",
		"MQG009": "patching", "MQG014": "authentication", "MQG020": "network-exposure"}
	for i := range r.Findings {
		r.Findings[i].Category = byRule[r.Findings[i].RuleID]
	}
	return r
}

// governance is the scan under a policy, with categories: an exception on the IaC findings'
// account and a suppressed UNKNOWN.
func governance() *finding.Report {
	r := withCategories(governanceReport())
	for i := range r.Findings {
		if f := &r.Findings[i]; f.RuleID == "MQG005" {
			f.Status = finding.StatusSuppressed
			f.Suppression = &finding.Suppression{Kind: "exception", Reason: "key managed by the partner", ApprovedBy: "secops@example.com",
				Ticket: "SEC-77", Expires: "2027-02-28", OriginalStatus: finding.StatusUnknown}
		}
	}
	return r
}

// machineGolden compares got with a golden file (rewritten with -update).
func machineGolden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", file)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./internal/report -update to accept):\n%s", file, got)
	}
}

func TestASFFOCSFGolden(t *testing.T) {
	tests := []struct {
		file, format string
		report       func() *finding.Report
		opts         Options
	}{
		{"report.asff.json", "asff", categorised, Options{ASFFProductARN: testProductARN}},
		{"report.ocsf.jsonl", "ocsf", categorised, Options{}},
		{"governance.asff.json", "asff", governance, Options{ASFFProductARN: testProductARN}},
		{"governance.ocsf.jsonl", "ocsf", governance, Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := write(t, tt.format, tt.report(), tt.opts)
			machineGolden(t, tt.file, got)
			if again := write(t, tt.format, tt.report(), tt.opts); !bytes.Equal(got, again) {
				t.Error("output is not deterministic")
			}
		})
	}
}

// asffRequired are the top-level fields BatchImportFindings requires (AWS Security Finding
// Format, SchemaVersion 2018-10-08), with Severity.Label, which Security Hub requires of
// Severity, and Resources[].Type and Id.
var asffRequired = []string{
	"SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "Types", "CreatedAt", "UpdatedAt",
	"Severity", "Title", "Description", "Resources",
}

// asffNamespaces are the first level of the ASFF types taxonomy.
var asffNamespaces = []string{"Software and Configuration Checks", "TTPs", "Effects", "Unusual Behaviors",
	"Sensitive Data Identifications"}

func decodeASFF(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var doc struct {
		Findings []map[string]any `json:"Findings"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("ASFF output is not JSON: %v", err)
	}
	return doc.Findings
}

func TestASFFRequiredFields(t *testing.T) {
	for name, r := range map[string]*finding.Report{"fixture": categorised(), "governance": governance()} {
		t.Run(name, func(t *testing.T) { checkASFFRequired(t, r) })
	}
}

func checkASFFRequired(t *testing.T, r *finding.Report) {
	out := decodeASFF(t, write(t, "asff", r, Options{ASFFProductARN: testProductARN}))
	if len(out) != len(r.Findings) {
		t.Fatalf("%d ASFF findings for %d findings", len(out), len(r.Findings))
	}
	ids := map[string]bool{}
	for i, f := range out {
		for _, k := range asffRequired {
			if v, ok := f[k]; !ok || v == "" || v == nil {
				t.Errorf("finding %d lacks required %s", i, k)
			}
		}
		if f["SchemaVersion"] != "2018-10-08" {
			t.Errorf("finding %d: SchemaVersion %v", i, f["SchemaVersion"])
		}
		id := f["Id"].(string)
		if ids[id] || id != "mqguard/"+r.Findings[i].Fingerprint {
			t.Errorf("finding %d: Id %q is not unique or not built from the fingerprint", i, id)
		}
		ids[id] = true
		if f["GeneratorId"] != r.Findings[i].RuleID {
			t.Errorf("finding %d: GeneratorId %v", i, f["GeneratorId"])
		}
		sev := f["Severity"].(map[string]any)
		if !slices.Contains([]string{"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}, sev["Label"].(string)) {
			t.Errorf("finding %d: Severity.Label %v", i, sev["Label"])
		}
		for _, ts := range []string{"CreatedAt", "UpdatedAt"} {
			if _, err := time.Parse(time.RFC3339, f[ts].(string)); err != nil {
				t.Errorf("finding %d: %s: %v", i, ts, err)
			}
		}
		for _, ty := range f["Types"].([]any) {
			ns, _, _ := strings.Cut(ty.(string), "/")
			if !strings.Contains(strings.Join(asffNamespaces, "|")+"|", ns+"|") || strings.Count(ty.(string), "/") > 2 {
				t.Errorf("finding %d: type %q is not in the ASFF taxonomy", i, ty)
			}
		}
		res := f["Resources"].([]any)
		if len(res) != 1 || res[0].(map[string]any)["Type"] == "" || res[0].(map[string]any)["Id"] == "" {
			t.Errorf("finding %d: Resources %v", i, res)
		}
		if n := utf8.RuneCountInString(f["Title"].(string)); n > asffTitleMax {
			t.Errorf("finding %d: Title has %d characters", i, n)
		}
		if n := utf8.RuneCountInString(f["Description"].(string)); n > asffDescriptionMax {
			t.Errorf("finding %d: Description has %d characters", i, n)
		}
	}
}

// TestASFFMapping: one finding at a time, what each field becomes.
func TestASFFMapping(t *testing.T) {
	live := fixture().Findings[6]
	iac := fixture().Findings[0]
	long := iac
	long.Title = strings.Repeat("t", 300)
	long.Message = strings.Repeat("é", 2000)
	long.Remediation = strings.Repeat("r", 600)
	withStatus := func(f finding.Finding, s string) finding.Finding { f.Status = s; return f }
	withCategory := func(f finding.Finding, c string) finding.Finding { f.Category = c; return f }
	tests := []struct {
		name    string
		f       finding.Finding
		opts    Options
		path    []string
		want    string
		wantErr string
	}{
		{"live broker resource", live, Options{}, []string{"Resources", "0", "Type"}, "AwsAmazonMQBroker", ""},
		{"live broker ARN", live, Options{}, []string{"Resources", "0", "Id"}, live.Resource.ARN, ""},
		{"live default product", live, Options{}, []string{"ProductArn"},
			"arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default", ""},
		{"live keeps its account", live, Options{ASFFProductARN: testProductARN}, []string{"AwsAccountId"}, "111122223333", ""},
		{"given product", live, Options{ASFFProductARN: testProductARN}, []string{"ProductArn"}, testProductARN, ""},
		{"IaC resource", iac, Options{ASFFProductARN: testProductARN}, []string{"Resources", "0", "Type"}, "Other", ""},
		{"IaC address", iac, Options{ASFFProductARN: testProductARN}, []string{"Resources", "0", "Id"}, "aws_mq_broker.orders", ""},
		{"IaC file", iac, Options{ASFFProductARN: testProductARN}, []string{"Resources", "0", "Details", "Other", "path"}, "infra/mq.tf", ""},
		{"IaC account from product", iac, Options{ASFFProductARN: testProductARN}, []string{"AwsAccountId"}, "444455556666", ""},
		{"IaC region from product", iac, Options{ASFFProductARN: testProductARN}, []string{"Resources", "0", "Region"}, "eu-central-1", ""},
		{"IaC without account", iac, Options{}, nil, "", "has no AWS account"},
		{"bad product ARN", live, Options{ASFFProductARN: "arn:aws:s3:::bucket"}, nil, "", "not a Security Hub product ARN"},
		{"fail", live, Options{}, []string{"Compliance", "Status"}, "FAILED", ""},
		{"fail workflow", live, Options{}, []string{"Workflow", "Status"}, "NEW", ""},
		{"unknown", withStatus(live, finding.StatusUnknown), Options{}, []string{"Compliance", "Status"}, "WARNING", ""},
		{"pass", withStatus(live, finding.StatusPass), Options{}, []string{"Compliance", "Status"}, "PASSED", ""},
		{"pass resolved", withStatus(live, finding.StatusPass), Options{}, []string{"Workflow", "Status"}, "RESOLVED", ""},
		{"n/a", withStatus(live, finding.StatusNA), Options{}, []string{"Compliance", "Status"}, "NOT_AVAILABLE", ""},
		{"suppressed", withStatus(live, finding.StatusSuppressed), Options{}, []string{"Workflow", "Status"}, "SUPPRESSED", ""},
		{"suppressed still fails", withStatus(live, finding.StatusSuppressed), Options{}, []string{"Compliance", "Status"}, "FAILED", ""},
		{"suppressed unknown stays undecided", suppressedUnknown(live), Options{}, []string{"Compliance", "Status"}, "WARNING", ""},
		{"suppressed unknown is suppressed", suppressedUnknown(live), Options{}, []string{"Workflow", "Status"}, "SUPPRESSED", ""},
		{"suppression ticket", suppressedUnknown(live), Options{}, []string{"ProductFields", "mqguard/suppression_ticket"}, "SEC-77", ""},
		{"record state", live, Options{}, []string{"RecordState"}, "ACTIVE", ""},
		{"severity", live, Options{}, []string{"Severity", "Label"}, "CRITICAL", ""},
		{"provider severity", live, Options{}, []string{"FindingProviderFields", "Severity", "Label"}, "CRITICAL", ""},
		{"generator", live, Options{}, []string{"GeneratorId"}, "MQG020", ""},
		{"id", live, Options{}, []string{"Id"}, "mqguard/" + live.Fingerprint, ""},
		{"type by category", withCategory(live, "network-exposure"), Options{}, []string{"Types", "0"},
			"Software and Configuration Checks/AWS Security Best Practices/Network Reachability", ""},
		{"provider type", withCategory(live, "secrets"), Options{}, []string{"FindingProviderFields", "Types", "0"},
			"Sensitive Data Identifications/Passwords", ""},
		{"type without category", live, Options{}, []string{"Types", "0"}, "Software and Configuration Checks", ""},
		{"remediation", iac, Options{ASFFProductARN: testProductARN}, []string{"Remediation", "Recommendation", "Url"}, iac.HelpURI, ""},
		{"time from as_of", live, Options{}, []string{"UpdatedAt"}, "2026-11-22T00:00:00Z", ""},
		{"injected time", live, Options{Time: time.Date(2026, 11, 23, 8, 30, 0, 0, time.FixedZone("x", 3600))}, []string{"CreatedAt"},
			"2026-11-23T07:30:00Z", ""},
		{"long title", long, Options{ASFFProductARN: testProductARN}, []string{"Title"}, "MQG001 " + strings.Repeat("t", 248) + "…", ""},
		{"long description", long, Options{ASFFProductARN: testProductARN}, []string{"Description"}, strings.Repeat("é", 1023) + "…", ""},
		{"long remediation", long, Options{ASFFProductARN: testProductARN}, []string{"Remediation", "Recommendation", "Text"},
			strings.Repeat("r", 511) + "…", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fixture()
			r.Findings = []finding.Finding{tt.f}
			var buf bytes.Buffer
			err := (asffFormat{}).Write(&buf, r, tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var v any = decodeASFF(t, buf.Bytes())[0]
			for _, k := range tt.path {
				switch x := v.(type) {
				case map[string]any:
					v = x[k]
				case []any:
					v = x[k[0]-'0']
				}
			}
			if v != tt.want {
				t.Errorf("%s = %v, want %q", strings.Join(tt.path, "."), v, tt.want)
			}
		})
	}
}

// suppressedUnknown is f, UNKNOWN, suppressed by an exception.
func suppressedUnknown(f finding.Finding) finding.Finding {
	f.Status = finding.StatusSuppressed
	f.Suppression = &finding.Suppression{Kind: "exception", Reason: "partner key", ApprovedBy: "secops", Ticket: "SEC-77",
		Expires: "2027-02-28", OriginalStatus: finding.StatusUnknown}
	return f
}

func TestASFFEmptyReport(t *testing.T) {
	r := &finding.Report{Schema: finding.Schema, Tool: finding.Tool{Name: "mqguard"}, AsOf: "2026-11-22"}
	if got := string(write(t, "asff", r, Options{})); got != "{\n  \"Findings\": []\n}\n" {
		t.Errorf("empty report: %q", got)
	}
}
