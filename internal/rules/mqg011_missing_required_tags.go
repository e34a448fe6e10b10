package rules

import (
	"sort"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg011 = &Rule{
	ID:       "MQG011",
	Slug:     "missing-required-tags",
	Title:    "Governance tags are missing",
	Severity: Low,
	Rationale: "Owner, application and data-sensitivity tags tell responders who to call about a broker, " +
		"what it serves and how carefully its messages must be handled; cost allocation and the " +
		"production-only rules depend on tags too. An untagged broker is the one nobody answers for. " +
		"Keys match case-insensitively, an empty value counts as missing, and provider default_tags count. " +
		"A tag value that cannot be decided leaves only its own key undecided: a required key missing " +
		"from a map whose keys are known fails, and only a map whose keys themselves are unknown may hide it.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "Add the missing keys to the broker's tags, or once for every resource in the " +
			"provider's default_tags block, e.g. tags = { owner = \"team-payments\", application = \"orders\", " +
			"\"data-sensitivity\" = \"internal\" }. Tags change in place.",
		model.SourceTFPlan: "Fix the Terraform code: add the missing keys to the broker's tags or to the " +
			"provider's default_tags.",
		model.SourceCloudFormation: "Add the missing keys to the broker's Tags list ({Key: owner, Value: " +
			"team-payments}, ...) or pass them as stack tags; tags update without replacement.",
		model.SourceAWS: "Run `aws mq create-tags --resource-arn <broker arn> --tags owner=<team>,application=<app>," +
			"data-sensitivity=<level>`, and enforce the keys with an AWS Organizations tag policy.",
	},
	Aliases:  []Alias{{Tool: "securityhub", ID: "MQ.4"}},
	Controls: []string{"AWS Security Hub MQ.4"},
	Check:    checkRequiredTags,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "Provider default_tags and the broker's own tags together carry every required key.",
			Files: map[string]string{"main.tf": `provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      owner       = "team-payments"
      application = "orders"
    }
  }
}

variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"

  user {
    username = "orders-app"
    password = var.mq_password
  }

  tags = {
    "data-sensitivity" = "internal"
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "module.mq.aws_mq_broker.this", Want: Pass,
			Note: "Tags passed into a local module and merged there.",
			Files: map[string]string{
				"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

module "mq" {
  source   = "./modules/broker"
  name     = "billing"
  password = var.mq_password
  tags = {
    Owner              = "team-billing"
    Application        = "billing"
    "Data-Sensitivity" = "confidential"
  }
}
`,
				"modules/broker/main.tf": `variable "name" {
  type = string
}

variable "password" {
  type      = string
  sensitive = true
}

variable "tags" {
  type    = map(string)
  default = {}
}

locals {
  tags = merge({ "managed-by" = "terraform" }, var.tags)
}

resource "aws_mq_broker" "this" {
  broker_name        = var.name
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"

  user {
    username = "${var.name}-app"
    password = var.password
  }

  tags = local.tags
}
`,
			},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "application is missing and data-sensitivity is empty.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.m5.large"

  user {
    username = "events-app"
    password = var.mq_password
  }

  tags = {
    owner              = "team-events"
    "data-sensitivity" = ""
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "The owner tag's value is a variable with no value, but the keys are known: data-sensitivity is missing.",
			Files: map[string]string{"main.tf": `variable "owner" {
  type = string
}

variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "orders-app"
    password = var.mq_password
  }

  tags = {
    owner       = var.owner
    application = "orders"
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Unknown,
			Note: "Tags from a variable with no value cannot be checked.",
			Files: map[string]string{"main.tf": `variable "tags" {
  type = map(string)
}

variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.m5.large"

  user {
    username = "events-app"
    password = var.mq_password
  }

  tags = var.tags
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Pass,
			Note: "The broker's Tags carry every required key (keys match case-insensitively).",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker with governance tags.

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
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
      Tags:
        - Key: Owner
          Value: team-payments
        - Key: Application
          Value: orders
        - Key: data-sensitivity
          Value: internal
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "EventsBroker", Want: Fail,
			Note: "application is missing and data-sensitivity is empty.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker with incomplete tags.

Resources:
  EventsBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: events
      EngineType: RABBITMQ
      EngineVersion: "3.13"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:prod/events/mq:SecretString:password}}"
      Tags:
        - Key: owner
          Value: team-events
        - Key: data-sensitivity
          Value: ""
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "EventsBroker", Want: Unknown,
			Note: "A tag value imported from another stack cannot be checked.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker tagged from the platform stack.

Resources:
  EventsBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: events
      EngineType: RABBITMQ
      EngineVersion: "3.13"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:prod/events/mq:SecretString:password}}"
      Tags:
        - Key: owner
          Value: !ImportValue platform-events-owner
        - Key: application
          Value: events
        - Key: data-sensitivity
          Value: internal
`},
		},
	},
}

func checkRequiredTags(b *model.Broker, ctx *Context) []Result {
	return requiredTags(readTags(b.Tags), contextSettings(ctx))
}

// requiredTags judges a tag map. Known keys decide: a required key missing from a map whose keys
// are all known fails even when other values are unknown; it is undecided only when the keys
// themselves could hide it, or when the key is there with a value that could not be decided.
func requiredTags(tags tagSet, s Settings) []Result {
	var fails []Result
	var unknownKeys []string
	var unknownAt model.Range
	valuesOnly := true // every undecided key is there, only its value is unknown
	undecided := func(key string, at model.Range, st tagState) {
		if unknownKeys == nil {
			unknownAt = at
		}
		unknownKeys = append(unknownKeys, key)
		valuesOnly = valuesOnly && st == tagValueUnknown
	}
	seen := map[string]bool{}
	for _, key := range s.RequiredTags {
		lower := strings.ToLower(strings.TrimSpace(key))
		if lower == "" || seen[lower] {
			continue
		}
		seen[lower] = true

		value, at, st := tags.get(lower)
		switch {
		case st == tagUndecided || st == tagValueUnknown:
			undecided(lower, at, st)
		case st == tagAbsent:
			fails = append(fails, Result{Status: Fail, Message: "The required tag " + lower + " is missing.",
				At: at, ValueFrom: tags.keysFrom(), Subject: "tag:" + lower})
		case value == "" && !tags.keysKnown:
			// Another spelling of the key may be in the part of the map that could not be decided.
			undecided(lower, at, tagUndecided)
		case value == "":
			fails = append(fails, Result{Status: Fail, Message: "The required tag " + lower + " is empty.",
				At: at, ValueFrom: model.Explicit, Subject: "tag:" + lower})
		default:
			allowed := allowedValues(s, lower)
			if len(allowed) > 0 && !containsFold(allowed, value) {
				fails = append(fails, Result{Status: Fail,
					Message: "The tag " + lower + " has a value outside the allowed values (" + strings.Join(allowed, ", ") + ").",
					At:      at, ValueFrom: model.Explicit, Subject: "tag:" + lower})
			}
		}
	}
	switch {
	case len(fails) > 0:
		return fails
	case len(unknownKeys) == 1 && valuesOnly:
		return one(Unknown, "The value of the required tag "+unknownKeys[0]+" could not be determined.",
			unknownAt, model.Unknown)
	case len(unknownKeys) > 1 && valuesOnly:
		return one(Unknown, "The values of the required tags "+strings.Join(unknownKeys, ", ")+
			" could not be determined.", unknownAt, model.Unknown)
	case len(unknownKeys) > 0:
		return one(Unknown, "The tags could not be fully determined, so the required tags "+
			strings.Join(unknownKeys, ", ")+" could not be checked.", tags.t.At, model.Unknown)
	case len(seen) == 0:
		return notApplicable("No required tags are configured.", tags.t.At)
	case tags.t.Known():
		return one(Pass, "Every required tag is set.", tags.t.At, tags.t.State)
	default:
		// Every required key is among the known part of a partly unknown map.
		return one(Pass, "Every required tag is set.", tags.t.At, model.Explicit)
	}
}

// allowedValues returns the allowed values configured for a required tag key (lower case), in a
// stable order.
func allowedValues(s Settings, key string) []string {
	vs, ok := s.AllowedTagValues[key]
	if !ok {
		keys := make([]string, 0, len(s.AllowedTagValues))
		for k := range s.AllowedTagValues {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if strings.EqualFold(k, key) {
				vs = s.AllowedTagValues[k]
				break
			}
		}
	}
	out := append([]string(nil), vs...)
	sort.Strings(out)
	return out
}
