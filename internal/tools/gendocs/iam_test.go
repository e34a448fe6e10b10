package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/source/awsapi"
)

func TestIAMSection(t *testing.T) {
	section := iamSection(awsapi.Actions())
	if !strings.HasPrefix(section, iamBegin+"\n```json\n") || !strings.HasSuffix(section, "\n```\n"+iamEnd) {
		t.Fatalf("section not framed by its markers and a json block:\n%s", section)
	}
	body := strings.TrimSuffix(strings.TrimPrefix(section, iamBegin+"\n```json\n"), "\n```\n"+iamEnd)
	var doc struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   []string
			Resource string
		}
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("policy is not JSON: %v\n%s", err, body)
	}
	if doc.Version != "2012-10-17" || len(doc.Statement) != 1 || doc.Statement[0].Effect != "Allow" || doc.Statement[0].Resource != "*" {
		t.Errorf("unexpected policy shape: %+v", doc)
	}
	if got := doc.Statement[0].Action; !reflect.DeepEqual(got, awsapi.Actions()) {
		t.Errorf("policy actions = %v, want awsapi.Actions() = %v", got, awsapi.Actions())
	}
	// Read-only: every action reads, apart from assuming the scan role in member accounts.
	for _, a := range doc.Statement[0].Action {
		_, op, _ := strings.Cut(a, ":")
		if a != "sts:AssumeRole" && !strings.HasPrefix(op, "Describe") && !strings.HasPrefix(op, "List") && !strings.HasPrefix(op, "Get") {
			t.Errorf("action %s is not read-only", a)
		}
	}
}

func TestReplaceSection(t *testing.T) {
	tests := []struct {
		doc, want string
		ok        bool
	}{
		{"a " + iamBegin + " old " + iamEnd + " b", "a NEW b", true},
		{"no markers", "no markers", false},
		{iamEnd + " " + iamBegin, iamEnd + " " + iamBegin, false},
		{"a " + iamBegin + " unterminated", "a " + iamBegin + " unterminated", false},
	}
	for _, tc := range tests {
		got, ok := replaceSection(tc.doc, iamBegin, iamEnd, "NEW")
		if got != tc.want || ok != tc.ok {
			t.Errorf("replaceSection(%q) = %q, %v; want %q, %v", tc.doc, got, ok, tc.want, tc.ok)
		}
	}
}

// TestReadmeCurrent fails when the repository README's generated sections are stale.
func TestReadmeCurrent(t *testing.T) {
	readme := filepath.Join("..", "..", "..", "README.md")
	doc, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), iamBegin) || !strings.Contains(string(doc), iamEnd) {
		t.Fatalf("README.md lacks the %s and %s markers of the live AWS IAM policy", iamBegin, iamEnd)
	}
	if readmeSections(string(doc), rules.All()) != string(doc) {
		t.Fatal("README.md is stale: run `make generate` (go run ./internal/tools/gendocs)")
	}
}
