package awsapi

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"

	"github.com/mqguard/mqguard/internal/engine"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/source/awsapi/awstest"
)

// keepSummaries fixes each broker's ListBrokers entry, so that its DescribeBroker answer can be
// changed alone.
func keepSummaries(r *awstest.Region) {
	for _, b := range r.Brokers {
		d := b.Detail
		b.Summary = &mqtypes.BrokerSummary{BrokerArn: d.BrokerArn, BrokerId: d.BrokerId, BrokerName: d.BrokerName,
			BrokerState: d.BrokerState, Created: d.Created, DeploymentMode: d.DeploymentMode, EngineType: d.EngineType,
			HostInstanceType: d.HostInstanceType}
	}
}

// TestIncompleteDescribeBroker: a DescribeBroker answer without a member Amazon MQ always returns
// is an error entry naming the broker and the members, and the broker is known from ListBrokers
// alone, as when the call fails; a snapshot of the scan reproduces both.
func TestIncompleteDescribeBroker(t *testing.T) {
	arn := brokerARN(home, amqID, "orders")
	cases := []struct {
		name    string
		edit    func(d *mq.DescribeBrokerOutput)
		missing string
	}{
		{"empty answer", func(d *mq.DescribeBrokerOutput) { *d = mq.DescribeBrokerOutput{} },
			"BrokerId, BrokerArn, EngineType, DeploymentMode, AutoMinorVersionUpgrade, PubliclyAccessible"},
		{"no PubliclyAccessible", func(d *mq.DescribeBrokerOutput) { d.PubliclyAccessible = nil }, "PubliclyAccessible"},
		{"no BrokerArn", func(d *mq.DescribeBrokerOutput) { d.BrokerArn = nil }, "BrokerArn"},
		{"logs without General", func(d *mq.DescribeBrokerOutput) { d.Logs = &mqtypes.LogsSummary{Audit: aws.Bool(true)} }, "Logs.General"},
		{"encryption without UseAwsOwnedKey", func(d *mq.DescribeBrokerOutput) {
			d.EncryptionOptions = &mqtypes.EncryptionOptions{KmsKeyId: aws.String(keyARN(home))}
		}, "EncryptionOptions.UseAwsOwnedKey"},
		{"ldap metadata without hosts", func(d *mq.DescribeBrokerOutput) {
			d.LdapServerMetadata = &mqtypes.LdapServerMetadataOutput{ServiceAccountUsername: aws.String("svc")}
		}, "LdapServerMetadata.Hosts"},
		{"configuration without id", func(d *mq.DescribeBrokerOutput) {
			d.Configurations = &mqtypes.Configurations{Current: &mqtypes.ConfigurationId{Revision: aws.Int32(2)}}
		}, "Configurations.Current.Id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := testWorld()
			r := w.Region(home, region)
			keepSummaries(r)
			c.edit(&r.Brokers[0].Detail)
			dir := t.TempDir()
			inv, diags, srv := scan(t, w, awstest.Faults{}, Options{Regions: []string{region}, SnapshotDir: dir})
			want := "broker " + amqID + ": mq:DescribeBroker: InvalidResponse: the answer lacks " + c.missing + ", which Amazon MQ always returns"
			if len(diags) != 1 || diags[0].Severity != model.DiagError || !strings.Contains(diags[0].Message, want) ||
				diags[0].At.Ref != arn {
				t.Fatalf("diagnostics %v, want one at %s containing %q", diags, arn, want)
			}
			b := findBroker(t, inv, arn)
			if b.ID.ARN != arn || b.Name.V != "orders" || b.Engine.V != model.EngineActiveMQ ||
				b.DeploymentMode.V != "ACTIVE_STANDBY_MULTI_AZ" || b.HostInstanceType.V != "mq.m5.large" || b.BrokerState.V != "RUNNING" {
				t.Errorf("what ListBrokers said is lost: %+v", b)
			}
			if b.PubliclyAccessible.Known() || b.AutoMinorUpgrade.Known() || b.Encryption.UseAWSOwnedKey.Known() || b.Logs.General.Known() ||
				b.Tags.Known() || b.SecurityGroupsState != model.Unknown || b.UsersState != model.Unknown || b.LDAP != nil || !b.LDAPUnread ||
				b.Configuration == nil || b.Configuration.ID.Known() || b.PendingConfigurationState != model.Unknown {
				t.Errorf("a member of the incomplete answer was read: %+v", b)
			}
			for _, call := range srv.Calls() {
				if call.Operation == "ListUsers" && call.Resource == amqID {
					t.Errorf("the users of a broker without a usable description were read")
				}
			}

			got, gotDiags := LoadSnapshot(context.Background(), os.DirFS(dir), ".")
			if !reflect.DeepEqual(gotDiags, diags) || !reflect.DeepEqual(got, inv) {
				t.Errorf("the snapshot scan differs: %v", gotDiags)
			}
		})
	}
}

// TestDescribeBrokerWithoutOptionalMembers: members the mq API model does not require, such as
// BrokerName and HostInstanceType, are taken from ListBrokers when DescribeBroker leaves them
// out, and the answer is no error.
func TestDescribeBrokerWithoutOptionalMembers(t *testing.T) {
	w := testWorld()
	r := w.Region(home, region)
	keepSummaries(r)
	d := &r.Brokers[0].Detail
	d.BrokerName, d.HostInstanceType, d.BrokerState = nil, nil, ""
	inv, diags, _ := scan(t, w, awstest.Faults{}, Options{Regions: []string{region}})
	if len(diags) != 0 {
		t.Fatalf("diagnostics %v", diags)
	}
	arn := brokerARN(home, amqID, "orders")
	b := findBroker(t, inv, arn)
	for _, c := range []struct {
		name string
		got  model.String
		want string
	}{{"BrokerName", b.Name, "orders"}, {"HostInstanceType", b.HostInstanceType, "mq.m5.large"}, {"BrokerState", b.BrokerState, "RUNNING"}} {
		if c.got.V != c.want || c.got.State != model.Explicit || c.got.At.Ref != arn+"#"+c.name {
			t.Errorf("%s = %+v, want %q from ListBrokers", c.name, c.got, c.want)
		}
	}
	if !b.PubliclyAccessible.Known() || b.LDAPUnread {
		t.Errorf("the answer was not read: %+v", b)
	}
}

// TestEveryRuleOnUndescribedBroker runs the whole catalog, through the engine, on an ActiveMQ and
// a RabbitMQ broker known only from ListBrokers (their DescribeBroker denied, or answered with
// an empty document). A rule may give a verdict (PASS, FAIL, N/A) only on a member ListBrokers
// gave; every other result must be UNKNOWN, never a verdict on data that was not read.
func TestEveryRuleOnUndescribedBroker(t *testing.T) {
	// Members of a ListBrokers entry, which the broker keeps.
	listed := map[string]bool{"BrokerName": true, "EngineType": true, "DeploymentMode": true,
		"HostInstanceType": true, "BrokerState": true}
	// N/A results that rest on the input kind or a known engine but are located on the broker
	// itself, by rule and engine ("" for every engine).
	inputNA := map[string]string{
		"MQG013": "",                   // where a password is written is told from code alone
		"MQG019": model.EngineRabbitMQ, // the Amazon MQ API does not expose RabbitMQ permissions
		// The rules on broker internals: the Amazon MQ API shows none of them (the endpoints'
		// TLS and listeners only a probe, which did not run), or Amazon MQ rules them out.
		"MQG023": "",
		"MQG024": "",
		"MQG025": model.EngineRabbitMQ, // no guest user on Amazon MQ
		"MQG028": model.EngineRabbitMQ, // policies: the management API's
		"MQG030": model.EngineRabbitMQ, // users: the management API's
		"MQG031": model.EngineRabbitMQ, // Amazon MQ hashes the passwords
		"MQG032": model.EngineRabbitMQ, // the RabbitMQ configuration is not in this input
		"MQG033": model.EngineActiveMQ, // no JMX on Amazon MQ
		"MQG034": model.EngineActiveMQ, // no shipped console credentials on Amazon MQ
		"MQG035": "",                   // Amazon MQ always authenticates clients
		"MQG036": model.EngineActiveMQ, // Amazon MQ applies the patch releases itself
	}
	amqARN, rabbitARN := brokerARN(home, amqID, "orders"), brokerARN(home, rabbitID, "events")
	ways := []struct {
		name  string
		setup func(w *awstest.World)
	}{
		{"denied", func(w *awstest.World) {
			for _, id := range []string{amqID, rabbitID} {
				w.Fail(home+"/"+region+"/mq/describe-broker/"+id, awstest.APIError{Code: "AccessDeniedException", Message: "no", Status: 403})
			}
		}},
		{"empty answer", func(w *awstest.World) {
			r := w.Region(home, region)
			keepSummaries(r)
			for _, b := range r.Brokers {
				b.Detail = mq.DescribeBrokerOutput{}
			}
		}},
	}
	for _, way := range ways {
		t.Run(way.name, func(t *testing.T) {
			w := testWorld()
			way.setup(w)
			inv, diags, _ := scan(t, w, awstest.Faults{}, Options{Regions: []string{region}})
			if len(inv.Brokers) != 2 {
				t.Fatalf("%d brokers", len(inv.Brokers))
			}
			all := ""
			for _, d := range diags {
				all += d.Message + "\n"
			}
			for _, id := range []string{amqID, rabbitID} {
				if len(diags) != 2 || !strings.Contains(all, "broker "+id+": mq:DescribeBroker: ") {
					t.Errorf("no single error entry names broker %s: %v", id, diags)
				}
			}
			rep, err := engine.Run(inv, diags, rules.All(), engine.Options{ShowPassed: true, Settings: rules.DefaultSettings(),
				AsOf: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			judged := map[string]map[string]bool{amqARN: {}, rabbitARN: {}}
			for _, f := range rep.Findings {
				arn := f.Resource.ARN
				if judged[arn] == nil {
					t.Errorf("finding on an unexpected resource: %+v", f)
					continue
				}
				judged[arn][f.RuleID] = true
				if f.Status == rules.Unknown.String() {
					continue
				}
				member, onMember := strings.CutPrefix(f.Location.Ref, arn+"#")
				engineNA, isInputNA := inputNA[f.RuleID]
				switch {
				case onMember && listed[member] && f.ValueFrom == model.Explicit.String():
				case isInputNA && f.Status == rules.NotApplicable.String() && (engineNA == "" || engineNA == f.Resource.Engine):
				default:
					t.Errorf("%s on %s (%s): %s from data that was not read (%s, at %s): %s",
						f.RuleID, arn, f.Resource.Engine, f.Status, f.ValueFrom, f.Location.Ref, f.Message)
				}
			}
			for arn, ids := range judged {
				for _, r := range rules.All() {
					if !ids[r.ID] {
						t.Errorf("%s has no result on %s", r.ID, arn)
					}
				}
			}
		})
	}
}
