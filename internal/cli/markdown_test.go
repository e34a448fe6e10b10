package cli

import (
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/report"
	"github.com/mqguard/mqguard/internal/rules"
)

func TestRenderMarkdown(t *testing.T) {
	tests := []struct {
		name  string
		md    string
		width int
		want  string
	}{
		{
			name:  "a long title wraps under one underline",
			md:    "# MQG006: The broker's KMS key is disabled\n",
			width: 30,
			want:  "MQG006: The broker's KMS key\nis disabled\n============================\n",
		},
		{
			name: "title and comment",
			md:   "# MQG001: Public\n\n<!-- Generated. Do not edit. -->\n\nText.\n",
			want: "MQG001: Public\n==============\n\n  Text.\n",
		},
		{
			name: "comment inside a line and over lines",
			md:   "Keep <!-- not this --> this.\n\n<!--\nhidden\n-->\nShown.\n",
			want: "  Keep this.\n\n  Shown.\n",
		},
		{
			name: "a comment in a code block is code",
			md:   "```xml\n<!-- kept -->\n<broker/>\n```\n",
			want: "      <!-- kept -->\n      <broker/>\n",
		},
		{
			name:  "sections indent and wrap their text",
			md:    "## Why it matters\n\nA publicly accessible broker answers from the whole internet.\n\n### Terraform\n\nSet publicly_accessible = false.\n",
			width: 40,
			want: "WHY IT MATTERS\n\n  A publicly accessible broker answers\n  from the whole internet.\n\n" +
				"  Terraform\n\n    Set publicly_accessible = false.\n",
		},
		{
			name:  "lists hang their wrapped lines",
			md:    "- **FAIL**: one two three four five six\n- **PASS**: seven\n* star\n1. first\n",
			width: 24,
			want:  "  - FAIL: one two three\n    four five six\n  - PASS: seven\n  - star\n  1. first\n",
		},
		{
			name: "a list item continues on the next lines",
			md:   "- one\n  two\n- three\n\nAfter.\n",
			want: "  - one two\n  - three\n\n  After.\n",
		},
		{
			name:  "code is indented and never wrapped",
			md:    "Example:\n\n```hcl\nresource \"aws_mq_broker\" \"example\" {\n\tpublicly_accessible = true # a comment long enough to pass the width\n}\n```\n\nDone.\n",
			width: 30,
			want: "  Example:\n\n      resource \"aws_mq_broker\" \"example\" {\n" +
				"          publicly_accessible = true # a comment long enough to pass the width\n      }\n\n  Done.\n",
		},
		{
			name: "a longer fence holds a shorter one",
			md:   "````\n```\nx\n```\n````\n",
			want: "      ```\n      x\n      ```\n",
		},
		{
			name: "key-value table without a header",
			md:   "| | |\n|---|---|\n| ID | `MQG001` |\n| Replacement required | yes |\n",
			want: "  ID                    MQG001\n  Replacement required  yes\n",
		},
		{
			name: "table with a header and escaped pipes",
			md:   "| Tool | ID |\n|---|---|\n| checkov | `CKV_AWS_69` |\n| a \\| b | `x` and `y` |\n",
			want: "  Tool     ID\n  -------  --\n  checkov  CKV_AWS_69\n  a | b    `x` and `y`\n",
		},
		{
			name:  "a wide table wraps its last column",
			md:    "| Engine | Note |\n|---|---|\n| ActiveMQ | recommended on every instance type |\n",
			width: 34,
			want:  "  Engine    Note\n  --------  ----\n  ActiveMQ  recommended on every\n            instance type\n",
		},
		{
			name: "links and autolinks as text (url)",
			md:   "See [the guide](https://example.com/guide), [https://a.example](https://a.example) and <https://b.example>.\n",
			want: "  See the guide (https://example.com/guide), https://a.example and https://b.example.\n",
		},
		{
			name:  "code spans keep their backticks and are not wrapped",
			md:    "Run `aws mq create-broker --no-publicly-accessible` now, **not** `**later**`.\n",
			width: 30,
			want:  "  Run\n  `aws mq create-broker --no-publicly-accessible`\n  now, not `**later**`.\n",
		},
		{
			name: "escapes",
			md:   "A \\*literal\\* star and a \\| pipe.\n",
			want: "  A *literal* star and a | pipe.\n",
		},
		{
			name: "raw XML in text stays",
			md:   "Add an <authorizationPlugin> to the <plugins>.\n",
			want: "  Add an <authorizationPlugin> to the <plugins>.\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			width := tt.width
			if width == 0 {
				width = 100
			}
			if got := renderMarkdown(tt.md, width); got != tt.want {
				t.Errorf("renderMarkdown:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestRenderRuleDocs renders every rule's page at several widths: no HTML comment and no
// Markdown marker is left, every code line appears unchanged, and only code and single words
// are wider than the terminal.
func TestRenderRuleDocs(t *testing.T) {
	for _, r := range rules.All() {
		md := rules.Markdown(r)
		code := codeLines(md)
		for _, width := range []int{60, 80, 140} {
			out := renderMarkdown(md, width)
			if strings.Contains(out, "<!--") || strings.Contains(out, "```") || strings.Contains(out, "**") {
				t.Errorf("%s at %d: a comment, fence or emphasis marker is left:\n%s", r.ID, width, out)
			}
			lines := map[string]bool{}
			for _, l := range strings.Split(out, "\n") {
				lines[strings.TrimSpace(l)] = true
				if report.Width(l) > width && !code[strings.TrimSpace(l)] && len(strings.Fields(l)) > 1 && !strings.Contains(l, "`") {
					t.Errorf("%s at %d: line is %d wide: %q", r.ID, width, report.Width(l), l)
				}
			}
			for l := range code {
				if !lines[l] {
					t.Errorf("%s at %d: code line %q is missing", r.ID, width, l)
				}
			}
			if !strings.HasPrefix(out, r.ID+": ") {
				t.Errorf("%s at %d: does not start with the title:\n%s", r.ID, width, out)
			}
		}
	}
}

// codeLines returns the trimmed lines inside the code blocks of md.
func codeLines(md string) map[string]bool {
	out := map[string]bool{}
	fence := ""
	for _, l := range strings.Split(md, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case fence == "" && strings.HasPrefix(t, "```"):
			fence = t[:len(t)-len(strings.TrimLeft(t, "`"))]
		case fence != "" && t == fence:
			fence = ""
		case fence != "" && t != "":
			out[strings.TrimSpace(strings.ReplaceAll(l, "\t", "    "))] = true
		}
	}
	return out
}
