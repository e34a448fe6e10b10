package rules

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const staleDocs = "docs/rules is stale: run make generate"

// repoRoot walks up from the test's working directory to the directory holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

func TestDocsAreUpToDate(t *testing.T) {
	root := repoRoot(t)
	dir := filepath.Join(root, filepath.FromSlash(DocsDir))
	want := DocFiles(All())

	var problems []string
	for name, content := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			problems = append(problems, name+" is missing")
		case err != nil:
			t.Fatal(err)
		case string(got) != content:
			problems = append(problems, name+" differs")
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := want[e.Name()]; !ok && strings.HasPrefix(e.Name(), "MQG") {
			problems = append(problems, e.Name()+" belongs to no rule")
		}
	}

	if doc, err := os.ReadFile(filepath.Join(root, "README.md")); err == nil {
		if out, ok := ReplaceReadmeSection(string(doc), ReadmeSection(All())); ok && out != string(doc) {
			problems = append(problems, "README.md rule table differs")
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		t.Fatalf("%s\n%s", staleDocs, strings.Join(problems, "\n"))
	}
}

func TestMarkdown(t *testing.T) {
	page := Markdown(mqg007)
	for _, want := range []string{
		"# MQG007: Audit logs are not published\n",
		"| Severity | MEDIUM |",
		"| Engines | ActiveMQ |",
		"| Replacement required | no |",
		"## Why it matters",
		"- **N/A**: RabbitMQ brokers cannot publish audit logs",
		"- **N/A** on engines other than ActiveMQ.",
		"### Terraform\n",
		"### CloudFormation\n",
		"### Live AWS\n",
		"| checkov | `CKV_AWS_197` |",
		"- AWS Security Hub MQ.2",
		"```hcl\nvariable \"mq_password\"",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("MQG007 page lacks %q", want)
		}
	}
	if !strings.Contains(Markdown(mqg001), "AWS requires a new broker") {
		t.Error("MQG001 page must say a replacement is required")
	}
	if Markdown(mqg001) != Markdown(mqg001) {
		t.Error("Markdown is not deterministic")
	}
}

func TestIndexMarkdown(t *testing.T) {
	index := IndexMarkdown(All())
	if !strings.Contains(index, "| [MQG001](MQG001-public-access.md) | `public-access` | HIGH | all | Broker is publicly accessible | yes |") {
		t.Errorf("index row for MQG001 missing:\n%s", index)
	}
	if !strings.Contains(ReadmeSection(All()), "(docs/rules/MQG002-activemq-single-instance.md)") {
		t.Error("README section links must point into docs/rules")
	}
}

func TestReplaceReadmeSection(t *testing.T) {
	tests := []struct {
		doc, want string
		ok        bool
	}{
		{"a " + ReadmeBegin + " old " + ReadmeEnd + " b", "a NEW b", true},
		{"no markers", "no markers", false},
		{ReadmeEnd + " " + ReadmeBegin, ReadmeEnd + " " + ReadmeBegin, false},
		{"a " + ReadmeBegin + " unterminated", "a " + ReadmeBegin + " unterminated", false},
	}
	for _, tc := range tests {
		got, ok := ReplaceReadmeSection(tc.doc, "NEW")
		if got != tc.want || ok != tc.ok {
			t.Errorf("ReplaceReadmeSection(%q) = %q, %v; want %q, %v", tc.doc, got, ok, tc.want, tc.ok)
		}
	}
}

func TestFence(t *testing.T) {
	if got := fence("plain"); got != "```" {
		t.Errorf("fence = %q", got)
	}
	if got := fence("a ```` b"); got != "`````" {
		t.Errorf("fence = %q", got)
	}
}
