package terraform

import (
	"sort"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

const brokerTmpl = `
resource "aws_mq_broker" "b" {
  broker_name = %s
  engine_type = "ActiveMQ"
}
`

func brokerWithName(expr string) string { return strings.Replace(brokerTmpl, "%s", expr, 1) }

func TestVariablePrecedence(t *testing.T) {
	decl := `variable "name" {
  default = "from-default"
}
variable "list" {
  type    = list(string)
  default = []
}
` + brokerWithName(`var.name`)
	tests := []struct {
		name    string
		files   map[string]string
		opts    Options
		want    string
		wantLit string // where the literal was written (a --var or TF_VAR_ value is an input)
	}{
		{"default", map[string]string{}, Options{}, "from-default", "main.tf:2"},
		{"env", map[string]string{}, Options{Env: []string{"TF_VAR_name=from-env"}}, "from-env", "TF_VAR_name"},
		{"tfvars beats env", map[string]string{"terraform.tfvars": `name = "from-tfvars"`},
			Options{Env: []string{"TF_VAR_name=from-env"}}, "from-tfvars", "terraform.tfvars:1"},
		{"tfvars.json beats tfvars", map[string]string{
			"terraform.tfvars":      `name = "from-tfvars"`,
			"terraform.tfvars.json": `{"name": "from-json"}`}, Options{}, "from-json", "terraform.tfvars.json:1"},
		{"auto tfvars lexical order", map[string]string{
			"terraform.tfvars.json": `{"name": "from-json"}`,
			"a.auto.tfvars":         `name = "a"`,
			"b.auto.tfvars":         "\n\nname = \"b\""}, Options{}, "b", "b.auto.tfvars:3"},
		{"var-file beats auto", map[string]string{
			"b.auto.tfvars":   `name = "b"`,
			"env/prod.tfvars": `name = "prod"`}, Options{Vars: []VarArg{{File: "env/prod.tfvars"}}}, "prod", "env/prod.tfvars:1"},
		{"var beats var-file", map[string]string{"env/prod.tfvars": `name = "prod"`},
			Options{Vars: []VarArg{{File: "env/prod.tfvars"}, {Assign: "name=cli"}}}, "cli", "--var name"},
		{"later var wins", map[string]string{}, Options{Vars: []VarArg{{Assign: "name=one"}, {Assign: "name=two"}}}, "two", "--var name"},
		{"var-file after var wins (command-line order)", map[string]string{"env/prod.tfvars": `name = "prod"`},
			Options{Vars: []VarArg{{Assign: "name=cli"}, {File: "env/prod.tfvars"}}}, "prod", "env/prod.tfvars:1"},
		{"undeclared ignored", map[string]string{"terraform.tfvars": `other = "x"`}, Options{}, "from-default", "main.tf:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"main.tf": strings.Replace(decl, `broker_name = var.name`, "broker_name = var.name\n  user {\n    username = \"u\"\n    password = var.name\n  }", 1)}
			for k, v := range tt.files {
				files[k] = v
			}
			inv, diags := load(t, files, tt.opts)
			noErrors(t, diags)
			b := brokerByAddr(t, inv, "aws_mq_broker.b")
			if b.Name.V != tt.want || b.Name.State != model.Explicit {
				t.Errorf("name = %q (%v), want %q", b.Name.V, b.Name.State, tt.want)
			}
			pw := b.Users[0].Password
			wantOrigin := model.SecretLiteral
			if strings.HasPrefix(tt.wantLit, "TF_VAR") || strings.HasPrefix(tt.wantLit, "--var") {
				// Given when the command runs: not written in code (MQG013 must not fail it).
				wantOrigin = model.SecretInput
			}
			if pw.Origin != wantOrigin {
				t.Errorf("password origin = %v, want %v", pw.Origin, wantOrigin)
			}
			if wantOrigin == model.SecretLiteral && pw.LiteralAt.String() != tt.wantLit {
				t.Errorf("literal at %q, want %q", pw.LiteralAt.String(), tt.wantLit)
			}
		})
	}
}

func TestVariableTypes(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		opts  Options
		want  string
		state model.State
	}{
		{"number to string", `variable "v" {
 type = string
 default = 5
}`, Options{}, "5", model.Explicit},
		{"object optional default", `variable "v" {
  type = object({ name = optional(string, "dflt"), size = number })
  default = { size = 1 }
}`, Options{}, "dflt", model.Explicit},
		{"complex -var parsed as HCL", `variable "v" { type = map(string) }`, Options{Vars: []VarArg{{Assign: `v={name="m"}`}}}, "m", model.Explicit},
		{"no default no value is unknown", `variable "v" { type = string }`, Options{}, "", model.Unknown},
		{"default null is null", `variable "v" {
 type = string
 default = null
}`, Options{}, "", model.Unknown},
		{"nullable false uses default", `variable "v" {
 nullable = false
 default = "d"
}`, Options{Vars: nil}, "d", model.Explicit},
		{"sensitive", `variable "v" {
 sensitive = true
 default = "s"
}`, Options{}, "s", model.Explicit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expr := "var.v"
			switch {
			case strings.Contains(tt.src, "optional"):
				expr = "var.v.name"
			case strings.Contains(tt.src, "map(string)"):
				expr = `var.v["name"]`
			}
			inv, diags := load(t, map[string]string{"main.tf": tt.src + brokerWithName(expr)}, tt.opts)
			noErrors(t, diags)
			b := brokerByAddr(t, inv, "aws_mq_broker.b")
			if b.Name.V != tt.want || b.Name.State != tt.state {
				t.Errorf("name = %q (%v), want %q (%v)", b.Name.V, b.Name.State, tt.want, tt.state)
			}
		})
	}
}

func TestExpressions(t *testing.T) {
	files := map[string]string{
		"conf/a.txt":     "from-file",
		"conf/t.tmpl":    "hello ${who}",
		"conf/data.yaml": "name: yml\nlist: [1, 2]\n",
	}
	tests := []struct {
		expr string
		want string // "" with unknown=true means unknown
		unk  bool
	}{
		{`local.b`, "a-b", false},
		{`true ? "yes" : "no"`, "yes", false},
		{`join(",", [for s in ["a", "b"] : upper(s)])`, "A,B", false},
		{`join(",", [{n = "x"}, {n = "y"}][*].n)`, "x,y", false},
		{`"${local.a}-${path.module}-${terraform.workspace}"`, "a-.-default", false},
		{"<<EOT\nheredoc\nEOT\n", "heredoc\n", false},
		{`lookup({a = "1"}, "b", "dflt")`, "dflt", false},
		{`merge({a = "1"}, {a = "2"}).a`, "2", false},
		{`try(local.missing.x, "fallback")`, "fallback", false},
		{`tostring(can(regex("^a", "abc")))`, "true", false},
		{`coalesce("", "c")`, "c", false},
		{`join("-", coalescelist([], ["x"]))`, "x", false},
		{`join("-", compact(["a", "", "b"]))`, "a-b", false},
		{`join("-", concat(["a"], ["b"]))`, "a-b", false},
		{`tostring(contains(["a"], "a"))`, "true", false},
		{`join("-", distinct(["a", "a"]))`, "a", false},
		{`element(["a", "b"], 3)`, "b", false},
		{`join("-", flatten([["a"], ["b"]]))`, "a-b", false},
		{`format("%s-%03d", "n", 7)`, "n-007", false},
		{`join(",", formatlist("x%s", ["1", "2"]))`, "x1,x2", false},
		{`split(",", "a,b")[1]`, "b", false},
		{`join(",", keys({b = 1, a = 2}))`, "a,b", false},
		{`join(",", values({b = "1", a = "2"}))`, "2,1", false},
		{`tostring(length("abc") + length([1]))`, "4", false},
		{`replace("a.b", ".", "-")`, "a-b", false},
		{`regex("[0-9]+", "ab12")`, "12", false},
		{`tostring(length(regexall("a", "aaa")))`, "3", false},
		{`substr("hello", 1, 3)`, "ell", false},
		{`trimspace("  x ")`, "x", false},
		{`trimprefix(trimsuffix("[x]", "]"), "[")`, "x", false},
		{`tostring(startswith("abc", "ab") && endswith("abc", "bc"))`, "true", false},
		{`tostring(tonumber("3") + 1)`, "4", false},
		{`tostring(tobool("true"))`, "true", false},
		{`jsondecode(jsonencode({a = "j"})).a`, "j", false},
		{`yamldecode(file("conf/data.yaml")).name`, "yml", false},
		{`base64decode(base64encode("b64"))`, "b64", false},
		{`file("${path.module}/conf/a.txt")`, "from-file", false},
		{`tostring(fileexists("conf/a.txt"))`, "true", false},
		{`templatefile("conf/t.tmpl", { who = "tf" })`, "hello tf", false},
		{`basename("a/b.txt")`, "b.txt", false},
		{`dirname("a/b.txt")`, "a", false},
		{`zipmap(["k"], ["v"]).k`, "v", false},
		{`join(",", [for i in range(3) : tostring(i)])`, "0,1,2", false},
		{`tostring(min(3, 1) + max(2, 4))`, "5", false},
		{`join(",", sort(["b", "a"]))`, "a,b", false},
		{`join(",", reverse(["a", "b"]))`, "b,a", false},
		{`join(",", setunion(["a"], ["b"]))`, "a,b", false},
		{`one(["x"])`, "x", false},
		{`tostring(sum([1, 2]))`, "3", false},
		{`cidrsubnet("10.0.0.0/16", 8, 2)`, "10.0.2.0/24", false},
		{`cidrhost("10.0.0.0/24", 5)`, "10.0.0.5", false},
		{`md5("a")`, "0cc175b9c0f1b6a831c399e269772661", false},
		{`timestamp()`, "", true},
		{`uuid()`, "", true},
		{`notafunction("x")`, "", true},
		{`file("../outside.txt")`, "", true},
		{`var.undeclared`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			fs := map[string]string{"main.tf": `locals {
  b = "${local.a}-b"
  a = "a"
}
` + brokerWithName(tt.expr)}
			for k, v := range files {
				fs[k] = v
			}
			inv, diags := load(t, fs, Options{})
			noErrors(t, diags)
			b := brokerByAddr(t, inv, "aws_mq_broker.b")
			if tt.unk {
				if b.Name.Known() {
					t.Errorf("name = %q, want unknown", b.Name.V)
				}
				return
			}
			if b.Name.V != tt.want || b.Name.State != model.Explicit {
				t.Errorf("name = %q (%v), want %q", b.Name.V, b.Name.State, tt.want)
			}
		})
	}
}

func TestUnknownFunctionNote(t *testing.T) {
	_, diags := load(t, map[string]string{"main.tf": brokerWithName(`foo(1)`) + `
locals {
  x = foo(2)
}`}, Options{})
	n := 0
	for _, d := range diags {
		if strings.Contains(d.Message, "function foo") {
			n++
			if d.Severity != model.DiagNote {
				t.Errorf("severity %v", d.Severity)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d notes for foo, want 1: %v", n, diags)
	}
}

func TestCountForEachAddresses(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		addrs []string
		names []string
	}{
		{"count", `resource "aws_mq_broker" "b" {
  count = 2
  broker_name = "b-${count.index}"
}`, []string{"aws_mq_broker.b[0]", "aws_mq_broker.b[1]"}, []string{"b-0", "b-1"}},
		{"count zero", `resource "aws_mq_broker" "b" {
  count = 0
}`, nil, nil},
		{"conditional false", `variable "on" { default = false }
resource "aws_mq_broker" "b" {
  count = var.on ? 1 : 0
}`, nil, nil},
		{"for_each map", `resource "aws_mq_broker" "b" {
  for_each = { blue = "B", green = "G" }
  broker_name = "${each.key}-${each.value}"
}`, []string{`aws_mq_broker.b["blue"]`, `aws_mq_broker.b["green"]`}, []string{"blue-B", "green-G"}},
		{"for_each set", `resource "aws_mq_broker" "b" {
  for_each = toset(["x", "y"])
  broker_name = each.value
}`, []string{`aws_mq_broker.b["x"]`, `aws_mq_broker.b["y"]`}, []string{"x", "y"}},
		{"unknown count", `variable "n" { type = number }
resource "aws_mq_broker" "b" {
  count = var.n
  broker_name = "b-${count.index}"
}`, []string{"aws_mq_broker.b"}, []string{""}},
		{"unknown for_each", `variable "m" { type = map(string) }
resource "aws_mq_broker" "b" {
  for_each = var.m
  broker_name = "fixed"
}`, []string{"aws_mq_broker.b"}, []string{"fixed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := load(t, map[string]string{"main.tf": tt.src}, Options{})
			noErrors(t, diags)
			if len(inv.Brokers) != len(tt.addrs) {
				t.Fatalf("%d brokers, want %d", len(inv.Brokers), len(tt.addrs))
			}
			for i, b := range inv.Brokers {
				if b.ID.Address != tt.addrs[i] || b.Name.V != tt.names[i] {
					t.Errorf("broker %d = %s %q, want %s %q", i, b.ID.Address, b.Name.V, tt.addrs[i], tt.names[i])
				}
			}
			if strings.HasPrefix(tt.name, "unknown") {
				found := false
				for _, d := range diags {
					found = found || d.Severity == model.DiagNote
				}
				if !found {
					t.Error("no note for the unknown repetition")
				}
			}
		})
	}
}

// lookup() is Terraform's (two arguments, a null default, unknown values elsewhere in the map),
// and try() resolves the same in a local as inline, keeping where an undecided value comes from.
func TestLookupAndTry(t *testing.T) {
	head := `variable "ctx" {
  type    = any
  default = { a = "x", tags = { k = "v" } }
}
variable "input" { type = string }
variable "empty" {
  type    = list(string)
  default = []
}
resource "random_password" "p" { length = 16 }
data "aws_ssm_parameter" "s" { name = "x" }
`
	tests := []struct {
		expr   string
		want   string // "" when the value is unknown
		origin model.SecretOrigin
	}{
		{`lookup(var.ctx, "a")`, "x", model.SecretLiteral},
		{`coalesce(lookup(var.ctx, "tenant", null), "dflt")`, "dflt", model.SecretLiteral},
		{`lookup(var.ctx.tags, "k", null)`, "v", model.SecretLiteral},
		{`lookup({ a = "x", b = var.input }, "a", "d")`, "x", model.SecretLiteral},
		{`lookup(var.ctx, "missing")`, "", model.SecretUnknown},
		{`try(lookup(var.ctx, "missing"), "nf")`, "nf", model.SecretLiteral},
		{`try(var.empty[0], "fallback")`, "fallback", model.SecretLiteral},
		{`try(var.ctx.nope, "nob")`, "nob", model.SecretLiteral},
		{`try(random_password.p.result, "")`, "", model.SecretGenerated},
		{`try(data.aws_ssm_parameter.s.value, "")`, "", model.SecretStore},
		{`try(var.input, "")`, "", model.SecretInput},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			for _, viaLocal := range []bool{false, true} {
				src := head + `resource "aws_mq_broker" "b" {
  broker_name = ` + tt.expr + `
  user {
    username = "u"
    password = ` + tt.expr + `
  }
}`
				if viaLocal {
					src = head + `locals {
  x = ` + tt.expr + `
}
resource "aws_mq_broker" "b" {
  broker_name = local.x
  user {
    username = "u"
    password = local.x
  }
}`
				}
				inv, diags := load(t, map[string]string{"main.tf": src}, Options{})
				noErrors(t, diags)
				b := brokerByAddr(t, inv, "aws_mq_broker.b")
				wantState := model.Explicit
				if tt.want == "" {
					wantState = model.Unknown
				}
				if b.Name.V != tt.want || b.Name.State != wantState {
					t.Errorf("local %v: name = %q (%v), want %q (%v)", viaLocal, b.Name.V, b.Name.State, tt.want, wantState)
				}
				if got := b.Users[0].Password.Origin; got != tt.origin {
					t.Errorf("local %v: password origin %v, want %v", viaLocal, got, tt.origin)
				}
			}
		})
	}
}

// A --var value is given when the command runs, like TF_VAR_*: an input, not a literal written
// in code. One that does not fit its variable's type is reported, naming the variable and never
// the value: through Stats when there is one, as an error diagnostic otherwise.
func TestCLIVarErrors(t *testing.T) {
	files := map[string]string{"main.tf": `variable "port" { type = number }
variable "names" { type = list(string) }
variable "conf" { type = object({ size = number }) }
variable "pw" { type = string }
resource "aws_mq_broker" "b" {
  broker_name = join(",", var.names)
  user {
    username = "u"
    password = var.pw
  }
}`}
	vars := []VarArg{{Assign: "port=s3cr3t-port"}, {Assign: "names=[1,"}, {Assign: `conf={size="big"}`},
		{Assign: "pw=s3cr3t"}, {Assign: "undeclared=x"}, {Assign: "s3cr3t-no-equals"}}
	want := []string{
		"--var conf: the value is not a valid object",
		"--var names: the value is not a valid expression for a list of string",
		"--var port: the value is not a valid number",
		"--var: an argument is not NAME=VALUE",
	}
	t.Run("stats", func(t *testing.T) {
		stats := &Stats{}
		inv, diags := load(t, files, Options{Vars: vars, Stats: stats})
		noErrors(t, diags)
		if got := stats.VarErrors(); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("var errors:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if pw := inv.Brokers[0].Users[0].Password; pw.Origin != model.SecretInput {
			t.Errorf("password from --var: origin %v, want input", pw.Origin)
		}
		// A cached root module reports them again.
		cached := &Stats{}
		opts := Options{Vars: vars, Stats: cached, CacheDir: t.TempDir()}
		load(t, files, opts)
		opts.Stats = &Stats{}
		load(t, files, opts)
		if opts.Stats.CacheHits.Load() != 1 || strings.Join(opts.Stats.VarErrors(), "\n") != strings.Join(want, "\n") {
			t.Errorf("from the cache (%d hits): %v", opts.Stats.CacheHits.Load(), opts.Stats.VarErrors())
		}
	})
	t.Run("no stats", func(t *testing.T) {
		_, diags := load(t, files, Options{Vars: vars})
		var got []string
		for _, d := range errorsOf(diags) {
			if d.Kind == model.DiagVarInvalid {
				got = append(got, d.Message)
			}
		}
		sort.Strings(got)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("var errors:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for _, d := range diags {
			if strings.Contains(d.Message, "s3cr3t") {
				t.Errorf("a value in a diagnostic: %s", d.Message)
			}
		}
	})
}
