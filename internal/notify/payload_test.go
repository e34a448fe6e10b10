package notify

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/finding"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// findings are a scan's new findings: IaC and live, every status, every severity, a title with
// characters Slack's mrkdwn gives a meaning to.
func findings() []finding.Finding {
	return []finding.Finding{
		{
			RuleID: "MQG001", Slug: "public-access", Title: "Broker is publicly accessible", Severity: "CRITICAL", Status: finding.StatusFail,
			Resource: finding.Resource{Address: "aws_mq_broker.orders", Type: "aws_mq_broker", Name: "orders", Engine: "ActiveMQ", Source: "terraform"},
			Location: finding.Location{Path: "infra/mq.tf", StartLine: 12, EndLine: 12},
			Message:  "publicly_accessible = true", HelpURI: "https://github.com/mqguard/mqguard/blob/main/docs/rules/MQG001.md",
			Fingerprint: "fp-1",
		},
		{
			RuleID: "MQG001", Slug: "public-access", Title: "Broker is publicly accessible", Severity: "CRITICAL", Status: finding.StatusFail,
			Resource: finding.Resource{Address: "b-1234", Type: "AWS::AmazonMQ::Broker", Name: "events", Engine: "RabbitMQ", Source: "aws", Account: "111122223333", Region: "eu-west-1",
				ARN: "arn:aws:mq:eu-west-1:111122223333:broker:events:b-1234"},
			Location: finding.Location{Ref: "mq:DescribeBroker b-1234"},
			HelpURI:  "https://github.com/mqguard/mqguard/blob/main/docs/rules/MQG001.md", Fingerprint: "fp-2",
		},
		{
			RuleID: "MQG012", Slug: "open-security-group", Title: "Security group allows <any> & all", Severity: "HIGH", Status: finding.StatusUnknown,
			Resource: finding.Resource{Address: "module.mq[\"a`b\"].aws_mq_broker.this", Source: "terraform"},
			Location: finding.Location{Path: "modules/mq/main.tf", StartLine: 3, EndLine: 9},
			HelpURI:  "https://github.com/mqguard/mqguard/blob/main/docs/rules/MQG012.md", Fingerprint: "fp-3",
		},
		{
			RuleID: "MQG003", Title: "Audit logs disabled", Severity: "MEDIUM", Status: finding.StatusFail,
			Resource: finding.Resource{Address: "aws_mq_broker.orders"}, Location: finding.Location{Path: "infra/mq.tf", StartLine: 12}, Fingerprint: "fp-4",
		},
		{
			RuleID: "MQG002", Title: "Broker is not encrypted with a customer key", Severity: "HIGH", Status: finding.StatusSuppressed,
			Resource: finding.Resource{Address: "aws_mq_broker.orders"}, Location: finding.Location{Path: "infra/mq.tf", StartLine: 12},
			Suppression: &finding.Suppression{Kind: finding.SuppressionInline, Reason: "accepted"}, Fingerprint: "fp-5",
		},
		{
			RuleID: "MQG004", Title: "Passed", Severity: "HIGH", Status: finding.StatusPass,
			Resource: finding.Resource{Address: "aws_mq_broker.orders"}, Fingerprint: "fp-6",
		},
	}
}

// many is n CRITICAL findings, for the cap.
func many(n int) []finding.Finding {
	var fs []finding.Finding
	for i := range n {
		fs = append(fs, finding.Finding{
			RuleID: "MQG001", Title: "Broker is publicly accessible", Severity: "CRITICAL", Status: finding.StatusFail,
			Resource:    finding.Resource{Address: fmt.Sprintf("aws_mq_broker.b%02d", i)},
			Location:    finding.Location{Path: "infra/mq.tf", StartLine: i + 1},
			Fingerprint: fmt.Sprintf("fp-%02d", i),
		})
	}
	return fs
}

func TestGolden(t *testing.T) {
	sns, err := ParseDestination("sns:arn:aws:sns:eu-west-1:123456789012:mq-alerts")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file string
		fs   []finding.Finding
		opts Options
		sns  bool
	}{
		{"slack-new.json", findings(), Options{Event: EventNew, Scope: "infra/ & account 111122223333"}, false},
		{"slack-new-medium.json", findings(), Options{Event: EventNew, MinSeverity: "MEDIUM"}, false},
		{"slack-resolved.json", findings()[:2], Options{Event: EventResolved, Scope: "infra/"}, false},
		{"slack-capped.json", many(25), Options{Event: EventNew, Scope: "infra/"}, false},
		{"sns-new.txt", findings(), Options{Event: EventNew, Scope: "infra/ & account 111122223333"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m, err := Build(tt.fs, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := m.JSON
			if tt.sns {
				in := PublishInput(sns, m)
				// The Publish request's fields, the message body as sent.
				got = fmt.Appendf(nil, "TopicArn: %s\nSubject: %s\n\n%s", *in.TopicArn, *in.Subject, *in.Message)
			}
			path := filepath.Join("testdata", "golden", tt.file)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/notify -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file (run go test ./internal/notify -update to accept):\n%s", tt.file, got)
			}
			if again, _ := Build(tt.fs, tt.opts); !bytes.Equal(again.JSON, m.JSON) {
				t.Error("payload is not deterministic")
			}
		})
	}
}

// slackPayload is the subset of Slack's message format the payload must fit.
type slackPayload struct {
	Text   string `json:"text"`
	Blocks []struct {
		Type string `json:"type"`
		Text *struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"text"`
		Elements []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"elements"`
	} `json:"blocks"`
}

func decode(t *testing.T, b []byte) slackPayload {
	t.Helper()
	var p slackPayload
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("payload does not decode: %v\n%s", err, b)
	}
	return p
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name     string
		fs       []finding.Finding
		opts     Options
		text     string // "" for no message
		sections int
		more     string
	}{
		{"default threshold HIGH, FAIL and UNKNOWN only", findings(), Options{Event: EventNew, Scope: "infra/"}, "3 new findings at or above HIGH in infra/", 3, ""},
		{"CRITICAL", findings(), Options{Event: EventNew, MinSeverity: "CRITICAL"}, "2 new findings at or above CRITICAL", 2, ""},
		{"INFO takes MEDIUM", findings(), Options{Event: EventNew, MinSeverity: "INFO"}, "4 new findings at or above INFO", 4, ""},
		{"one", findings()[:1], Options{Event: EventNew}, "1 new finding at or above HIGH", 1, ""},
		{"resolved keeps any status", findings()[4:], Options{Event: EventResolved}, "2 resolved findings at or above HIGH", 2, ""},
		{"nothing above the threshold", findings()[3:4], Options{Event: EventNew}, "", 0, ""},
		{"nothing", nil, Options{Event: EventNew}, "", 0, ""},
		{"capped at 20", many(25), Options{Event: EventNew}, "25 new findings at or above HIGH", 20, "and 5 more"},
		{"cap set", many(5), Options{Event: EventNew, MaxFindings: 2}, "5 new findings at or above HIGH", 2, "and 3 more"},
		{"exactly the cap", many(20), Options{Event: EventNew}, "20 new findings at or above HIGH", 20, ""},
		{"at most 48 (50 blocks)", many(60), Options{Event: EventNew, MaxFindings: 100}, "60 new findings at or above HIGH", 48, "and 12 more"},
		{"severity in any case", findings(), Options{Event: EventNew, MinSeverity: "critical"}, "2 new findings at or above CRITICAL", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Build(tt.fs, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if tt.text == "" {
				if m != nil {
					t.Fatalf("a message for nothing to send: %q", m.Text)
				}
				return
			}
			if m.Text != tt.text || m.Subject != tt.text {
				t.Errorf("text %q, subject %q, want %q", m.Text, m.Subject, tt.text)
			}
			p := decode(t, m.JSON)
			if p.Text != tt.text {
				t.Errorf("payload text %q", p.Text)
			}
			if len(p.Blocks) > 50 {
				t.Errorf("%d blocks: Slack takes at most 50", len(p.Blocks))
			}
			if p.Blocks[0].Type != "header" || p.Blocks[0].Text.Type != "plain_text" || len([]rune(p.Blocks[0].Text.Text)) > maxHeader {
				t.Errorf("first block %+v, want a plain_text header", p.Blocks[0])
			}
			sections, more := 0, ""
			for _, b := range p.Blocks[1:] {
				switch b.Type {
				case "section":
					sections++
				case "context":
					more = b.Elements[0].Text
				}
			}
			if sections != tt.sections || more != tt.more {
				t.Errorf("%d sections and %q, want %d and %q", sections, more, tt.sections, tt.more)
			}
		})
	}
}

func TestBuildOrderAndFields(t *testing.T) {
	m, err := Build(findings(), Options{Event: EventNew})
	if err != nil {
		t.Fatal(err)
	}
	p := decode(t, m.JSON)
	want := []string{
		// CRITICAL first; the live resource by ARN, before the Terraform address.
		"*CRITICAL* `MQG001` <https://github.com/mqguard/mqguard/blob/main/docs/rules/MQG001.md|Broker is publicly accessible>\nResource: `b-1234`\nARN: `arn:aws:mq:eu-west-1:111122223333:broker:events:b-1234`\nLocation: `mq:DescribeBroker b-1234`\nDocs: https://github.com/mqguard/mqguard/blob/main/docs/rules/MQG001.md",
		"*CRITICAL* `MQG001` <https://github.com/mqguard/mqguard/blob/main/docs/rules/MQG001.md|Broker is publicly accessible>\nResource: `aws_mq_broker.orders`\nLocation: `infra/mq.tf:12`\nDocs: https://github.com/mqguard/mqguard/blob/main/docs/rules/MQG001.md",
		// mrkdwn's characters escaped, the backquote that would end the code span replaced.
		"*HIGH* `MQG012` <https://github.com/mqguard/mqguard/blob/main/docs/rules/MQG012.md|Security group allows &lt;any&gt; &amp; all> (UNKNOWN)\nResource: `module.mq[\"a'b\"].aws_mq_broker.this`\nLocation: `modules/mq/main.tf:3-9`\nDocs: https://github.com/mqguard/mqguard/blob/main/docs/rules/MQG012.md",
	}
	for i, w := range want {
		if got := p.Blocks[i+1].Text.Text; got != w {
			t.Errorf("section %d:\n got %q\nwant %q", i, got, w)
		}
	}
	// The finding's message is not sent (the report's masked text, but not needed to act).
	if bytes.Contains(m.JSON, []byte("publicly_accessible = true")) {
		t.Error("the payload holds a finding's message")
	}
}

func TestBuildErrors(t *testing.T) {
	for _, opts := range []Options{{Event: "changed"}, {}, {Event: EventNew, MinSeverity: "SEVERE"}} {
		if _, err := Build(findings(), opts); err == nil {
			t.Errorf("%+v accepted", opts)
		}
	}
}

func TestSubjectLimit(t *testing.T) {
	m, err := Build(findings(), Options{Event: EventNew, Scope: strings.Repeat("path/", 40) + "\nend"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(m.Subject)); n >= 100 || strings.ContainsAny(m.Subject, "\n\r") || !strings.HasSuffix(m.Subject, "…") {
		t.Errorf("subject of %d characters: %q", n, m.Subject)
	}
	if !strings.HasPrefix(m.Text, "3 new findings at or above HIGH in path/") {
		t.Errorf("text %q", m.Text)
	}
}
