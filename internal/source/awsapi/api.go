package awsapi

import (
	"context"
	"reflect"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The interfaces below are the only AWS operations the source calls. The SDK clients satisfy
// them, and so does the snapshot reader; a test checks that every method is in Actions().

// STSAPI is the part of AWS STS the source uses.
type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
}

// OrganizationsAPI is the part of AWS Organizations the source uses.
type OrganizationsAPI interface {
	ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
}

// EC2API is the part of Amazon EC2 the source uses.
type EC2API interface {
	DescribeRegions(ctx context.Context, in *ec2.DescribeRegionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
	DescribeSecurityGroups(ctx context.Context, in *ec2.DescribeSecurityGroupsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
}

// MQAPI is the part of Amazon MQ the source uses.
type MQAPI interface {
	ListBrokers(ctx context.Context, in *mq.ListBrokersInput, optFns ...func(*mq.Options)) (*mq.ListBrokersOutput, error)
	DescribeBroker(ctx context.Context, in *mq.DescribeBrokerInput, optFns ...func(*mq.Options)) (*mq.DescribeBrokerOutput, error)
	ListUsers(ctx context.Context, in *mq.ListUsersInput, optFns ...func(*mq.Options)) (*mq.ListUsersOutput, error)
	DescribeUser(ctx context.Context, in *mq.DescribeUserInput, optFns ...func(*mq.Options)) (*mq.DescribeUserOutput, error)
	DescribeConfiguration(ctx context.Context, in *mq.DescribeConfigurationInput, optFns ...func(*mq.Options)) (*mq.DescribeConfigurationOutput, error)
	DescribeConfigurationRevision(ctx context.Context, in *mq.DescribeConfigurationRevisionInput, optFns ...func(*mq.Options)) (*mq.DescribeConfigurationRevisionOutput, error)
	DescribeBrokerEngineTypes(ctx context.Context, in *mq.DescribeBrokerEngineTypesInput, optFns ...func(*mq.Options)) (*mq.DescribeBrokerEngineTypesOutput, error)
}

// KMSAPI is the part of AWS KMS the source uses.
type KMSAPI interface {
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, optFns ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
}

// Compile-time proof that the SDK clients satisfy the interfaces.
var (
	_ STSAPI           = (*sts.Client)(nil)
	_ OrganizationsAPI = (*organizations.Client)(nil)
	_ EC2API           = (*ec2.Client)(nil)
	_ MQAPI            = (*mq.Client)(nil)
	_ KMSAPI           = (*kms.Client)(nil)
)

// serviceInterfaces maps each IAM service prefix to the interface of the operations called on it.
var serviceInterfaces = []struct {
	prefix string
	iface  reflect.Type
}{
	{"sts", reflect.TypeFor[STSAPI]()},
	{"organizations", reflect.TypeFor[OrganizationsAPI]()},
	{"ec2", reflect.TypeFor[EC2API]()},
	{"mq", reflect.TypeFor[MQAPI]()},
	{"kms", reflect.TypeFor[KMSAPI]()},
}

// Actions lists the IAM actions the source may call, sorted. They are all read-only; a
// policy granting exactly these actions is enough for a complete scan.
func Actions() []string {
	return []string{
		"ec2:DescribeRegions",
		"ec2:DescribeSecurityGroups",
		"kms:DescribeKey",
		"mq:DescribeBroker",
		"mq:DescribeBrokerEngineTypes",
		"mq:DescribeConfiguration",
		"mq:DescribeConfigurationRevision",
		"mq:DescribeUser",
		"mq:ListBrokers",
		"mq:ListUsers",
		"organizations:ListAccounts",
		"sts:AssumeRole",
		"sts:GetCallerIdentity",
	}
}

// interfaceActions returns "service:Method" for every method of the service interfaces.
func interfaceActions() []string {
	var out []string
	for _, s := range serviceInterfaces {
		for i := 0; i < s.iface.NumMethod(); i++ {
			out = append(out, s.prefix+":"+s.iface.Method(i).Name)
		}
	}
	sort.Strings(out)
	return out
}
