package terraform

import (
	"strings"
	"testing"
)

// TestOutputsReachCallersOnly: the blocks a called module's outputs reference are parsed (the
// caller may read them); those only a root module's outputs reference are not, since no one
// reads a root module's outputs. A syntax error in such a block shows which were parsed.
func TestOutputsReachCallersOnly(t *testing.T) {
	broken := `
resource "aws_sns_topic" "alerts" {
  name = (
}
`
	files := map[string]string{
		"root/main.tf": `
module "mq" {
  source = "../modules/mq"
}
output "alerts" {
  value = aws_sns_topic.alerts.arn
}
` + broken,
		"modules/mq/main.tf": `
output "alerts" {
  value = aws_sns_topic.alerts.arn
}
` + broken,
	}
	_, diags := load(t, files, Options{})
	var inRoot, inModule int
	for _, d := range diags {
		switch {
		case strings.HasPrefix(d.At.File, "root/"):
			inRoot++
		case strings.HasPrefix(d.At.File, "modules/mq/"):
			inModule++
		}
	}
	if inRoot != 0 {
		t.Errorf("a block only the root module's outputs reference was parsed: %v", diags)
	}
	if inModule == 0 {
		t.Errorf("a block the called module's output references was not parsed: %v", diags)
	}
}

// TestDeepBlockLocated: a block nested too deep is one error at its own line in the file, and the
// file's other blocks are still read.
func TestDeepBlockLocated(t *testing.T) {
	deep := strings.Repeat("[", 2000) + strings.Repeat("]", 2000)
	src := `resource "aws_mq_broker" "b" {
  broker_name = "b"
  engine_type = "ActiveMQ"
}

locals {
  x = 1
  deep = ` + deep + `
}
`
	inv, diags := load(t, map[string]string{"main.tf": src}, Options{})
	errs := errorsOf(diags)
	if len(errs) != 1 || errs[0].At.File != "main.tf" || errs[0].At.StartLine != 8 || !strings.Contains(errs[0].Message, "nested more than") {
		t.Fatalf("errors = %+v, want one nesting error at main.tf:8", errs)
	}
	if len(inv.Brokers) != 1 {
		t.Errorf("the file's broker was not read")
	}
}

// TestBrokenBlockIsNotUsed: a broker block that does not parse is an error at its line, and
// nothing HCL recovers of it reaches the model (its lost attributes would read as defaults, a
// public broker as private), whether the fast path or the whole-file parse meets it.
func TestBrokenBlockIsNotUsed(t *testing.T) {
	broken := "resource \"aws_mq_broker\" \"b\" {\n  publicly_accessible = (\n  engine_type = \"ActiveMQ\"\n}\n"
	for name, files := range map[string]map[string]string{
		"fast path":  {"main.tf": broken + "resource \"aws_mq_broker\" \"ok\" {}\n"},
		"whole file": {"main.tf": broken + "resource \"aws_mq_broker\" \"ok\" {\n"},
	} {
		inv, diags := load(t, files, Options{})
		if len(errorsOf(diags)) == 0 {
			t.Errorf("%s: no error entry", name)
		}
		for _, b := range inv.Brokers {
			if b.ID.Address == "aws_mq_broker.b" {
				t.Errorf("%s: the broken broker is in the model (publicly_accessible %+v)", name, b.PubliclyAccessible)
			}
		}
	}
}
