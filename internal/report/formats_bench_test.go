package report

import (
	"fmt"
	"io"
	"testing"

	"github.com/mqguard/mqguard/internal/finding"
)

// benchReport is an organisation's report: 10,000 brokers with ten findings each, every status,
// a tenth of them suppressed and some live.
func benchReport(brokers int) *finding.Report {
	statuses := []string{finding.StatusFail, finding.StatusFail, finding.StatusFail, finding.StatusUnknown,
		finding.StatusSuppressed, finding.StatusPass, finding.StatusPass, finding.StatusPass, finding.StatusPass, finding.StatusNA}
	severities := []string{"CRITICAL", "HIGH", "MEDIUM", "MEDIUM", "LOW"}
	r := &finding.Report{Schema: finding.Schema, Tool: finding.Tool{Name: "mqguard", Version: "bench"}, AsOf: "2026-11-22",
		Findings: make([]finding.Finding, 0, 10*brokers)}
	for b := range brokers {
		res := finding.Resource{
			Address: fmt.Sprintf(`module.svc%d.module.mq.aws_mq_broker.this["tenant-%d"]`, b/40, b%40),
			Type:    "aws_mq_broker", Name: fmt.Sprintf("svc%d-tenant-%d", b/40, b%40), Engine: "ActiveMQ", Source: "terraform",
		}
		path := fmt.Sprintf("retail/prod/eu-west-1/team%d/service-%d.tf", b/400, b/40)
		if b%10 == 0 {
			arn := fmt.Sprintf("arn:aws:mq:eu-west-1:111122223333:broker:b%d:b-%08d", b, b)
			res = finding.Resource{Address: arn, Type: "AWS::AmazonMQ::Broker", Name: fmt.Sprintf("b%d", b), Engine: "RabbitMQ",
				Source: "aws", Account: "111122223333", Region: "eu-west-1", ARN: arn}
			path = ""
		}
		for i := range 10 {
			id := fmt.Sprintf("MQG%03d", i+1)
			f := finding.Finding{
				RuleID: id, Slug: "rule-" + id, Title: "The broker's setting " + id + " is not what the policy asks for",
				Severity: severities[i%len(severities)], Status: statuses[(b+i)%len(statuses)], Resource: res,
				Location:    finding.Location{Path: path, StartLine: 10 + 3*i, EndLine: 12 + 3*i},
				Message:     "publicly_accessible is true: the broker has a public endpoint reachable from outside the VPC",
				ValueFrom:   "explicit",
				Remediation: "Create a new broker with publicly_accessible = false and migrate the clients to it.",
				Fingerprint: fmt.Sprintf("%032x", b*10+i),
				Aliases:     []string{"checkov:CKV_AWS_69"},
				HelpURI:     "https://github.com/mqguard/mqguard/blob/main/docs/rules/" + id + ".md",
			}
			if path == "" {
				f.Location = finding.Location{Ref: res.ARN + "#PubliclyAccessible"}
			}
			if f.Status == finding.StatusSuppressed {
				f.Suppression = &finding.Suppression{Kind: finding.SuppressionException, Reason: "approved partner ingress",
					Approver: "secops", ApprovedBy: "secops", Ticket: "SEC-1", Expires: "2027-01-31", OriginalStatus: finding.StatusFail}
			}
			r.Findings = append(r.Findings, f)
		}
	}
	r.Summary.Brokers = brokers
	return r
}

// BenchmarkFormats writes the report of 10,000 brokers (100,000 findings) in each format:
//
//	go test -run '^$' -bench Formats -benchmem ./internal/report/
func BenchmarkFormats(b *testing.B) {
	r := benchReport(10000)
	opts := Options{Width: 120, ASFFProductARN: "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default"}
	for _, f := range Formats() {
		b.Run(f.Name(), func(b *testing.B) {
			for b.Loop() {
				if err := f.Write(io.Discard, r, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
