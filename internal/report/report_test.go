package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/mqguard/mqguard/internal/finding"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixture is a fixed report: several brokers, every status, a suppression with reason, an error,
// a note and a live finding without a file.
func fixture() *finding.Report {
	sup := func(s finding.Suppression) *finding.Suppression { return &s }
	return &finding.Report{
		Schema:  finding.Schema,
		Tool:    finding.Tool{Name: "mqguard", Version: "0.0.0-test"},
		AsOf:    "2026-11-22",
		Summary: finding.Summary{Brokers: 3, Fail: 3, Unknown: 1, Suppressed: 1, Errors: 1, Passed: 1, NotApplicable: 1},
		Findings: []finding.Finding{
			{
				RuleID: "MQG001", Slug: "public-access", Title: "Broker is publicly accessible",
				Severity: "HIGH", Status: finding.StatusFail,
				Resource: finding.Resource{Address: "aws_mq_broker.orders", Type: "aws_mq_broker", Name: "orders-broker",
					Engine: "ActiveMQ", Source: "terraform"},
				Location:            finding.Location{Path: "infra/mq.tf", StartLine: 14, EndLine: 14},
				Message:             "publicly_accessible is true: the broker has a public endpoint",
				ValueFrom:           "explicit",
				ReplacementRequired: true,
				Remediation:         "Create a new broker with publicly_accessible = false and migrate to it (see mqguard plan-migration).",
				Fingerprint:         "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
				Aliases:             []string{"checkov:CKV_AWS_69", "trivy:AVD-AWS-0072"},
				HelpURI:             "https://github.com/mqguard/mqguard/blob/main/docs/rules/MQG001-public-access.md",
			},
			{
				RuleID: "MQG007", Slug: "audit-log-disabled", Title: "Audit logs are not published",
				Severity: "MEDIUM", Status: finding.StatusSuppressed,
				Resource: finding.Resource{Address: "aws_mq_broker.orders", Type: "aws_mq_broker", Name: "orders-broker",
					Engine: "ActiveMQ", Source: "terraform"},
				Location:    finding.Location{Path: "infra/mq.tf", StartLine: 10, EndLine: 31},
				Message:     "logs.audit is not set (default false)",
				ValueFrom:   "default",
				Remediation: "Add logs { audit = true }.",
				Suppression: sup(finding.Suppression{Kind: "inline", Reason: "partner ingress", Approver: "secops",
					Expires: "2027-01-31", Location: &finding.Location{Path: "infra/mq.tf", StartLine: 9, EndLine: 9}}),
				Fingerprint: "1a2b3c4d5e6f708192a3b4c5d6e7f801",
				HelpURI:     "https://github.com/mqguard/mqguard/blob/main/docs/rules/MQG007-audit-log-disabled.md",
			},
			{
				RuleID: "MQG014", Slug: "default-username", Title: "A broker user has a default or guessable name",
				Severity: "MEDIUM", Status: finding.StatusFail,
				Resource: finding.Resource{Address: "aws_mq_broker.orders", Type: "aws_mq_broker", Name: "orders-broker",
					Engine: "ActiveMQ", Source: "terraform"},
				Location:    finding.Location{Path: "infra/users.tf", StartLine: 3, EndLine: 3},
				Message:     `user "admin" has a default name that attackers try first; choose a name that is specific to the application and not on any default list`,
				ValueFrom:   "explicit",
				Remediation: "Rename the user.",
				Fingerprint: "2b3c4d5e6f708192a3b4c5d6e7f80912",
			},
			{
				RuleID: "MQG005", Slug: "no-customer-managed-key", Title: "Data at rest not encrypted with a customer managed KMS key",
				Severity: "MEDIUM", Status: finding.StatusUnknown,
				Resource: finding.Resource{Address: "module.mq.aws_mq_broker.this[\"blue\"]", Type: "aws_mq_broker",
					Engine: "RabbitMQ", Source: "terraform"},
				Location:    finding.Location{Path: "modules/mq/main.tf", StartLine: 22, EndLine: 22},
				Message:     "encryption_options.kms_key_id could not be determined",
				ValueFrom:   "unknown",
				Remediation: "Set encryption_options { kms_key_id = aws_kms_key.mq.arn, use_aws_owned_key = false }.",
				Fingerprint: "3c4d5e6f708192a3b4c5d6e7f8091a2b",
			},
			{
				RuleID: "MQG007", Slug: "audit-log-disabled", Title: "Audit logs are not published",
				Severity: "MEDIUM", Status: finding.StatusNA,
				Resource: finding.Resource{Address: "module.mq.aws_mq_broker.this[\"blue\"]", Type: "aws_mq_broker",
					Engine: "RabbitMQ", Source: "terraform"},
				Location:    finding.Location{Path: "modules/mq/main.tf", StartLine: 5, EndLine: 5},
				Message:     "applies to ActiveMQ only",
				ValueFrom:   "explicit",
				Fingerprint: "4d5e6f708192a3b4c5d6e7f8091a2b3c",
			},
			{
				RuleID: "MQG009", Slug: "auto-minor-upgrade-disabled", Title: "Automatic minor version upgrades are off",
				Severity: "LOW", Status: finding.StatusPass,
				Resource: finding.Resource{Address: "module.mq.aws_mq_broker.this[\"blue\"]", Type: "aws_mq_broker",
					Engine: "RabbitMQ", Source: "terraform"},
				Location:    finding.Location{Path: "modules/mq/main.tf", StartLine: 9, EndLine: 9},
				Message:     "auto_minor_version_upgrade is true",
				ValueFrom:   "explicit",
				Fingerprint: "5e6f708192a3b4c5d6e7f8091a2b3c4d",
			},
			{
				RuleID: "MQG020", Slug: "internet-exposed-broker", Title: "Public broker reachable from the whole internet",
				Severity: "CRITICAL", Status: finding.StatusFail,
				Resource: finding.Resource{Address: "arn:aws:mq:eu-west-1:111122223333:broker:payments:b-1234", Type: "AWS::AmazonMQ::Broker",
					Name: "payments", Engine: "RabbitMQ", Source: "aws", Account: "111122223333", Region: "eu-west-1",
					ARN: "arn:aws:mq:eu-west-1:111122223333:broker:payments:b-1234"},
				Location:            finding.Location{Ref: "arn:aws:mq:eu-west-1:111122223333:broker:payments:b-1234#PubliclyAccessible"},
				Message:             "public broker; security group sg-0abc admits 0.0.0.0/0 on 5671",
				ValueFrom:           "explicit",
				ReplacementRequired: true,
				Remediation:         "Move the broker to private subnets: create a private broker and migrate.",
				Fingerprint:         "6f708192a3b4c5d6e7f8091a2b3c4d5e",
			},
		},
		Errors: []finding.Error{{Source: "terraform", Message: "Argument or block definition required", Path: "infra/broken.tf", Line: 4}},
		Notes:  []finding.Note{{Source: "terraform", Message: "module \"vpc\" is not installed; its outputs are unknown (run terraform init)", Path: "infra/main.tf", Line: 12}},
	}
}

func write(t *testing.T, name string, r *finding.Report, o Options) []byte {
	t.Helper()
	f, ok := Lookup(name)
	if !ok {
		t.Fatalf("format %q not found", name)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, r, o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	tests := []struct {
		file   string
		format string
		opts   Options
	}{
		{"report.json", "json", Options{}},
		{"report.sarif", "sarif", Options{}},
		{"report-80.txt", "table", Options{Width: 80}},
		{"report-80-color.txt", "table", Options{Width: 80, Color: true}},
		{"report-80-verbose.txt", "table", Options{Width: 80, Verbose: true}},
		{"report-140.txt", "table", Options{Width: 140}},
		{"report-140-color.txt", "table", Options{Width: 140, Color: true}},
		{"report-140-verbose-color.txt", "table", Options{Width: 140, Verbose: true, Color: true}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := write(t, tt.format, fixture(), tt.opts)
			path := filepath.Join("testdata", "golden", tt.file)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/report -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (run go test ./internal/report -update to accept):\n%s", tt.file, got)
			}
			if again := write(t, tt.format, fixture(), tt.opts); !bytes.Equal(got, again) {
				t.Error("output is not deterministic")
			}
		})
	}
}

func TestFormats(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Formats() {
		if f.Name() == "" || f.Description() == "" || seen[f.Name()] {
			t.Errorf("format %q: empty or duplicate name or description", f.Name())
		}
		seen[f.Name()] = true
		if g, ok := Lookup(f.Name()); !ok || g.Name() != f.Name() {
			t.Errorf("Lookup(%q) failed", f.Name())
		}
	}
	for _, name := range []string{"table", "json", "sarif"} {
		if !seen[name] {
			t.Errorf("format %q missing", name)
		}
	}
	if _, ok := Lookup("xml"); ok {
		t.Error("Lookup(xml) succeeded")
	}
}

func TestJSONEmptyReport(t *testing.T) {
	r := &finding.Report{Schema: finding.Schema, Tool: finding.Tool{Name: "mqguard", Version: "x"}, AsOf: "2026-11-22"}
	got := string(write(t, "json", r, Options{}))
	for _, want := range []string{`"findings": []`, `"errors": []`} {
		if !strings.Contains(got, want) {
			t.Errorf("empty report lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "null") || strings.Contains(got, "notes") || !strings.HasSuffix(got, "}\n") {
		t.Errorf("unexpected empty report:\n%s", got)
	}
	if r.Findings != nil {
		t.Error("Write modified the report")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	var back finding.Report
	if err := json.Unmarshal(write(t, "json", fixture(), Options{}), &back); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(fixture())
	b, _ := json.Marshal(&back)
	if !bytes.Equal(a, b) {
		t.Errorf("round trip changed the report:\n%s\n%s", a, b)
	}
}

func TestSARIFSchema(t *testing.T) {
	schemaFile := filepath.Join("testdata", "sarif-schema-2.1.0.json")
	raw, err := os.Open(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	doc, err := jsonschema.UnmarshalJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	empty := &finding.Report{Schema: finding.Schema, Tool: finding.Tool{Name: "mqguard"}}
	for name, r := range map[string]*finding.Report{"fixture": fixture(), "empty": empty} {
		out := write(t, "sarif", r, Options{})
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("%s: SARIF output does not validate: %v", name, err)
		}
	}
}

// TestSARIFGitHubRequirements checks what GitHub code scanning needs beyond the schema.
func TestSARIFGitHubRequirements(t *testing.T) {
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string `json:"id"`
						Properties struct {
							SecuritySeverity string `json:"security-severity"`
						} `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Suppressions        []struct {
					Kind          string `json:"kind"`
					Justification string `json:"justification"`
				} `json:"suppressions"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(write(t, "sarif", fixture(), Options{}), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Results) != len(fixture().Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(fixture().Findings))
	}
	rules := run.Tool.Driver.Rules
	for i, res := range run.Results {
		if res.RuleIndex >= len(rules) || rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %d: ruleIndex %d does not point at %s", i, res.RuleIndex, res.RuleID)
		}
		if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation.ArtifactLocation.URI == "" ||
			res.Locations[0].PhysicalLocation.Region.StartLine < 1 {
			t.Errorf("result %d has no usable location: %+v", i, res.Locations)
		}
		if res.PartialFingerprints["mqguard/v1"] == "" {
			t.Errorf("result %d has no fingerprint", i)
		}
	}
	if got := run.Results[6].Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "aws/111122223333/eu-west-1/payments" {
		t.Errorf("live finding URI = %q", got)
	}
	if s := run.Results[1].Suppressions; len(s) != 1 || s[0].Kind != "inSource" || s[0].Justification != "partner ingress" {
		t.Errorf("suppressions = %+v", s)
	}
	for _, r := range rules {
		if r.Properties.SecuritySeverity == "" {
			t.Errorf("rule %s has no security-severity", r.ID)
		}
	}
}

func TestArtifactURI(t *testing.T) {
	tests := []struct{ path, uri, base string }{
		{"infra/mq.tf", "infra/mq.tf", "%SRCROOT%"},
		{"./infra/mq.tf", "infra/mq.tf", "%SRCROOT%"},
		{"infra/my stack.yaml", "infra/my%20stack.yaml", "%SRCROOT%"},
		{"a:b/c.tf", "./a:b/c.tf", "%SRCROOT%"},
		{"/abs/mq.tf", "file:///abs/mq.tf", ""},
	}
	for _, tt := range tests {
		got := artifact(tt.path)
		if got.URI != tt.uri || got.URIBaseID != tt.base {
			t.Errorf("artifact(%q) = %+v, want %q %q", tt.path, got, tt.uri, tt.base)
		}
	}
}

// TestJSONStreamedEqualsEncoded: writing findings one by one gives the same bytes as encoding
// the whole document at once.
func TestJSONStreamedEqualsEncoded(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		r := fixture()
		r.Findings = r.Findings[:min(n, len(r.Findings))]
		var streamed, whole bytes.Buffer
		if err := (jsonFormat{}).Write(&streamed, r, Options{}); err != nil {
			t.Fatal(err)
		}
		doc := *r
		if len(doc.Findings) == 0 {
			doc.Findings = []finding.Finding{}
		}
		if doc.Errors == nil {
			doc.Errors = []finding.Error{}
		}
		if err := writeJSON(&whole, &doc); err != nil {
			t.Fatal(err)
		}
		if streamed.String() != whole.String() {
			t.Errorf("%d findings: streamed JSON differs from the encoded document", n)
		}
	}
}

// TestSARIFSuppressionKinds: a comment ignore is an in-source suppression; a policy exception
// and the baseline are external to the code.
func TestSARIFSuppressionKinds(t *testing.T) {
	for kind, want := range map[string]string{
		finding.SuppressionInline:    "inSource",
		finding.SuppressionException: "external",
		finding.SuppressionBaseline:  "external",
	} {
		r := &finding.Report{Findings: []finding.Finding{{RuleID: "MQG001", Status: finding.StatusSuppressed,
			Location:    finding.Location{Path: "main.tf", StartLine: 1, EndLine: 1},
			Suppression: &finding.Suppression{Kind: kind, Reason: "r"}}}}
		var buf bytes.Buffer
		if err := (sarifFormat{}).Write(&buf, r, Options{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), `"kind": "`+want+`"`) {
			t.Errorf("%s suppression: no %q kind in\n%s", kind, want, buf.String())
		}
	}
}
