package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/rules"
)

func TestGenerate(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "docs", "rules")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "MQG999-gone.md")
	keep := filepath.Join(dir, "notes.md")
	readme := "# mqguard\n\nintro\n\n" + rules.ReadmeBegin + "\nold table\n" + rules.ReadmeEnd + "\n\n" +
		iamBegin + "\nold policy\n" + iamEnd + "\n\nmore\n"
	for path, content := range map[string]string{stale: "old", keep: "mine", filepath.Join(root, "README.md"): readme} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	rs := rules.All()
	if err := generate(root, rs); err != nil {
		t.Fatal(err)
	}

	for name, want := range rules.DocFiles(rs) {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != want {
			t.Errorf("%s not written as generated (err %v)", name, err)
		}
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("page of a removed rule was kept: %v", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("a file gendocs does not own was removed: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	if strings.Contains(s, "old policy") || !strings.Contains(s, `"mq:DescribeBroker",`) {
		t.Errorf("README IAM policy not replaced as expected:\n%s", s)
	}
	if strings.Contains(s, "old table") || !strings.HasPrefix(s, "# mqguard\n\nintro\n\n") || !strings.HasSuffix(s, "\n\nmore\n") ||
		!strings.Contains(s, "(docs/rules/MQG001-public-access.md)") {
		t.Errorf("README section not replaced as expected:\n%s", s)
	}

	// A second run changes nothing.
	if err := generate(root, rs); err != nil {
		t.Fatal(err)
	}
	again, _ := os.ReadFile(filepath.Join(root, "README.md"))
	if string(again) != s {
		t.Error("generate is not idempotent")
	}
}

func TestGenerateWithoutReadme(t *testing.T) {
	if err := generate(t.TempDir(), rules.All()); err != nil {
		t.Fatal(err)
	}
}
