package mototest

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/mqguard/mqguard/internal/engine"
	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/source/awsapi"
)

const region = "eu-west-1"

// Broker names of the world the test builds in moto.
const (
	publicAMQ  = "public-activemq"
	privateAMQ = "private-activemq"
	publicRMQ  = "public-rabbitmq"
)

// activeMQXML is the configuration the public ActiveMQ broker runs: no authorization map and a
// network connector over plain TCP.
const activeMQXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<broker xmlns="http://activemq.apache.org/schema/core">
  <networkConnectors>
    <networkConnector name="to-dc" uri="static:(tcp://peer.example.internal:61616)" duplex="true"/>
  </networkConnectors>
  <plugins>
    <statisticsBrokerPlugin/>
  </plugins>
</broker>
`

// world is what the test created in moto.
type world struct {
	cmkARN, disabledKeyARN string
	openSG, privateSG      string
	configID               string
	configRevision         int32
	brokerARN              map[string]string // by name
}

// want is the expected status of each rule for each broker. A rule with several findings for one
// broker (MQG011, one per missing tag) must have this status on all of them.
var want = map[string]map[string]string{
	publicAMQ: {
		"MQG001": finding.StatusFail, "MQG002": finding.StatusFail, "MQG003": finding.StatusNA,
		"MQG005": finding.StatusFail, // AWS owned key
		"MQG006": finding.StatusNA,
		"MQG007": finding.StatusFail, "MQG008": finding.StatusFail, "MQG009": finding.StatusPass,
		"MQG010": finding.StatusPass, "MQG011": finding.StatusFail,
		"MQG012": finding.StatusFail, // 0.0.0.0/0 on 61617
		"MQG013": finding.StatusNA,   // live input
		"MQG014": finding.StatusFail, // user "admin"
		"MQG017": finding.StatusFail, // static:(tcp://...) network connector
		"MQG018": finding.StatusFail, // no authorizationPlugin
		"MQG020": finding.StatusFail, "MQG022": finding.StatusPass, "MQG027": finding.StatusPass,
	},
	privateAMQ: {
		"MQG001": finding.StatusPass, "MQG002": finding.StatusPass, "MQG003": finding.StatusNA,
		"MQG005": finding.StatusPass, // KeyManager CUSTOMER from kms:DescribeKey
		"MQG006": finding.StatusPass,
		"MQG007": finding.StatusPass, "MQG008": finding.StatusPass, "MQG009": finding.StatusPass,
		"MQG010": finding.StatusPass, "MQG011": finding.StatusPass, "MQG012": finding.StatusPass,
		"MQG014": finding.StatusPass,
		// moto's default configuration, returned as raw XML: it has no network connector and
		// no authorization map, so the XML was read.
		"MQG017": finding.StatusNA, "MQG018": finding.StatusFail,
		"MQG020": finding.StatusPass, "MQG022": finding.StatusPass, "MQG027": finding.StatusPass,
	},
	publicRMQ: {
		"MQG001": finding.StatusFail, "MQG002": finding.StatusNA, "MQG003": finding.StatusFail,
		"MQG005": finding.StatusPass, // customer managed, though disabled
		"MQG006": finding.StatusFail, // KeyState Disabled
		"MQG007": finding.StatusNA, "MQG008": finding.StatusPass, "MQG009": finding.StatusPass,
		"MQG010": finding.StatusPass, "MQG011": finding.StatusFail,
		"MQG012": finding.StatusNA, // public RabbitMQ takes no security groups
		// The Amazon MQ API does not list RabbitMQ users, so the source does not read them,
		// although moto echoes the creation user in DescribeBroker.
		"MQG014": finding.StatusUnknown,
		// moto gives the RabbitMQ broker an ActiveMQ XML configuration: never judged as ActiveMQ.
		"MQG017": finding.StatusNA, "MQG018": finding.StatusNA, "MQG027": finding.StatusNA,
		"MQG020": finding.StatusFail, "MQG022": finding.StatusPass,
	},
}

// TestMoto builds a small account in moto through the SDK (the setup uses write APIs; the
// scanner under test does not), scans it with the live source, checks the rules per broker, and
// checks that a scan of the snapshot it saved gives the same report.
//
// moto 5.2.1 differs from AWS in these ways, each handled explicitly:
//   - The default configuration moto creates for a broker without one has its revision Data as
//     raw XML, not base64. The source falls back to the raw text; the test checks the private
//     broker's default configuration was parsed (MQG018 FAIL, not UNKNOWN) and that no
//     "cannot parse" error entry appears.
//   - moto gives a RabbitMQ broker an ActiveMQ XML default configuration (engine RABBITMQ in
//     DescribeConfiguration, ActiveMQ XML in the revision). The source must not parse it as
//     ActiveMQ, nor as RabbitMQ configuration: the test checks the configuration's data is
//     Unknown with a note (not an error) and no ActiveMQ document, and that MQG017/MQG018 are
//     N/A for that broker.
//   - mq:DescribeBrokerEngineTypes is not implemented (HTTP 404 with an HTML body). The source
//     keeps its built-in version table (MQG010 still decides) and records the failure in the
//     snapshot only; the test checks it yields no error entry.
//   - DescribeBroker lists the creation user of a RabbitMQ broker; AWS does not list RabbitMQ
//     users. The source reads users of ActiveMQ brokers only, so MQG014 stays UNKNOWN there.
//   - Empty strings stand for members AWS would leave out (AuthenticationStrategy, StorageType)
//     and broker IDs are short hex strings; nothing is asserted on them.
//   - moto accepts a disabled KMS key for a new broker, where AWS would refuse or quarantine it
//     (BrokerState stays RUNNING, so MQG022 passes while MQG006 fails).
func TestMoto(t *testing.T) {
	srv := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	cfg := aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAMOTOTESTKEY00000", "moto-test-secret", ""),
		BaseEndpoint: aws.String(srv.URL),
	}
	w := buildWorld(ctx, t, cfg)

	// The scanner gets its own configuration, whose every call is recorded.
	rec := &operations{}
	scanCfg := cfg.Copy()
	scanCfg.BaseEndpoint = nil // the source must apply EndpointURL itself
	scanCfg.APIOptions = append(scanCfg.APIOptions, rec.record)
	snap := t.TempDir()
	inv, diags := awsapi.Scan(ctx, scanCfg, awsapi.Options{
		Regions:     []string{region},
		EndpointURL: srv.URL,
		CallTimeout: 10 * time.Second,
		SnapshotDir: snap,
	})
	for _, d := range diags {
		// The one note expected: moto's ActiveMQ XML on the RabbitMQ broker.
		if d.Severity == model.DiagNote && strings.Contains(d.Message, "of a RabbitMQ broker holds an XML document") {
			continue
		}
		t.Errorf("unexpected diagnostic: %s: %s", d.At.Ref, d.Message)
	}
	rep := evaluate(t, inv, diags)
	if rep.Summary.Brokers != 3 {
		t.Errorf("report counts %d brokers, want 3", rep.Summary.Brokers)
	}
	for _, e := range rep.Errors {
		t.Errorf("unexpected error entry: %s: %s", e.Path, e.Message)
	}

	checkOperations(t, rec.list())
	checkFindings(t, rep, w)
	checkInventory(t, inv, w)

	// The snapshot scans offline to the same report.
	snapInv, snapDiags := awsapi.LoadSnapshot(ctx, os.DirFS(snap), ".")
	snapRep := evaluate(t, snapInv, snapDiags)
	if diff := diffReports(rep, snapRep); diff != "" {
		t.Errorf("snapshot scan differs from the live scan:\n%s", diff)
	}
}

func evaluate(t *testing.T, inv *model.Inventory, diags []model.Diagnostic) *finding.Report {
	t.Helper()
	rep, err := engine.Run(inv, diags, rules.All(), engine.Options{
		AsOf:       time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC),
		Settings:   rules.DefaultSettings(),
		ShowPassed: true,
	})
	if err != nil {
		t.Fatalf("engine.Run: %v", err)
	}
	return rep
}

// checkFindings compares each broker's rule statuses with want, and checks the live identity
// every finding carries.
func checkFindings(t *testing.T, rep *finding.Report, w *world) {
	t.Helper()
	got := map[string]map[string]map[string]bool{} // broker name → rule → statuses
	for _, f := range rep.Findings {
		name := f.Resource.Name
		if arn, ok := w.brokerARN[name]; !ok || f.Resource.ARN != arn || f.Resource.Address != arn {
			t.Errorf("%s %s: resource %q (ARN %q, address %q), want one of the created brokers",
				f.RuleID, f.Status, name, f.Resource.ARN, f.Resource.Address)
			continue
		}
		if f.Resource.Account != "123456789012" || f.Resource.Region != region || f.Resource.Source != string(model.SourceAWS) {
			t.Errorf("%s %s: account %q region %q source %q, want 123456789012 %s %s", name, f.RuleID,
				f.Resource.Account, f.Resource.Region, f.Resource.Source, region, model.SourceAWS)
		}
		if got[name] == nil {
			got[name] = map[string]map[string]bool{}
		}
		if got[name][f.RuleID] == nil {
			got[name][f.RuleID] = map[string]bool{}
		}
		got[name][f.RuleID][f.Status] = true
	}
	for name, byRule := range want {
		for rule, status := range byRule {
			statuses := got[name][rule]
			if len(statuses) != 1 || !statuses[status] {
				t.Errorf("%s %s: got %v, want %s%s", name, rule, keys(statuses), status, messages(rep, name, rule))
			}
		}
	}
}

// checkInventory checks the model values behind the moto differences.
func checkInventory(t *testing.T, inv *model.Inventory, w *world) {
	t.Helper()
	brokers := map[string]*model.Broker{}
	for _, b := range inv.Brokers {
		brokers[b.Name.V] = b
	}
	for _, name := range []string{publicAMQ, privateAMQ, publicRMQ} {
		b := brokers[name]
		if b == nil {
			t.Fatalf("broker %s not in the inventory", name)
		}
		if b.ID.ARN != w.brokerARN[name] || b.ID.Source != model.SourceAWS || b.ID.Type != "AWS::AmazonMQ::Broker" {
			t.Errorf("%s: identity %+v", name, b.ID)
		}
		want := model.Explicit
		if name == publicRMQ {
			want = model.Unknown // moto's XML is no RabbitMQ configuration
		}
		if b.Configuration == nil || b.Configuration.Config == nil || b.Configuration.Config.Data != want {
			t.Errorf("%s: configuration revision not read as %v: %+v", name, want, b.Configuration)
		}
	}

	// The configuration the test uploaded (base64, as AWS returns it).
	pub := brokers[publicAMQ].Configuration
	if pub.ID.V != w.configID || pub.Revision.V != int64(w.configRevision) {
		t.Errorf("%s: runs configuration %q revision %d, want %s revision %d",
			publicAMQ, pub.ID.V, pub.Revision.V, w.configID, w.configRevision)
	}
	if pub.Config.ActiveMQ == nil {
		t.Errorf("%s: configuration %s revision %d not parsed as ActiveMQ XML", publicAMQ, w.configID, w.configRevision)
	}
	// moto's default ActiveMQ configuration comes back as raw XML: it must still be parsed.
	if brokers[privateAMQ].Configuration.Config.ActiveMQ == nil {
		t.Errorf("%s: moto's raw XML default configuration was not parsed", privateAMQ)
	}
	// moto's ActiveMQ XML attached to a RabbitMQ broker must not be read as ActiveMQ.
	if brokers[publicRMQ].Configuration.Config.ActiveMQ != nil {
		t.Errorf("%s: a RabbitMQ broker's configuration was parsed as ActiveMQ XML", publicRMQ)
	}

	// Key manager and key state come from kms:DescribeKey.
	for _, k := range []struct{ broker, keyARN, state string }{
		{privateAMQ, w.cmkARN, "Enabled"},
		{publicRMQ, w.disabledKeyARN, "Disabled"},
	} {
		enc := brokers[k.broker].Encryption
		if enc.KMSKeyID.V != k.keyARN {
			t.Errorf("%s: KMSKeyID %q, want %q", k.broker, enc.KMSKeyID.V, k.keyARN)
		}
		if enc.KeyManager.State != model.Explicit || enc.KeyManager.V != "CUSTOMER" {
			t.Errorf("%s: KeyManager %+v, want explicit CUSTOMER", k.broker, enc.KeyManager)
		}
		if enc.Key == nil || enc.Key.KeyState.V != k.state || enc.Key.KeyState.State != model.Explicit {
			t.Errorf("%s: key %+v, want explicit KeyState %s", k.broker, enc.Key, k.state)
		}
	}
	if u := brokers[publicRMQ].UsersState; u != model.Unknown {
		t.Errorf("%s: UsersState %v, want Unknown (the API does not list RabbitMQ users)", publicRMQ, u)
	}
}

// checkOperations checks that the scanner called read-only operations in Actions() only.
func checkOperations(t *testing.T, ops []string) {
	t.Helper()
	allowed := map[string]bool{}
	for _, a := range awsapi.Actions() {
		allowed[a] = true
	}
	seen := map[string]bool{}
	for _, op := range ops {
		if !allowed[op] {
			t.Errorf("the scanner called %s, which is not in awsapi.Actions()", op)
		}
		seen[op] = true
	}
	for _, op := range []string{"sts:GetCallerIdentity", "mq:ListBrokers", "mq:DescribeBroker",
		"mq:ListUsers", "mq:DescribeUser", "mq:DescribeConfiguration", "mq:DescribeConfigurationRevision",
		"mq:DescribeBrokerEngineTypes", "ec2:DescribeSecurityGroups", "kms:DescribeKey"} {
		if !seen[op] {
			t.Errorf("the scanner never called %s", op)
		}
	}
	if seen["ec2:DescribeRegions"] {
		t.Errorf("the scanner called ec2:DescribeRegions although the regions were given")
	}
}

// operations records the "service:Operation" of every SDK call made with a configuration.
type operations struct {
	mu  sync.Mutex
	ops []string
}

func (o *operations) record(stack *middleware.Stack) error {
	// Serialize runs once per call (retries repeat the later steps), after the operation's
	// metadata is set.
	return stack.Serialize.Add(middleware.SerializeMiddlewareFunc("mototestRecordOperation",
		func(ctx context.Context, in middleware.SerializeInput, next middleware.SerializeHandler) (middleware.SerializeOutput, middleware.Metadata, error) {
			op := strings.ToLower(awsmiddleware.GetServiceID(ctx)) + ":" + awsmiddleware.GetOperationName(ctx)
			o.mu.Lock()
			o.ops = append(o.ops, op)
			o.mu.Unlock()
			return next.HandleSerialize(ctx, in)
		}), middleware.Before)
}

func (o *operations) list() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.ops)
}

// diffReports compares the findings and error entries of two reports.
func diffReports(a, b *finding.Report) string {
	var out strings.Builder
	line := func(f finding.Finding) string {
		return fmt.Sprintf("%s %s %s %s %s %s", f.Resource.ARN, f.RuleID, f.Status, f.Fingerprint, f.ValueFrom, f.Message)
	}
	la, lb := map[string]bool{}, map[string]bool{}
	for _, f := range a.Findings {
		la[line(f)] = true
	}
	for _, f := range b.Findings {
		lb[line(f)] = true
	}
	for l := range la {
		if !lb[l] {
			fmt.Fprintf(&out, "- %s\n", l)
		}
	}
	for l := range lb {
		if !la[l] {
			fmt.Fprintf(&out, "+ %s\n", l)
		}
	}
	if len(a.Findings) != len(b.Findings) {
		fmt.Fprintf(&out, "%d findings live, %d from the snapshot\n", len(a.Findings), len(b.Findings))
	}
	if !reflect.DeepEqual(a.Errors, b.Errors) {
		fmt.Fprintf(&out, "errors live %v, from the snapshot %v\n", a.Errors, b.Errors)
	}
	return out.String()
}

func keys(m map[string]bool) []string {
	out := slices.Collect(maps.Keys(m))
	slices.Sort(out)
	return out
}

// messages quotes a broker's findings of a rule, for failure messages.
func messages(rep *finding.Report, name, rule string) string {
	var out strings.Builder
	for _, f := range rep.Findings {
		if f.Resource.Name == name && f.RuleID == rule {
			fmt.Fprintf(&out, "\n\t%s: %s", f.Status, f.Message)
		}
	}
	return out.String()
}

// buildWorld creates keys, security groups, a configuration and three brokers in moto.
func buildWorld(ctx context.Context, t *testing.T, cfg aws.Config) *world {
	t.Helper()
	w := &world{brokerARN: map[string]string{}}
	kmsc := kms.NewFromConfig(cfg)
	ec2c := ec2.NewFromConfig(cfg)
	mqc := mq.NewFromConfig(cfg)

	cmk, err := kmsc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("mq data at rest")})
	must(t, "kms:CreateKey", err)
	w.cmkARN = aws.ToString(cmk.KeyMetadata.Arn)
	off, err := kmsc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("disabled key")})
	must(t, "kms:CreateKey", err)
	w.disabledKeyARN = aws.ToString(off.KeyMetadata.Arn)
	_, err = kmsc.DisableKey(ctx, &kms.DisableKeyInput{KeyId: off.KeyMetadata.KeyId})
	must(t, "kms:DisableKey", err)

	w.openSG = securityGroup(ctx, t, ec2c, "mq-open", "0.0.0.0/0")
	w.privateSG = securityGroup(ctx, t, ec2c, "mq-private", "10.0.0.0/8")

	conf, err := mqc.CreateConfiguration(ctx, &mq.CreateConfigurationInput{
		Name:          aws.String("amq-config"),
		EngineType:    mqtypes.EngineTypeActivemq,
		EngineVersion: aws.String("5.18"),
	})
	must(t, "mq:CreateConfiguration", err)
	w.configID = aws.ToString(conf.Id)
	upd, err := mqc.UpdateConfiguration(ctx, &mq.UpdateConfigurationInput{
		ConfigurationId: conf.Id,
		Data:            aws.String(base64.StdEncoding.EncodeToString([]byte(activeMQXML))),
		Description:     aws.String("network connector to the data centre"),
	})
	must(t, "mq:UpdateConfiguration", err)
	w.configRevision = aws.ToInt32(upd.LatestRevision.Revision)

	brokers := []*mq.CreateBrokerInput{{
		BrokerName:              aws.String(publicAMQ),
		EngineType:              mqtypes.EngineTypeActivemq,
		EngineVersion:           aws.String("5.18"),
		HostInstanceType:        aws.String("mq.m5.large"),
		DeploymentMode:          mqtypes.DeploymentModeSingleInstance,
		PubliclyAccessible:      aws.Bool(true),
		AutoMinorVersionUpgrade: aws.Bool(true),
		SecurityGroups:          []string{w.openSG},
		Configuration:           &mqtypes.ConfigurationId{Id: conf.Id, Revision: upd.LatestRevision.Revision},
		Logs:                    &mqtypes.Logs{Audit: aws.Bool(false), General: aws.Bool(false)},
		Users:                   []mqtypes.User{{Username: aws.String("admin"), Password: aws.String("moto-test-password-1")}},
	}, {
		BrokerName:              aws.String(privateAMQ),
		EngineType:              mqtypes.EngineTypeActivemq,
		EngineVersion:           aws.String("5.18"),
		HostInstanceType:        aws.String("mq.m5.large"),
		DeploymentMode:          mqtypes.DeploymentModeActiveStandbyMultiAz,
		PubliclyAccessible:      aws.Bool(false),
		AutoMinorVersionUpgrade: aws.Bool(true),
		SecurityGroups:          []string{w.privateSG},
		EncryptionOptions:       &mqtypes.EncryptionOptions{UseAwsOwnedKey: aws.Bool(false), KmsKeyId: aws.String(w.cmkARN)},
		Logs:                    &mqtypes.Logs{Audit: aws.Bool(true), General: aws.Bool(true)},
		Users:                   []mqtypes.User{{Username: aws.String("orders-app"), Password: aws.String("moto-test-password-2")}},
		Tags:                    map[string]string{"owner": "payments", "application": "orders", "data-sensitivity": "internal"},
	}, {
		BrokerName:              aws.String(publicRMQ),
		EngineType:              mqtypes.EngineTypeRabbitmq,
		EngineVersion:           aws.String("3.13"),
		HostInstanceType:        aws.String("mq.m5.large"),
		DeploymentMode:          mqtypes.DeploymentModeSingleInstance,
		PubliclyAccessible:      aws.Bool(true),
		AutoMinorVersionUpgrade: aws.Bool(true),
		EncryptionOptions:       &mqtypes.EncryptionOptions{UseAwsOwnedKey: aws.Bool(false), KmsKeyId: aws.String(w.disabledKeyARN)},
		Logs:                    &mqtypes.Logs{General: aws.Bool(true)},
		Users:                   []mqtypes.User{{Username: aws.String("ops"), Password: aws.String("moto-test-password-3")}},
	}}
	for _, in := range brokers {
		out, err := mqc.CreateBroker(ctx, in)
		must(t, "mq:CreateBroker "+aws.ToString(in.BrokerName), err)
		w.brokerARN[aws.ToString(in.BrokerName)] = aws.ToString(out.BrokerArn)
	}
	return w
}

// securityGroup creates a group in the default VPC admitting cidr on the OpenWire port.
func securityGroup(ctx context.Context, t *testing.T, c *ec2.Client, name, cidr string) string {
	t.Helper()
	sg, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName:   aws.String(name),
		Description: aws.String("broker clients"),
	})
	must(t, "ec2:CreateSecurityGroup", err)
	_, err = c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: sg.GroupId,
		IpPermissions: []ec2types.IpPermission{{
			IpProtocol: aws.String("tcp"),
			FromPort:   aws.Int32(61617),
			ToPort:     aws.Int32(61617),
			IpRanges:   []ec2types.IpRange{{CidrIp: aws.String(cidr)}},
		}},
	})
	must(t, "ec2:AuthorizeSecurityGroupIngress", err)
	return aws.ToString(sg.GroupId)
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("setting up moto: %s: %v", what, err)
	}
}
