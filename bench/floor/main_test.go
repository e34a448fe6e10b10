package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseAll(t *testing.T) {
	dir := t.TempDir()
	variable := "variable \"x\" {}"
	broker := "resource \"aws_mq_broker\" \"b\" {\n  broker_name = \"b\"\n}"
	files := map[string]string{
		// Split by hclscan: the variable and the broker are parsed, the
		// terraform block and the instance are not.
		"a/main.tf": "terraform {\n  required_version = \">= 1.5\"\n}\n\n" + variable + "\n\nresource \"aws_instance\" \"app\" {\n  ami = \"ami-1\"\n}\n\n" + broker + "\n",
		// A top-level attribute: hclscan gives up and the file is parsed whole.
		"a/odd.tf": "x = 1\n",
		// Not read by mqguard.
		"a/override.tf":      "resource \"aws_mq_broker\" \"b\" {}\n",
		".terraform/m/x.tf":  "resource \"aws_mq_broker\" \"b\" {}\n",
		"a/terraform.tfvars": "x = 1\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	paths, err := tfFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := parseAll(paths, 2)
	if err != nil {
		t.Fatal(err)
	}
	wantParsed := int64(len(variable) + len(broker) + len(files["a/odd.tf"]))
	if c.files != 2 || c.wholeFiles != 1 || c.blocks != 4 || c.parsedBlocks != 2 || c.parsedBytes != wantParsed || c.errors != 0 {
		t.Errorf("got %+v, want 2 files (1 parsed whole), 4 blocks, 2 parsed, %d bytes parsed, no error", c, wantParsed)
	}
}

func TestParseErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.tf"), []byte("resource \"aws_mq_broker\" \"b\" {\n  name = [\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := parseAll([]string{filepath.Join(dir, "bad.tf")}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.errors == 0 || c.firstError == "" {
		t.Errorf("got %+v, want a parse error", c)
	}
}
