package rules

import (
	"time"

	"github.com/mqguard/mqguard/internal/model"
)

// endOfSupportWarning is how long before its end of support a version line fails MEDIUM.
const endOfSupportWarning = 90 * 24 * time.Hour

var mqg010 = &Rule{
	ID:       "MQG010",
	Slug:     "engine-version-unsupported",
	Title:    "Engine version is past, or near, end of support",
	Severity: High,
	Rationale: "After its end of support date Amazon MQ no longer patches an engine version and upgrades " +
		"brokers on it during maintenance windows without further notice. ActiveMQ versions below the " +
		"fix for CVE-2023-46604 allow remote code execution through OpenWire. The rule fails HIGH past " +
		"end of support, MEDIUM within 90 days of it, and CRITICAL for an ActiveMQ patch level below " +
		"that fix; the dates come from a version table judged at the scan date (--as-of). A version " +
		"older than every line of its engine in the table fails HIGH (CRITICAL for ActiveMQ, which is " +
		"then below the CVE fix too); a newer line is UNKNOWN, or PASS when a live scan read that Amazon " +
		"MQ offers it (mq:DescribeBrokerEngineTypes).",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "Set engine_version to a supported version (ActiveMQ \"5.19\" or \"5.18\", RabbitMQ " +
			"\"3.13\" or \"4.2\" on mq.m7g instances) written as major.minor so Amazon MQ applies patches, set " +
			"auto_minor_version_upgrade = true, and update the aws_mq_configuration engine_version to match. " +
			"Upgrade one major.minor step at a time; the broker reboots during the upgrade.",
		model.SourceTFPlan: "Fix the Terraform code: set engine_version to a supported major.minor version and " +
			"auto_minor_version_upgrade = true.",
		model.SourceCloudFormation: "Set EngineVersion to a supported major.minor version (ActiveMQ 5.19 or 5.18, " +
			"RabbitMQ 3.13 or 4.2) and AutoMinorVersionUpgrade: true, and update the configuration's " +
			"EngineVersion to match; the broker reboots during the upgrade.",
		model.SourceAWS: "Run `aws mq update-broker --broker-id <id> --engine-version <supported major.minor> " +
			"--auto-minor-version-upgrade`, then `aws mq reboot-broker` in a maintenance window (or wait for it); " +
			"`aws mq describe-broker-engine-types` lists the supported versions.",
	},
	Aliases: []Alias{
		{Tool: "checkov", ID: "CKV_AWS_208"},
		{Tool: "cloudsploit", ID: "mqLatestEngineVersion"},
		{Tool: "conformity", ID: "MQ-004"},
	},
	Check: checkEngineVersion,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "A supported version written as major.minor: Amazon MQ keeps it patched.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name                = "orders"
  engine_type                = "ActiveMQ"
  engine_version             = "5.18"
  host_instance_type         = "mq.m5.large"
  auto_minor_version_upgrade = true

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "RabbitMQ 3.8 reached end of support on 2023-07-05 (HIGH).",
			Files: map[string]string{"main.tf": `locals {
  rabbitmq_version = "3.8.34"
}

variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = local.rabbitmq_version
  host_instance_type = "mq.m5.large"

  user {
    username = "events-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "ActiveMQ 5.17.3 is below the CVE-2023-46604 fix 5.17.6 (CRITICAL).",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.17.3"
  host_instance_type = "mq.m5.large"

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Unknown,
			Note: "A version variable with no value cannot be judged.",
			Files: map[string]string{"main.tf": `variable "engine_version" {
  type = string
}

variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = var.engine_version
  host_instance_type = "mq.m5.large"

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Pass,
			Note: "A supported version written as major.minor: Amazon MQ keeps it patched.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker on a supported version.

Resources:
  OrdersBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      AutoMinorVersionUpgrade: true
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "EventsBroker", Want: Fail,
			Note: "An unquoted 3.10 is read as the version \"3.10\", not the number 3.1: RabbitMQ 3.10 reached end of support on 2024-10-15 (HIGH).",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker on an old RabbitMQ line.

Resources:
  EventsBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: events
      EngineType: RABBITMQ
      EngineVersion: 3.10
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:prod/events/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Fail,
			Note: "ActiveMQ 5.17.3 from a parameter default is below the CVE-2023-46604 fix 5.17.6 (CRITICAL).",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker pinned to an old patch level.

Parameters:
  EngineVersion:
    Type: String
    Default: 5.17.3

Resources:
  OrdersBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: !Ref EngineVersion
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      AutoMinorVersionUpgrade: false
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Unknown,
			Note: "A version parameter with no default and no value given cannot be judged.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker whose version is chosen at deploy time.

Parameters:
  EngineVersion:
    Type: String

Resources:
  OrdersBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: !Ref EngineVersion
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
	},
}

func checkEngineVersion(b *model.Broker, ctx *Context) []Result {
	ev := b.EngineVersion
	if !ev.Known() {
		return unknownResult("The engine version", ev.At)
	}
	engine := model.NormalizeEngine(b.Engine.V)
	v, ok := ParseVersion(ev.V)
	if !ok {
		return one(Unknown, "The engine version is not a major.minor version mqguard can judge.", ev.At, model.Unknown)
	}
	row, ok := LookupEngineVersion(engine, ev.V)
	if !ok {
		if oldest, found := oldestEngineVersion(engine); found && v.Major == oldest.version.Major && v.Compare(oldest.version) < 0 {
			// Older than every line of its major version Amazon MQ ever listed: certainly past end of
			// support. A version of another major (ActiveMQ "3.13") is a mistake, judged UNKNOWN.
			msg := engine + " " + v.String() + " is older than every version Amazon MQ supports (the oldest listed, " +
				oldest.row.Line + ", reached end of support on " + oldest.row.EndOfSupport + ")"
			if engine == model.EngineActiveMQ {
				return failWithSeverity(msg+", and is vulnerable to CVE-2023-46604 (remote code execution).", ev, Critical)
			}
			return failWithSeverity(msg+".", ev, High)
		}
		if offered(ctx, engine, v) {
			// A line newer than the table that Amazon MQ offers today is supported; its end
			// of support is not announced yet.
			return one(Pass, engine+" "+v.String()+" is offered by Amazon MQ today (mq:DescribeBrokerEngineTypes); "+
				"mqguard's table does not list its line yet.", ev.At, ev.State)
		}
		return one(Unknown, engine+" "+v.String()+" is not in mqguard's engine version table.", ev.At, model.Unknown)
	}

	asOf := scanDate(ctx)
	eos, hasEOS := row.EndOfSupportDate()
	past := hasEOS && !asOf.Before(eos)
	name := engine + " " + v.String()

	if engine == model.EngineActiveMQ {
		if fixed, vuln := VulnerableToCVE202346604(ev.V); vuln {
			msg := name + " is below " + fixed + ", the fix for CVE-2023-46604 (remote code execution)"
			if past {
				msg += ", and its line reached end of support on " + row.EndOfSupport
			}
			return failWithSeverity(msg+".", ev, Critical)
		}
	}
	switch {
	case past:
		return failWithSeverity(name+" reached end of support on "+row.EndOfSupport+".", ev, High)
	case hasEOS && !asOf.Before(eos.Add(-endOfSupportWarning)):
		return failWithSeverity(name+" reaches end of support on "+row.EndOfSupport+", within 90 days.", ev, Medium)
	case hasEOS:
		return one(Pass, name+" is supported until "+row.EndOfSupport+".", ev.At, ev.State)
	default:
		return one(Pass, name+" is supported.", ev.At, ev.State)
	}
}

// failWithSeverity is a single FAIL on value v with a severity other than the rule's.
func failWithSeverity(msg string, v model.String, sev Severity) []Result {
	res := one(Fail, msg, v.At, v.State)
	res[0].Severity = &sev
	return res
}

// scanDate is the calendar day of ctx.AsOf (today without one), as midnight UTC so that it
// compares with the table's dates.
func scanDate(ctx *Context) time.Time {
	t := time.Now()
	if ctx != nil && !ctx.AsOf.IsZero() {
		t = ctx.AsOf
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// versionRow is a table row with its parsed line.
type versionRow struct {
	row     EngineVersion
	version Version
}

// oldestEngineVersion returns the oldest line of engine in the version table.
func oldestEngineVersion(engine string) (versionRow, bool) {
	var best versionRow
	found := false
	for _, row := range EngineVersions() {
		if row.Engine != engine {
			continue
		}
		v, ok := ParseVersion(row.Line)
		if ok && (!found || v.Compare(best.version) < 0) {
			best, found = versionRow{row: row, version: v}, true
		}
	}
	return best, found
}

// offered reports whether a live scan read that Amazon MQ offers version v's line of engine.
func offered(ctx *Context, engine string, v Version) bool {
	if ctx == nil || ctx.Inventory == nil {
		return false
	}
	for _, o := range ctx.Inventory.OfferedVersions[engine] {
		if ov, ok := ParseVersion(o); ok && ov.Line() == v.Line() {
			return true
		}
	}
	return false
}
