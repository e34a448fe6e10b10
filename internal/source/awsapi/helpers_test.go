package awsapi

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/awsapi/awstest"
)

const (
	home   = "111111111111"
	member = "222222222222"
	denied = "333333333333"
	region = "eu-west-1"
	other  = "us-east-1"

	amqID    = "b-1111aaaa-0000-0000-0000-000000000001"
	rabbitID = "b-2222bbbb-0000-0000-0000-000000000002"
	cfgID    = "c-3333cccc-0000-0000-0000-000000000003"
	sgID     = "sg-0123456789abcdef0"
	keyID    = "1234abcd-12ab-34cd-56ef-1234567890ab"
)

func brokerARN(acct, id, name string) string {
	return "arn:aws:mq:" + region + ":" + acct + ":broker:" + name + ":" + id
}

func keyARN(acct string) string { return "arn:aws:kms:" + region + ":" + acct + ":key/" + keyID }

const activemqXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<broker xmlns="http://activemq.apache.org/schema/core">
  <networkConnectors>
    <networkConnector name="bridge" uri="static:(tcp://10.0.0.1:61616)"/>
  </networkConnectors>
  <plugins>
    <authorizationPlugin>
      <map>
        <authorizationMap>
          <authorizationEntries>
            <authorizationEntry queue="&gt;" read="admins" write="admins" admin="admins"/>
          </authorizationEntries>
        </authorizationMap>
      </map>
    </authorizationPlugin>
  </plugins>
</broker>
`

// addRegion fills acct's region with an ActiveMQ broker (customer key, open security group,
// users, a pending configuration revision) and a public RabbitMQ broker (AWS owned key).
func addRegion(w *awstest.World, acct string) {
	r := w.Region(acct, region)
	r.AddBroker(mq.DescribeBrokerOutput{
		BrokerId:                aws.String(amqID),
		BrokerArn:               aws.String(brokerARN(acct, amqID, "orders")),
		BrokerName:              aws.String("orders"),
		BrokerState:             mqtypes.BrokerStateRunning,
		EngineType:              mqtypes.EngineTypeActivemq,
		EngineVersion:           aws.String("5.18"),
		DeploymentMode:          mqtypes.DeploymentModeActiveStandbyMultiAz,
		HostInstanceType:        aws.String("mq.m5.large"),
		PubliclyAccessible:      aws.Bool(false),
		AutoMinorVersionUpgrade: aws.Bool(true),
		AuthenticationStrategy:  mqtypes.AuthenticationStrategySimple,
		StorageType:             mqtypes.BrokerStorageTypeEfs,
		EncryptionOptions:       &mqtypes.EncryptionOptions{UseAwsOwnedKey: aws.Bool(false), KmsKeyId: aws.String(keyARN(acct))},
		Logs:                    &mqtypes.LogsSummary{General: aws.Bool(true), Audit: aws.Bool(false)},
		LdapServerMetadata:      &mqtypes.LdapServerMetadataOutput{Hosts: []string{"ldap://ldap.example.com"}, ServiceAccountUsername: aws.String("svc")},
		SecurityGroups:          []string{sgID},
		SubnetIds:               []string{"subnet-1", "subnet-2"},
		Tags:                    map[string]string{"owner": "team-a"},
		Configurations: &mqtypes.Configurations{
			Current: &mqtypes.ConfigurationId{Id: aws.String(cfgID), Revision: aws.Int32(2)},
			Pending: &mqtypes.ConfigurationId{Id: aws.String(cfgID), Revision: aws.Int32(3)},
		},
		ActionsRequired: []mqtypes.ActionRequired{{ActionRequiredCode: aws.String("BROKER_OOM")}},
		BrokerInstances: []mqtypes.BrokerInstance{
			{ConsoleURL: aws.String("https://" + amqID + "-1.mq." + region + ".amazonaws.com:8162"),
				Endpoints: []string{"ssl://" + amqID + "-1.mq." + region + ".amazonaws.com:61617", "stomp+ssl://" + amqID + "-1.mq." + region + ".amazonaws.com:61614"}},
			{ConsoleURL: aws.String("https://" + amqID + "-2.mq." + region + ".amazonaws.com:8162"),
				Endpoints: []string{"ssl://" + amqID + "-2.mq." + region + ".amazonaws.com:61617", "ssl://" + amqID + "-1.mq." + region + ".amazonaws.com:61617"}},
		},
	},
		mq.DescribeUserOutput{BrokerId: aws.String(amqID), Username: aws.String("admin"), ConsoleAccess: aws.Bool(true), Groups: []string{"admins"}, ReplicationUser: aws.Bool(false)},
		mq.DescribeUserOutput{BrokerId: aws.String(amqID), Username: aws.String("app"), ConsoleAccess: aws.Bool(false), Groups: []string{}, ReplicationUser: aws.Bool(false)},
		mq.DescribeUserOutput{BrokerId: aws.String(amqID), Username: aws.String("repl"), ConsoleAccess: aws.Bool(false), ReplicationUser: aws.Bool(true)},
	)
	r.AddBroker(mq.DescribeBrokerOutput{
		BrokerId:                aws.String(rabbitID),
		BrokerArn:               aws.String(brokerARN(acct, rabbitID, "events")),
		BrokerName:              aws.String("events"),
		BrokerState:             mqtypes.BrokerStateRunning,
		EngineType:              mqtypes.EngineType("RABBITMQ"),
		EngineVersion:           aws.String("3.13"),
		DeploymentMode:          mqtypes.DeploymentModeSingleInstance,
		HostInstanceType:        aws.String("mq.t3.micro"),
		PubliclyAccessible:      aws.Bool(true),
		AutoMinorVersionUpgrade: aws.Bool(true),
		AuthenticationStrategy:  mqtypes.AuthenticationStrategySimple,
		EncryptionOptions:       &mqtypes.EncryptionOptions{UseAwsOwnedKey: aws.Bool(true)},
		Logs:                    &mqtypes.LogsSummary{General: aws.Bool(false)},
		SubnetIds:               []string{"subnet-1"},
		Tags:                    map[string]string{},
	})
	r.AddConfiguration(mq.DescribeConfigurationOutput{
		Id:             aws.String(cfgID),
		Arn:            aws.String("arn:aws:mq:" + region + ":" + acct + ":configuration:" + cfgID),
		Name:           aws.String("orders-config"),
		EngineType:     mqtypes.EngineTypeActivemq,
		EngineVersion:  aws.String("5.18"),
		LatestRevision: &mqtypes.ConfigurationRevision{Revision: aws.Int32(3)},
	}, map[int32]mq.DescribeConfigurationRevisionOutput{
		2: {ConfigurationId: aws.String(cfgID), Data: aws.String(base64.StdEncoding.EncodeToString([]byte(activemqXML)))},
		3: {ConfigurationId: aws.String(cfgID), Data: aws.String(activemqXML)}, // raw, as some emulators answer
	})
	r.SecurityGroups = append(r.SecurityGroups, ec2types.SecurityGroup{
		GroupId: aws.String(sgID), GroupName: aws.String("mq"), OwnerId: aws.String(acct),
		IpPermissions: []ec2types.IpPermission{
			{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(61617), ToPort: aws.Int32(61617),
				IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}, Ipv6Ranges: []ec2types.Ipv6Range{{CidrIpv6: aws.String("::/0")}}},
			{IpProtocol: aws.String("-1"), IpRanges: []ec2types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}},
		},
	})
	r.Keys = append(r.Keys, awstest.Key{Metadata: kmstypes.KeyMetadata{
		KeyId: aws.String(keyID), Arn: aws.String(keyARN(acct)), AWSAccountId: aws.String(acct),
		Enabled: false, KeyState: kmstypes.KeyStateDisabled, KeyManager: kmstypes.KeyManagerTypeCustomer,
	}})
}

// testWorld is a home account with brokers in one region and an empty second region.
func testWorld() *awstest.World {
	w := awstest.NewWorld(home)
	addRegion(w, home)
	w.Region(home, other)
	return w
}

func testConfig() aws.Config {
	return aws.Config{
		Region:      other,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDHOMECALLER", "test-secret", ""),
	}
}

// scan runs Scan against a fake of w with faults.
func scan(t testing.TB, w *awstest.World, f awstest.Faults, opts Options) (*model.Inventory, []model.Diagnostic, *awstest.Server) {
	t.Helper()
	srv := awstest.NewServer(w, f)
	t.Cleanup(srv.Close)
	opts.EndpointURL = srv.URL()
	if opts.CallTimeout == 0 {
		opts.CallTimeout = 10 * time.Second
	}
	if opts.RatePerRegion == 0 {
		opts.RatePerRegion = 1000
	}
	if opts.retryWaits == nil {
		opts.retryWaits = &quickRetryWaits
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	inv, diags := Scan(ctx, testConfig(), opts)
	return inv, diags, srv
}

func findBroker(t testing.TB, inv *model.Inventory, arn string) *model.Broker {
	t.Helper()
	for _, b := range inv.Brokers {
		if b.ID.ARN == arn {
			return b
		}
	}
	t.Fatalf("broker %s not found among %d", arn, len(inv.Brokers))
	return nil
}
