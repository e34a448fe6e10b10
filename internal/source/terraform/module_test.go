package terraform

import (
	"sort"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestModules(t *testing.T) {
	mqModule := `
variable "name" {}
variable "sgs" {
  type    = list(string)
  default = []
}
resource "aws_mq_broker" "this" {
  broker_name     = var.name
  security_groups = var.sgs
}
output "name" { value = aws_mq_broker.this.broker_name }
`
	tests := []struct {
		name  string
		files map[string]string
		addrs []string
		names []string
		notes []string
	}{
		{"local module", map[string]string{
			"main.tf": `module "mq" {
  source = "./modules/mq"
  name   = "n1"
}`,
			"modules/mq/main.tf": mqModule,
		}, []string{"module.mq.aws_mq_broker.this"}, []string{"n1"}, nil},
		{"nested modules and outputs", map[string]string{
			"main.tf": `module "a" {
  source = "./a"
}
resource "aws_mq_broker" "root" { broker_name = module.a.inner_name }`,
			"a/main.tf": `module "b" {
  source = "../b"
  name   = "deep"
}
output "inner_name" { value = "${module.b.name}-out" }`,
			"b/main.tf": mqModule,
		}, []string{"aws_mq_broker.root", "module.a.module.b.aws_mq_broker.this"}, []string{"deep-out", "deep"}, nil},
		{"module count and for_each", map[string]string{
			"main.tf": `module "c" {
  count  = 2
  source = "./m"
  name   = "c${count.index}"
}
module "f" {
  for_each = toset(["blue"])
  source   = "./m"
  name     = each.key
}`,
			"m/main.tf": mqModule,
		}, []string{`module.c[0].aws_mq_broker.this`, `module.c[1].aws_mq_broker.this`, `module.f["blue"].aws_mq_broker.this`}, []string{"c0", "c1", "blue"}, nil},
		{"installed module", map[string]string{
			"main.tf": `module "reg" {
  source  = "cloudposse/mq-broker/aws"
  version = "3.0.0"
  name    = "reg"
}`,
			".terraform/modules/modules.json": `{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"reg","Source":"registry.terraform.io/cloudposse/mq-broker/aws","Dir":".terraform/modules/reg"}]}`,
			".terraform/modules/reg/main.tf":  mqModule,
		}, []string{"module.reg.aws_mq_broker.this"}, []string{"reg"}, nil},
		{"missing module", map[string]string{
			"main.tf": `module "gone" {
  source = "git::https://example.com/mq.git"
}
resource "aws_mq_broker" "b" {
  broker_name = module.gone.name
}`,
		}, []string{"aws_mq_broker.b"}, []string{""}, []string{"module gone (source git::https://example.com/mq.git) is not installed; its outputs are unknown"}},
		{"unknown count from missing module", map[string]string{
			"main.tf": `module "gone" { source = "hashicorp/x/aws" }
resource "aws_mq_broker" "b" {
  count       = module.gone.enabled ? 1 : 0
  broker_name = "x"
}`,
		}, []string{"aws_mq_broker.b"}, []string{"x"}, []string{"is not installed", "unknown count"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := load(t, tt.files, Options{})
			noErrors(t, diags)
			if len(inv.Brokers) != len(tt.addrs) {
				t.Fatalf("%d brokers, want %d: %s", len(inv.Brokers), len(tt.addrs), dump(diags))
			}
			for i, b := range inv.Brokers {
				if b.ID.Address != tt.addrs[i] || b.Name.V != tt.names[i] {
					t.Errorf("broker %d = %s %q, want %s %q", i, b.ID.Address, b.Name.V, tt.addrs[i], tt.names[i])
				}
				if b.ID.Scope != "." {
					t.Errorf("scope %q", b.ID.Scope)
				}
			}
			for _, want := range tt.notes {
				found := false
				for _, d := range diags {
					found = found || (d.Severity == model.DiagNote && strings.Contains(d.Message, want))
				}
				if !found {
					t.Errorf("no note %q in %v", want, diags)
				}
			}
		})
	}
}

func TestModuleCycle(t *testing.T) {
	inv, diags := load(t, map[string]string{
		"a/main.tf": `module "b" { source = "../b" }`,
		"b/main.tf": `module "a" { source = "../a" }
resource "aws_mq_broker" "x" {}`,
	}, Options{})
	if len(errorsOf(diags)) == 0 {
		t.Errorf("no error for the module cycle")
	}
	if len(inv.Brokers) == 0 {
		t.Errorf("brokers of the cycle lost")
	}
}

func TestSecurityGroupThroughModule(t *testing.T) {
	inv, diags := load(t, map[string]string{
		"main.tf": `resource "aws_security_group" "mq" {
  name = "mq"
}
module "mq" {
  source = "./m"
  name   = "x"
  sgs    = [aws_security_group.mq.id]
}`,
		"m/main.tf": `variable "name" {}
variable "sgs" { type = list(string) }
resource "aws_mq_broker" "this" {
  broker_name     = var.name
  security_groups = var.sgs
}`,
	}, Options{})
	noErrors(t, diags)
	b := brokerByAddr(t, inv, "module.mq.aws_mq_broker.this")
	if len(b.SecurityGroups) != 1 || b.SecurityGroups[0].Group == nil || b.SecurityGroups[0].Group.ID.Address != "aws_security_group.mq" {
		t.Errorf("security group not resolved: %s", dump(b.SecurityGroups))
	}
}

func TestDefaultTags(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  map[string]string
		state model.State
		keyAt map[string]int
	}{
		{"merged, resource wins", map[string]string{"main.tf": `provider "aws" {
  default_tags {
    tags = {
      owner = "platform"
      env   = "dev"
    }
  }
}
resource "aws_mq_broker" "b" {
  tags = {
    env = "prod"
  }
}`}, map[string]string{"owner": "platform", "env": "prod"}, model.Explicit, map[string]int{"owner": 4, "env": 11}},
		{"through module", map[string]string{
			"main.tf": `provider "aws" {
  default_tags { tags = { owner = "root" } }
}
module "m" { source = "./m" }`,
			"m/main.tf": `resource "aws_mq_broker" "b" {}`,
		}, map[string]string{"owner": "root"}, model.Explicit, nil},
		{"aliased provider passed to module", map[string]string{
			"main.tf": `provider "aws" {
  default_tags { tags = { owner = "default" } }
}
provider "aws" {
  alias = "west"
  default_tags { tags = { owner = "west" } }
}
module "m" {
  source    = "./m"
  providers = { aws = aws.west }
}`,
			"m/main.tf": `resource "aws_mq_broker" "b" {}`,
		}, map[string]string{"owner": "west"}, model.Explicit, nil},
		{"no tags", map[string]string{"main.tf": `resource "aws_mq_broker" "b" {}`}, map[string]string{}, model.Default, nil},
		{"unknown tags", map[string]string{"main.tf": `variable "t" { type = map(string) }
resource "aws_mq_broker" "b" {
  tags = var.t
}`}, map[string]string{}, model.Unknown, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := load(t, tt.files, Options{})
			noErrors(t, diags)
			if len(inv.Brokers) != 1 {
				t.Fatalf("%d brokers", len(inv.Brokers))
			}
			tags := inv.Brokers[0].Tags
			if tags.State != tt.state || len(tags.V) != len(tt.want) {
				t.Fatalf("tags = %v (%v), want %v (%v)", tags.V, tags.State, tt.want, tt.state)
			}
			for k, v := range tt.want {
				if tags.V[k] != v {
					t.Errorf("tag %s = %q, want %q", k, tags.V[k], v)
				}
			}
			for k, line := range tt.keyAt {
				if tags.KeyAt[k].StartLine != line {
					t.Errorf("tag %s at line %d, want %d", k, tags.KeyAt[k].StartLine, line)
				}
			}
		})
	}
}

// One unknown tag value leaves the other tags, and its own key, known; a map whose keys are
// unknown keeps what was known before it, its values now undecided.
func TestPartialTags(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		want      map[string]string
		undecided map[string]string // key -> where it is written
		keysKnown bool
	}{
		{"one unknown value", `variable "name" { type = string }
resource "aws_mq_broker" "b" {
  tags = {
    owner = "platform"
    Name  = var.name
  }
}`, map[string]string{"owner": "platform"}, map[string]string{"Name": "main.tf:5"}, true},
		{"unknown value through a typed module variable", `variable "name" { type = string }
module "m" {
  source = "./m"
  tags   = { owner = "platform", Name = var.name }
}`, map[string]string{"owner": "platform"}, map[string]string{"Name": "m/main.tf:3"}, true},
		{"unknown resource value over a default tag", `variable "env" { type = string }
provider "aws" {
  default_tags {
    tags = { owner = "platform", env = "dev" }
  }
}
resource "aws_mq_broker" "b" {
  tags = { env = var.env }
}`, map[string]string{"owner": "platform"}, map[string]string{"env": "main.tf:8"}, true},
		{"known resource value over an unknown default tag", `variable "env" { type = string }
provider "aws" {
  default_tags {
    tags = { owner = "platform", env = var.env }
  }
}
resource "aws_mq_broker" "b" {
  tags = { env = "prod" }
}`, map[string]string{"owner": "platform", "env": "prod"}, nil, true},
		{"unknown keys over default tags", `variable "extra" { type = map(string) }
provider "aws" {
  default_tags {
    tags = { owner = "platform" }
  }
}
resource "aws_mq_broker" "b" {
  tags = var.extra
}`, map[string]string{}, map[string]string{"owner": "main.tf:4"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"main.tf": tt.src}
			if strings.Contains(tt.src, `module "m"`) {
				// The tags' keys are written in the caller: the module knows its variable only.
				files["m/main.tf"] = `variable "tags" { type = map(string) }
resource "aws_mq_broker" "b" {
  tags = var.tags
}`
			}
			inv, diags := load(t, files, Options{})
			noErrors(t, diags)
			if len(inv.Brokers) != 1 {
				t.Fatalf("%d brokers", len(inv.Brokers))
			}
			tags := inv.Brokers[0].Tags
			wantState := model.Unknown
			if len(tt.undecided) == 0 && tt.keysKnown {
				wantState = model.Explicit
			}
			if tags.State != wantState || tags.KeysKnown != tt.keysKnown {
				t.Errorf("state %v, keys known %v; want %v, %v", tags.State, tags.KeysKnown, wantState, tt.keysKnown)
			}
			if dump(tags.V) != dump(tt.want) {
				t.Errorf("V = %v, want %v", tags.V, tt.want)
			}
			if len(tags.ValueUnknown) != len(tt.undecided) {
				t.Errorf("undecided values %v, want %v", tags.ValueUnknown, tt.undecided)
			}
			for k, where := range tt.undecided {
				if at, ok := tags.ValueUnknown[k]; !ok || at.String() != where || tags.KeyAt[k].String() != where {
					t.Errorf("undecided %s at %v (key at %v), want %s", k, at, tags.KeyAt[k], where)
				}
			}
		})
	}
}

// A module that is not there is a DiagModuleMissing note, an error with RequireModules; a local
// folder that is missing says "not found", not "not installed".
func TestMissingModules(t *testing.T) {
	files := map[string]string{
		"live/main.tf": `module "reg" {
  source = "terraform-aws-modules/mq/aws"
}
module "gone" {
  source = "../modules/gone"
}
module "empty" {
  source = "../modules/empty"
}
module "outside" {
  source = "../../elsewhere"
}`,
		"modules/empty/README.md": "no configuration here",
	}
	want := []string{ // sorted
		"live/main.tf:10: module outside: local source ../../elsewhere is outside the scanned directory; its outputs are unknown",
		"live/main.tf:1: module reg (source terraform-aws-modules/mq/aws) is not installed; its outputs are unknown",
		"live/main.tf:4: module gone: local source ../modules/gone not found; its outputs are unknown",
		"live/main.tf:7: module empty: local source ../modules/empty holds no Terraform files; its outputs are unknown",
	}
	for _, require := range []bool{false, true} {
		_, diags := load(t, files, Options{RequireModules: require})
		wantSev := model.DiagNote
		if require {
			wantSev = model.DiagError
		}
		var got []string
		for _, d := range diags {
			if d.Kind != model.DiagModuleMissing {
				continue
			}
			got = append(got, d.Error())
			if d.Severity != wantSev {
				t.Errorf("RequireModules %v: %s has severity %v, want %v", require, d.Error(), d.Severity, wantSev)
			}
		}
		sort.Strings(got) // in evaluation order
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("RequireModules %v:\n%s\nwant\n%s", require, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// A module's output may read a resource the fast path keeps unparsed: it is parsed too.
func TestOutputOfLazyResource(t *testing.T) {
	inv, diags := load(t, map[string]string{
		"main.tf": `module "label" { source = "./label" }
resource "aws_mq_broker" "b" { broker_name = module.label.id }`,
		"label/main.tf": `resource "null_resource" "n" {
  triggers = { id = "orders-prod" }
}
locals { id = null_resource.n.triggers.id }
output "id" { value = local.id }`,
	}, Options{})
	noErrors(t, diags)
	if n := brokerByAddr(t, inv, "aws_mq_broker.b").Name; n.V != "orders-prod" || n.State != model.Explicit {
		t.Errorf("name = %+v, want orders-prod", n)
	}
}
