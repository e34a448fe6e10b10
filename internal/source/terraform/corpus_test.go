package terraform

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

// TestCorpus loads every real-world repository and every peer fixture: no panic, and every
// error is printed for review.
func TestCorpus(t *testing.T) {
	fsys := os.DirFS(corpusDir(t))
	var roots []string
	entries, _ := fs.ReadDir(fsys, "realworld")
	for _, e := range entries {
		if e.IsDir() {
			roots = append(roots, path.Join("realworld", e.Name()))
		}
	}
	for _, peer := range []string{"kics", "checkov", "trivy", "kics-datadog-fork"} {
		_ = fs.WalkDir(fsys, peer, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".tf") {
				roots = append(roots, p)
			}
			return nil
		})
	}
	if len(roots) == 0 {
		t.Fatal("no Terraform root in the corpus")
	}
	brokers := 0
	for _, root := range roots {
		inv, diags := Load(context.Background(), fsys, []string{root}, Options{})
		brokers += len(inv.Brokers)
		for _, d := range errorsOf(diags) {
			t.Logf("%s: %s", root, d.Error())
		}
	}
	t.Logf("%d roots, %d brokers", len(roots), brokers)
	if brokers == 0 {
		t.Error("no broker found in the corpus")
	}
}

func TestDeterminism(t *testing.T) {
	files := map[string]string{
		"main.tf": `provider "aws" {
  default_tags { tags = { owner = "x" } }
}
resource "aws_security_group" "sg" {
  for_each = toset(["a", "b", "c"])
  ingress {
    protocol = "tcp"
    from_port = 1
    to_port = 2
    cidr_blocks = ["0.0.0.0/0"]
  }
}
module "m" {
  for_each = { x = 1, y = 2, z = 3 }
  source   = "./m"
  sgs      = [for k, g in aws_security_group.sg : g.id]
}
resource "aws_mq_broker" "b" {
  count = 3
  broker_name = "b${count.index}"
  security_groups = [aws_security_group.sg["a"].id]
  user {
    username = "u"
    password = foo()
  }
}`,
		"m/main.tf": `variable "sgs" {}
resource "aws_mq_broker" "this" {
  security_groups = var.sgs
  tags = { a = "1", b = "2" }
}
module "n" { source = "nope/nope/aws" }`,
		"other/main.tf": `resource "aws_mq_broker" "o" {}`,
	}
	first := ""
	for i := 0; i < 50; i++ {
		inv, diags := load(t, files, Options{})
		got := fmt.Sprintf("%s\n%v", dump(inv), diags)
		if i == 0 {
			first = got
			continue
		}
		if got != first {
			t.Fatalf("run %d differs", i)
		}
	}
}

func FuzzLoad(f *testing.F) {
	seeds := []string{
		`resource "aws_mq_broker" "b" { broker_name = "x" }`,
		"locals {\n a = local.b\n b = local.a\n}",
		`variable "v" { default = { a = [1, 2] } }
resource "aws_mq_broker" "b" {
  count = length(var.v.a)
  dynamic "user" {
    for_each = var.v.a
    content { username = user.value }
  }
}`,
		`module "m" { source = "./" }`,
		`resource "aws_mq_configuration" "c" { data = <<X
<broker/>
X
}`,
		`resource "x" "y" { for_each = toset([1, "a", null]) }`,
		"resource \"aws_mq_broker\" \"b\" {\n  tags = merge({a = 1}, null)\n}",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		inv, _ := Load(context.Background(), mapFS(map[string]string{"main.tf": src}), []string{"."}, Options{})
		if inv == nil {
			t.Fatal("nil inventory")
		}
		_ = model.Inventory{}
	})
}
