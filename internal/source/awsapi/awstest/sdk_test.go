package awstest

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// readOnlyActions are the IAM actions mqguard uses, the operations the fake serves.
var readOnlyActions = []string{
	"sts:GetCallerIdentity", "sts:AssumeRole", "organizations:ListAccounts", "ec2:DescribeRegions",
	"ec2:DescribeSecurityGroups", "mq:ListBrokers", "mq:DescribeBroker", "mq:ListUsers", "mq:DescribeUser",
	"mq:DescribeConfiguration", "mq:DescribeConfigurationRevision", "mq:DescribeBrokerEngineTypes", "kms:DescribeKey",
}

// sameAsWorld fails unless the SDK's output got is the world value want, compared in the
// snapshot (CLI) form.
func sameAsWorld(t *testing.T, what string, got, want any) {
	t.Helper()
	g, w := string(marshalJSON(got, cliJSONStyle)), string(marshalJSON(want, cliJSONStyle))
	if g != w {
		t.Errorf("%s through the SDK:\n got %s\nwant %s", what, g, w)
	}
}

func ok(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// exerciseAll calls every operation of the snapshot world through the SDK, with pagination,
// and checks the answers.
func exerciseAll(t *testing.T, s *Server) {
	ctx := context.Background()
	w := s.world
	cfg := clientConfig(s, "", false)
	r := w.Accounts[home].Regions[region]

	// sts
	stsc := sts.NewFromConfig(cfg)
	id, err := stsc.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	ok(t, "GetCallerIdentity", err)
	sameAsWorld(t, "GetCallerIdentity", id, w.Accounts[home].CallerIdentity)
	assumed, err := stsc.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + member + ":role/MQGuardAudit"), RoleSessionName: aws.String("mqguard"),
	})
	ok(t, "AssumeRole", err)
	if got := aws.ToString(assumed.AssumedRoleUser.Arn); got != "arn:aws:sts::"+member+":assumed-role/MQGuardAudit/mqguard" {
		t.Errorf("AssumeRole user = %s", got)
	}
	mcfg := cfg.Copy()
	c := assumed.Credentials
	mcfg.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	mid, err := sts.NewFromConfig(mcfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	ok(t, "GetCallerIdentity as member", err)
	if aws.ToString(mid.Account) != member {
		t.Errorf("assumed identity account = %s, want %s", aws.ToString(mid.Account), member)
	}
	memberBrokers, err := mq.NewFromConfig(mcfg).ListBrokers(ctx, &mq.ListBrokersInput{})
	ok(t, "ListBrokers as member", err)
	if len(memberBrokers.BrokerSummaries) != 1 || aws.ToString(memberBrokers.BrokerSummaries[0].BrokerId) != "b-4444" {
		t.Errorf("member brokers = %+v", memberBrokers.BrokerSummaries)
	}
	_, err = stsc.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::999999999999:role/MQGuardAudit"), RoleSessionName: aws.String("mqguard")})
	if errorCode(err) != "AccessDenied" {
		t.Errorf("AssumeRole into an unknown account: %v, want AccessDenied", err)
	}

	// organizations
	var accounts []orgtypes.Account
	pages := 0
	for p := organizations.NewListAccountsPaginator(organizations.NewFromConfig(cfg), &organizations.ListAccountsInput{}); p.HasMorePages(); pages++ {
		pg, err := p.NextPage(ctx)
		ok(t, "ListAccounts", err)
		accounts = append(accounts, pg.Accounts...)
	}
	if pages != 2 {
		t.Errorf("ListAccounts took %d pages, want 2", pages)
	}
	sameAsWorld(t, "ListAccounts", accounts, w.Organization)
	_, err = organizations.NewFromConfig(mcfg).ListAccounts(ctx, &organizations.ListAccountsInput{})
	if errorCode(err) != "AccessDeniedException" {
		t.Errorf("ListAccounts from a member account: %v, want AccessDeniedException", err)
	}

	// ec2
	ec2c := ec2.NewFromConfig(cfg)
	regions, err := ec2c.DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	ok(t, "DescribeRegions", err)
	sameAsWorld(t, "DescribeRegions", regions.Regions, w.Accounts[home].RegionList[:2])
	allRegions, err := ec2c.DescribeRegions(ctx, &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)})
	ok(t, "DescribeRegions all", err)
	sameAsWorld(t, "DescribeRegions AllRegions", allRegions.Regions, w.Accounts[home].RegionList)
	var groups []ec2types.SecurityGroup
	pages = 0
	for p := ec2.NewDescribeSecurityGroupsPaginator(ec2c, &ec2.DescribeSecurityGroupsInput{}); p.HasMorePages(); pages++ {
		pg, err := p.NextPage(ctx)
		ok(t, "DescribeSecurityGroups", err)
		groups = append(groups, pg.SecurityGroups...)
	}
	if pages != 2 {
		t.Errorf("DescribeSecurityGroups took %d pages, want 2", pages)
	}
	sameAsWorld(t, "DescribeSecurityGroups", groups, r.SecurityGroups)
	some, err := ec2c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-0ccc", "sg-0aaa"}})
	ok(t, "DescribeSecurityGroups by id", err)
	sameAsWorld(t, "DescribeSecurityGroups by id", some.SecurityGroups, []ec2types.SecurityGroup{r.SecurityGroups[2], r.SecurityGroups[0]})
	_, err = ec2c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-gone"}})
	if errorCode(err) != "InvalidGroup.NotFound" {
		t.Errorf("DescribeSecurityGroups of a missing group: %v", err)
	}
	_, err = ec2.NewFromConfig(mcfg).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-1"}})
	if errorCode(err) != "UnauthorizedOperation" {
		t.Errorf("DescribeSecurityGroups with a snapshot error: %v, want UnauthorizedOperation", err)
	}

	// mq
	mqc := mq.NewFromConfig(cfg)
	var summaries []mqtypes.BrokerSummary
	pages = 0
	for p := mq.NewListBrokersPaginator(mqc, &mq.ListBrokersInput{}); p.HasMorePages(); pages++ {
		pg, err := p.NextPage(ctx)
		ok(t, "ListBrokers", err)
		summaries = append(summaries, pg.BrokerSummaries...)
	}
	if pages != 2 || len(summaries) != 3 {
		t.Errorf("ListBrokers: %d brokers in %d pages, want 3 in 2", len(summaries), pages)
	}
	for i, b := range r.Brokers {
		if i < len(summaries) {
			sameAsWorld(t, "ListBrokers", summaries[i], *b.Summary)
		}
	}
	d, err := mqc.DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: aws.String("b-1111")})
	ok(t, "DescribeBroker", err)
	sameAsWorld(t, "DescribeBroker", d, r.Brokers[0].Detail)
	d2, err := mqc.DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: aws.String("b-2222")})
	ok(t, "DescribeBroker", err)
	sameAsWorld(t, "DescribeBroker", d2, r.Brokers[1].Detail)
	_, err = mqc.DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: aws.String("b-3333")})
	if errorCode(err) != "AccessDeniedException" {
		t.Errorf("DescribeBroker with a snapshot error: %v", err)
	}
	_, err = mqc.DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: aws.String("b-9999")})
	if errorCode(err) != "NotFoundException" {
		t.Errorf("DescribeBroker of a missing broker: %v", err)
	}
	var users []mqtypes.UserSummary
	in := &mq.ListUsersInput{BrokerId: aws.String("b-1111"), MaxResults: aws.Int32(1)}
	for pages = 0; ; pages++ {
		pg, err := mqc.ListUsers(ctx, in)
		ok(t, "ListUsers", err)
		users = append(users, pg.Users...)
		if in.NextToken = pg.NextToken; in.NextToken == nil {
			break
		}
	}
	if pages != 1 {
		t.Errorf("ListUsers took %d pages, want 2", pages+1)
	}
	sameAsWorld(t, "ListUsers", users, r.Brokers[0].UserList)
	u, err := mqc.DescribeUser(ctx, &mq.DescribeUserInput{BrokerId: aws.String("b-1111"), Username: aws.String("admin")})
	ok(t, "DescribeUser", err)
	sameAsWorld(t, "DescribeUser", u, r.Brokers[0].Users[0])
	_, err = mqc.DescribeUser(ctx, &mq.DescribeUserInput{BrokerId: aws.String("b-1111"), Username: aws.String("app")})
	if errorCode(err) != "AccessDeniedException" {
		t.Errorf("DescribeUser with a snapshot error: %v", err)
	}
	conf, err := mqc.DescribeConfiguration(ctx, &mq.DescribeConfigurationInput{ConfigurationId: aws.String("c-1111")})
	ok(t, "DescribeConfiguration", err)
	sameAsWorld(t, "DescribeConfiguration", conf, r.Configurations[0].Detail)
	rev, err := mqc.DescribeConfigurationRevision(ctx, &mq.DescribeConfigurationRevisionInput{ConfigurationId: aws.String("c-1111"), ConfigurationRevision: aws.String("2")})
	ok(t, "DescribeConfigurationRevision", err)
	sameAsWorld(t, "DescribeConfigurationRevision", rev, r.Configurations[0].Revisions[2])
	if xml, err := base64.StdEncoding.DecodeString(aws.ToString(rev.Data)); err != nil || !strings.Contains(string(xml), "<broker") {
		t.Errorf("revision data = %q, %v", xml, err)
	}
	et, err := mqc.DescribeBrokerEngineTypes(ctx, &mq.DescribeBrokerEngineTypesInput{})
	ok(t, "DescribeBrokerEngineTypes", err)
	sameAsWorld(t, "DescribeBrokerEngineTypes", et.BrokerEngineTypes, r.EngineTypes)

	// kms
	kmsc := kms.NewFromConfig(cfg)
	keyArn := aws.ToString(d.EncryptionOptions.KmsKeyId)
	for _, keyID := range []string{keyArn, aws.ToString(r.Keys[0].Metadata.KeyId)} {
		k, err := kmsc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
		ok(t, "DescribeKey", err)
		sameAsWorld(t, "DescribeKey", k.KeyMetadata, r.Keys[0].Metadata)
	}
	_, err = kmsc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/missing")})
	if errorCode(err) != "NotFoundException" {
		t.Errorf("DescribeKey with a snapshot error: %v", err)
	}
}

func TestOperations(t *testing.T) {
	s, _ := startServer(t, snapshotWorld(t), Faults{})
	exerciseAll(t, s)

	// Every call is recorded with its caller, region and resource.
	var found bool
	for _, c := range s.Calls() {
		if c == (Call{Service: "mq", Operation: "DescribeUser", Account: home, Region: region, Resource: "b-1111/admin", At: c.At}) {
			found = true
		}
		if c.At.IsZero() {
			t.Errorf("call %+v has no time", c)
		}
	}
	if !found {
		t.Error("the DescribeUser call was not recorded")
	}
}

func TestDisabledRegionAndUnknownCallers(t *testing.T) {
	s, _ := startServer(t, snapshotWorld(t), Faults{})
	ctx := context.Background()
	cfg := clientConfig(s, "", false)
	cfg.Region = "af-south-1" // not opted in
	if _, err := mq.NewFromConfig(cfg).ListBrokers(ctx, &mq.ListBrokersInput{}); errorCode(err) != "UnrecognizedClientException" {
		t.Errorf("ListBrokers in a disabled region: %v", err)
	}
	if _, err := ec2.NewFromConfig(cfg).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{}); errorCode(err) != "AuthFailure" {
		t.Errorf("DescribeSecurityGroups in a disabled region: %v", err)
	}
	// An account outside the world.
	ucfg := clientConfig(s, "999999999999", false)
	if _, err := kms.NewFromConfig(ucfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("k")}); errorCode(err) != "UnrecognizedClientException" {
		t.Errorf("DescribeKey from an unknown account: %v", err)
	}
	if _, err := sts.NewFromConfig(ucfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); errorCode(err) != "InvalidClientTokenId" {
		t.Errorf("GetCallerIdentity from an unknown account: %v", err)
	}
	// An org member without data is an empty account.
	ocfg := clientConfig(s, "777788889999", false)
	out, err := mq.NewFromConfig(ocfg).ListBrokers(ctx, &mq.ListBrokersInput{})
	if err != nil || len(out.BrokerSummaries) != 0 {
		t.Errorf("ListBrokers in an empty member account: %v, %v", out, err)
	}
}

// TestOperationsOutsideTheList: write and other operations answer an error and are recorded.
func TestOperationsOutsideTheList(t *testing.T) {
	s, _ := startServer(t, snapshotWorld(t), Faults{})
	ctx := context.Background()
	cfg := clientConfig(s, "", false)
	_, err := mq.NewFromConfig(cfg).CreateBroker(ctx, &mq.CreateBrokerInput{
		BrokerName: aws.String("x"), DeploymentMode: mqtypes.DeploymentModeSingleInstance, EngineType: mqtypes.EngineTypeActivemq,
		HostInstanceType: aws.String("mq.t3.micro"), PubliclyAccessible: aws.Bool(false), AutoMinorVersionUpgrade: aws.Bool(true),
		Users: []mqtypes.User{{Username: aws.String("u"), Password: aws.String("not-a-real-password")}},
	})
	if errorCode(err) != "UnknownOperationException" {
		t.Errorf("CreateBroker: %v", err)
	}
	if _, err := mq.NewFromConfig(cfg).DeleteBroker(ctx, &mq.DeleteBrokerInput{BrokerId: aws.String("b-1111")}); errorCode(err) != "UnknownOperationException" {
		t.Errorf("DeleteBroker: %v", err)
	}
	if _, err := ec2.NewFromConfig(cfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{}); errorCode(err) != "InvalidAction" {
		t.Errorf("DescribeInstances: %v", err)
	}
	if _, err := kms.NewFromConfig(cfg).ListKeys(ctx, &kms.ListKeysInput{}); errorCode(err) != "UnknownOperationException" {
		t.Errorf("ListKeys: %v", err)
	}
	var ops []string
	for _, c := range s.Calls() {
		ops = append(ops, c.Service+" "+c.Operation)
	}
	want := []string{"mq POST /v1/brokers", "mq DELETE /v1/brokers/b-1111", "ec2 DescribeInstances", "kms ListKeys"}
	if strings.Join(ops, ",") != strings.Join(want, ",") {
		t.Errorf("recorded %q, want %q", ops, want)
	}
	// The request body (with a password) never appears in what the fake answers or records.
	for _, c := range s.Calls() {
		if strings.Contains(c.Resource, "not-a-real-password") {
			t.Error("a request body was recorded")
		}
	}
}

func TestBuiltWorld(t *testing.T) {
	w := NewWorld(home)
	w.PageSize = 1
	r := w.Region(home, "us-east-1")
	for _, id := range []string{"b-a", "b-b", "b-c"} {
		r.AddBroker(mq.DescribeBrokerOutput{BrokerId: aws.String(id), BrokerName: aws.String(id), EngineType: mqtypes.EngineTypeRabbitmq,
			DeploymentMode: mqtypes.DeploymentModeSingleInstance},
			mq.DescribeUserOutput{Username: aws.String("u1")}, mq.DescribeUserOutput{Username: aws.String("u2"), Pending: &mqtypes.UserPendingChanges{PendingChange: mqtypes.ChangeTypeCreate}})
	}
	w.Fail(SnapshotPath(Call{Service: "mq", Operation: "DescribeBroker", Account: home, Region: "us-east-1", Resource: "b-b"}),
		APIError{Code: "InternalServerErrorException", Message: "boom"})
	s, _ := startServer(t, w, Faults{})
	ctx := context.Background()
	cfg := clientConfig(s, "", false)
	cfg.Region = "us-east-1"
	mqc := mq.NewFromConfig(cfg)
	var ids []string
	for p := mq.NewListBrokersPaginator(mqc, &mq.ListBrokersInput{}); p.HasMorePages(); {
		pg, err := p.NextPage(ctx)
		ok(t, "ListBrokers", err)
		for _, b := range pg.BrokerSummaries {
			ids = append(ids, aws.ToString(b.BrokerId))
		}
	}
	if strings.Join(ids, ",") != "b-a,b-b,b-c" {
		t.Errorf("brokers = %v", ids)
	}
	users, err := mqc.ListUsers(ctx, &mq.ListUsersInput{BrokerId: aws.String("b-a"), MaxResults: aws.Int32(5)})
	ok(t, "ListUsers", err)
	if len(users.Users) != 1 || users.NextToken == nil {
		t.Errorf("first ListUsers page = %+v", users)
	}
	_, err = mqc.DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: aws.String("b-b")})
	if errorCode(err) != "InternalServerErrorException" {
		t.Errorf("DescribeBroker with World.Errors: %v", err)
	}
	if _, err := mqc.ListBrokers(ctx, &mq.ListBrokersInput{NextToken: aws.String("garbage")}); errorCode(err) != "BadRequestException" {
		t.Errorf("ListBrokers with a bad token: %v", err)
	}
	// No organization: ListAccounts says so.
	if _, err := organizations.NewFromConfig(cfg).ListAccounts(ctx, &organizations.ListAccountsInput{}); errorCode(err) != "AWSOrganizationsNotInUseException" {
		t.Errorf("ListAccounts without an organization: %v", err)
	}
	// Default regions: 17, all enabled.
	regions, err := ec2.NewFromConfig(cfg).DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	ok(t, "DescribeRegions", err)
	if len(regions.Regions) != 17 {
		t.Errorf("default regions = %d, want 17", len(regions.Regions))
	}
}

func TestExternalID(t *testing.T) {
	w := NewWorld(home)
	w.AddOrgAccount(member, "workloads").ExternalID = "ext-123"
	s, _ := startServer(t, w, Faults{})
	stsc := sts.NewFromConfig(clientConfig(s, "", false))
	in := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + member + ":role/Audit"), RoleSessionName: aws.String("s")}
	if _, err := stsc.AssumeRole(context.Background(), in); errorCode(err) != "AccessDenied" {
		t.Errorf("AssumeRole without the external id: %v", err)
	}
	in.ExternalId = aws.String("ext-123")
	out, err := stsc.AssumeRole(context.Background(), in)
	if err != nil || !strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA"+member) {
		t.Errorf("AssumeRole with the external id: %v", err)
	}
}
