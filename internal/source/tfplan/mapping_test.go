package tfplan

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/mqguard/mqguard/internal/model"
)

// change builds one resource_changes entry.
func change(addr, typ string, actions []string, after, unknown, sensitive string) string {
	name := addr[strings.LastIndex(addr, typ+".")+len(typ)+1:]
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	mod := ""
	if i := strings.LastIndex(addr, "."+typ+"."); i > 0 {
		mod = `"module_address": ` + quote(addr[:i]) + `,`
	}
	acts, _ := json.Marshal(actions)
	return `{"address": ` + quote(addr) + `, ` + mod + ` "mode": "managed", "type": "` + typ + `", "name": "` + name + `",
  "provider_name": "registry.terraform.io/hashicorp/aws",
  "change": {"actions": ` + string(acts) + `, "before": null, "after": ` + after + `,
    "after_unknown": ` + unknown + `, "before_sensitive": false, "after_sensitive": ` + sensitive + `}}`
}

func quote(s string) string { b, _ := json.Marshal(s); return string(b) }

// planDoc builds a plan document from resource_changes entries and an optional configuration.
func planDoc(config string, changes ...string) string {
	doc := `{"format_version": "1.2", "terraform_version": "1.9.8", "planned_values": {"root_module": {}},
  "resource_changes": [` + strings.Join(changes, ",\n") + `]`
	if config != "" {
		doc += `, "configuration": ` + config
	}
	return doc + "}\n"
}

func loadDoc(t *testing.T, doc string) (*model.Inventory, []model.Diagnostic) {
	t.Helper()
	var p tfjson.Plan
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatalf("test plan is not a valid plan: %v", err)
	}
	return Load(context.Background(), fstest.MapFS{"p.json": {Data: []byte(doc)}}, []string{"p.json"}, Options{})
}

const minimalBroker = `"broker_name": "b", "engine_type": "ActiveMQ", "engine_version": "5.18", "host_instance_type": "mq.m5.large"`

func TestBrokerMapping(t *testing.T) {
	type want struct {
		field string
		v     any
		state model.State
	}
	get := func(b *model.Broker, f string) (any, model.State) {
		switch f {
		case "public":
			return b.PubliclyAccessible.V, b.PubliclyAccessible.State
		case "autominor":
			return b.AutoMinorUpgrade.V, b.AutoMinorUpgrade.State
		case "mode":
			return b.DeploymentMode.V, b.DeploymentMode.State
		case "auth":
			return b.AuthStrategy.V, b.AuthStrategy.State
		case "owned":
			return b.Encryption.UseAWSOwnedKey.V, b.Encryption.UseAWSOwnedKey.State
		case "kmsid":
			return b.Encryption.KMSKeyID.V, b.Encryption.KMSKeyID.State
		case "keymanager":
			return b.Encryption.KeyManager.V, b.Encryption.KeyManager.State
		case "general":
			return b.Logs.General.V, b.Logs.General.State
		case "audit":
			return b.Logs.Audit.V, b.Logs.Audit.State
		case "tags":
			return len(b.Tags.V), b.Tags.State
		case "users":
			return len(b.Users), b.UsersState
		case "sgs":
			return len(b.SecurityGroups), b.SecurityGroupsState
		case "engine":
			return b.Engine.V, b.Engine.State
		case "name":
			return b.Name.V, b.Name.State
		case "version":
			return b.EngineVersion.V, b.EngineVersion.State
		case "storage":
			return b.StorageType.V, b.StorageType.State
		}
		panic(f)
	}
	cases := []struct {
		name      string
		after     string
		unknown   string
		sensitive string
		config    string
		want      []want
	}{
		{"absent attributes take provider defaults", `{` + minimalBroker + `}`, `{}`, `{}`, "", []want{
			{"public", false, model.Default}, {"autominor", false, model.Default}, {"mode", "SINGLE_INSTANCE", model.Default},
			{"auth", "SIMPLE", model.Default}, {"owned", true, model.Default}, {"kmsid", "", model.Default},
			{"general", false, model.Default}, {"audit", false, model.Default}, {"tags", 0, model.Default},
			{"users", 0, model.Explicit}, {"sgs", 0, model.Default}, {"storage", "efs", model.Default}}},
		{"null attributes take provider defaults", `{` + minimalBroker + `, "publicly_accessible": null, "logs": [], "encryption_options": [], "tags": null}`, `{}`, `{}`, "", []want{
			{"public", false, model.Default}, {"general", false, model.Default}, {"owned", true, model.Default}, {"tags", 0, model.Default}}},
		{"values in the plan are explicit, even when equal to the default", `{` + minimalBroker + `, "publicly_accessible": false, "deployment_mode": "SINGLE_INSTANCE", "engine_type": "activemq"}`, `{}`, `{}`, "", []want{
			{"public", false, model.Explicit}, {"mode", "SINGLE_INSTANCE", model.Explicit}, {"engine", model.EngineActiveMQ, model.Explicit}}},
		{"unknown values", `{"engine_type": "RabbitMQ"}`, `{"broker_name": true, "engine_version": true, "publicly_accessible": true, "logs": true, "encryption_options": true, "user": true, "security_groups": true, "tags_all": true}`, `{}`, "", []want{
			{"name", "", model.Unknown}, {"version", "", model.Unknown}, {"public", false, model.Unknown},
			{"general", false, model.Unknown}, {"owned", false, model.Unknown}, {"users", 0, model.Unknown},
			{"sgs", 0, model.Unknown}, {"tags", 0, model.Unknown}}},
		{"computed and not configured: the default, as in Terraform", `{` + minimalBroker + `, "encryption_options": [{"use_aws_owned_key": false}]}`,
			`{"auto_minor_version_upgrade": true, "storage_type": true, "encryption_options": [{"kms_key_id": true}]}`, `{}`,
			`{"root_module": {"resources": [{"address": "aws_mq_broker.b", "mode": "managed", "type": "aws_mq_broker", "name": "b", "expressions": {"encryption_options": [{"use_aws_owned_key": {"constant_value": false}}]}, "schema_version": 0}]}}`,
			[]want{{"autominor", false, model.Default}, {"storage", "efs", model.Default}, {"kmsid", "", model.Default}, {"owned", false, model.Explicit}, {"keymanager", "", model.Unknown}}},
		{"computed without configuration stays unknown", `{` + minimalBroker + `}`, `{"auto_minor_version_upgrade": true}`, `{}`, "", []want{
			{"autominor", false, model.Unknown}}},
		{"sensitive values are not kept", `{` + minimalBroker + `, "broker_name": "secret-name", "tags": {"a": "b"}}`, `{}`, `{"broker_name": true, "tags": true}`, "", []want{
			{"name", "", model.Unknown}, {"tags", 0, model.Unknown}}},
		{"kms key literal", `{` + minimalBroker + `, "encryption_options": [{"kms_key_id": "arn:aws:kms:eu-west-1:111122223333:key/1234", "use_aws_owned_key": false}]}`, `{}`, `{}`, "", []want{
			{"keymanager", "CUSTOMER", model.Explicit}, {"kmsid", "arn:aws:kms:eu-west-1:111122223333:key/1234", model.Explicit}}},
		{"logs", `{` + minimalBroker + `, "logs": [{"general": true, "audit": null}]}`, `{}`, `{}`, "", []want{
			{"general", true, model.Explicit}, {"audit", false, model.Default}}},
		{"tags_all includes default tags", `{` + minimalBroker + `, "tags": {"a": "1"}, "tags_all": {"a": "1", "owner": "x"}}`, `{}`, `{}`, "", []want{
			{"tags", 2, model.Explicit}}},
		{"tags_all partly unknown", `{` + minimalBroker + `, "tags": {"a": "1"}, "tags_all": {"a": "1"}}`, `{"tags_all": {"b": true}}`, `{}`, "", []want{
			{"tags", 1, model.Unknown}}},
		{"security groups by id", `{` + minimalBroker + `, "security_groups": ["sg-1", "sg-2"]}`, `{}`, `{}`, "", []want{
			{"sgs", 2, model.Explicit}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inv, diags := loadDoc(t, planDoc(tc.config, change("aws_mq_broker.b", "aws_mq_broker", []string{"create"}, tc.after, tc.unknown, tc.sensitive)))
			if len(diags) != 0 || len(inv.Brokers) != 1 {
				t.Fatalf("diags %v, brokers %d", diags, len(inv.Brokers))
			}
			for _, w := range tc.want {
				v, st := get(inv.Brokers[0], w.field)
				if v != w.v || st != w.state {
					t.Errorf("%s = %v (%v), want %v (%v)", w.field, v, st, w.v, w.state)
				}
			}
		})
	}
}

func TestActions(t *testing.T) {
	cases := []struct {
		actions []string
		scanned bool
	}{
		{[]string{"create"}, true},
		{[]string{"update"}, true},
		{[]string{"no-op"}, true},
		{[]string{"read"}, true},
		{[]string{"delete", "create"}, true},
		{[]string{"create", "delete"}, true},
		{[]string{"delete"}, false},
		{[]string{"forget"}, false},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.actions, ","), func(t *testing.T) {
			after := `{` + minimalBroker + `}`
			if tc.actions[0] == "delete" && len(tc.actions) == 1 || tc.actions[0] == "forget" {
				after = "null"
			}
			inv, diags := loadDoc(t, planDoc("", change("aws_mq_broker.b", "aws_mq_broker", tc.actions, after, `{}`, `{}`)))
			if len(diags) != 0 {
				t.Fatal(diags)
			}
			if got := len(inv.Brokers) == 1; got != tc.scanned {
				t.Errorf("scanned = %v, want %v", got, tc.scanned)
			}
		})
	}
}

func TestUsersAndSecrets(t *testing.T) {
	after := `{` + minimalBroker + `, "user": [
  {"username": "app", "password": "` + planSecret + `", "console_access": false, "groups": [], "replication_user": false},
  {"username": "wo", "password": null, "console_access": null, "groups": null, "replication_user": null},
  {"username": "none", "password": null}],
  "ldap_server_metadata": [{"hosts": ["ldaps://ldap.example.com"], "service_account_username": "svc", "service_account_password": "` + planSecret + `"}]}`
	sens := `{"user": [{"password": true}, {}, {}], "ldap_server_metadata": [{"service_account_password": true}]}`
	config := `{"root_module": {"resources": [{"address": "aws_mq_broker.b", "mode": "managed", "type": "aws_mq_broker", "name": "b", "expressions": {
  "user": [{"username": {"constant_value": "none"}}, {"username": {"constant_value": "app"}, "password": {"references": ["var.p"]}},
           {"username": {"constant_value": "wo"}, "password_wo": {"references": ["ephemeral.random_password.p.result"]}}]}, "schema_version": 0}]}}`
	inv, diags := loadDoc(t, planDoc(config, change("aws_mq_broker.b", "aws_mq_broker", []string{"create"}, after, `{}`, sens)))
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	b := inv.Brokers[0]
	want := map[string]model.SecretOrigin{"app": model.SecretUnknown, "wo": model.SecretEphemeral, "none": model.SecretAbsent}
	for _, u := range b.Users {
		if u.Password.Origin != want[u.Username.V] {
			t.Errorf("user %s: origin %v, want %v", u.Username.V, u.Password.Origin, want[u.Username.V])
		}
		if u.Username.V == "wo" && (u.ConsoleAccess.State != model.Default || u.Groups.State != model.Default) {
			t.Errorf("null user attributes should be defaults: %+v", u)
		}
	}
	if b.LDAP == nil || b.LDAP.ServiceAccountPassword.Origin != model.SecretUnknown || b.LDAP.Hosts.V[0] != "ldaps://ldap.example.com" {
		t.Errorf("ldap = %+v", b.LDAP)
	}
	out, _ := json.Marshal(inv)
	if strings.Contains(string(out), planSecret) {
		t.Fatal("secret kept in the inventory")
	}
}

func TestReferencesAcrossModules(t *testing.T) {
	broker := change(`module.mq["a"].aws_mq_broker.this[0]`, "aws_mq_broker", []string{"create"},
		`{`+minimalBroker+`, "encryption_options": [{"use_aws_owned_key": false}], "configuration": [{}]}`,
		`{"security_groups": true, "encryption_options": [{"kms_key_id": true}], "configuration": [{"id": true, "revision": true}]}`, `{}`)
	sgs := []string{
		change(`aws_security_group.sg["a"]`, "aws_security_group", []string{"create"}, `{"name": "a", "ingress": []}`, `{"id": true}`, `{}`),
		change(`aws_security_group.sg["b"]`, "aws_security_group", []string{"create"}, `{"name": "b", "ingress": []}`, `{"id": true}`, `{}`),
	}
	rule := change(`aws_security_group_rule.in`, "aws_security_group_rule", []string{"create"},
		`{"type": "ingress", "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": null}`, `{"security_group_id": true}`, `{}`)
	key := change(`module.mq["a"].aws_kms_key.k`, "aws_kms_key", []string{"create"}, `{"is_enabled": false}`, `{"arn": true, "key_id": true}`, `{}`)
	cfg := change(`module.mq["a"].aws_mq_configuration.c[0]`, "aws_mq_configuration", []string{"create"},
		`{"name": "c", "engine_type": "RabbitMQ", "engine_version": "3.13", "data": "consumer_timeout = 1800000"}`, `{"id": true}`, `{}`)
	config := `{"root_module": {
  "resources": [
    {"address": "aws_security_group.sg", "mode": "managed", "type": "aws_security_group", "name": "sg", "expressions": {}, "schema_version": 1},
    {"address": "aws_security_group_rule.in", "mode": "managed", "type": "aws_security_group_rule", "name": "in", "expressions": {
      "security_group_id": {"references": ["aws_security_group.sg[\"a\"].id", "aws_security_group.sg[\"a\"]", "aws_security_group.sg"]}}, "schema_version": 2}],
  "module_calls": {"mq": {"source": "./mq", "expressions": {"sg_ids": {"references": ["aws_security_group.sg[\"a\"].id", "aws_security_group.sg"]}},
    "module": {"resources": [
      {"address": "aws_mq_broker.this", "mode": "managed", "type": "aws_mq_broker", "name": "this", "expressions": {
        "security_groups": {"references": ["var.sg_ids"]},
        "encryption_options": [{"kms_key_id": {"references": ["aws_kms_key.k.arn", "aws_kms_key.k"]}, "use_aws_owned_key": {"constant_value": false}}],
        "configuration": [{"id": {"references": ["aws_mq_configuration.c[0].id", "aws_mq_configuration.c[0]", "aws_mq_configuration.c"]}}]}, "schema_version": 0},
      {"address": "aws_kms_key.k", "mode": "managed", "type": "aws_kms_key", "name": "k", "expressions": {}, "schema_version": 0},
      {"address": "aws_mq_configuration.c", "mode": "managed", "type": "aws_mq_configuration", "name": "c", "expressions": {}, "schema_version": 0}],
      "variables": {"sg_ids": {}}}}}}}`
	inv, diags := loadDoc(t, planDoc(config, append(sgs, broker, rule, key, cfg)...))
	if len(diags) != 0 {
		t.Fatal(diags)
	}
	b := inv.Brokers[0]
	if b.ID.Address != `module.mq["a"].aws_mq_broker.this[0]` {
		t.Errorf("address = %s", b.ID.Address)
	}
	if b.SecurityGroupsState != model.Explicit || len(b.SecurityGroups) != 1 || b.SecurityGroups[0].Group == nil ||
		b.SecurityGroups[0].Group.ID.Address != `aws_security_group.sg["a"]` {
		t.Fatalf("security groups = %+v (%v)", b.SecurityGroups, b.SecurityGroupsState)
	}
	g := b.SecurityGroups[0].Group
	if len(g.Ingress) != 1 || g.Ingress[0].ToPort.V != 0 || g.Ingress[0].Protocol.V != "-1" {
		t.Errorf("rule not attached: %+v", g.Ingress)
	}
	if k := b.Encryption.Key; k == nil || k.Enabled.V || k.Enabled.State != model.Explicit {
		t.Errorf("key = %+v", k)
	}
	if c := b.Configuration; c == nil || c.Config == nil || c.Config.Engine.V != model.EngineRabbitMQ || c.Config.Data != model.Explicit {
		t.Errorf("configuration = %+v", c)
	}
}

func TestUnresolvedReferences(t *testing.T) {
	broker := change(`aws_mq_broker.b`, "aws_mq_broker", []string{"create"}, `{`+minimalBroker+`}`, `{"security_groups": true}`, `{}`)
	config := `{"root_module": {"resources": [{"address": "aws_mq_broker.b", "mode": "managed", "type": "aws_mq_broker", "name": "b", "expressions": {
  "security_groups": {"references": ["module.net.sg_id", "module.net"]}}, "schema_version": 0}]}}`
	inv, _ := loadDoc(t, planDoc(config, broker))
	if b := inv.Brokers[0]; b.SecurityGroupsState != model.Unknown {
		t.Errorf("state = %v, want unknown", b.SecurityGroupsState)
	}
}

func TestInvalidPlans(t *testing.T) {
	cases := []struct {
		name, doc string
		line      int
		msg       string
	}{
		{"syntax", "{\n  \"format_version\": \"1.2\",\n  \"planned_values\": {,}\n}", 3, "invalid JSON"},
		{"truncated", "{\n  \"format_version\": \"1.2\",\n  \"resource_changes\": [", 3, "invalid JSON"},
		{"not an object", "[1, 2]", 1, "JSON object"},
		{"unsupported version", "{\n  \"terraform_version\": \"9.0\",\n  \"format_version\": \"2.0\",\n  \"planned_values\": {}\n}", 3, "unsupported plan format version"},
		{"no version", "{\"planned_values\": {}}", 1, "format version is missing"},
		{"wrong type", "{\"format_version\": \"1.2\",\n\"resource_changes\": {\"a\": 1}}", 2, "resource_changes"},
		{"wrong nested type", "{\"format_version\": \"1.2\",\n\"resource_changes\": [\n{\"address\": 5}]}", 3, "not a Terraform plan"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			inv, diags := Load(context.Background(), fstest.MapFS{"bad.json": {Data: []byte(tc.doc)}}, []string{"bad.json"}, Options{Display: func(p string) string { return "dir/" + p }})
			if len(diags) != 1 || len(inv.Brokers) != 0 {
				t.Fatalf("diags = %v", diags)
			}
			d := diags[0]
			if d.Severity != model.DiagError || d.Source != model.SourceTFPlan || d.At.File != "dir/bad.json" || d.At.StartLine != tc.line || !strings.Contains(d.Message, tc.msg) {
				t.Errorf("diag = %+v", d)
			}
		})
	}
	// A missing file is an error too; the other files are still read.
	fsys := fstest.MapFS{"ok.json": {Data: []byte(planDoc("", change("aws_mq_broker.b", "aws_mq_broker", []string{"create"}, `{`+minimalBroker+`}`, `{}`, `{}`)))}}
	inv, diags := Load(context.Background(), fsys, []string{"missing.json", "ok.json"}, Options{})
	if len(diags) != 1 || diags[0].At.File != "missing.json" || len(inv.Brokers) != 1 {
		t.Errorf("diags %v, brokers %d", diags, len(inv.Brokers))
	}
}

func TestInvalidConfigurationData(t *testing.T) {
	cfg := change(`aws_mq_configuration.c`, "aws_mq_configuration", []string{"create"},
		`{"name": "c", "engine_type": "ActiveMQ", "engine_version": "5.18", "data": "<broker password=\"`+planSecret+`\"><unclosed></broker>"}`, `{}`, `{}`)
	inv, diags := loadDoc(t, planDoc("", cfg))
	if len(diags) != 1 || inv.Configurations[0].Data != model.Unknown {
		t.Fatalf("diags = %v", diags)
	}
	if strings.Contains(diags[0].Message, planSecret) || diags[0].At.StartLine == 0 {
		t.Errorf("diag = %+v", diags[0])
	}
}

func TestIsPlan(t *testing.T) {
	cases := []struct {
		doc  string
		want bool
	}{
		{`{"format_version": "1.2", "planned_values": {}}`, true},
		{` {"format_version":"1.2","resource_changes":[]}`, true},
		{`{"format_version": "1.0", "values": {}}`, false},
		{`{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}`, false},
		{`["format_version", "planned_values"]`, false},
		{``, false},
	}
	for _, tc := range cases {
		if got := IsPlan([]byte(tc.doc)); got != tc.want {
			t.Errorf("IsPlan(%s) = %v", tc.doc, got)
		}
	}
}
