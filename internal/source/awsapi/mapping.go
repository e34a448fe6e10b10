package awsapi

import (
	"encoding/base64"
	"fmt"
	"strings"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"

	"github.com/mqguard/mqguard/internal/model"
)

// Resource types of live identities, as CloudFormation spells them.
const (
	typeBroker        = "AWS::AmazonMQ::Broker"
	typeConfiguration = "AWS::AmazonMQ::Configuration"
	typeSecurityGroup = "AWS::EC2::SecurityGroup"
	typeKey           = "AWS::KMS::Key"
)

// refs builds the ranges of one API object's fields: "<arn>#<Field>".
type refs string

func (r refs) at(field string) model.Range { return model.Range{Ref: string(r) + "#" + field} }
func (r refs) whole() model.Range          { return model.Range{Ref: string(r)} }

func str(p *string, at model.Range) model.String {
	if p == nil {
		return model.UnknownString(at)
	}
	return model.ExplicitString(*p, at)
}

func enum[E ~string](v E, at model.Range) model.String {
	if v == "" {
		return model.UnknownString(at)
	}
	return model.ExplicitString(string(v), at)
}

func boolean(p *bool, at model.Range) model.Bool {
	if p == nil {
		return model.UnknownBool(at)
	}
	return model.ExplicitBool(*p, at)
}

func list(v []string, at model.Range) model.StringList {
	return model.StringList{V: append([]string{}, v...), State: model.Explicit, At: at}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// brokerFromSummary is what ListBrokers tells of a broker; every other field stays Unknown. It
// stands for a broker whose DescribeBroker failed or answered without the members Amazon MQ
// always returns.
func brokerFromSummary(s mqtypes.BrokerSummary, account, region string) *model.Broker {
	arn := deref(s.BrokerArn)
	r := refs(arn)
	b := &model.Broker{
		ID:               identity(arn, account, region),
		Name:             str(s.BrokerName, r.at("BrokerName")),
		Engine:           enum(s.EngineType, r.at("EngineType")),
		DeploymentMode:   enum(s.DeploymentMode, r.at("DeploymentMode")),
		HostInstanceType: str(s.HostInstanceType, r.at("HostInstanceType")),
		BrokerState:      enum(s.BrokerState, r.at("BrokerState")),
		// Whether a configuration is in use, and which, could not be read: an unresolved
		// reference says so to every rule that reads it.
		Configuration: &model.ConfigurationRef{
			ID:       model.UnknownString(r.at("Configurations")),
			Revision: model.Int{At: r.at("Configurations")},
			At:       r.at("Configurations"),
		},
		// Whether the broker declares an LDAP server could not be read either.
		LDAPUnread: true,
		// Nor where its instances listen.
		InstanceEndpoints: model.StringList{At: r.at("BrokerInstances")},
	}
	if b.Engine.Known() {
		b.Engine.V = model.NormalizeEngine(b.Engine.V)
	}
	return b
}

func identity(arn, account, region string) model.Identity {
	return model.Identity{Source: model.SourceAWS, Address: arn, ARN: arn, Account: account,
		Region: region, Type: typeBroker, At: model.Range{Ref: arn}}
}

// missingBrokerFields lists the members of a DescribeBroker answer that Amazon MQ always returns
// and the answer lacks: the broker's id and ARN, the members the mq API model requires of the
// answer (DescribeBrokerOutput: DeploymentMode, EngineType, AutoMinorVersionUpgrade,
// PubliclyAccessible), and the required members of the structures mapBroker reads. An answer
// without them does not describe the broker: every other absent member would read as "none".
func missingBrokerFields(out *mq.DescribeBrokerOutput) []string {
	var missing []string
	need := func(present bool, member string) {
		if !present {
			missing = append(missing, member)
		}
	}
	need(out.BrokerId != nil, "BrokerId")
	need(out.BrokerArn != nil, "BrokerArn")
	need(out.EngineType != "", "EngineType")
	need(out.DeploymentMode != "", "DeploymentMode")
	need(out.AutoMinorVersionUpgrade != nil, "AutoMinorVersionUpgrade")
	need(out.PubliclyAccessible != nil, "PubliclyAccessible")
	if e := out.EncryptionOptions; e != nil {
		need(e.UseAwsOwnedKey != nil, "EncryptionOptions.UseAwsOwnedKey")
	}
	if l := out.Logs; l != nil {
		need(l.General != nil, "Logs.General")
	}
	if l := out.LdapServerMetadata; l != nil {
		need(l.Hosts != nil, "LdapServerMetadata.Hosts")
		need(l.ServiceAccountUsername != nil, "LdapServerMetadata.ServiceAccountUsername")
	}
	if c := out.Configurations; c != nil {
		need(c.Current == nil || c.Current.Id != nil, "Configurations.Current.Id")
		need(c.Pending == nil || c.Pending.Id != nil, "Configurations.Pending.Id")
	}
	return missing
}

// mapBroker maps a DescribeBroker answer; sum is the broker's ListBrokers entry, which gives the
// members the answer leaves out. Users, security groups, configurations and keys are resolved by
// the caller.
func mapBroker(out *mq.DescribeBrokerOutput, sum mqtypes.BrokerSummary, arn, account, region string) *model.Broker {
	r := refs(arn)
	b := &model.Broker{
		ID:                 identity(arn, account, region),
		Name:               str(out.BrokerName, r.at("BrokerName")),
		Engine:             enum(out.EngineType, r.at("EngineType")),
		EngineVersion:      str(out.EngineVersion, r.at("EngineVersion")),
		DeploymentMode:     enum(out.DeploymentMode, r.at("DeploymentMode")),
		HostInstanceType:   str(out.HostInstanceType, r.at("HostInstanceType")),
		PubliclyAccessible: boolean(out.PubliclyAccessible, r.at("PubliclyAccessible")),
		AutoMinorUpgrade:   boolean(out.AutoMinorVersionUpgrade, r.at("AutoMinorVersionUpgrade")),
		AuthStrategy:       enum(out.AuthenticationStrategy, r.at("AuthenticationStrategy")),
		StorageType:        enum(out.StorageType, r.at("StorageType")),
		Encryption:         mapEncryption(out.EncryptionOptions, r),
		Logs:               mapLogs(out.Logs, r),
		LDAP:               mapLDAP(out.LdapServerMetadata, r),

		SecurityGroupsState: model.Explicit,
		SubnetIDs:           list(out.SubnetIds, r.at("SubnetIds")),
		Tags:                mapTags(out.Tags, r),

		PendingConfigurationState: model.Explicit,
		BrokerState:               enum(out.BrokerState, r.at("BrokerState")),
		ActionsRequired:           mapActions(out.ActionsRequired, r),
		InstanceEndpoints:         mapInstanceEndpoints(out.BrokerInstances, r),
	}
	// Members the mq API model does not require: ListBrokers may have them.
	if !b.Name.Known() {
		b.Name = str(sum.BrokerName, r.at("BrokerName"))
	}
	if !b.HostInstanceType.Known() {
		b.HostInstanceType = str(sum.HostInstanceType, r.at("HostInstanceType"))
	}
	if !b.BrokerState.Known() {
		b.BrokerState = enum(sum.BrokerState, r.at("BrokerState"))
	}
	if b.Engine.Known() {
		b.Engine.V = model.NormalizeEngine(b.Engine.V)
	}
	for _, id := range out.SecurityGroups {
		b.SecurityGroups = append(b.SecurityGroups, model.SecurityGroupRef{ID: model.ExplicitString(id, r.at("SecurityGroups"))})
	}
	if c := out.Configurations; c != nil {
		if cur := c.Current; cur != nil {
			b.Configuration = configRef(cur, r.at("Configurations.Current"))
			if p := c.Pending; p != nil && !sameConfig(cur, p) {
				b.PendingConfiguration = configRef(p, r.at("Configurations.Pending"))
			}
		}
	}
	return b
}

func sameConfig(a, b *mqtypes.ConfigurationId) bool {
	return deref(a.Id) == deref(b.Id) && ptrEq(a.Revision, b.Revision)
}

func ptrEq(a, b *int32) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func configRef(c *mqtypes.ConfigurationId, at model.Range) *model.ConfigurationRef {
	ref := &model.ConfigurationRef{ID: str(c.Id, at), Revision: model.Int{At: at}, At: at}
	if c.Revision != nil {
		ref.Revision = model.Int{V: int64(*c.Revision), State: model.Explicit, At: at}
	}
	return ref
}

// mapInstanceEndpoints lists the endpoint URLs of the broker's instances, then their console
// URLs, each once, in the order of the answer. An instance of an active/standby broker that is
// the standby lists the same endpoints under its own host name: both are kept.
func mapInstanceEndpoints(instances []mqtypes.BrokerInstance, r refs) model.StringList {
	out := model.StringList{V: []string{}, State: model.Explicit, At: r.at("BrokerInstances")}
	seen := map[string]bool{}
	add := func(u string) {
		u = strings.TrimSpace(u)
		if u != "" && !seen[u] {
			seen[u] = true
			out.V = append(out.V, u)
		}
	}
	for _, in := range instances {
		for _, e := range in.Endpoints {
			add(e)
		}
	}
	for _, in := range instances {
		add(deref(in.ConsoleURL))
	}
	return out
}

func mapEncryption(e *mqtypes.EncryptionOptions, r refs) model.Encryption {
	at := r.at("EncryptionOptions")
	if e == nil {
		return model.Encryption{UseAWSOwnedKey: model.UnknownBool(at), KMSKeyID: model.UnknownString(at), KeyManager: model.UnknownString(at)}
	}
	enc := model.Encryption{
		UseAWSOwnedKey: boolean(e.UseAwsOwnedKey, r.at("EncryptionOptions.UseAwsOwnedKey")),
		KMSKeyID:       model.DefaultString("", at),
		// Filled from DescribeKey when there is a key to describe.
		KeyManager: model.DefaultString("", at),
	}
	if e.KmsKeyId != nil {
		enc.KMSKeyID = model.ExplicitString(*e.KmsKeyId, r.at("EncryptionOptions.KmsKeyId"))
	}
	return enc
}

func mapLogs(l *mqtypes.LogsSummary, r refs) model.Logs {
	if l == nil {
		return model.Logs{General: model.UnknownBool(r.at("Logs")), Audit: model.UnknownBool(r.at("Logs"))}
	}
	logs := model.Logs{General: boolean(l.General, r.at("Logs.General")), Audit: boolean(l.Audit, r.at("Logs.Audit"))}
	// General is required: absent, it stays Unknown. RabbitMQ brokers have no audit log: the API
	// leaves the member out.
	if l.Audit == nil {
		logs.Audit = model.DefaultBool(false, r.at("Logs"))
	}
	return logs
}

func mapLDAP(l *mqtypes.LdapServerMetadataOutput, r refs) *model.LDAP {
	if l == nil {
		return nil
	}
	at := r.at("LdapServerMetadata")
	hosts := model.StringList{At: r.at("LdapServerMetadata.Hosts")} // required: absent is unread
	if l.Hosts != nil {
		hosts = list(l.Hosts, hosts.At)
	}
	return &model.LDAP{
		Hosts:                  hosts,
		ServiceAccountUsername: str(l.ServiceAccountUsername, r.at("LdapServerMetadata.ServiceAccountUsername")),
		// The API never returns the service account password: its origin is not knowable.
		ServiceAccountPassword: model.Secret{Origin: model.SecretUnknown, At: at},
		At:                     at,
	}
}

func mapTags(tags map[string]string, r refs) model.Tags {
	t := model.Tags{V: map[string]string{}, KeyAt: map[string]model.Range{}, State: model.Explicit, At: r.at("Tags")}
	for k, v := range tags {
		t.V[k] = v
		t.KeyAt[k] = r.at("Tags." + k)
	}
	return t
}

func mapActions(actions []mqtypes.ActionRequired, r refs) model.StringList {
	l := model.StringList{V: []string{}, State: model.Explicit, At: r.at("ActionsRequired")}
	for _, a := range actions {
		if a.ActionRequiredCode != nil {
			l.V = append(l.V, *a.ActionRequiredCode)
		}
	}
	return l
}

// mapUser maps a DescribeUser answer. The API never returns passwords.
func mapUser(out *mq.DescribeUserOutput, r refs) model.User {
	name := deref(out.Username)
	at := r.at("Users." + name)
	return model.User{
		Username:        str(out.Username, at),
		Password:        model.Secret{Origin: model.SecretUnknown, At: at},
		ConsoleAccess:   boolean(out.ConsoleAccess, at),
		Groups:          list(out.Groups, at),
		ReplicationUser: boolean(out.ReplicationUser, at),
		At:              at,
	}
}

// unreadUser is a listed user whose details could not be read.
func unreadUser(name string, r refs) model.User {
	at := r.at("Users." + name)
	return model.User{Username: model.ExplicitString(name, at), Password: model.Secret{At: at},
		ConsoleAccess: model.UnknownBool(at), Groups: model.StringList{At: at}, ReplicationUser: model.UnknownBool(at), At: at}
}

// configLabel names a configuration revision of a broker: "<broker arn>#configuration/<id>/revision/<n>".
func configLabel(arn, id string, rev int32) string {
	return fmt.Sprintf("%s#configuration/%s/revision/%d", arn, id, rev)
}

// mapConfiguration maps DescribeConfiguration (nil when it failed) for one broker's revision.
func mapConfiguration(out *mq.DescribeConfigurationOutput, label, account, region string) *model.Configuration {
	r := refs(label)
	c := &model.Configuration{
		ID: model.Identity{Source: model.SourceAWS, Address: label, Account: account, Region: region,
			Type: typeConfiguration, At: r.whole()},
		Name:           model.UnknownString(r.at("Name")),
		Description:    model.UnknownString(r.at("Description")),
		Engine:         model.UnknownString(r.at("EngineType")),
		EngineVersion:  model.UnknownString(r.at("EngineVersion")),
		Tags:           model.Tags{At: r.at("Tags")},
		DataAt:         r.at("Data"),
		LatestRevision: model.Int{At: r.at("LatestRevision")},
		UsedBy:         1,
	}
	if out == nil {
		return c
	}
	c.ID.ARN = deref(out.Arn)
	c.Name = str(out.Name, r.at("Name"))
	c.Description = model.DefaultString("", r.at("Description"))
	if out.Description != nil {
		c.Description = model.ExplicitString(*out.Description, r.at("Description"))
	}
	c.Engine = enum(out.EngineType, r.at("EngineType"))
	if c.Engine.Known() {
		c.Engine.V = model.NormalizeEngine(c.Engine.V)
	}
	c.EngineVersion = str(out.EngineVersion, r.at("EngineVersion"))
	c.Tags = mapTags(out.Tags, r)
	if lr := out.LatestRevision; lr != nil && lr.Revision != nil {
		c.LatestRevision = model.Int{V: int64(*lr.Revision), State: model.Explicit, At: r.at("LatestRevision")}
	}
	return c
}

// revisionData decodes a revision's Data: base64 as the API returns it, or raw text when it does
// not decode (some emulators return the XML itself).
func revisionData(data string) []byte {
	trimmed := strings.TrimSpace(data)
	if b, err := base64.StdEncoding.DecodeString(trimmed); err == nil {
		return b
	}
	return []byte(data)
}

// mapSecurityGroup maps an EC2 security group with its ingress rules.
func mapSecurityGroup(g ec2types.SecurityGroup, account, region string) *model.SecurityGroup {
	id := deref(g.GroupId)
	owner := deref(g.OwnerId)
	if owner == "" {
		owner = account
	}
	arn := deref(g.SecurityGroupArn)
	if arn == "" {
		arn = fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", region, owner, id)
	}
	r := refs(arn)
	sg := &model.SecurityGroup{
		ID: model.Identity{Source: model.SourceAWS, Address: arn, ARN: arn, Account: owner, Region: region,
			Type: typeSecurityGroup, At: r.whole()},
		GroupID:      model.ExplicitString(id, r.at("GroupId")),
		Name:         str(g.GroupName, r.at("GroupName")),
		IngressState: model.Explicit,
	}
	for i, p := range g.IpPermissions {
		at := r.at(fmt.Sprintf("IpPermissions[%d]", i))
		rule := model.IngressRule{
			Protocol: str(p.IpProtocol, at),
			FromPort: port(p.FromPort, at),
			ToPort:   port(p.ToPort, at),
			CIDRs:    model.StringList{V: []string{}, State: model.Explicit, At: at},
			At:       at,
		}
		for _, c := range p.IpRanges {
			if c.CidrIp != nil {
				rule.CIDRs.V = append(rule.CIDRs.V, *c.CidrIp)
			}
		}
		for _, c := range p.Ipv6Ranges {
			if c.CidrIpv6 != nil {
				rule.CIDRs.V = append(rule.CIDRs.V, *c.CidrIpv6)
			}
		}
		sg.AddIngress(rule)
	}
	return sg
}

// port maps a permission's port. The API leaves it out for protocol "-1", where AddIngress
// makes the rule cover every port; elsewhere a missing port is undecided.
func port(p *int32, at model.Range) model.Int {
	if p == nil {
		return model.Int{State: model.Unknown, At: at}
	}
	return model.Int{V: int64(*p), State: model.Explicit, At: at}
}

// mapKey maps a DescribeKey answer for the key id a broker names.
func mapKey(md *kmstypes.KeyMetadata, keyID, account, region string) *model.Key {
	arn := deref(md.Arn)
	addr := arn
	if addr == "" {
		addr = keyID
	}
	r := refs(addr)
	k := &model.Key{
		ID: model.Identity{Source: model.SourceAWS, Address: addr, ARN: arn, Account: account, Region: region,
			Type: typeKey, At: r.whole()},
		KeyID:      model.ExplicitString(keyID, r.at("KeyId")),
		Enabled:    model.ExplicitBool(md.Enabled, r.at("Enabled")),
		KeyState:   enum(md.KeyState, r.at("KeyState")),
		KeyManager: enum(md.KeyManager, r.at("KeyManager")),
	}
	if md.AWSAccountId != nil {
		k.ID.Account = *md.AWSAccountId
	}
	return k
}

// unreadKey is a key a broker names whose DescribeKey failed.
func unreadKey(keyID, account, region string) *model.Key {
	r := refs(keyID)
	return &model.Key{
		ID:         model.Identity{Source: model.SourceAWS, Address: keyID, Account: account, Region: region, Type: typeKey, At: r.whole()},
		KeyID:      model.ExplicitString(keyID, r.at("KeyId")),
		Enabled:    model.UnknownBool(r.at("Enabled")),
		KeyState:   model.UnknownString(r.at("KeyState")),
		KeyManager: model.UnknownString(r.at("KeyManager")),
	}
}
