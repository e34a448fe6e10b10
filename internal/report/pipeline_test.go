package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/mqguard/mqguard/internal/finding"
)

// governanceReport is a scan under a policy: findings suppressed inline, by an approved
// exception and by the baseline, one whose exception expired (FAIL again), an UNKNOWN, a
// resource failing one rule twice, a live finding, a PASS, and text that is hostile to every
// format (markup, pipes, line breaks, a spreadsheet formula, control characters).
func governanceReport() *finding.Report {
	sup := func(s finding.Suppression) *finding.Suppression { return &s }
	orders := finding.Resource{Address: "aws_mq_broker.orders", Type: "aws_mq_broker", Name: "orders-broker", Engine: "ActiveMQ", Source: "terraform"}
	partner := finding.Resource{Address: `module.partner.aws_mq_broker.this["eu"]`, Type: "aws_mq_broker", Name: "=HYPERLINK(\"http://x\")", Engine: "RabbitMQ", Source: "terraform"}
	live := finding.Resource{Address: "arn:aws:mq:eu-west-1:111122223333:broker:payments:b-1234", Type: "AWS::AmazonMQ::Broker",
		Name: "payments", Engine: "RabbitMQ", Source: "aws", Account: "111122223333", Region: "eu-west-1",
		ARN: "arn:aws:mq:eu-west-1:111122223333:broker:payments:b-1234"}
	doc := func(id, slug string) string {
		return "https://github.com/mqguard/mqguard/blob/main/docs/rules/" + id + "-" + slug + ".md"
	}
	return &finding.Report{
		Schema:  finding.Schema,
		Tool:    finding.Tool{Name: "mqguard", Version: "0.0.0-test"},
		AsOf:    "2026-11-22",
		Summary: finding.Summary{Brokers: 3, Fail: 4, Unknown: 1, Suppressed: 4, Baselined: 1, Errors: 1, Passed: 1},
		Findings: []finding.Finding{
			{
				RuleID: "MQG001", Slug: "public-access", Title: "Broker is publicly accessible", Severity: "HIGH",
				Status: finding.StatusSuppressed, Resource: partner,
				Location: finding.Location{Path: "modules/partner/mq.tf", StartLine: 7, EndLine: 7},
				Message:  "publicly_accessible is true: the broker has a public endpoint", ValueFrom: "explicit",
				ReplacementRequired: true, Remediation: "Create a private broker and migrate to it.",
				Suppression: sup(finding.Suppression{Kind: finding.SuppressionException, Reason: "partner ingress <TLS only> & IP-restricted",
					Approver: "secops@example.com", ApprovedBy: "secops@example.com", Ticket: "SEC-42", Expires: "2027-03-31",
					OriginalStatus: finding.StatusFail, Location: &finding.Location{Path: ".mqguard.yaml", StartLine: 12, EndLine: 12}}),
				Fingerprint: "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", HelpURI: doc("MQG001", "public-access"),
			},
			{
				RuleID: "MQG001", Slug: "public-access", Title: "Broker is publicly accessible", Severity: "HIGH",
				Status: finding.StatusFail, Resource: orders,
				Location:  finding.Location{Path: "infra/mq.tf", StartLine: 14, EndLine: 14},
				Message:   "publicly_accessible is true: the broker has a public endpoint; the exception approved by secops (SEC-12) expired on 2026-10-31",
				ValueFrom: "explicit", ReplacementRequired: true, Remediation: "Create a private broker and migrate to it.",
				Fingerprint: "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2", HelpURI: doc("MQG001", "public-access"),
			},
			{
				RuleID: "MQG007", Slug: "audit-log-disabled", Title: "Audit logs are not published", Severity: "MEDIUM",
				Status: finding.StatusSuppressed, Resource: orders,
				Location: finding.Location{Path: "infra/mq.tf", StartLine: 10, EndLine: 31},
				Message:  "logs.audit is not set (default false)", ValueFrom: "default", Remediation: "Add logs { audit = true }.",
				Suppression: sup(finding.Suppression{Kind: finding.SuppressionBaseline, OriginalStatus: finding.StatusFail}),
				Fingerprint: "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3", HelpURI: doc("MQG007", "audit-log-disabled"),
			},
			{
				RuleID: "MQG007", Slug: "audit-log-disabled", Title: "Audit logs are not published", Severity: "MEDIUM",
				Status: finding.StatusSuppressed, Resource: partner,
				Location: finding.Location{Path: "modules/partner/mq.tf", StartLine: 3, EndLine: 20},
				Message:  "logs.audit is false", ValueFrom: "explicit", Remediation: "Add logs { audit = true }.",
				Suppression: sup(finding.Suppression{Kind: "inline", Reason: "audit | shipped\nby the sidecar", Expires: "2027-01-31",
					Location: &finding.Location{Path: "modules/partner/mq.tf", StartLine: 2, EndLine: 2}}),
				Fingerprint: "d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4", HelpURI: doc("MQG007", "audit-log-disabled"),
			},
			{
				RuleID: "MQG014", Slug: "default-username", Title: "A broker user has a default or guessable name", Severity: "MEDIUM",
				Status: finding.StatusFail, Resource: orders,
				Location: finding.Location{Path: "infra/users.tf", StartLine: 3, EndLine: 3},
				Message:  `user "admin" has a default name`, ValueFrom: "explicit", Remediation: "Rename the user.",
				Fingerprint: "e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5", HelpURI: doc("MQG014", "default-username"),
			},
			{
				RuleID: "MQG014", Slug: "default-username", Title: "A broker user has a default or guessable name", Severity: "MEDIUM",
				Status: finding.StatusFail, Resource: orders,
				Location: finding.Location{Path: "infra/users.tf", StartLine: 9, EndLine: 9},
				Message:  "-user \"guest\" | has a *default* name\x1b[31m", ValueFrom: "explicit", Remediation: "Rename the user.",
				Fingerprint: "f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6", HelpURI: doc("MQG014", "default-username"),
			},
			{
				RuleID: "MQG005", Slug: "no-customer-managed-key", Title: "Data at rest not encrypted with a customer managed KMS key",
				Severity: "MEDIUM", Status: finding.StatusUnknown, Resource: partner,
				Location: finding.Location{Path: "modules/partner/mq.tf", StartLine: 22, EndLine: 22},
				Message:  "encryption_options.kms_key_id could not be determined: var.kms_key has no value", ValueFrom: "unknown",
				Remediation: "Set encryption_options { kms_key_id = aws_kms_key.mq.arn }.",
				Fingerprint: "0707070707070707070707070707070a",
			},
			{
				RuleID: "MQG006", Slug: "kms-key-unusable", Title: "The broker's KMS key is disabled or scheduled for deletion",
				Severity: "HIGH", Status: finding.StatusSuppressed, Resource: partner,
				Location: finding.Location{Path: "modules/partner/mq.tf", StartLine: 22, EndLine: 22},
				Message:  "the key of encryption_options.kms_key_id could not be determined", ValueFrom: "unknown",
				Suppression: sup(finding.Suppression{Kind: finding.SuppressionException, Reason: "key managed by the partner",
					Approver: "secops@example.com", ApprovedBy: "secops@example.com", Expires: "2027-03-31",
					OriginalStatus: finding.StatusUnknown, Location: &finding.Location{Path: ".mqguard.yaml", StartLine: 20, EndLine: 20}}),
				Fingerprint: "1010101010101010101010101010101d",
			},
			{
				RuleID: "MQG020", Slug: "internet-exposed-broker", Title: "Public broker reachable from the whole internet",
				Severity: "CRITICAL", Status: finding.StatusFail, Resource: live,
				Location:  finding.Location{Ref: "arn:aws:mq:eu-west-1:111122223333:broker:payments:b-1234#PubliclyAccessible"},
				Message:   "public broker; security group sg-0abc admits 0.0.0.0/0 on 5671",
				ValueFrom: "explicit", ReplacementRequired: true,
				Remediation: "Move the broker to private subnets: create a private broker and migrate.",
				Fingerprint: "0808080808080808080808080808080b", HelpURI: doc("MQG020", "internet-exposed-broker"),
			},
			{
				RuleID: "MQG009", Slug: "auto-minor-upgrade-disabled", Title: "Automatic minor version upgrades are off",
				Severity: "LOW", Status: finding.StatusPass, Resource: live,
				Location: finding.Location{Ref: "arn:aws:mq:eu-west-1:111122223333:broker:payments:b-1234#AutoMinorVersionUpgrade"},
				Message:  "AutoMinorVersionUpgrade is true", ValueFrom: "explicit",
				Fingerprint: "0909090909090909090909090909090c",
			},
		},
		Errors: []finding.Error{{Source: "terraform", Message: `Unsupported block type "resourc"`, Path: "infra/broken.tf", Line: 4}},
		Notes:  []finding.Note{{Source: "policy", Message: "exception 2 (MQG001 on module.partner.*) expired on 2026-10-31", Path: ".mqguard.yaml", Line: 18}},
		Exceptions: []finding.Exception{
			{Rule: []string{"MQG001"}, Scope: finding.ExceptionScope{Resources: []string{"module.partner.*"}, Tags: map[string]string{"team": "partner", "env": "prod"}},
				Reason: "partner ingress <TLS only> & IP-restricted", ApprovedBy: "secops@example.com", Ticket: "SEC-42", Expires: "2027-03-31",
				Status: finding.ExceptionActive, Matched: 1, MatchedFail: 1, Location: finding.Location{Path: ".mqguard.yaml", StartLine: 12, EndLine: 12}},
			{Rule: []string{"MQG001"}, Scope: finding.ExceptionScope{Resources: []string{"aws_mq_broker.orders"}},
				Reason: "migration | in progress", ApprovedBy: "secops", Ticket: "SEC-12", Expires: "2026-10-31",
				Status: finding.ExceptionExpired, Matched: 1, MatchedFail: 1, Location: finding.Location{Path: ".mqguard.yaml", StartLine: 18, EndLine: 18}},
			{Rule: []string{"MQG006", "MQG005"}, Scope: finding.ExceptionScope{Accounts: []string{"444455556666"}, Regions: []string{"eu-west-1"}},
				Reason: "key managed by the partner", ApprovedBy: "secops@example.com", Expires: "2027-03-31",
				Status: finding.ExceptionActive, Matched: 1, MatchedUnknown: 1, Location: finding.Location{Path: ".mqguard.yaml", StartLine: 20, EndLine: 20}},
			{Rule: []string{"MQG012"}, Scope: finding.ExceptionScope{Paths: []string{"legacy/**"}},
				Reason: "legacy stack", ApprovedBy: "cto", Expires: "2027-06-30",
				Status: finding.ExceptionUnused, Location: finding.Location{Path: ".mqguard.yaml", StartLine: 27, EndLine: 27}},
		},
	}
}

// TestPipelineGolden compares the junit, csv and markdown output of the fixed reports with the
// golden files (rewrite them with go test ./internal/report -update).
func TestPipelineGolden(t *testing.T) {
	reports := map[string]func() *finding.Report{"report": fixture, "governance": governanceReport}
	for _, format := range []struct{ name, ext string }{{"junit", "junit.xml"}, {"csv", "csv"}, {"markdown", "md"}} {
		for base, build := range reports {
			file := base + "." + format.ext
			t.Run(file, func(t *testing.T) {
				got := write(t, format.name, build(), Options{})
				checkGolden(t, file, got)
				if again := write(t, format.name, build(), Options{}); !bytes.Equal(got, again) {
					t.Error("output is not deterministic")
				}
			})
		}
	}
}

func checkGolden(t *testing.T, file string, got []byte) {
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
