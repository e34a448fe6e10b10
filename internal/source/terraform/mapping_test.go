package terraform

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestDynamicBlocks(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		users []string
		state model.State
	}{
		{"dynamic users", `variable "users" {
  default = { alice = "a", bob = "b" }
}
resource "aws_mq_broker" "b" {
  user {
    username = "static"
    password = "x"
  }
  dynamic "user" {
    for_each = var.users
    content {
      username = user.key
      password = user.value
    }
  }
}`, []string{"static", "alice", "bob"}, model.Explicit},
		{"iterator", `resource "aws_mq_broker" "b" {
  dynamic "user" {
    for_each = ["u1"]
    iterator = it
    content { username = it.value }
  }
}`, []string{"u1"}, model.Explicit},
		{"unknown collection", `variable "users" { type = list(string) }
resource "aws_mq_broker" "b" {
  dynamic "user" {
    for_each = var.users
    content { username = user.value }
  }
}`, nil, model.Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := load(t, map[string]string{"main.tf": tt.src}, Options{})
			noErrors(t, diags)
			b := inv.Brokers[0]
			var got []string
			for _, u := range b.Users {
				got = append(got, u.Username.V)
			}
			if strings.Join(got, ",") != strings.Join(tt.users, ",") || b.UsersState != tt.state {
				t.Errorf("users = %v (%v), want %v (%v)", got, b.UsersState, tt.users, tt.state)
			}
		})
	}
}

func TestNestedDynamicIngress(t *testing.T) {
	inv, diags := load(t, map[string]string{"main.tf": `locals {
  rules = { amqp = { port = 5671, cidrs = ["0.0.0.0/0"] }, web = { port = 8162, cidrs = ["10.0.0.0/8"] } }
}
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = local.rules
    content {
      protocol    = "tcp"
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      cidr_blocks = ingress.value.cidrs
    }
  }
}
resource "aws_security_group_rule" "r" {
  type              = "ingress"
  security_group_id = aws_security_group.sg.id
  protocol          = "-1"
  from_port         = 0
  to_port           = 0
  cidr_blocks       = ["1.2.3.4/32"]
}
resource "aws_vpc_security_group_ingress_rule" "v" {
  security_group_id = aws_security_group.sg.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv6         = "::/0"
}
resource "aws_security_group" "outer" {
  dynamic "ingress" {
    for_each = [1]
    content {
      protocol = "tcp"
      dynamic "nested" {
        for_each = ["a", "b"]
        content { v = nested.value }
      }
    }
  }
}`}, Options{})
	noErrors(t, diags)
	var sg *model.SecurityGroup
	for _, g := range inv.SecurityGroups {
		if g.ID.Address == "aws_security_group.sg" {
			sg = g
		}
	}
	if sg == nil || sg.IngressState != model.Explicit {
		t.Fatalf("group: %s", dump(sg))
	}
	var got []string
	for _, r := range sg.Ingress {
		got = append(got, r.Protocol.V+":"+strings.Join(r.CIDRs.V, "+")+":"+itoa(r.FromPort.V)+":"+itoa(int64(r.At.StartLine)))
	}
	want := "tcp:0.0.0.0/0:5671:7,tcp:10.0.0.0/8:8162:7,-1:1.2.3.4/32:0:15,tcp:::/0:443:23"
	if strings.Join(got, ",") != want {
		t.Errorf("rules = %v\nwant %v", strings.Join(got, ","), want)
	}
}

func itoa(i int64) string {
	return strings.TrimSpace(strings.ReplaceAll(dump(i), "\n", ""))
}

func TestPasswordProvenance(t *testing.T) {
	tests := []struct {
		name    string
		expr    string
		origin  model.SecretOrigin
		literal string
	}{
		{"literal in resource", `"plain"`, model.SecretLiteral, "main.tf:41"},
		{"variable default", `var.with_default`, model.SecretLiteral, "main.tf:3"},
		{"local literal", `local.pw`, model.SecretLiteral, "main.tf:41"},
		{"variable without default", `var.input`, model.SecretInput, ""},
		{"variable default null", `var.nul`, model.SecretAbsent, ""},
		{"random_password", `random_password.p.result`, model.SecretGenerated, ""},
		{"secrets manager", `jsondecode(data.aws_secretsmanager_secret_version.s.secret_string)["password"]`, model.SecretStore, ""},
		{"ssm", `data.aws_ssm_parameter.p.value`, model.SecretStore, ""},
		{"ephemeral", `ephemeral.aws_secretsmanager_secret_version.e.secret_string`, model.SecretEphemeral, ""},
		{"conditional to generated", `var.with_default != "" ? random_password.p.result : var.with_default`, model.SecretGenerated, ""},
		{"through local", `local.gen`, model.SecretGenerated, ""},
	}
	head := `
variable "with_default" {
  default = "from-default"
}
variable "input" {
  type      = string
  sensitive = true
}
variable "nul" {
  type    = string
  default = null
}
locals {
  pw  = "local-literal"
  gen = random_password.p.result
}
resource "random_password" "p" {
  length = 16
}
data "aws_secretsmanager_secret_version" "s" {
  secret_id = "x"
}
data "aws_ssm_parameter" "p" {
  name = "x"
}
ephemeral "aws_secretsmanager_secret_version" "e" {
  secret_id = "x"
}
`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// the password attribute is on line 41
			src := head + strings.Repeat("\n", 40-strings.Count(head, "\n")-3) + `resource "aws_mq_broker" "b" {
  user {
    username = "u"
    password = ` + tt.expr + `
  }
}`
			inv, diags := load(t, map[string]string{"main.tf": src}, Options{})
			noErrors(t, diags)
			pw := inv.Brokers[0].Users[0].Password
			if pw.At.StartLine != 41 {
				t.Fatalf("password at %v, want line 41", pw.At)
			}
			if pw.Origin != tt.origin {
				t.Errorf("origin = %v, want %v", pw.Origin, tt.origin)
			}
			if pw.LiteralAt.String() != tt.literal {
				t.Errorf("literal at %q, want %q", pw.LiteralAt.String(), tt.literal)
			}
			for _, d := range diags {
				if strings.Contains(d.Message, "plain") || strings.Contains(d.Message, "from-default") {
					t.Errorf("secret in diagnostic: %s", d.Message)
				}
			}
		})
	}
	t.Run("write-only", func(t *testing.T) {
		inv, _ := load(t, map[string]string{"main.tf": `resource "aws_mq_broker" "b" {
  ldap_server_metadata {
    hosts                       = ["ldap.example.com"]
    service_account_password_wo = "x"
  }
}`}, Options{})
		if got := inv.Brokers[0].LDAP.ServiceAccountPassword.Origin; got != model.SecretEphemeral {
			t.Errorf("origin %v", got)
		}
	})
}

func TestBrokerMapping(t *testing.T) {
	src := `resource "aws_kms_key" "k" {
  is_enabled = false
}
data "aws_kms_alias" "mq" {
  name = "alias/aws/mq"
}
resource "aws_mq_broker" "full" {
  broker_name                = "full"
  engine_type                = "RabbitMQ"
  engine_version             = "3.13"
  deployment_mode            = "CLUSTER_MULTI_AZ"
  host_instance_type         = "mq.m5.large"
  publicly_accessible        = false
  auto_minor_version_upgrade = true
  authentication_strategy    = "ldap"
  subnet_ids                 = ["s1", "s2"]
  encryption_options {
    use_aws_owned_key = false
    kms_key_id        = aws_kms_key.k.arn
  }
  logs {
    general = true
  }
  configuration {
    id       = aws_mq_configuration.c.id
    revision = aws_mq_configuration.c.latest_revision
  }
}
resource "aws_mq_broker" "defaults" {
  encryption_options {}
}
resource "aws_mq_broker" "managed" {
  encryption_options {
    use_aws_owned_key = false
    kms_key_id        = data.aws_kms_alias.mq.target_key_arn
  }
}
resource "aws_mq_broker" "literal_key" {
  encryption_options {
    kms_key_id = "arn:aws:kms:us-east-1:111122223333:key/abc"
  }
}
resource "aws_mq_configuration" "c" {
  name           = "c"
  engine_type    = "RabbitMQ"
  engine_version = "3.13"
  data           = "consumer_timeout = 1800000"
}
`
	inv, diags := load(t, map[string]string{"main.tf": src}, Options{})
	noErrors(t, diags)
	full := brokerByAddr(t, inv, "aws_mq_broker.full")
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"engine", full.Engine.V, "RabbitMQ"},
		{"mode", full.DeploymentMode.V, "CLUSTER_MULTI_AZ"},
		{"auth", full.AuthStrategy.V, "LDAP"},
		{"auto minor", full.AutoMinorUpgrade.V, true},
		{"subnets", strings.Join(full.SubnetIDs.V, ","), "s1,s2"},
		{"key resolved", full.Encryption.Key != nil && full.Encryption.Key.ID.Address == "aws_kms_key.k", true},
		{"key disabled", full.Encryption.Key != nil && !full.Encryption.Key.Enabled.V, true},
		{"key manager", full.Encryption.KeyManager.V, "CUSTOMER"},
		{"general log", full.Logs.General.V, true},
		{"audit default", full.Logs.Audit.State, model.Default},
		{"config resolved", full.Configuration != nil && full.Configuration.Config != nil, true},
		{"config used", inv.Configurations[0].UsedBy, 1},
		{"rabbit conf data", inv.Configurations[0].Data, model.Explicit},
		{"sg default", full.SecurityGroupsState, model.Default},
	}
	d := brokerByAddr(t, inv, "aws_mq_broker.defaults")
	checks = append(checks, []struct {
		name string
		got  any
		want any
	}{
		{"empty block owned key", d.Encryption.UseAWSOwnedKey, model.DefaultBool(true, d.Encryption.UseAWSOwnedKey.At)},
		{"default public", d.PubliclyAccessible.State, model.Default},
		{"default auto minor", d.AutoMinorUpgrade.V, false},
		{"default logs", d.Logs.General.State, model.Default},
		{"default mode", d.DeploymentMode.V, "SINGLE_INSTANCE"},
		{"default at block", d.DeploymentMode.At.StartLine, 29},
		{"managed key", brokerByAddr(t, inv, "aws_mq_broker.managed").Encryption.KeyManager.V, "AWS"},
		{"literal key", brokerByAddr(t, inv, "aws_mq_broker.literal_key").Encryption.KeyManager.V, "CUSTOMER"},
	}...)
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLineRanges(t *testing.T) {
	src := `# mqguard:ignore MQG001 reason="partner"
// second line
resource "aws_mq_broker" "b" {
  broker_name = "b"

  publicly_accessible = true # checkov:skip=CKV_AWS_69
  user {
    username = "u"
    password = "p"
  }
  logs {
    general = true
  }
}`
	inv, diags := load(t, map[string]string{"infra/mq.tf": src}, Options{Display: func(p string) string { return "./" + p }})
	noErrors(t, diags)
	b := inv.Brokers[0]
	checks := []struct {
		name string
		got  model.Range
		line int
	}{
		{"block", b.ID.At, 3},
		{"name", b.Name.At, 4},
		{"public", b.PubliclyAccessible.At, 6},
		{"default", b.DeploymentMode.At, 3},
		{"user", b.Users[0].At, 7},
		{"username", b.Users[0].Username.At, 8},
		{"password", b.Users[0].Password.At, 9},
		{"general", b.Logs.General.At, 12},
	}
	for _, c := range checks {
		if c.got.StartLine != c.line || c.got.File != "./infra/mq.tf" {
			t.Errorf("%s at %v, want ./infra/mq.tf:%d", c.name, c.got, c.line)
		}
	}
	if b.ID.At.EndLine != 14 {
		t.Errorf("block ends at %d", b.ID.At.EndLine)
	}
	if b.ID.Scope != "./infra" {
		t.Errorf("scope %q", b.ID.Scope)
	}
	var dirs []string
	for _, d := range b.Directives {
		dirs = append(dirs, itoa(int64(d.At.StartLine))+" "+d.Text)
	}
	want := []string{`1 # mqguard:ignore MQG001 reason="partner"`, "2 // second line", "6 # checkov:skip=CKV_AWS_69"}
	if strings.Join(dirs, "|") != strings.Join(want, "|") {
		t.Errorf("directives = %q", dirs)
	}
}

func TestErrors(t *testing.T) {
	big := strings.Repeat("#", maxFileSize+1)
	tests := []struct {
		name    string
		files   map[string]string
		errAt   string
		brokers int
	}{
		{"syntax error names file and line; other dirs load", map[string]string{
			"bad/main.tf":  "resource \"aws_mq_broker\" \"b\" {\n  broker_name = \n}\n",
			"good/main.tf": `resource "aws_mq_broker" "g" {}`,
		}, "bad/main.tf:2", 1}, // what HCL recovers of the broken block is not used: no default reads as a pass
		{"one bad file, same dir still loads", map[string]string{
			"a.tf": "resource \"aws_mq_broker\" \"a\" {}",
			"b.tf": "locals {\n  x = [\n",
		}, "b.tf:", 1},
		{"cycle", map[string]string{
			"main.tf": "locals {\n  a = local.b\n  b = local.a\n}\nresource \"aws_mq_broker\" \"b\" { broker_name = local.a }\n",
		}, "main.tf:2", 1},
		{"too big", map[string]string{
			"huge.tf": big,
			"ok.tf":   `resource "aws_mq_broker" "g" {}`,
		}, "huge.tf", 1},
		{"bad tfvars", map[string]string{
			"main.tf":          `resource "aws_mq_broker" "g" {}`,
			"terraform.tfvars": "x = \n",
		}, "terraform.tfvars:1", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := load(t, tt.files, Options{})
			errs := errorsOf(diags)
			if len(errs) == 0 || !strings.HasPrefix(errs[0].Error(), tt.errAt) {
				t.Errorf("errors = %v, want one at %s", errs, tt.errAt)
			}
			if len(inv.Brokers) != tt.brokers {
				t.Errorf("%d brokers, want %d", len(inv.Brokers), tt.brokers)
			}
		})
	}
}

func TestConfigurationData(t *testing.T) {
	saved := parseActiveMQ
	defer func() { parseActiveMQ = saved }()
	type call struct {
		file  string
		line  int
		first string
	}
	var calls []call
	parseActiveMQ = func(data []byte, file string, firstLine int) (*model.ActiveMQConfig, error) {
		first, _, _ := strings.Cut(strings.TrimSpace(string(data)), "\n")
		calls = append(calls, call{file, firstLine, first})
		if strings.Contains(string(data), "broken") {
			return nil, errors.New("bad xml")
		}
		return &model.ActiveMQConfig{}, nil
	}
	inv, diags := load(t, map[string]string{
		"main.tf": `resource "aws_mq_configuration" "heredoc" {
  engine_type = "ActiveMQ"
  data        = <<DATA
<broker xmlns="http://activemq.apache.org/schema/core">
</broker>
DATA
}
resource "aws_mq_configuration" "file" {
  engine_type = "ActiveMQ"
  data        = file("${path.module}/activemq.xml")
}
resource "aws_mq_configuration" "b64" {
  engine_type = "ActiveMQ"
  data        = base64encode("<broker/>")
}
resource "aws_mq_configuration" "broken" {
  engine_type = "ActiveMQ"
  data        = "<broken>"
}
resource "aws_mq_configuration" "unknown" {
  engine_type = "ActiveMQ"
  data        = var.xml
}
variable "xml" { type = string }
`,
		"activemq.xml": "<broker/>\n",
	}, Options{})
	want := []call{{"main.tf", 14, "<broker/>"}, {"main.tf", 18, "<broken>"}, {"activemq.xml", 1, "<broker/>"}, {"main.tf", 4, `<broker xmlns="http://activemq.apache.org/schema/core">`}}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("calls = %v\nwant %v", calls, want)
	}
	errs := errorsOf(diags)
	if len(errs) != 1 || errs[0].At.String() != "main.tf:18" {
		t.Errorf("errors = %v", errs)
	}
	states := map[string]model.State{}
	for _, c := range inv.Configurations {
		states[c.ID.Address] = c.Data
		if c.ID.Address == "aws_mq_configuration.file" && c.DataAt.File != "activemq.xml" {
			t.Errorf("file data at %v", c.DataAt)
		}
	}
	wantStates := map[string]model.State{
		"aws_mq_configuration.heredoc": model.Explicit, "aws_mq_configuration.file": model.Explicit,
		"aws_mq_configuration.b64": model.Explicit, "aws_mq_configuration.broken": model.Unknown,
		"aws_mq_configuration.unknown": model.Unknown,
	}
	if dump(states) != dump(wantStates) {
		t.Errorf("states = %v", states)
	}
}

func TestTFJSON(t *testing.T) {
	inv, diags := load(t, map[string]string{"main.tf.json": `{
  "variable": {"name": {"default": "json-broker"}},
  "resource": {"aws_mq_broker": {"b": {
    "broker_name": "${var.name}",
    "publicly_accessible": true,
    "user": [{"username": "u", "password": "p"}],
    "logs": {"general": true}
  }}}
}`}, Options{})
	noErrors(t, diags)
	b := brokerByAddr(t, inv, "aws_mq_broker.b")
	if b.Name.V != "json-broker" || !b.PubliclyAccessible.V || len(b.Users) != 1 || !b.Logs.General.V {
		t.Errorf("broker = %s", dump(b))
	}
}

func TestActiveMQHeredocLines(t *testing.T) {
	inv, diags := load(t, map[string]string{"main.tf": `resource "aws_mq_configuration" "c" {
  engine_type = "ActiveMQ"
  data        = <<-DATA
    <broker xmlns="http://activemq.apache.org/schema/core">
      <networkConnectors>
        <networkConnector name="bridge" uri="static:(tcp://other:61616)"/>
      </networkConnectors>
    </broker>
  DATA
}`}, Options{})
	noErrors(t, diags)
	c := inv.Configurations[0]
	if c.ActiveMQ == nil || len(c.ActiveMQ.NetworkConnectors) != 1 {
		t.Fatalf("config = %s", dump(c))
	}
	if at := c.ActiveMQ.NetworkConnectors[0].At; at.File != "main.tf" || at.StartLine != 6 {
		t.Errorf("connector at %v, want main.tf:6", at)
	}
}

// A dynamic block over an unknown collection may generate its block or not: what the block
// would set is Unknown, located at the dynamic block, never the provider default.
func TestUnknownDynamicBlocks(t *testing.T) {
	const head = `variable "on" { type = bool }
variable "known_off" {
  type    = bool
  default = false
}
variable "input" { type = string }
resource "aws_mq_broker" "b" {
`
	const dynLine = 8 // the dynamic block's first line
	tests := []struct {
		name  string
		block string
		check func(t *testing.T, b *model.Broker)
	}{
		{"logs", `  dynamic "logs" {
    for_each = var.on ? [1] : []
    content {
      general = true
      audit   = true
    }
  }`, func(t *testing.T, b *model.Broker) {
			for name, v := range map[string]model.Bool{"general": b.Logs.General, "audit": b.Logs.Audit} {
				if v.State != model.Unknown || v.At.StartLine != dynLine {
					t.Errorf("%s = %+v, want Unknown at line %d", name, v, dynLine)
				}
			}
		}},
		{"encryption_options", `  dynamic "encryption_options" {
    for_each = var.on ? ["x"] : []
    content {
      use_aws_owned_key = false
      kms_key_id        = "arn:aws:kms:us-east-1:111122223333:key/k"
    }
  }`, func(t *testing.T, b *model.Broker) {
			e := b.Encryption
			if e.UseAWSOwnedKey.State != model.Unknown || e.KMSKeyID.State != model.Unknown || e.KeyManager.State != model.Unknown {
				t.Errorf("encryption = %s, want every field Unknown", dump(e))
			}
			if e.UseAWSOwnedKey.At.StartLine != dynLine {
				t.Errorf("use_aws_owned_key at %v, want line %d", e.UseAWSOwnedKey.At, dynLine)
			}
		}},
		{"configuration", `  dynamic "configuration" {
    for_each = var.on ? [1] : []
    content {
      id       = "c-1"
      revision = 1
    }
  }`, func(t *testing.T, b *model.Broker) {
			c := b.Configuration
			if c == nil || c.ID.State != model.Unknown || c.Config != nil || c.At.StartLine != dynLine {
				t.Errorf("configuration = %s, want an Unknown reference at line %d", dump(c), dynLine)
			}
		}},
		{"ldap_server_metadata with a literal password", `  dynamic "ldap_server_metadata" {
    for_each = var.on ? [1] : []
    content {
      hosts                    = ["ldap.example.com"]
      service_account_username = "svc"
      service_account_password = "literal"
    }
  }`, func(t *testing.T, b *model.Broker) {
			l := b.LDAP
			if l == nil {
				t.Fatal("LDAP is nil: it would say no LDAP is declared")
			}
			if l.Hosts.State != model.Unknown || l.ServiceAccountUsername.State != model.Unknown ||
				l.ServiceAccountPassword.Origin != model.SecretUnknown || l.At.StartLine != dynLine {
				t.Errorf("LDAP = %s, want every field Unknown at line %d", dump(l), dynLine)
			}
		}},
		{"user", `  dynamic "user" {
    for_each = var.on ? ["admin"] : []
    content {
      username = user.value
      password = "literal"
    }
  }`, func(t *testing.T, b *model.Broker) {
			if b.UsersState != model.Unknown || len(b.Users) != 0 {
				t.Errorf("users = %s (%v), want none and Unknown", dump(b.Users), b.UsersState)
			}
		}},
		{"known empty collection: the defaults", `  dynamic "logs" {
    for_each = var.known_off ? [1] : []
    content {
      general = true
    }
  }
  dynamic "ldap_server_metadata" {
    for_each = var.known_off ? [1] : []
    content {
      hosts = ["ldap.example.com"]
    }
  }`, func(t *testing.T, b *model.Broker) {
			if b.Logs.General != model.DefaultBool(false, b.ID.At) || b.LDAP != nil {
				t.Errorf("logs = %+v, LDAP = %v: want the defaults", b.Logs.General, b.LDAP)
			}
		}},
		{"known list of unknown elements: the block is there", `  dynamic "logs" {
    for_each = [var.input]
    content {
      general = true
      audit   = logs.value == "x"
    }
  }`, func(t *testing.T, b *model.Broker) {
			if b.Logs.General.State != model.Explicit || !b.Logs.General.V || b.Logs.Audit.State != model.Unknown {
				t.Errorf("logs = %s, want general explicit true, audit Unknown", dump(b.Logs))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := load(t, map[string]string{"main.tf": head + tt.block + "\n}\n"}, Options{})
			noErrors(t, diags)
			tt.check(t, brokerByAddr(t, inv, "aws_mq_broker.b"))
		})
	}
}

func TestUnknownDynamicDefaultTags(t *testing.T) {
	inv, diags := load(t, map[string]string{"main.tf": `variable "dt" { type = map(string) }
provider "aws" {
  dynamic "default_tags" {
    for_each = length(var.dt) > 0 ? [1] : []
    content { tags = var.dt }
  }
}
resource "aws_mq_broker" "b" {
  tags = { owner = "me" }
}`}, Options{})
	noErrors(t, diags)
	tags := brokerByAddr(t, inv, "aws_mq_broker.b").Tags
	if tags.State != model.Unknown || tags.KeysKnown || tags.V["owner"] != "me" {
		t.Errorf("tags = %s, want owner kept, keys not all known", dump(tags))
	}
}

// A value of the random provider is generated at apply time: as a password it is a generated
// secret, as a username a generated name.
func TestGeneratedValues(t *testing.T) {
	head := `variable "user" { type = string }
variable "names" {
  type    = list(string)
  default = []
}
resource "random_pet" "p" {}
resource "random_string" "s" { length = 12 }
resource "random_id" "i" { byte_length = 8 }
resource "random_uuid" "u" {}
resource "random_password" "pw" { length = 16 }
resource "random_pet" "counted" {
  count = length(var.names) == 0 ? 1 : 0
}
locals {
  name = length(var.names) == 0 ? random_pet.counted[0].id : var.names[0]
}
`
	tests := []struct {
		expr      string
		origin    model.SecretOrigin
		generated bool
	}{
		{`random_pet.p.id`, model.SecretGenerated, true},
		{`random_string.s.result`, model.SecretGenerated, true},
		{`random_string.s.id`, model.SecretGenerated, true},
		{`random_id.i.hex`, model.SecretGenerated, true},
		{`random_id.i.b64_url`, model.SecretGenerated, true},
		{`random_uuid.u.result`, model.SecretGenerated, true},
		{`"mq-${random_pet.p.id}"`, model.SecretGenerated, true},
		{`local.name`, model.SecretGenerated, true},
		{`try(random_password.pw.result, "")`, model.SecretGenerated, true},
		{`var.user`, model.SecretInput, false},
		{`var.user != "" ? var.user : random_pet.p.id`, model.SecretGenerated, false},
		{`"admin"`, model.SecretLiteral, false},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			src := head + `resource "aws_mq_broker" "b" {
  user {
    username = ` + tt.expr + `
    password = ` + tt.expr + `
  }
}`
			inv, diags := load(t, map[string]string{"main.tf": src}, Options{})
			noErrors(t, diags)
			u := brokerByAddr(t, inv, "aws_mq_broker.b").Users[0]
			if u.Password.Origin != tt.origin {
				t.Errorf("password origin %v, want %v", u.Password.Origin, tt.origin)
			}
			if u.UsernameGenerated != tt.generated {
				t.Errorf("username generated = %v, want %v", u.UsernameGenerated, tt.generated)
			}
			if tt.generated && (u.Username.State != model.Unknown || u.Username.At.StartLine != 19) {
				t.Errorf("username = %+v, want Unknown at line 19", u.Username)
			}
		})
	}
}

// An ingress rule whose sources are security groups or prefix lists, not CIDRs, never admits
// the internet: its unknown ports leave the group's ingress decided, and the rule records its
// sources, located at the rule.
func TestIngressNonCIDRSources(t *testing.T) {
	head := `variable "port" { type = number }
variable "sgs" { type = list(string) }
resource "aws_security_group" "app" {}
`
	tests := []struct {
		name    string
		src     string
		group   model.State
		sources string // NonCIDRSources: V joined, or "?" when Unknown
		line    int    // where the rule is
	}{
		{"inline security_groups", `resource "aws_security_group" "g" {
  ingress {
    protocol        = "tcp"
    from_port       = var.port
    to_port         = var.port
    security_groups = [aws_security_group.app.id, "sg-0123"]
  }
}`, model.Explicit, "aws_security_group.app,sg-0123", 5},
		{"inline self", `resource "aws_security_group" "g" {
  ingress {
    protocol  = "tcp"
    from_port = var.port
    to_port   = var.port
    self      = true
  }
}`, model.Explicit, "self", 5},
		{"inline groups of unknown number", `resource "aws_security_group" "g" {
  ingress {
    protocol        = "tcp"
    from_port       = var.port
    to_port         = var.port
    security_groups = var.sgs
  }
}`, model.Explicit, "?", 5},
		{"aws_security_group_rule", `resource "aws_security_group" "g" {}
resource "aws_security_group_rule" "r" {
  type                     = "ingress"
  security_group_id        = aws_security_group.g.id
  protocol                 = "tcp"
  from_port                = var.port
  to_port                  = var.port
  source_security_group_id = aws_security_group.app.id
}`, model.Explicit, "aws_security_group.app", 5},
		{"aws_security_group_rule prefix lists", `resource "aws_security_group" "g" {}
resource "aws_security_group_rule" "r" {
  type              = "ingress"
  security_group_id = aws_security_group.g.id
  protocol          = "tcp"
  from_port         = var.port
  to_port           = var.port
  prefix_list_ids   = ["pl-0123"]
}`, model.Explicit, "pl-0123", 5},
		{"aws_vpc_security_group_ingress_rule", `resource "aws_security_group" "g" {}
resource "aws_vpc_security_group_ingress_rule" "r" {
  security_group_id            = aws_security_group.g.id
  ip_protocol                  = "tcp"
  from_port                    = var.port
  to_port                      = var.port
  referenced_security_group_id = aws_security_group.app.id
}`, model.Explicit, "aws_security_group.app", 5},
		{"an internet CIDR with unknown ports stays undecided", `resource "aws_security_group" "g" {
  ingress {
    protocol    = "tcp"
    from_port   = var.port
    to_port     = var.port
    cidr_blocks = ["0.0.0.0/0"]
  }
}`, model.Unknown, "", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := load(t, map[string]string{"main.tf": head + tt.src}, Options{})
			noErrors(t, diags)
			var g *model.SecurityGroup
			for _, sg := range inv.SecurityGroups {
				if sg.ID.Address == "aws_security_group.g" {
					g = sg
				}
			}
			if g == nil || len(g.Ingress) != 1 {
				t.Fatalf("group: %s", dump(g))
			}
			r := g.Ingress[0]
			if g.IngressState != tt.group {
				t.Errorf("group ingress %v, want %v", g.IngressState, tt.group)
			}
			got := strings.Join(r.NonCIDRSources.V, ",")
			if !r.NonCIDRSources.Known() {
				got = "?"
			}
			if got != tt.sources || !r.CIDRs.Known() || r.FromPort.Known() {
				t.Errorf("rule sources %q (CIDRs %+v, from %+v), want %q", got, r.CIDRs, r.FromPort, tt.sources)
			}
			if r.At.StartLine != tt.line {
				t.Errorf("rule at %v, want line %d", r.At, tt.line)
			}
		})
	}
}

// A file function that cannot read its file leaves its value unknown with the reason, which
// the configuration body carries; try() and fileexists() still recover as in Terraform.
func TestMissingFileReason(t *testing.T) {
	inv, diags := load(t, map[string]string{"main.tf": `locals {
  xml = file("${path.module}/missing.xml")
}
resource "aws_mq_configuration" "file" {
  engine_type = "ActiveMQ"
  data        = local.xml
}
resource "aws_mq_configuration" "template" {
  engine_type = "ActiveMQ"
  data        = templatefile("conf/gone.xml.tpl", { name = "x" })
}
resource "aws_mq_configuration" "b64" {
  engine_type = "RabbitMQ"
  data        = filebase64("gone.conf")
}
resource "aws_mq_configuration" "recovered" {
  engine_type = "RabbitMQ"
  data        = try(file("gone.conf"), "consumer_timeout = 1")
}
resource "aws_mq_configuration" "guarded" {
  engine_type = "RabbitMQ"
  data        = fileexists("gone.conf") ? file("gone.conf") : "consumer_timeout = 1"
}`}, Options{})
	noErrors(t, diags)
	want := map[string]struct {
		data model.State
		why  string
	}{
		"aws_mq_configuration.file":      {model.Unknown, `file("./missing.xml") not found`},
		"aws_mq_configuration.template":  {model.Unknown, `templatefile("conf/gone.xml.tpl") not found`},
		"aws_mq_configuration.b64":       {model.Unknown, `filebase64("gone.conf") not found`},
		"aws_mq_configuration.recovered": {model.Explicit, ""},
		"aws_mq_configuration.guarded":   {model.Explicit, ""},
	}
	for _, c := range inv.Configurations {
		w := want[c.ID.Address]
		if c.Data != w.data || c.DataWhy != w.why {
			t.Errorf("%s: data %v %q, want %v %q", c.ID.Address, c.Data, c.DataWhy, w.data, w.why)
		}
	}
	var notes []string
	for _, d := range diags {
		if strings.Contains(d.Message, "not found") {
			notes = append(notes, d.Error())
		}
	}
	sort.Strings(notes)
	wantNotes := []string{
		`main.tf:10: templatefile("conf/gone.xml.tpl") not found; the value read from it is unknown`,
		`main.tf:14: filebase64("gone.conf") not found; the value read from it is unknown`,
		`main.tf:2: file("./missing.xml") not found; the value read from it is unknown`,
	}
	if strings.Join(notes, "\n") != strings.Join(wantNotes, "\n") {
		t.Errorf("notes:\n%s\nwant\n%s", strings.Join(notes, "\n"), strings.Join(wantNotes, "\n"))
	}
}
