package tfplan

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/mqguard/mqguard/internal/model"
)

const planSecret = "Plan-Secret-Passw0rd!"

func loadFixture(t *testing.T) *model.Inventory {
	t.Helper()
	inv, diags := Load(context.Background(), os.DirFS("testdata"), []string{"plan.json"}, Options{})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	return inv
}

func brokerByAddr(t *testing.T, inv *model.Inventory, addr string) *model.Broker {
	t.Helper()
	for _, b := range inv.Brokers {
		if b.ID.Address == addr {
			return b
		}
	}
	t.Fatalf("broker %s not found", addr)
	return nil
}

// TestFixturesAreTerraformPlans keeps the hand-written fixtures honest: they must decode and
// validate with terraform-json's own types.
func TestFixturesAreTerraformPlans(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var p tfjson.Plan
		if err := json.Unmarshal(data, &p); err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if err := p.Validate(); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if !IsPlan(data) {
			t.Errorf("%s: IsPlan = false", f)
		}
	}
}

func TestFixtureBrokers(t *testing.T) {
	inv := loadFixture(t)
	var addrs []string
	for _, b := range inv.Brokers {
		addrs = append(addrs, b.ID.Address)
	}
	// aws_mq_broker.legacy is being destroyed: not scanned.
	want := []string{"aws_mq_broker.main", `module.events["blue"].aws_mq_broker.this`}
	if !reflect.DeepEqual(addrs, want) {
		t.Fatalf("brokers = %q, want %q", addrs, want)
	}
	main := brokerByAddr(t, inv, "aws_mq_broker.main")
	blue := brokerByAddr(t, inv, `module.events["blue"].aws_mq_broker.this`)
	type c struct {
		name  string
		got   any
		want  any
		state model.State
		gotSt model.State
	}
	cases := []c{
		{"main name", main.Name.V, "orders", model.Explicit, main.Name.State},
		{"main engine", main.Engine.V, model.EngineActiveMQ, model.Explicit, main.Engine.State},
		{"main mode", main.DeploymentMode.V, "ACTIVE_STANDBY_MULTI_AZ", model.Explicit, main.DeploymentMode.State},
		{"main public", main.PubliclyAccessible.V, false, model.Explicit, main.PubliclyAccessible.State},
		{"main auto minor", main.AutoMinorUpgrade.V, false, model.Explicit, main.AutoMinorUpgrade.State},
		{"main auth upper-cased", main.AuthStrategy.V, "SIMPLE", model.Explicit, main.AuthStrategy.State},
		{"main storage computed, not configured: default", main.StorageType.V, "efs", model.Default, main.StorageType.State},
		{"main owned key", main.Encryption.UseAWSOwnedKey.V, false, model.Explicit, main.Encryption.UseAWSOwnedKey.State},
		{"main kms id unknown", main.Encryption.KMSKeyID.V, "", model.Unknown, main.Encryption.KMSKeyID.State},
		{"main key manager", main.Encryption.KeyManager.V, "CUSTOMER", model.Explicit, main.Encryption.KeyManager.State},
		{"main general log", main.Logs.General.V, true, model.Explicit, main.Logs.General.State},
		{"main audit log", main.Logs.Audit.V, false, model.Explicit, main.Logs.Audit.State},
		{"main tags_all", main.Tags.V, map[string]string{"Name": "orders", "owner": "payments"}, model.Explicit, main.Tags.State},
		{"main subnets", main.SubnetIDs.V, []string{"subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"}, model.Explicit, main.SubnetIDs.State},
		{"main sg state", len(main.SecurityGroups), 1, model.Explicit, main.SecurityGroupsState},
		{"main user", main.Users[0].Username.V, "orders-admin", model.Explicit, main.Users[0].Username.State},
		{"main console", main.Users[0].ConsoleAccess.V, true, model.Explicit, main.Users[0].ConsoleAccess.State},
		{"blue engine", blue.Engine.V, model.EngineRabbitMQ, model.Explicit, blue.Engine.State},
		{"blue public", blue.PubliclyAccessible.V, true, model.Explicit, blue.PubliclyAccessible.State},
		{"blue kms alias", blue.Encryption.KeyManager.V, "AWS", model.Explicit, blue.Encryption.KeyManager.State},
		{"blue tags_all unknown keeps own tags", blue.Tags.V, map[string]string{"env": "prod"}, model.Unknown, blue.Tags.State},
		{"blue sg by id", blue.SecurityGroups[0].ID.V, "sg-0123456789abcdef0", model.Explicit, blue.SecurityGroups[0].ID.State},
	}
	for _, tc := range cases {
		if !reflect.DeepEqual(tc.got, tc.want) || tc.gotSt != tc.state {
			t.Errorf("%s = %v (%v), want %v (%v)", tc.name, tc.got, tc.gotSt, tc.want, tc.state)
		}
	}
	// Identity and ranges.
	if main.ID.Source != model.SourceTFPlan || main.ID.Scope != "plan.json" || main.ID.Type != "aws_mq_broker" {
		t.Errorf("identity = %+v", main.ID)
	}
	if main.ID.At.StartLine == 0 || main.ID.At.EndLine <= main.ID.At.StartLine {
		t.Errorf("broker range = %+v", main.ID.At)
	}
	if l := main.Name.At.StartLine; l <= main.ID.At.StartLine || l >= main.ID.At.EndLine {
		t.Errorf("broker_name line %d outside the entry %+v", l, main.ID.At)
	}
	data, _ := os.ReadFile("testdata/plan.json")
	lines := strings.Split(string(data), "\n")
	if got := lines[main.Name.At.StartLine-1]; !strings.Contains(got, `"broker_name"`) {
		t.Errorf("broker_name line is %q", got)
	}
	if got := lines[main.ID.At.StartLine]; !strings.Contains(got, `"address": "aws_mq_broker.main"`) {
		t.Errorf("entry line+1 is %q", got)
	}
	// Passwords: a plan does not say where they came from.
	for _, b := range inv.Brokers {
		for _, u := range b.Users {
			if u.Password.Origin != model.SecretUnknown {
				t.Errorf("%s user %s password origin %v", b.ID.Address, u.Username.V, u.Password.Origin)
			}
		}
	}
	// References: security group, key, configuration.
	sg := main.SecurityGroups[0].Group
	if sg == nil || sg.ID.Address != "aws_security_group.mq" {
		t.Fatalf("main security group = %+v", main.SecurityGroups[0])
	}
	if len(sg.Ingress) != 2 || sg.IngressState != model.Explicit {
		t.Errorf("ingress = %+v (%v)", sg.Ingress, sg.IngressState)
	} else if r := sg.Ingress[1]; r.FromPort.V != 8162 || r.CIDRs.V[0] != "0.0.0.0/0" || r.Protocol.V != "tcp" {
		t.Errorf("vpc ingress rule = %+v", r)
	}
	if k := main.Encryption.Key; k == nil || k.ID.Address != "aws_kms_key.mq" || !k.Enabled.V {
		t.Errorf("key = %+v", k)
	}
	cfg := main.Configuration
	if cfg == nil || cfg.Config == nil || cfg.Config.ID.Address != "aws_mq_configuration.orders" || cfg.Config.UsedBy != 1 {
		t.Fatalf("configuration = %+v", cfg)
	}
	if cfg.ID.Known() || cfg.Revision.Known() {
		t.Errorf("configuration id/revision should be unknown: %+v", cfg)
	}
	am := cfg.Config.ActiveMQ
	if am == nil || len(am.NetworkConnectors) != 1 || !strings.HasPrefix(am.NetworkConnectors[0].URI.V, "static:(tcp://") {
		t.Fatalf("activemq = %+v", am)
	}
	if am.NetworkConnectors[0].At != cfg.Config.DataAt || cfg.Config.DataAt.StartLine == 0 {
		t.Errorf("connector at %+v, data at %+v", am.NetworkConnectors[0].At, cfg.Config.DataAt)
	}
	if g := blue.SecurityGroups[0].Group; g == nil || g.ID.Address != `module.events["blue"].aws_security_group.this` {
		t.Errorf("blue group = %+v", g)
	}
}

func TestSecretsNeverKept(t *testing.T) {
	inv := loadFixture(t)
	out := fmt.Sprintf("%+v", inv)
	b, _ := json.Marshal(inv)
	for _, s := range []string{out, string(b)} {
		if strings.Contains(s, planSecret) {
			t.Fatal("the password of the plan appears in the inventory")
		}
	}
}

func TestDeterminism(t *testing.T) {
	first, _ := json.Marshal(loadFixture(t))
	for range 100 {
		got, _ := json.Marshal(loadFixture(t))
		if string(got) != string(first) {
			t.Fatal("two loads of the same plan differ")
		}
	}
}
