package model

import (
	"slices"
	"strings"
)

// SourceKind names the input a resource was read from.
type SourceKind string

// Input kinds. Rules use them to pick per-source defaults and remediation text.
const (
	SourceTerraform      SourceKind = "terraform"
	SourceTFPlan         SourceKind = "tfplan"
	SourceCloudFormation SourceKind = "cloudformation"
	SourceAWS            SourceKind = "aws"
	SourceBrokerConf     SourceKind = "brokerconf"
)

// Engine names, as rules compare them. Sources normalise any casing to these.
const (
	EngineActiveMQ = "ActiveMQ"
	EngineRabbitMQ = "RabbitMQ"
)

// NormalizeEngine maps any casing of a known engine name to its canonical form and returns other
// strings unchanged.
func NormalizeEngine(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "activemq":
		return EngineActiveMQ
	case "rabbitmq":
		return EngineRabbitMQ
	}
	return s
}

// Identity says which resource instance a value belongs to. Address is what users know: a
// Terraform absolute address (module.mq.aws_mq_broker.this["blue"]), a CloudFormation logical
// ID, an ARN, or path#element for broker configuration files.
type Identity struct {
	Source SourceKind
	// Scope makes Address unique across a scan: the Terraform root module directory, the
	// CloudFormation template file, or the configuration file (display paths). Empty for live
	// resources, whose ARN is unique.
	Scope   string
	Address string
	// Type is the resource type as the source spells it (aws_mq_broker, AWS::AmazonMQ::Broker).
	Type    string
	ARN     string
	Account string
	Region  string
	// At is the whole resource block (or the API object for live data).
	At Range
}

// Broker is one broker instance, whatever described it.
type Broker struct {
	ID Identity

	Name               String
	Engine             String // canonical: EngineActiveMQ or EngineRabbitMQ (see NormalizeEngine)
	EngineVersion      String
	DeploymentMode     String // SINGLE_INSTANCE, ACTIVE_STANDBY_MULTI_AZ, CLUSTER_MULTI_AZ
	HostInstanceType   String
	PubliclyAccessible Bool
	AutoMinorUpgrade   Bool
	AuthStrategy       String // SIMPLE or LDAP
	StorageType        String

	Encryption Encryption
	Logs       Logs
	// LDAP is nil when no LDAP metadata is declared, unless LDAPUnread is set: the source could
	// not read whether any is declared (a live broker whose DescribeBroker failed), so a nil LDAP
	// says nothing. Its zero value (false) keeps the nil meaningful for every source that reads
	// the metadata.
	LDAP       *LDAP
	LDAPUnread bool

	// Users holds the declared users. UsersState is Unknown when the user list could not be
	// fully decided (e.g. a dynamic block over an unknown collection).
	Users      []User
	UsersState State

	// SecurityGroups holds the attached groups. SecurityGroupsState is Unknown when the list of
	// attached groups itself could not be decided.
	SecurityGroups      []SecurityGroupRef
	SecurityGroupsState State
	SubnetIDs           StringList

	Tags Tags

	// Configuration is the configuration the broker uses; nil when none is declared.
	Configuration *ConfigurationRef
	// PendingConfiguration is, for live brokers, the configuration revision waiting for a
	// reboot (Configurations.Pending); nil when none is pending. PendingConfigurationState is
	// Unknown when the live data could not be read, Default elsewhere.
	PendingConfiguration      *ConfigurationRef
	PendingConfigurationState State

	// Live state (SourceAWS only; Unknown elsewhere).
	BrokerState     String
	ActionsRequired StringList
	// InstanceEndpoints are the URLs Amazon MQ reports for the broker's instances
	// (DescribeBroker BrokerInstances[].Endpoints, then each instance's ConsoleURL), in the
	// order of the answer, without duplicates: what scan --aws --probe connects to. Explicit
	// (possibly empty, for a broker still being created) when the answer was read; Unknown
	// otherwise, and for every source other than the AWS API (the zero value).
	InstanceEndpoints StringList

	// SelfManaged holds what a broker's own files, management API or probes say; nil when no
	// source read any (an Amazon MQ broker described in code or read from the AWS API alone).
	SelfManaged *SelfManaged

	// Directives are the raw comments found on or above the resource and its attributes, for the
	// suppress package to parse. Sources do not interpret them.
	Directives []Directive
}

// IsEngine reports whether the broker's engine is known and equals name.
func (b *Broker) IsEngine(name string) bool {
	return b.Engine.Known() && NormalizeEngine(b.Engine.V) == name
}

// Encryption describes data-at-rest encryption.
type Encryption struct {
	// UseAWSOwnedKey: Terraform use_aws_owned_key / CloudFormation UseAwsOwnedKey.
	UseAWSOwnedKey Bool
	// KMSKeyID is the key id or ARN as written; Unknown when it could not be resolved; Default
	// (empty) when absent.
	KMSKeyID String
	// Key is the key resource the id refers to, when it could be resolved in the inventory.
	Key *Key
	// KeyManager is CUSTOMER or AWS when known (live data, or a resolved key resource).
	KeyManager String
}

// Logs describes CloudWatch log publication.
type Logs struct {
	General Bool
	Audit   Bool
}

// LDAP is the broker's LDAP server metadata. A source that cannot decide whether the block it
// reads declares any (a Terraform dynamic block over an unknown collection) gives an LDAP whose
// fields are all Unknown, located at that block: the metadata, if any, is undecided.
type LDAP struct {
	Hosts                  StringList
	ServiceAccountUsername String
	ServiceAccountPassword Secret
	At                     Range
}

// User is a broker user.
type User struct {
	Username String
	// UsernameGenerated says the username is generated at apply time (random_pet, random_string,
	// random_id, ...): Username is then Unknown, yet the name is no default or guessable name.
	UsernameGenerated bool
	Password          Secret
	ConsoleAccess     Bool
	Groups            StringList
	ReplicationUser   Bool
	At                Range
}

// SecretOrigin says where a secret's value comes from. It is all rules need: the secret itself
// is never stored in the model.
type SecretOrigin uint8

const (
	// SecretUnknown: the origin could not be decided.
	SecretUnknown SecretOrigin = iota
	// SecretAbsent: no secret is set.
	SecretAbsent
	// SecretLiteral: a literal written in a scanned file (resource, tfvars, variable default,
	// template parameter default).
	SecretLiteral
	// SecretStore: read from a secrets store (Secrets Manager, SSM SecureString, dynamic reference).
	SecretStore
	// SecretGenerated: generated at apply time (random_password).
	SecretGenerated
	// SecretInput: supplied at deploy time (a variable or NoEcho parameter with no default).
	SecretInput
	// SecretEphemeral: an ephemeral or write-only value.
	SecretEphemeral
)

func (o SecretOrigin) String() string {
	return [...]string{"unknown", "absent", "literal", "secret-store", "generated", "input", "ephemeral"}[o]
}

// Secret records where a secret comes from, never its value.
type Secret struct {
	Origin SecretOrigin
	// At is where the secret is set; LiteralAt is where the literal itself is written (a tfvars
	// file, a variable default), when Origin is SecretLiteral.
	At        Range
	LiteralAt Range
}

// SecurityGroupRef is a group attached to a broker. Group is nil when the reference could not be
// resolved to a group in the inventory.
type SecurityGroupRef struct {
	ID    String
	Group *SecurityGroup
}

// SecurityGroup is a security group with its ingress rules, inline or from separate rule
// resources.
type SecurityGroup struct {
	ID      Identity
	GroupID String
	Name    String
	Ingress []IngressRule
	// IngressState is Unknown when some ingress rules could not be decided.
	IngressState State
}

// IngressRule is one ingress permission. Protocol "-1" (or "all") means every protocol and port.
type IngressRule struct {
	Protocol String
	FromPort Int
	ToPort   Int
	// CIDRs holds IPv4 and IPv6 source ranges.
	CIDRs StringList
	// NonCIDRSources holds the other sources the rule admits: security groups (an id, or the
	// address of the group resource when the id is known only after apply), prefix lists, and
	// "self". Default and empty when the rule names none; Unknown when they could not be
	// decided.
	NonCIDRSources StringList
	At             Range
}

// Key is a KMS key.
type Key struct {
	ID    Identity
	KeyID String
	// Enabled: Terraform is_enabled / CloudFormation Enabled (default true).
	Enabled Bool
	// KeyState is the live KeyState (Enabled, Disabled, PendingDeletion, ...).
	KeyState   String
	KeyManager String // CUSTOMER or AWS
}

// ConfigurationRef is the configuration a broker uses.
type ConfigurationRef struct {
	ID       String
	Revision Int
	// Config is nil when the reference could not be resolved to a configuration in the inventory.
	Config *Configuration
	At     Range
}

// Configuration is a broker configuration (aws_mq_configuration, AWS::AmazonMQ::Configuration, a
// live revision, or a configuration file of a self-managed broker).
type Configuration struct {
	ID            Identity
	Name          String
	Description   String
	Engine        String
	EngineVersion String
	Tags          Tags
	// Data is the state of the configuration body: Explicit when it was read and parsed,
	// Unknown when it could not be resolved or parsed.
	Data State
	// DataAt locates the body (the heredoc, the file() target, the API field).
	DataAt Range
	// DataWhy says why Data is Unknown, when the source knows (`file("x.xml") not found`);
	// empty otherwise. It never quotes the body.
	DataWhy  string
	ActiveMQ *ActiveMQConfig // nil unless the body is a parsed ActiveMQ XML document
	// RabbitMQ is the parsed body of a RabbitMQ configuration (Amazon MQ takes rabbitmq.conf
	// keys); nil unless the body is one.
	RabbitMQ *RabbitMQSettings
	// LatestRevision is the configuration's newest revision (live: LatestRevision.Revision).
	LatestRevision Int
	// UsedBy counts brokers referencing this configuration (filled when linking).
	UsedBy     int
	Directives []Directive
}

// Directive is a raw comment attached to a resource: the suppress package parses it.
type Directive struct {
	Text string
	At   Range
}

// Inventory is everything a scan found.
type Inventory struct {
	Brokers        []*Broker
	Configurations []*Configuration
	SecurityGroups []*SecurityGroup
	Keys           []*Key
	// OfferedVersions are the engine versions Amazon MQ offers today, by canonical engine name,
	// as a live scan read them (mq:DescribeBrokerEngineTypes); nil when none were read.
	OfferedVersions map[string][]string
}

// Merge appends other's resources to inv.
func (inv *Inventory) Merge(other *Inventory) {
	if other == nil {
		return
	}
	inv.Brokers = append(inv.Brokers, other.Brokers...)
	inv.Configurations = append(inv.Configurations, other.Configurations...)
	inv.SecurityGroups = append(inv.SecurityGroups, other.SecurityGroups...)
	inv.Keys = append(inv.Keys, other.Keys...)
	for engine, versions := range other.OfferedVersions {
		inv.AddOfferedVersions(engine, versions...)
	}
}

// AddOfferedVersions records versions of engine that Amazon MQ offers, without duplicates.
func (inv *Inventory) AddOfferedVersions(engine string, versions ...string) {
	if inv.OfferedVersions == nil {
		inv.OfferedVersions = map[string][]string{}
	}
	engine = NormalizeEngine(engine)
	for _, v := range versions {
		if v != "" && !slices.Contains(inv.OfferedVersions[engine], v) {
			inv.OfferedVersions[engine] = append(inv.OfferedVersions[engine], v)
		}
	}
	slices.Sort(inv.OfferedVersions[engine])
}

// AddIngress appends rule to g. A rule for every protocol ("-1" or "all") covers every port,
// whatever ports it names or leaves out; a rule with an undecided protocol, port or source
// makes the group's ingress Unknown, except a rule known to have no CIDR at all: it admits only
// security groups or prefix lists, never the internet, whatever its ports. Every source adds
// rules through it, so they agree.
func (g *SecurityGroup) AddIngress(rule IngressRule) {
	if rule.Protocol.Known() && (rule.Protocol.V == "-1" || strings.EqualFold(rule.Protocol.V, "all")) {
		if !rule.FromPort.Known() {
			rule.FromPort = Int{V: 0, State: Default, At: rule.At}
		}
		if !rule.ToPort.Known() {
			rule.ToPort = Int{V: 65535, State: Default, At: rule.At}
		}
	}
	noCIDR := rule.CIDRs.Known() && len(rule.CIDRs.V) == 0
	if !noCIDR && (!rule.Protocol.Known() || !rule.FromPort.Known() || !rule.ToPort.Known() || !rule.CIDRs.Known()) {
		g.IngressState = Unknown
	}
	g.Ingress = append(g.Ingress, rule)
}
