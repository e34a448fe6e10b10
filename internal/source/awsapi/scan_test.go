package awsapi

import (
	"context"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/awsapi/awstest"
)

func TestActionsCoverInterfaces(t *testing.T) {
	if got, want := interfaceActions(), Actions(); !slices.Equal(got, want) {
		t.Errorf("interface methods %v\nActions() %v", got, want)
	}
	for _, a := range Actions() {
		op := a[strings.Index(a, ":")+1:]
		if !strings.HasPrefix(op, "Describe") && !strings.HasPrefix(op, "List") && !strings.HasPrefix(op, "Get") && op != "AssumeRole" {
			t.Errorf("%s is not a read-only operation", a)
		}
	}
}

func TestScanMapsLiveFields(t *testing.T) {
	inv, diags, _ := scan(t, testWorld(), awstest.Faults{}, Options{})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	if len(inv.Brokers) != 2 || len(inv.Configurations) != 1 || len(inv.SecurityGroups) != 1 || len(inv.Keys) != 1 {
		t.Fatalf("inventory sizes: %d brokers, %d configurations, %d groups, %d keys",
			len(inv.Brokers), len(inv.Configurations), len(inv.SecurityGroups), len(inv.Keys))
	}
	arn := brokerARN(home, amqID, "orders")
	b := findBroker(t, inv, arn)
	at := func(f string) model.Range { return model.Range{Ref: arn + "#" + f} }
	wantID := model.Identity{Source: model.SourceAWS, Address: arn, ARN: arn, Account: home, Region: region,
		Type: "AWS::AmazonMQ::Broker", At: model.Range{Ref: arn}}
	if b.ID != wantID {
		t.Errorf("ID = %+v", b.ID)
	}
	strs := []struct {
		name string
		got  model.String
		want string
		at   string
	}{
		{"Name", b.Name, "orders", "BrokerName"},
		{"Engine", b.Engine, model.EngineActiveMQ, "EngineType"},
		{"EngineVersion", b.EngineVersion, "5.18", "EngineVersion"},
		{"DeploymentMode", b.DeploymentMode, "ACTIVE_STANDBY_MULTI_AZ", "DeploymentMode"},
		{"HostInstanceType", b.HostInstanceType, "mq.m5.large", "HostInstanceType"},
		{"AuthStrategy", b.AuthStrategy, "SIMPLE", "AuthenticationStrategy"},
		{"StorageType", b.StorageType, "EFS", "StorageType"},
		{"KMSKeyID", b.Encryption.KMSKeyID, keyARN(home), "EncryptionOptions.KmsKeyId"},
		{"KeyManager", b.Encryption.KeyManager, "CUSTOMER", ""},
		{"BrokerState", b.BrokerState, "RUNNING", "BrokerState"},
	}
	for _, c := range strs {
		if c.got.V != c.want || c.got.State != model.Explicit || (c.at != "" && c.got.At != at(c.at)) {
			t.Errorf("%s = %+v, want explicit %q at %s", c.name, c.got, c.want, c.at)
		}
	}
	bools := []struct {
		name string
		got  model.Bool
		want bool
		st   model.State
	}{
		{"PubliclyAccessible", b.PubliclyAccessible, false, model.Explicit},
		{"AutoMinorUpgrade", b.AutoMinorUpgrade, true, model.Explicit},
		{"UseAWSOwnedKey", b.Encryption.UseAWSOwnedKey, false, model.Explicit},
		{"Logs.General", b.Logs.General, true, model.Explicit},
		{"Logs.Audit", b.Logs.Audit, false, model.Explicit},
	}
	for _, c := range bools {
		if c.got.V != c.want || c.got.State != c.st {
			t.Errorf("%s = %+v, want %v (%v)", c.name, c.got, c.want, c.st)
		}
	}
	if k := b.Encryption.Key; k == nil || k.KeyState.V != "Disabled" || k.KeyManager.V != "CUSTOMER" || k.Enabled.V || k.Enabled.State != model.Explicit {
		t.Errorf("Key = %+v", k)
	}
	if b.LDAP == nil || !slices.Equal(b.LDAP.Hosts.V, []string{"ldap://ldap.example.com"}) || b.LDAP.ServiceAccountUsername.V != "svc" ||
		b.LDAP.ServiceAccountPassword.Origin != model.SecretUnknown {
		t.Errorf("LDAP = %+v", b.LDAP)
	}
	if b.UsersState != model.Explicit || len(b.Users) != 3 {
		t.Fatalf("users %v %+v", b.UsersState, b.Users)
	}
	admin := b.Users[0]
	if admin.Username.V != "admin" || !admin.ConsoleAccess.V || !slices.Equal(admin.Groups.V, []string{"admins"}) ||
		admin.ReplicationUser.V || admin.Password.Origin != model.SecretUnknown {
		t.Errorf("admin = %+v", admin)
	}
	if !b.Users[2].ReplicationUser.V {
		t.Errorf("repl = %+v", b.Users[2])
	}
	if b.SecurityGroupsState != model.Explicit || len(b.SecurityGroups) != 1 || b.SecurityGroups[0].Group == nil {
		t.Fatalf("security groups %+v", b.SecurityGroups)
	}
	sg := b.SecurityGroups[0].Group
	if sg.GroupID.V != sgID || sg.Name.V != "mq" || len(sg.Ingress) != 2 || sg.IngressState != model.Explicit {
		t.Fatalf("group %+v", sg)
	}
	in0, in1 := sg.Ingress[0], sg.Ingress[1]
	if in0.Protocol.V != "tcp" || in0.FromPort.V != 61617 || in0.ToPort.V != 61617 || !slices.Equal(in0.CIDRs.V, []string{"0.0.0.0/0", "::/0"}) {
		t.Errorf("ingress[0] = %+v", in0)
	}
	if in1.Protocol.V != "-1" || !in1.FromPort.Known() || !slices.Equal(in1.CIDRs.V, []string{"10.0.0.0/8"}) {
		t.Errorf("ingress[1] = %+v", in1)
	}
	if !slices.Equal(b.SubnetIDs.V, []string{"subnet-1", "subnet-2"}) {
		t.Errorf("SubnetIDs = %+v", b.SubnetIDs)
	}
	if v, _, ok := b.Tags.Lookup("owner"); !ok || v != "team-a" || b.Tags.State != model.Explicit {
		t.Errorf("Tags = %+v", b.Tags)
	}
	if !slices.Equal(b.ActionsRequired.V, []string{"BROKER_OOM"}) || b.ActionsRequired.State != model.Explicit {
		t.Errorf("ActionsRequired = %+v", b.ActionsRequired)
	}
	host := func(n int) string { return amqID + "-" + string(rune('0'+n)) + ".mq." + region + ".amazonaws.com" }
	wantEndpoints := []string{"ssl://" + host(1) + ":61617", "stomp+ssl://" + host(1) + ":61614", "ssl://" + host(2) + ":61617",
		"https://" + host(1) + ":8162", "https://" + host(2) + ":8162"}
	if got := b.InstanceEndpoints; !slices.Equal(got.V, wantEndpoints) || got.State != model.Explicit || got.At != at("BrokerInstances") {
		t.Errorf("InstanceEndpoints = %+v\nwant %v", got, wantEndpoints)
	}
	// A broker without instances (being created) has none, and says so.
	if got := findBroker(t, inv, brokerARN(home, rabbitID, "events")).InstanceEndpoints; got.State != model.Explicit || len(got.V) != 0 {
		t.Errorf("events InstanceEndpoints = %+v", got)
	}
	cur := b.Configuration
	if cur == nil || cur.ID.V != cfgID || cur.Revision.V != 2 || cur.Config == nil {
		t.Fatalf("Configuration = %+v", cur)
	}
	c := cur.Config
	if c.Data != model.Explicit || c.ActiveMQ == nil || len(c.ActiveMQ.NetworkConnectors) != 1 || c.ActiveMQ.AuthorizationPlugin == nil ||
		c.LatestRevision.V != 3 || c.Name.V != "orders-config" || c.Engine.V != model.EngineActiveMQ {
		t.Errorf("configuration = %+v", c)
	}
	if want := arn + "#configuration/" + cfgID + "/revision/2"; c.ID.Address != want || c.ActiveMQ.NetworkConnectors[0].At.File != want {
		t.Errorf("configuration address %q, connector at %+v", c.ID.Address, c.ActiveMQ.NetworkConnectors[0].At)
	}
	p := b.PendingConfiguration
	if b.PendingConfigurationState != model.Explicit || p == nil || p.Revision.V != 3 || p.Config == nil || p.Config.Data != model.Explicit || p.Config.ActiveMQ == nil {
		t.Errorf("PendingConfiguration = %+v", p)
	}

	r := findBroker(t, inv, brokerARN(home, rabbitID, "events"))
	if r.Engine.V != model.EngineRabbitMQ || !r.PubliclyAccessible.V || r.HostInstanceType.V != "mq.t3.micro" {
		t.Errorf("rabbit = %+v", r)
	}
	if r.Logs.Audit.State != model.Default || r.Logs.Audit.V || r.Logs.General.State != model.Explicit {
		t.Errorf("rabbit logs = %+v", r.Logs)
	}
	if r.UsersState != model.Unknown || r.Users != nil {
		t.Errorf("rabbit users %v %+v: the API does not list RabbitMQ users", r.UsersState, r.Users)
	}
	if !r.Encryption.UseAWSOwnedKey.V || r.Encryption.Key != nil {
		t.Errorf("rabbit encryption = %+v", r.Encryption)
	}
	if r.PendingConfiguration != nil || r.Configuration != nil || r.PendingConfigurationState != model.Explicit {
		t.Errorf("rabbit configuration %+v pending %+v", r.Configuration, r.PendingConfiguration)
	}
}

// TestFailureSemantics checks the exact effect of a failure of each operation.
func TestFailureSemantics(t *testing.T) {
	amqARN := brokerARN(home, amqID, "orders")
	cases := []struct {
		name  string
		path  string // World.Errors key
		diag  string // substring of the one error entry
		check func(t *testing.T, inv *model.Inventory)
	}{
		{"DescribeBroker", home + "/" + region + "/mq/describe-broker/" + amqID, "broker " + amqID + ": mq:DescribeBroker: AccessDeniedException",
			func(t *testing.T, inv *model.Inventory) {
				b := findBroker(t, inv, amqARN)
				if b.Name.V != "orders" || b.Engine.V != model.EngineActiveMQ || b.DeploymentMode.V != "ACTIVE_STANDBY_MULTI_AZ" ||
					b.HostInstanceType.V != "mq.m5.large" || b.BrokerState.V != "RUNNING" {
					t.Errorf("summary fields lost: %+v", b)
				}
				if b.PubliclyAccessible.Known() || b.EngineVersion.Known() || b.Encryption.UseAWSOwnedKey.Known() || b.Logs.Audit.Known() ||
					b.UsersState != model.Unknown || b.SecurityGroupsState != model.Unknown || b.Tags.Known() ||
					b.ActionsRequired.Known() || b.PendingConfigurationState != model.Unknown || b.AutoMinorUpgrade.Known() ||
					b.AuthStrategy.Known() || b.LDAP != nil || !b.LDAPUnread || b.InstanceEndpoints.Known() {
					t.Errorf("a field is known without DescribeBroker: %+v", b)
				}
				if b.Configuration == nil || b.Configuration.Config != nil || b.Configuration.ID.Known() {
					t.Errorf("configuration = %+v", b.Configuration)
				}
				if len(inv.SecurityGroups) != 0 || len(inv.Keys) != 0 {
					t.Errorf("groups or keys read for an undescribed broker")
				}
			}},
		{"ListUsers", home + "/" + region + "/mq/list-users/" + amqID, "mq:ListUsers",
			func(t *testing.T, inv *model.Inventory) {
				if b := findBroker(t, inv, amqARN); b.UsersState != model.Unknown || len(b.Users) != 0 {
					t.Errorf("users %v %+v", b.UsersState, b.Users)
				}
			}},
		{"DescribeUser", home + "/" + region + "/mq/describe-user/" + amqID + "/app", "user app: mq:DescribeUser",
			func(t *testing.T, inv *model.Inventory) {
				b := findBroker(t, inv, amqARN)
				if b.UsersState != model.Unknown || len(b.Users) != 3 || b.Users[1].ConsoleAccess.Known() || !b.Users[0].ConsoleAccess.Known() {
					t.Errorf("users %v %+v", b.UsersState, b.Users)
				}
			}},
		{"DescribeSecurityGroups", home + "/" + region + "/ec2/describe-security-groups", "ec2:DescribeSecurityGroups: UnauthorizedOperation",
			func(t *testing.T, inv *model.Inventory) {
				b := findBroker(t, inv, amqARN)
				if len(b.SecurityGroups) != 1 || b.SecurityGroups[0].Group != nil || b.SecurityGroups[0].ID.V != sgID || len(inv.SecurityGroups) != 0 {
					t.Errorf("groups %+v", b.SecurityGroups)
				}
			}},
		{"DescribeKey", home + "/" + region + "/kms/describe-key/" + escKey(keyARN(home)), "kms:DescribeKey",
			func(t *testing.T, inv *model.Inventory) {
				b := findBroker(t, inv, amqARN)
				k := b.Encryption.Key
				if k == nil || k.KeyState.Known() || k.KeyManager.Known() || b.Encryption.KeyManager.Known() || len(inv.Keys) != 0 {
					t.Errorf("key %+v, manager %+v", k, b.Encryption.KeyManager)
				}
			}},
		{"DescribeConfiguration", home + "/" + region + "/mq/describe-configuration/" + cfgID, "mq:DescribeConfiguration:",
			func(t *testing.T, inv *model.Inventory) {
				c := findBroker(t, inv, amqARN).Configuration.Config
				if c.LatestRevision.Known() || c.Name.Known() || c.Data != model.Explicit {
					t.Errorf("configuration %+v", c)
				}
			}},
		{"DescribeConfigurationRevision", home + "/" + region + "/mq/describe-configuration-revision/" + cfgID + "/2", "revision 2: mq:DescribeConfigurationRevision",
			func(t *testing.T, inv *model.Inventory) {
				c := findBroker(t, inv, amqARN).Configuration.Config
				if c.Data != model.Unknown || c.ActiveMQ != nil || !c.LatestRevision.Known() {
					t.Errorf("configuration %+v", c)
				}
			}},
		{"ListBrokers", home + "/" + region + "/mq/list-brokers", "account " + home + " region " + region + ": mq:ListBrokers: AccessDeniedException",
			func(t *testing.T, inv *model.Inventory) {
				if len(inv.Brokers) != 0 {
					t.Errorf("%d brokers from a failed region", len(inv.Brokers))
				}
			}},
		{"DescribeRegions", home + "/ec2/describe-regions", "ec2:DescribeRegions",
			func(t *testing.T, inv *model.Inventory) {
				if len(inv.Brokers) != 0 {
					t.Errorf("%d brokers", len(inv.Brokers))
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := testWorld()
			code := "AccessDeniedException"
			if strings.Contains(c.path, "/ec2/") {
				code = "UnauthorizedOperation"
			}
			w.Fail(c.path, awstest.APIError{Code: code, Message: "not authorized", Status: 403})
			inv, diags, _ := scan(t, w, awstest.Faults{}, Options{})
			if len(diags) != 1 || diags[0].Severity != model.DiagError || !strings.Contains(diags[0].Message, c.diag) {
				t.Fatalf("diagnostics %v, want one containing %q", diags, c.diag)
			}
			c.check(t, inv)
		})
	}
}

// escKey escapes a key id or ARN as snapshot file names do.
func escKey(s string) string { return esc(s) }

func TestDenyEveryOperationKeepsOtherData(t *testing.T) {
	// Denying each operation through the fault hook: the scan completes, the failure is an
	// error entry, and nothing is invented.
	for _, action := range Actions() {
		svc, op, _ := strings.Cut(action, ":")
		if svc == "organizations" || op == "AssumeRole" {
			continue // covered by the organization test
		}
		t.Run(op, func(t *testing.T) {
			_, diags, _ := scan(t, testWorld(), awstest.Faults{Deny: func(c awstest.Call) bool {
				return c.Service == svc && c.Operation == op
			}}, Options{Regions: []string{region, other}})
			switch {
			case op == "DescribeBrokerEngineTypes" || op == "DescribeRegions":
				if len(diags) != 0 {
					t.Errorf("diagnostics %v", diags)
				}
			case len(diags) == 0:
				t.Errorf("no error entry for a denied %s", action)
			}
			for _, d := range diags {
				if !strings.Contains(d.Message, action) || (op != "GetCallerIdentity" && !strings.Contains(d.Message, "account "+home)) {
					t.Errorf("diagnostic %q does not name %s and the account", d.Message, action)
				}
			}
		})
	}
}

func TestThrottlingAndServerErrorsAreRetried(t *testing.T) {
	want, _, _ := scan(t, testWorld(), awstest.Faults{}, Options{})
	for _, f := range []awstest.Faults{
		{ThrottleRate: 0.05, Seed: 1},
		{ThrottleRate: 0.20, Seed: 2},
		{ServerErrorRate: 0.15, Seed: 3},
		{ThrottleRate: 0.1, ServerErrorRate: 0.1, Seed: 4},
	} {
		got, diags, srv := scan(t, testWorld(), f, Options{})
		if len(diags) != 0 {
			t.Errorf("%+v: diagnostics %v", f, diags)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%+v: inventory differs from the fault-free scan", f)
		}
		if n := len(srv.Calls()); f.ThrottleRate+f.ServerErrorRate >= 0.15 && n <= 32 {
			t.Errorf("%+v: %d calls: no retry happened", f, n)
		}
	}
}

func TestHangingCallTimesOut(t *testing.T) {
	start := time.Now()
	inv, diags, _ := scan(t, testWorld(), awstest.Faults{Hang: func(c awstest.Call) bool {
		return c.Operation == "DescribeBroker" && c.Resource == amqID
	}}, Options{CallTimeout: 300 * time.Millisecond})
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("scan took %v", d)
	}
	if len(diags) != 1 || !strings.Contains(diags[0].Message, "mq:DescribeBroker: RequestTimeout") {
		t.Fatalf("diagnostics %v", diags)
	}
	if b := findBroker(t, inv, brokerARN(home, amqID, "orders")); b.PubliclyAccessible.Known() {
		t.Errorf("a timed out broker has known fields")
	}
	if b := findBroker(t, inv, brokerARN(home, rabbitID, "events")); !b.PubliclyAccessible.Known() {
		t.Errorf("the other broker was not read")
	}
}

func TestCanceledScanReportsIt(t *testing.T) {
	srv := awstest.NewServer(testWorld(), awstest.Faults{Latency: time.Second})
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, diags := Scan(ctx, testConfig(), Options{EndpointURL: srv.URL()})
	if len(diags) == 0 || !strings.Contains(diags[len(diags)-1].Message, "interrupted") {
		t.Errorf("diagnostics %v", diags)
	}
}

func TestPagination(t *testing.T) {
	w := testWorld()
	w.PageSize = 2
	r := w.Region(home, other)
	for _, id := range []string{"b-p1", "b-p2", "b-p3", "b-p4", "b-p5"} {
		r.AddBroker(mq.DescribeBrokerOutput{BrokerId: aws.String(id), BrokerArn: aws.String("arn:aws:mq:us-east-1:" + home + ":broker:p:" + id),
			BrokerName: aws.String("p"), EngineType: mqtypes.EngineTypeActivemq, DeploymentMode: mqtypes.DeploymentModeSingleInstance,
			AutoMinorVersionUpgrade: aws.Bool(true), PubliclyAccessible: aws.Bool(false)},
			mq.DescribeUserOutput{Username: aws.String("u1")}, mq.DescribeUserOutput{Username: aws.String("u2")}, mq.DescribeUserOutput{Username: aws.String("u3")})
	}
	inv, diags, srv := scan(t, w, awstest.Faults{}, Options{Regions: []string{other}})
	if len(diags) != 0 {
		t.Fatalf("diagnostics %v", diags)
	}
	if len(inv.Brokers) != 5 {
		t.Fatalf("%d brokers, want 5", len(inv.Brokers))
	}
	for _, b := range inv.Brokers {
		if len(b.Users) != 3 || b.UsersState != model.Explicit {
			t.Errorf("%s: %d users", b.ID.ARN, len(b.Users))
		}
	}
	pages := 0
	for _, c := range srv.Calls() {
		if c.Operation == "ListBrokers" {
			pages++
		}
	}
	if pages != 3 {
		t.Errorf("%d ListBrokers pages, want 3", pages)
	}
}

func TestOrganizationScan(t *testing.T) {
	w := testWorld()
	w.AddOrgAccount(home, "management")
	w.AddOrgAccount(member, "workload")
	w.AddOrgAccount(denied, "locked")
	w.Account(member).ExternalID = "ext-1"
	addRegion(w, member)
	addRegion(w, denied)
	inv, diags, srv := scan(t, w, awstest.Faults{Deny: func(c awstest.Call) bool {
		return c.Operation == "AssumeRole" && strings.Contains(c.Resource, denied)
	}}, Options{Org: true, OrgRole: "MQGuardAudit", ExternalID: "ext-1", Regions: []string{region}})
	if len(diags) != 1 || !strings.Contains(diags[0].Message, "account "+denied+": sts:AssumeRole: AccessDenied") {
		t.Fatalf("diagnostics %v", diags)
	}
	var accounts []string
	for _, b := range inv.Brokers {
		accounts = append(accounts, b.ID.Account)
	}
	if want := []string{home, home, member, member}; !slices.Equal(accounts, want) {
		t.Errorf("broker accounts %v, want %v", accounts, want)
	}
	for _, c := range srv.Calls() {
		if c.Operation == "AssumeRole" && strings.Contains(c.Resource, home) {
			t.Errorf("the caller's own account was assumed: %+v", c)
		}
		if c.Service == "mq" && c.Account == denied {
			t.Errorf("call into the denied account: %+v", c)
		}
	}
}

func TestRoleARN(t *testing.T) {
	for _, c := range []struct{ role, want string }{
		{"Audit", "arn:aws:iam::222222222222:role/Audit"},
		{"arn:aws:iam::{account}:role/path/Audit", "arn:aws:iam::222222222222:role/path/Audit"},
		{"arn:aws:iam::999999999999:role/Audit", "arn:aws:iam::222222222222:role/Audit"},
	} {
		if got := roleARN(c.role, member); got != c.want {
			t.Errorf("roleARN(%q) = %q, want %q", c.role, got, c.want)
		}
	}
}

func TestSnapshotRoundTrip(t *testing.T) {
	w := testWorld()
	w.AddOrgAccount(home, "management")
	w.AddOrgAccount(member, "workload")
	w.AddOrgAccount(denied, "locked")
	addRegion(w, member)
	w.Fail(member+"/"+region+"/mq/describe-broker/"+amqID, awstest.APIError{Code: "AccessDeniedException", Message: "no", Status: 403})
	w.Fail(home+"/"+region+"/kms/describe-key/"+escKey(keyARN(home)), awstest.APIError{Code: "AccessDeniedException", Message: "no", Status: 403})
	w.Fail(home+"/"+region+"/mq/describe-user/"+amqID+"/app", awstest.APIError{Code: "AccessDeniedException", Message: "no", Status: 403})
	dir := t.TempDir()
	want, wantDiags, _ := scan(t, w, awstest.Faults{ThrottleRate: 0.05, Deny: func(c awstest.Call) bool {
		return c.Operation == "AssumeRole" && strings.Contains(c.Resource, denied)
	}}, Options{Org: true, OrgRole: "Audit", SnapshotDir: dir})
	if len(wantDiags) != 4 {
		t.Errorf("live diagnostics %v", wantDiags)
	}
	for _, must := range []string{"manifest.json", "organizations/list-accounts.json", home + "/sts/get-caller-identity.json",
		home + "/ec2/describe-regions.json", denied + "/sts/assume-role.error.json", member + "/" + region + "/mq/describe-broker/" + amqID + ".error.json",
		home + "/" + region + "/mq/describe-configuration-revision/" + cfgID + "/3.json", home + "/" + region + "/mq/describe-broker-engine-types.json"} {
		if _, err := os.Stat(dir + "/" + must); err != nil {
			t.Errorf("snapshot lacks %s", must)
		}
	}
	data, _ := os.ReadFile(dir + "/organizations/list-accounts.json")
	if strings.Contains(string(data), "@") || strings.Contains(string(data), "ResultMetadata") {
		t.Errorf("list-accounts.json keeps e-mail addresses or metadata:\n%s", data)
	}
	got, gotDiags := LoadSnapshot(context.Background(), os.DirFS(dir), ".")
	if !reflect.DeepEqual(gotDiags, wantDiags) {
		t.Errorf("snapshot diagnostics\n%v\nwant\n%v", gotDiags, wantDiags)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("snapshot inventory differs from the live one")
	}

	// The fake serves the snapshot again: a live scan of it gives the same result.
	w2, err := awstest.LoadWorld(os.DirFS(dir), ".")
	if err != nil {
		t.Fatal(err)
	}
	again, againDiags, _ := scan(t, w2, awstest.Faults{}, Options{Org: true, OrgRole: "Audit"})
	if !reflect.DeepEqual(again, want) || !reflect.DeepEqual(againDiags, wantDiags) {
		t.Errorf("scan of the reloaded world differs:\n%v", againDiags)
	}
}

func TestSnapshotWithExplicitRegions(t *testing.T) {
	dir := t.TempDir()
	want, wantDiags, _ := scan(t, testWorld(), awstest.Faults{}, Options{Regions: []string{region}, SnapshotDir: dir})
	got, gotDiags := LoadSnapshot(context.Background(), os.DirFS(dir), ".")
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotDiags, wantDiags) {
		t.Errorf("round trip differs: %v", gotDiags)
	}
}

func TestLoadSnapshotErrors(t *testing.T) {
	for _, dir := range []string{t.TempDir(), "/nonexistent"} {
		inv, diags := LoadSnapshot(context.Background(), os.DirFS("/"), strings.TrimPrefix(dir, "/"))
		if len(inv.Brokers) != 0 || len(diags) != 1 || diags[0].Severity != model.DiagError {
			t.Errorf("%s: %v", dir, diags)
		}
	}
}

// TestReadOnly runs a scan using every feature and checks that the server saw only the
// operations Actions lists.
func TestReadOnly(t *testing.T) {
	w := testWorld()
	w.AddOrgAccount(home, "management")
	w.AddOrgAccount(member, "workload")
	addRegion(w, member)
	_, diags, srv := scan(t, w, awstest.Faults{ThrottleRate: 0.05}, Options{Org: true, OrgRole: "Audit", SnapshotDir: t.TempDir()})
	if len(diags) != 0 {
		t.Fatalf("diagnostics %v", diags)
	}
	seen := map[string]bool{}
	for _, c := range srv.Calls() {
		a := c.Service + ":" + c.Operation
		if !slices.Contains(Actions(), a) {
			t.Errorf("called %s, which Actions does not list", a)
		}
		seen[a] = true
	}
	for _, a := range Actions() {
		if !seen[a] {
			t.Errorf("%s was never called: the test does not use every feature", a)
		}
	}
}

// TestOfferedVersions: the engine versions DescribeBrokerEngineTypes offers reach the inventory,
// where MQG010 reads them for lines its table does not know yet.
func TestOfferedVersions(t *testing.T) {
	inv, diags, _ := scan(t, testWorld(), awstest.Faults{}, Options{Regions: []string{region}})
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	for _, et := range awstest.DefaultEngineTypes() {
		engine := model.NormalizeEngine(string(et.EngineType))
		for _, v := range et.EngineVersions {
			if !slices.Contains(inv.OfferedVersions[engine], aws.ToString(v.Name)) {
				t.Errorf("offered %s versions %v lack %s", engine, inv.OfferedVersions[engine], aws.ToString(v.Name))
			}
		}
	}
}

// TestSnapshotOfFailedCallerIdentity: a scan whose GetCallerIdentity fails reads nothing else,
// and its snapshot records the failure, so that scanning the snapshot, or serving it from the
// fake again, reproduces the same error entry.
func TestSnapshotOfFailedCallerIdentity(t *testing.T) {
	cases := []struct {
		name  string
		setup func(w *awstest.World) awstest.Faults
		diag  string
	}{
		{"denied", func(*awstest.World) awstest.Faults {
			return awstest.Faults{Deny: func(c awstest.Call) bool { return c.Operation == "GetCallerIdentity" }}
		}, "sts:GetCallerIdentity: AccessDenied"},
		{"no account in the answer", func(w *awstest.World) awstest.Faults {
			w.Account(home).CallerIdentity = &sts.GetCallerIdentityOutput{}
			return awstest.Faults{}
		}, "sts:GetCallerIdentity: InvalidResponse: no account in the caller identity"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := testWorld()
			faults := c.setup(w)
			dir := t.TempDir()
			inv, diags, _ := scan(t, w, faults, Options{SnapshotDir: dir})
			if len(inv.Brokers) != 0 || len(diags) != 1 || diags[0].Severity != model.DiagError || !strings.Contains(diags[0].Message, c.diag) {
				t.Fatalf("%d brokers, diagnostics %v, want one containing %q", len(inv.Brokers), diags, c.diag)
			}
			for _, must := range []string{"manifest.json", "sts/get-caller-identity.error.json"} {
				if _, err := os.Stat(dir + "/" + must); err != nil {
					t.Errorf("snapshot lacks %s", must)
				}
			}

			got, gotDiags := LoadSnapshot(context.Background(), os.DirFS(dir), ".")
			if !reflect.DeepEqual(gotDiags, diags) || !reflect.DeepEqual(got, inv) {
				t.Errorf("snapshot scan: %d brokers, diagnostics %v, want %v", len(got.Brokers), gotDiags, diags)
			}
			w2, err := awstest.LoadWorld(os.DirFS(dir), ".")
			if err != nil {
				t.Fatal(err)
			}
			again, againDiags, _ := scan(t, w2, awstest.Faults{}, Options{})
			if !reflect.DeepEqual(againDiags, diags) || !reflect.DeepEqual(again, inv) {
				t.Errorf("scan of the reloaded world: diagnostics %v, want %v", againDiags, diags)
			}
		})
	}
}
