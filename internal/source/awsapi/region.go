package awsapi

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/brokerconf"
)

// unit is one account and region. Its calls are sequential, in a fixed order, so its
// diagnostics are deterministic.
type unit struct {
	s               *scanner
	account, region string
	sess            session

	mq  MQAPI
	ec2 EC2API
	kms KMSAPI

	inv   model.Inventory
	diags []model.Diagnostic

	configs map[string]*mq.DescribeConfigurationOutput // by id; nil value: the call failed
	revs    map[string]*revision                       // by id/revision
}

type revision struct {
	data []byte
	fail *apiFailure
}

// call runs one operation under the call timeout and records its answer at rel.
func call[O any](ctx context.Context, u *unit, rel string, fn func(context.Context) (*O, error)) (*O, *apiFailure) {
	var out *O
	fail := u.s.invoke(ctx, func(ctx context.Context) (err error) {
		out, err = fn(ctx)
		return err
	})
	u.s.rec.save(rel, out, fail)
	return out, fail
}

// failed adds the error entry of a failed operation.
func (u *unit) failed(at model.Range, what, op string, f *apiFailure) {
	msg := fmt.Sprintf("account %s region %s", u.account, u.region)
	if what != "" {
		msg += " " + what
	}
	u.diags = append(u.diags, u.s.diag(at, msg+": "+op+": "+f.Error()))
}

func (u *unit) scan(ctx context.Context) {
	u.mq = u.sess.mq(u.region)
	summaries, fail := u.listBrokers(ctx)
	if fail != nil {
		u.failed(model.Range{}, "", "mq:ListBrokers", fail)
		return
	}
	if len(summaries) == 0 {
		return
	}
	u.ec2 = u.sess.ec2(u.region)
	u.kms = u.sess.kms(u.region)
	u.configs = map[string]*mq.DescribeConfigurationOutput{}
	u.revs = map[string]*revision{}
	u.engineTypes(ctx)

	sort.Slice(summaries, func(i, j int) bool { return deref(summaries[i].BrokerArn) < deref(summaries[j].BrokerArn) })
	var described []*model.Broker
	for _, sum := range summaries {
		b := u.broker(ctx, sum)
		u.inv.Brokers = append(u.inv.Brokers, b)
		if b.SecurityGroupsState == model.Explicit {
			described = append(described, b)
		}
	}
	u.securityGroups(ctx, described)
	u.keys(ctx, described)
}

// listBrokers pages through ListBrokers and records the merged answer.
func (u *unit) listBrokers(ctx context.Context) ([]mqtypes.BrokerSummary, *apiFailure) {
	merged := &mq.ListBrokersOutput{}
	var token *string
	for {
		var out *mq.ListBrokersOutput
		fail := u.s.invoke(ctx, func(ctx context.Context) (err error) {
			out, err = u.mq.ListBrokers(ctx, &mq.ListBrokersInput{NextToken: token, MaxResults: aws.Int32(100)})
			return err
		})
		if fail != nil {
			u.s.rec.save(pListBrokers(u.account, u.region), nil, fail)
			return nil, fail
		}
		merged.BrokerSummaries = append(merged.BrokerSummaries, out.BrokerSummaries...)
		if token = out.NextToken; token == nil || *token == "" {
			break
		}
	}
	u.s.rec.save(pListBrokers(u.account, u.region), merged, nil)
	return merged.BrokerSummaries, nil
}

// engineTypes reads the engine versions the region offers. Only the snapshot keeps them for
// now; a failure here takes nothing from the scan and is not an error entry.
func (u *unit) engineTypes(ctx context.Context) {
	merged := &mq.DescribeBrokerEngineTypesOutput{}
	var token *string
	for {
		var out *mq.DescribeBrokerEngineTypesOutput
		fail := u.s.invoke(ctx, func(ctx context.Context) (err error) {
			out, err = u.mq.DescribeBrokerEngineTypes(ctx, &mq.DescribeBrokerEngineTypesInput{NextToken: token})
			return err
		})
		if fail != nil {
			u.s.rec.save(pEngineTypes(u.account, u.region), nil, fail)
			u.s.opts.Logger.Debug("mq:DescribeBrokerEngineTypes failed", "account", u.account, "region", u.region, "error", fail.Error())
			return
		}
		merged.BrokerEngineTypes = append(merged.BrokerEngineTypes, out.BrokerEngineTypes...)
		if token = out.NextToken; token == nil || *token == "" {
			break
		}
	}
	u.s.rec.save(pEngineTypes(u.account, u.region), merged, nil)
	for _, et := range merged.BrokerEngineTypes {
		for _, v := range et.EngineVersions {
			u.inv.AddOfferedVersions(string(et.EngineType), deref(v.Name))
		}
	}
}

// broker describes one broker with its users and configurations.
func (u *unit) broker(ctx context.Context, sum mqtypes.BrokerSummary) *model.Broker {
	arn, id := deref(sum.BrokerArn), deref(sum.BrokerId)
	what := "broker " + id
	at := model.Range{Ref: arn}
	out, fail := call(ctx, u, pDescribeBroker(u.account, u.region, id), func(ctx context.Context) (*mq.DescribeBrokerOutput, error) {
		return u.mq.DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: aws.String(id)})
	})
	if fail == nil {
		if missing := missingBrokerFields(out); len(missing) > 0 {
			fail = &apiFailure{Code: "InvalidResponse", Message: "the answer lacks " + strings.Join(missing, ", ") +
				", which Amazon MQ always returns; the broker is known only from mq:ListBrokers"}
		}
	}
	if fail != nil {
		u.failed(at, what, "mq:DescribeBroker", fail)
		return brokerFromSummary(sum, u.account, u.region)
	}
	if a := deref(out.BrokerArn); a != "" {
		arn = a
	}
	b := mapBroker(out, sum, arn, u.account, u.region)

	if b.IsEngine(model.EngineActiveMQ) {
		u.users(ctx, b, id)
	}
	// RabbitMQ users live in the broker itself: the Amazon MQ API does not list them, so the
	// user list stays Unknown.
	if b.Configuration != nil {
		b.Configuration.Config = u.configuration(ctx, b, b.Configuration)
		if b.Configuration.Config != nil {
			u.inv.Configurations = append(u.inv.Configurations, b.Configuration.Config)
		}
	}
	if b.PendingConfiguration != nil {
		b.PendingConfiguration.Config = u.configuration(ctx, b, b.PendingConfiguration)
	}
	return b
}

// users lists an ActiveMQ broker's users and describes each one.
func (u *unit) users(ctx context.Context, b *model.Broker, brokerID string) {
	r := refs(b.ID.ARN)
	what := "broker " + brokerID
	merged := &mq.ListUsersOutput{BrokerId: aws.String(brokerID)}
	var token *string
	for {
		var out *mq.ListUsersOutput
		fail := u.s.invoke(ctx, func(ctx context.Context) (err error) {
			out, err = u.mq.ListUsers(ctx, &mq.ListUsersInput{BrokerId: aws.String(brokerID), NextToken: token})
			return err
		})
		if fail != nil {
			u.s.rec.save(pListUsers(u.account, u.region, brokerID), nil, fail)
			u.failed(b.ID.At, what, "mq:ListUsers", fail)
			b.UsersState = model.Unknown
			return
		}
		merged.Users = append(merged.Users, out.Users...)
		if token = out.NextToken; token == nil || *token == "" {
			break
		}
	}
	u.s.rec.save(pListUsers(u.account, u.region, brokerID), merged, nil)

	b.UsersState = model.Explicit
	for _, us := range merged.Users {
		name := deref(us.Username)
		out, fail := call(ctx, u, pDescribeUser(u.account, u.region, brokerID, name), func(ctx context.Context) (*mq.DescribeUserOutput, error) {
			return u.mq.DescribeUser(ctx, &mq.DescribeUserInput{BrokerId: aws.String(brokerID), Username: aws.String(name)})
		})
		if fail != nil {
			u.failed(r.at("Users."+name), what+" user "+name, "mq:DescribeUser", fail)
			b.Users = append(b.Users, unreadUser(name, r))
			b.UsersState = model.Unknown
			continue
		}
		b.Users = append(b.Users, mapUser(out, r))
	}
}

// configuration reads the configuration and revision ref names; nil when ref is incomplete.
func (u *unit) configuration(ctx context.Context, b *model.Broker, ref *model.ConfigurationRef) *model.Configuration {
	if !ref.ID.Known() || !ref.Revision.Known() {
		return nil
	}
	id, rev := ref.ID.V, int32(ref.Revision.V)

	desc, ok := u.configs[id]
	if !ok {
		out, fail := call(ctx, u, pDescribeConfiguration(u.account, u.region, id), func(ctx context.Context) (*mq.DescribeConfigurationOutput, error) {
			return u.mq.DescribeConfiguration(ctx, &mq.DescribeConfigurationInput{ConfigurationId: aws.String(id)})
		})
		if fail != nil {
			u.failed(ref.At, "configuration "+id, "mq:DescribeConfiguration", fail)
		}
		u.configs[id] = out
		desc = out
	}
	label := configLabel(b.ID.ARN, id, rev)
	c := mapConfiguration(desc, label, u.account, u.region)

	key := id + "/" + strconv.Itoa(int(rev))
	rv, ok := u.revs[key]
	if !ok {
		out, fail := call(ctx, u, pConfigurationRevision(u.account, u.region, id, rev), func(ctx context.Context) (*mq.DescribeConfigurationRevisionOutput, error) {
			return u.mq.DescribeConfigurationRevision(ctx, &mq.DescribeConfigurationRevisionInput{
				ConfigurationId: aws.String(id), ConfigurationRevision: aws.String(strconv.Itoa(int(rev)))})
		})
		rv = &revision{fail: fail}
		if fail == nil {
			if out.Data == nil {
				rv.fail = &apiFailure{Code: "InvalidResponse", Message: "the revision has no Data"}
			} else {
				rv.data = revisionData(*out.Data)
			}
		}
		if rv.fail != nil {
			u.failed(ref.At, fmt.Sprintf("configuration %s revision %d", id, rev), "mq:DescribeConfigurationRevision", rv.fail)
		}
		u.revs[key] = rv
	}
	if rv.fail != nil {
		return c // Data stays Unknown
	}
	if b.IsEngine(model.EngineRabbitMQ) {
		if body := bytes.TrimLeft(rv.data, " \t\r\n\ufeff"); len(body) > 0 && body[0] == '<' {
			// An XML document (moto gives RabbitMQ brokers ActiveMQ's default): nothing a
			// RabbitMQ broker reads, so nothing is judged from it.
			c.DataWhy = "the revision holds an XML document, not RabbitMQ configuration"
			u.diags = append(u.diags, model.Diagnostic{Severity: model.DiagNote, Source: model.SourceAWS, At: model.Range{Ref: label},
				Message: fmt.Sprintf("account %s region %s configuration %s revision %d of a RabbitMQ broker holds an XML document, not RabbitMQ configuration: its settings are unknown", u.account, u.region, id, rev)})
			return c
		}
		rs, creds, err := brokerconf.ParseRabbitConf(rv.data, label, 1)
		if err != nil {
			u.diags = append(u.diags, u.s.diag(model.Range{Ref: label}, fmt.Sprintf(
				"account %s region %s configuration %s revision %d: cannot parse: %s", u.account, u.region, id, rev, err)))
			return c
		}
		c.Data = model.Explicit
		rs.Credentials = creds
		c.RabbitMQ = rs
		return c
	}
	if !b.IsEngine(model.EngineActiveMQ) {
		c.Data = model.Explicit
		return c
	}
	amq, err := brokerconf.ParseActiveMQ(rv.data, label, 1)
	if err != nil {
		u.diags = append(u.diags, u.s.diag(model.Range{Ref: label}, fmt.Sprintf(
			"account %s region %s configuration %s revision %d: cannot parse: %s", u.account, u.region, id, rev, err)))
		return c
	}
	c.Data = model.Explicit
	c.ActiveMQ = amq
	return c
}

// securityGroups describes the described brokers' groups in one call.
func (u *unit) securityGroups(ctx context.Context, brokers []*model.Broker) {
	ids := map[string]bool{}
	for _, b := range brokers {
		for _, g := range b.SecurityGroups {
			ids[g.ID.V] = true
		}
	}
	if len(ids) == 0 {
		return
	}
	groupIDs := sortedKeys(ids)
	merged := &ec2.DescribeSecurityGroupsOutput{}
	var token *string
	var fail *apiFailure
	for {
		var out *ec2.DescribeSecurityGroupsOutput
		fail = u.s.invoke(ctx, func(ctx context.Context) (err error) {
			out, err = u.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: groupIDs, NextToken: token})
			return err
		})
		if fail != nil {
			break
		}
		merged.SecurityGroups = append(merged.SecurityGroups, out.SecurityGroups...)
		if token = out.NextToken; token == nil || *token == "" {
			break
		}
	}
	if fail != nil {
		u.s.rec.save(pSecurityGroups(u.account, u.region), nil, fail)
		u.failed(model.Range{}, "security groups", "ec2:DescribeSecurityGroups", fail)
		return // every reference stays unresolved
	}
	u.s.rec.save(pSecurityGroups(u.account, u.region), merged, nil)

	sort.Slice(merged.SecurityGroups, func(i, j int) bool {
		return deref(merged.SecurityGroups[i].GroupId) < deref(merged.SecurityGroups[j].GroupId)
	})
	byID := map[string]*model.SecurityGroup{}
	for _, g := range merged.SecurityGroups {
		id := deref(g.GroupId)
		if id == "" || byID[id] != nil {
			continue
		}
		sg := mapSecurityGroup(g, u.account, u.region)
		byID[id] = sg
		u.inv.SecurityGroups = append(u.inv.SecurityGroups, sg)
	}
	for _, b := range brokers {
		for i := range b.SecurityGroups {
			b.SecurityGroups[i].Group = byID[b.SecurityGroups[i].ID.V]
		}
	}
}

// keys describes each distinct customer or AWS managed key the described brokers use.
func (u *unit) keys(ctx context.Context, brokers []*model.Broker) {
	byID := map[string]*model.Key{}
	for _, b := range brokers {
		e := &b.Encryption
		if !e.KMSKeyID.Known() || e.KMSKeyID.V == "" || (e.UseAWSOwnedKey.Known() && e.UseAWSOwnedKey.V) {
			continue
		}
		keyID := e.KMSKeyID.V
		k, ok := byID[keyID]
		if !ok {
			out, fail := call(ctx, u, pDescribeKey(u.account, u.region, keyID), func(ctx context.Context) (*kms.DescribeKeyOutput, error) {
				return u.kms.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)})
			})
			if fail == nil && out.KeyMetadata == nil {
				fail = &apiFailure{Code: "InvalidResponse", Message: "no KeyMetadata"}
			}
			if fail != nil {
				u.failed(model.Range{Ref: keyID}, "key "+keyID, "kms:DescribeKey", fail)
				k = unreadKey(keyID, u.account, u.region)
			} else {
				k = mapKey(out.KeyMetadata, keyID, u.account, u.region)
				u.inv.Keys = append(u.inv.Keys, k)
			}
			byID[keyID] = k
		}
		e.Key = k
		e.KeyManager = k.KeyManager
	}
}
