package report

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mqguard/mqguard/internal/finding"
)

func TestMarkdownText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a | b", `a \| b`},
		{"line\nbreak\r\n", "line<br>break<br>"},
		{"publicly_accessible *is* `true`", "publicly\\_accessible \\*is\\* \\`true\\`"},
		{"<script>alert(1)</script> & [x](y)", `&lt;script&gt;alert(1)&lt;/script&gt; &amp; \[x\](y)`},
		{"esc\x1b[31m bidi\u202eevil", `esc\[31m bidievil`},
	}
	for _, tt := range tests {
		if got := markdownText(tt.in); got != tt.want {
			t.Errorf("markdownText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	codes := []struct{ in, want string }{
		{`module.a.aws_mq_broker.this["x|y"]`, "`module.a.aws_mq_broker.this[\"x\\|y\"]`"},
		{"a\nb", "`a b`"},
		{"a`b", "a\\`b"},
		{"", ""},
	}
	for _, tt := range codes {
		if got := markdownCode(tt.in); got != tt.want {
			t.Errorf("markdownCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestMarkdownTableShape: every row of the findings and exceptions tables has the header's
// number of cells, whatever the report holds, so a pipe or a line break cannot break a table.
func TestMarkdownTableShape(t *testing.T) {
	r := governanceReport()
	out := string(write(t, "markdown", r, Options{}))
	for _, tt := range []struct {
		section string
		borders int
		rows    int
	}{
		{"Findings", 7, len(r.Findings)},
		{"Exceptions", 9, len(r.Exceptions)},
	} {
		_, table, ok := strings.Cut(out, "### "+tt.section+"\n")
		if !ok {
			t.Errorf("no %s section", tt.section)
			continue
		}
		table, _, _ = strings.Cut(table, "###")
		rows := -2 // the header and delimiter rows
		for _, line := range strings.Split(table, "\n") {
			if !strings.HasPrefix(line, "|") {
				continue
			}
			rows++
			if n := strings.Count(strings.ReplaceAll(line, `\|`, ""), "|"); n != tt.borders {
				t.Errorf("%s: row has %d cell borders, want %d: %s", tt.section, n, tt.borders, line)
			}
		}
		if rows != tt.rows {
			t.Errorf("%s: %d rows, want %d", tt.section, rows, tt.rows)
		}
	}
}

// TestMarkdownCap: a report too large for one pull-request comment stays under GitHub's limit,
// shows the most pressing findings and says how many it leaves out.
func TestMarkdownCap(t *testing.T) {
	r := &finding.Report{Tool: finding.Tool{Name: "mqguard"}, Summary: finding.Summary{Brokers: 5000}}
	for i := range 5000 {
		status := finding.StatusFail
		if i%2 == 1 {
			status = finding.StatusSuppressed
		}
		r.Findings = append(r.Findings, finding.Finding{
			RuleID: "MQG007", Slug: "audit-log-disabled", Severity: "MEDIUM", Status: status,
			Resource: finding.Resource{Address: fmt.Sprintf("aws_mq_broker.b%04d", i)},
			Location: finding.Location{Path: "infra/mq.tf", StartLine: i + 1},
			Message:  "logs.audit is not set (default false)",
			HelpURI:  "https://github.com/mqguard/mqguard/blob/main/docs/rules/MQG007-audit-log-disabled.md",
		})
	}
	r.Findings = append(r.Findings, finding.Finding{RuleID: "MQG020", Severity: "CRITICAL", Status: finding.StatusFail,
		Resource: finding.Resource{Address: "aws_mq_broker.last"}, Message: "critical and last in the report"})
	out := string(write(t, "markdown", r, Options{}))
	if n := utf8.RuneCountInString(out); n > 65536 {
		t.Errorf("%d characters: over GitHub's comment limit", n)
	}
	if !strings.Contains(out, "critical and last in the report") {
		t.Error("the most severe finding is not shown")
	}
	shown := strings.Count(out, "| MEDIUM | FAIL |") + strings.Count(out, "| MEDIUM | SUPPRESSED |")
	if shown == 0 || shown >= 5000 {
		t.Fatalf("%d rows shown", shown)
	}
	if want := fmt.Sprintf("**%d more findings not shown**", 5000-shown); !strings.Contains(out, want) {
		t.Errorf("no %q in the tail:\n%s", want, out[len(out)-400:])
	}
	if i := strings.Index(out, "| MEDIUM | SUPPRESSED |"); i >= 0 && i < strings.LastIndex(out, "| MEDIUM | FAIL |") {
		t.Error("a suppressed finding is shown before a failing one")
	}
}

func TestMarkdownEmptyReport(t *testing.T) {
	out := string(write(t, "markdown", &finding.Report{Tool: finding.Tool{Name: "mqguard"}}, Options{}))
	want := "## mqguard scan\n\n**0 brokers scanned, 0 failed, 0 unknown, 0 suppressed**\n"
	if out != want {
		t.Errorf("empty report:\n%q\nwant\n%q", out, want)
	}
}
