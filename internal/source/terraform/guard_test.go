package terraform

import (
	"reflect"
	"strings"
	"testing"
)

// A file nested too deep to parse safely, or that is not text, is one error naming its line;
// the other files of the module are still read.
func TestSourceGuard(t *testing.T) {
	const deep = 100_000
	nested := strings.Repeat("[", deep) + strings.Repeat("]", deep)
	binary := string([]byte{0x7f, 'E', 'L', 'F', 0, 0, 0xff, 0xfe, '\n', '{', '[', 0, 0x80})
	tests := []struct {
		name  string
		files map[string]string
		opts  Options
		want  []string
	}{
		{"native", map[string]string{"deep.tf": "locals {\n  x = " + nested + "\n}\n"},
			Options{}, []string{"deep.tf:2: nested more than 1000 levels deep; not parsed"}},
		{"native, unary operators", map[string]string{"deep.tf": "locals {\n  x = " + strings.Repeat("!", deep) + "true\n}\n"},
			Options{}, []string{"deep.tf:2: nested more than 1000 levels deep; not parsed"}},
		{"json", map[string]string{"deep.tf.json": `{"locals": {"x": ` + nested + `}}`},
			Options{}, []string{"deep.tf.json:1: nested more than 1000 levels deep; not parsed"}},
		{"json template", map[string]string{"deep.tf.json": "{\"locals\": {\n\"x\": \"${" + nested + "}\"}}"},
			Options{}, []string{"deep.tf.json:2: nested more than 1000 levels deep; not parsed"}},
		{"tfvars", map[string]string{"v.tf": `variable "x" {}`, "terraform.tfvars": "x = " + nested},
			Options{}, []string{"terraform.tfvars:1: nested more than 1000 levels deep; not parsed"}},
		{"tfvars json", map[string]string{"v.tf": `variable "x" {}`, "terraform.tfvars.json": `{"x": ` + nested + `}`},
			Options{}, []string{"terraform.tfvars.json:1: nested more than 1000 levels deep; not parsed"}},
		{"var file", map[string]string{"v.tf": `variable "x" {}`, "deep.tfvars": "\nx = " + nested},
			Options{Vars: []VarArg{{File: "deep.tfvars"}}}, []string{"deep.tfvars:2: nested more than 1000 levels deep; not parsed"}},
		{"a module's local calls", map[string]string{"deep.tf": "module \"m\" {\n  source = \"./m\"\n  x = " + nested + "\n}\n", "m/main.tf": ""},
			Options{}, []string{"deep.tf:3: nested more than 1000 levels deep; not parsed"}},
		{"binary", map[string]string{"blob.tf": strings.Repeat(binary, 1000)},
			Options{}, []string{"blob.tf:1: not a text file (NUL byte); not parsed"}},
		{"binary json", map[string]string{"blob.tf.json": strings.Repeat(binary, 1000)},
			Options{}, []string{"blob.tf.json:1: not a text file (NUL byte); not parsed"}},
		{"Latin-1 in a string", map[string]string{"latin.tf": "locals {\n  x = \"caf\xe9\"\n}\n"},
			Options{}, []string{"latin.tf:2: not UTF-8 text (invalid byte); not parsed"}},
		{"UTF-16", map[string]string{"w.tf": "\xff\xfel\x00o\x00"},
			Options{}, []string{"w.tf:1: UTF-16 text; Terraform reads UTF-8 only; not parsed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"main.tf": guardBroker}
			for k, v := range tc.files {
				files[k] = v
			}
			inv, diags := load(t, files, tc.opts)
			if got := diagStrings(errorsOf(diags)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("errors:\n got %q\nwant %q", got, tc.want)
			}
			brokerByAddr(t, inv, "aws_mq_broker.b")
		})
	}
}

// Latin-1 in comments is what hclsyntax accepts: no error.
func TestSourceGuardAcceptsBytesInComments(t *testing.T) {
	_, diags := load(t, map[string]string{"main.tf": "# caf\xe9\n" + guardBroker + "/* \xff */\n"}, Options{})
	noErrors(t, diags)
}

func TestTemplatefileGuard(t *testing.T) {
	deep := "${" + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "}"
	inv, diags := load(t, map[string]string{
		"main.tf": "resource \"aws_mq_broker\" \"b\" {\n  engine_type = \"ActiveMQ\"\n  tags = { t = templatefile(\"t.tmpl\", {}) }\n}\n",
		"t.tmpl":  deep,
	}, Options{})
	noErrors(t, diags)
	// Not parsed: the value is unknown, as for any template that cannot be read.
	b := brokerByAddr(t, inv, "aws_mq_broker.b")
	if _, unknown := b.Tags.ValueUnknown["t"]; !unknown {
		t.Errorf("tags = %s, want t unknown", dump(b.Tags))
	}
}
