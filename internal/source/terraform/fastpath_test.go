package terraform

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

// loadBoth loads roots with the block scanner and with the full parse.
func loadBoth(fsys fs.FS, roots []string) (fast, full string) {
	defer func() { fastPath = true }()
	fastPath = true
	inv, diags := Load(context.Background(), fsys, roots, Options{})
	fast = fmt.Sprintf("%s\n%v", dump(inv), errorsOf(diags))
	fastPath = false
	inv, diags = Load(context.Background(), fsys, roots, Options{})
	full = fmt.Sprintf("%s\n%v", dump(inv), errorsOf(diags))
	return fast, full
}

// TestFastPathEqualsFullParse proves, on every Terraform file of the corpus, that parsing only
// the blocks a broker can depend on gives the same inventory as parsing everything.
func TestFastPathEqualsFullParse(t *testing.T) {
	fsys := os.DirFS(corpusDir(t))
	var roots []string
	entries, _ := fs.ReadDir(fsys, "realworld")
	for _, e := range entries {
		roots = append(roots, path.Join("realworld", e.Name()))
	}
	for _, peer := range []string{"kics", "checkov", "trivy", "kics-datadog-fork"} {
		_ = fs.WalkDir(fsys, peer, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".tf") {
				roots = append(roots, p)
			}
			return nil
		})
	}
	for _, root := range roots {
		fast, full := loadBoth(fsys, []string{root})
		if fast != full {
			t.Errorf("%s: fast path differs from the full parse\nfast:\n%s\nfull:\n%s", root, fast, full)
		}
	}
}

// FuzzFastPathEqualsFullParse: for any file, the inventory is the same with and without the
// block scanner. Syntax errors in blocks nothing relevant references are the one documented
// difference, so inputs where the full parse reports errors only compare the brokers found.
func FuzzFastPathEqualsFullParse(f *testing.F) {
	seeds := []string{
		"resource \"aws_mq_broker\" \"b\" {\n  broker_name = \"x\"\n  subnet_ids = aws_subnet.s[*].id\n}\nresource \"aws_subnet\" \"s\" {\n  count = 2\n}\n",
		"# mqguard:ignore MQG001 reason=\"x\"\nresource \"aws_mq_broker\" \"b\" {\n  publicly_accessible = local.p\n}\nlocals {\n  p = aws_instance.i.associate_public_ip_address\n}\nresource \"aws_instance\" \"i\" {\n  associate_public_ip_address = true\n}\n",
		"resource \"aws_mq_configuration\" \"c\" {\n  data = <<-EOT\n    <broker xmlns=\"http://activemq.apache.org/schema/core\"/>\n  EOT\n}\n",
		"  resource \"aws_mq_broker\" \"b\" {\n    engine_type = \"RabbitMQ\" # trailing\n  }\n",
		"data \"aws_secretsmanager_secret_version\" \"p\" {\n  secret_id = \"x\"\n}\nresource \"aws_mq_broker\" \"b\" {\n  user {\n    username = \"u\"\n    password = data.aws_secretsmanager_secret_version.p.secret_string\n  }\n}\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		fsys := fstest.MapFS{"main.tf": &fstest.MapFile{Data: []byte(src)}}
		fast, full := loadBoth(fsys, []string{"."})
		if fast == full {
			return
		}
		defer func() { fastPath = true }()
		fastPath = false
		_, diags := Load(context.Background(), fsys, []string{"."}, Options{})
		if len(errorsOf(diags)) > 0 {
			return // a syntax error the fast path need not see
		}
		t.Errorf("fast path differs from the full parse on a valid file\nfast:\n%s\nfull:\n%s", fast, full)
	})
}

// TestDuplicateDeclarations: what Terraform refuses is an error entry, on both parse paths.
func TestDuplicateDeclarations(t *testing.T) {
	fsys := fstest.MapFS{
		"a.tf": {Data: []byte("resource \"aws_mq_broker\" \"b\" {\n  broker_name = \"one\"\n}\nresource \"aws_instance\" \"i\" {}\nvariable \"v\" {}\n")},
		"b.tf": {Data: []byte("resource \"aws_mq_broker\" \"b\" {\n  broker_name = \"two\"\n}\nresource \"aws_instance\" \"i\" {}\nvariable \"v\" {}\nmodule \"m\" {\n  source = \"./m\"\n}\nmodule \"m\" {\n  source = \"./m\"\n}\n")},
	}
	fast, full := loadBoth(fsys, []string{"."})
	if fast != full {
		t.Fatalf("fast path differs from the full parse\nfast:\n%s\nfull:\n%s", fast, full)
	}
	inv, diags := Load(context.Background(), fsys, []string{"."}, Options{})
	var got []string
	for _, d := range errorsOf(diags) {
		got = append(got, d.Error())
	}
	want := []string{
		`b.tf:1: duplicate resource aws_mq_broker.b: already declared at a.tf:1; Terraform refuses this configuration`,
		`b.tf:4: duplicate resource aws_instance.i: already declared at a.tf:4; Terraform refuses this configuration`,
		`b.tf:5: duplicate variable v: already declared at a.tf:5; Terraform refuses this configuration`,
		`b.tf:9: duplicate module m: already declared at b.tf:6; Terraform refuses this configuration`,
	}
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(inv.Brokers) != 1 || inv.Brokers[0].Name.V != "one" {
		t.Errorf("the first declaration is evaluated: got %d brokers", len(inv.Brokers))
	}
}
