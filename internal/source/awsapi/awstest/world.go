// Package awstest is a loopback fake of the AWS APIs mqguard reads (sts, organizations, ec2, mq
// and kms). It speaks each service's wire protocol, so the real aws-sdk-go-v2 clients and the AWS
// CLI work against it, serves a World built in code or loaded from a snapshot directory, and
// injects latency, throttling, server errors, access denials and hangs.
package awstest

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// DefaultPageSize is the page size of paginated operations when World.PageSize is zero and the
// request names no smaller one. It is small so that tests exercise pagination.
const DefaultPageSize = 2

// World is the data the fake serves. Build it in code (NewWorld, Account, Region, AddBroker ...)
// or read it from a snapshot directory with LoadWorld. A World must not be modified once it has
// been passed to NewServer.
type World struct {
	// HomeAccount is the account of every request whose access key id does not encode one
	// (the caller of the default credential chain).
	HomeAccount string
	// Organization lists the accounts of the organization the home account manages; nil means
	// the home account is not in an organization (ListAccounts answers
	// AWSOrganizationsNotInUseException).
	Organization []orgtypes.Account
	// Accounts holds each account's data by account id.
	Accounts map[string]*Account
	// Errors makes calls fail: the key is the call's snapshot path without ".json" (for example
	// "111122223333/eu-west-1/mq/describe-broker/b-1234"; see SnapshotPath), the value the error.
	Errors map[string]APIError
	// PageSize is the default page size of paginated operations (DefaultPageSize when zero).
	PageSize int
}

// Account is one account's data.
type Account struct {
	ID string
	// CallerIdentity, when set, is what sts:GetCallerIdentity answers for this account.
	CallerIdentity *sts.GetCallerIdentityOutput
	// RegionList is what ec2:DescribeRegions answers (DefaultRegions when nil). Regions whose
	// OptInStatus is "not-opted-in" are disabled: calls to them fail with an
	// UnrecognizedClientException (AuthFailure for ec2).
	RegionList []ec2types.Region
	// Regions holds the regional data by region name; a missing region is empty.
	Regions map[string]*Region
	// ExternalID, when set, must be passed to sts:AssumeRole into this account.
	ExternalID string
}

// Region is one account's data in one region.
type Region struct {
	Brokers        []*Broker
	Configurations []*Configuration
	// SecurityGroups is what ec2:DescribeSecurityGroups reads.
	SecurityGroups []ec2types.SecurityGroup
	// Keys is what kms:DescribeKey reads; a key is found by key id, key ARN or alias.
	Keys []Key
	// EngineTypes is what mq:DescribeBrokerEngineTypes answers (DefaultEngineTypes when nil).
	EngineTypes []mqtypes.BrokerEngineType
}

// Broker is one Amazon MQ broker.
type Broker struct {
	// Summary is the broker's mq:ListBrokers entry; when nil it is derived from Detail.
	Summary *mqtypes.BrokerSummary
	// Detail is what mq:DescribeBroker answers.
	Detail mq.DescribeBrokerOutput
	// Users are what mq:DescribeUser answers; mq:ListUsers lists them. When UserList is set,
	// mq:ListUsers answers it instead (a snapshot whose DescribeUser calls failed).
	Users    []mq.DescribeUserOutput
	UserList []mqtypes.UserSummary
}

// Configuration is one Amazon MQ configuration with its revisions.
type Configuration struct {
	// Detail is what mq:DescribeConfiguration answers.
	Detail mq.DescribeConfigurationOutput
	// Revisions is what mq:DescribeConfigurationRevision answers, by revision number.
	Revisions map[int32]mq.DescribeConfigurationRevisionOutput
}

// Key is one KMS key.
type Key struct {
	Metadata kmstypes.KeyMetadata
	// Aliases are further names kms:DescribeKey accepts for the key ("alias/name", alias ARNs,
	// or the exact KeyId string a snapshot file was saved under).
	Aliases []string
}

// APIError is an error the fake answers. Status 0 means the status the code implies.
type APIError struct {
	Code    string
	Message string
	Status  int
}

// Error implements error.
func (e APIError) Error() string { return e.Code + ": " + e.Message }

// NewWorld returns an empty world whose home account is home.
func NewWorld(home string) *World {
	w := &World{HomeAccount: home, Accounts: map[string]*Account{}, Errors: map[string]APIError{}}
	w.Account(home)
	return w
}

// Account returns the account with id, adding it when missing.
func (w *World) Account(id string) *Account {
	if w.Accounts == nil {
		w.Accounts = map[string]*Account{}
	}
	a := w.Accounts[id]
	if a == nil {
		a = &Account{ID: id, Regions: map[string]*Region{}}
		w.Accounts[id] = a
	}
	return a
}

// Region returns the data of account in region, adding both when missing.
func (w *World) Region(account, region string) *Region {
	a := w.Account(account)
	if a.Regions == nil {
		a.Regions = map[string]*Region{}
	}
	r := a.Regions[region]
	if r == nil {
		r = &Region{}
		a.Regions[region] = r
	}
	return r
}

// Fail makes the call with the given snapshot path (see SnapshotPath) answer err.
func (w *World) Fail(path string, err APIError) {
	if w.Errors == nil {
		w.Errors = map[string]APIError{}
	}
	w.Errors[path] = err
}

// AddOrgAccount adds an ACTIVE member account to the organization of the home account and
// returns its data.
func (w *World) AddOrgAccount(id, name string) *Account {
	w.Organization = append(w.Organization, orgtypes.Account{
		Id:     aws.String(id),
		Arn:    aws.String(fmt.Sprintf("arn:aws:organizations::%s:account/o-exampleorgid/%s", w.HomeAccount, id)),
		Name:   aws.String(name),
		Email:  aws.String("aws+" + id + "@example.com"),
		Status: orgtypes.AccountStatusActive,
		State:  orgtypes.AccountStateActive,
	})
	return w.Account(id)
}

// AddBroker adds a broker described by d (BrokerId is required) with its users.
func (r *Region) AddBroker(d mq.DescribeBrokerOutput, users ...mq.DescribeUserOutput) *Broker {
	b := &Broker{Detail: d, Users: users}
	r.Brokers = append(r.Brokers, b)
	return b
}

// AddConfiguration adds a configuration described by d (Id is required) with its revisions.
func (r *Region) AddConfiguration(d mq.DescribeConfigurationOutput, revisions map[int32]mq.DescribeConfigurationRevisionOutput) *Configuration {
	c := &Configuration{Detail: d, Revisions: revisions}
	r.Configurations = append(r.Configurations, c)
	return c
}

// summary is the broker's ListBrokers entry.
func (b *Broker) summary() mqtypes.BrokerSummary {
	if b.Summary != nil {
		return *b.Summary
	}
	d := b.Detail
	return mqtypes.BrokerSummary{
		BrokerArn:        d.BrokerArn,
		BrokerId:         d.BrokerId,
		BrokerName:       d.BrokerName,
		BrokerState:      d.BrokerState,
		Created:          d.Created,
		DeploymentMode:   d.DeploymentMode,
		EngineType:       d.EngineType,
		HostInstanceType: d.HostInstanceType,
	}
}

// userList is the broker's ListUsers answer.
func (b *Broker) userList() []mqtypes.UserSummary {
	if b.UserList != nil {
		return b.UserList
	}
	out := make([]mqtypes.UserSummary, 0, len(b.Users))
	for _, u := range b.Users {
		s := mqtypes.UserSummary{Username: u.Username}
		if u.Pending != nil {
			s.PendingChange = u.Pending.PendingChange
		}
		out = append(out, s)
	}
	return out
}

// DefaultRegionNames are the 17 regions enabled by default in every account.
var DefaultRegionNames = []string{
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1",
	"ap-southeast-2", "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2",
	"eu-west-3", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// DefaultRegions is the DescribeRegions answer of an account without a RegionList.
func DefaultRegions() []ec2types.Region {
	out := make([]ec2types.Region, 0, len(DefaultRegionNames))
	for _, name := range DefaultRegionNames {
		out = append(out, ec2types.Region{
			RegionName:  aws.String(name),
			Endpoint:    aws.String("ec2." + name + ".amazonaws.com"),
			OptInStatus: aws.String("opt-in-not-required"),
		})
	}
	return out
}

// DefaultEngineTypes is the DescribeBrokerEngineTypes answer of a region without EngineTypes.
func DefaultEngineTypes() []mqtypes.BrokerEngineType {
	versions := func(vs ...string) []mqtypes.EngineVersion {
		out := make([]mqtypes.EngineVersion, 0, len(vs))
		for _, v := range vs {
			out = append(out, mqtypes.EngineVersion{Name: aws.String(v)})
		}
		return out
	}
	return []mqtypes.BrokerEngineType{
		{EngineType: mqtypes.EngineTypeActivemq, EngineVersions: versions("5.18", "5.17.6")},
		{EngineType: mqtypes.EngineTypeRabbitmq, EngineVersions: versions("3.13", "3.12.13")},
	}
}

// pageSize is the page size for a request asking for max (0: unset).
func (w *World) pageSize(limit int) int {
	n := w.PageSize
	if n <= 0 {
		n = DefaultPageSize
	}
	if limit > 0 && limit < n {
		n = limit
	}
	return n
}

// page returns the bounds of the page starting at token and the next token ("" at the end).
func page(total int, token string, size int) (start, end int, next string, err error) {
	if token != "" {
		n, convErr := strconv.Atoi(token)
		if convErr != nil || n < 0 || n > total {
			return 0, 0, "", fmt.Errorf("invalid NextToken %q", token)
		}
		start = n
	}
	end = min(start+size, total)
	if end < total {
		next = strconv.Itoa(end)
	}
	return start, end, next, nil
}
