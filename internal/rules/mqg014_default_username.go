package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg014 = &Rule{
	ID:       "MQG014",
	Slug:     "default-username",
	Title:    "A broker user has a default or guessable name",
	Severity: Medium,
	Rationale: "Credential stuffing and brute-force tools try admin, guest, root and the engine's name " +
		"first: a guessable username leaves only the password between an attacker and the broker. A " +
		"name that says which application or team uses the account also makes audit logs readable " +
		"and lets one application's access be revoked without touching the others. A name generated at " +
		"apply (random_pet, random_string, random_id) is neither default nor guessable and passes.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "Rename the user in its user block to a name that identifies the application " +
			"(e.g. \"orders-producer\"). Users change in place; clients must switch to the new name, so add " +
			"the new user first, move the clients, then remove the old one.",
		model.SourceTFPlan: "Fix the Terraform code: give the user block a non-default name that identifies its " +
			"application, add it before removing the old user, and move the clients.",
		model.SourceCloudFormation: "Change the Username of the Users entry to a name that identifies the " +
			"application: add the new user first, move the clients, then remove the old one.",
		model.SourceAWS: "Create a user with a specific name (`aws mq create-user --broker-id <id> --username " +
			"<app-name> --password <secret>`), move the clients to it, then `aws mq delete-user` the old one " +
			"(ActiveMQ applies user changes at the next reboot or maintenance window).",
	},
	Check: checkDefaultUsername,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "Usernames that name their application.",
			Files: map[string]string{"main.tf": `variable "orders_producer_password" {
  type      = string
  sensitive = true
}

variable "orders_consumer_password" {
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
    username = "orders-producer"
    password = var.orders_producer_password
  }

  user {
    username = "orders-consumer"
    password = var.orders_consumer_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "A username generated at apply (random_pet) is no default name, though its value is not known before apply.",
			Files: map[string]string{"main.tf": `resource "random_pet" "mq_user" {
  length = 2
}

resource "random_password" "mq" {
  length  = 32
  special = false
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = random_pet.mq_user.id
    password = random_password.mq.result
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "\"Admin\" is on the default list (names are compared case-insensitively).",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

locals {
  mq_admin = "Admin"
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = local.mq_admin
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Unknown,
			Note: "A username from a variable with no value cannot be judged.",
			Files: map[string]string{"main.tf": `variable "mq_username" {
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
    username = var.mq_username
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Pass,
			Note: "Usernames that name their application.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker.
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Users:
        - Username: orders-producer
          Password: "{{resolve:secretsmanager:mq/orders/producer:SecretString:password}}"
        - Username: orders-consumer
          Password: "{{resolve:secretsmanager:mq/orders/consumer:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "\"Admin\", here a parameter Default, is on the default list (names are compared case-insensitively).",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker.
Parameters:
  BrokerUsername:
    Type: String
    Default: Admin
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: events
      EngineType: RABBITMQ
      EngineVersion: "3.13"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Users:
        - Username: !Ref BrokerUsername
          Password: "{{resolve:secretsmanager:mq/events/admin:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Unknown,
			Note: "A username from a parameter with no Default cannot be judged.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker.
Parameters:
  BrokerUsername:
    Type: String
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Users:
        - Username: !Ref BrokerUsername
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceTFPlan, Address: "aws_mq_broker.example", Want: Fail,
			Note: "In a plan the username variable has its value: \"admin\" is on the default list.",
			Files: map[string]string{"plan.json": `{
  "format_version": "1.2",
  "terraform_version": "1.9.8",
  "variables": {
    "mq_username": {"value": "admin"}
  },
  "planned_values": {
    "root_module": {
      "resources": [
        {
          "address": "aws_mq_broker.example",
          "mode": "managed",
          "type": "aws_mq_broker",
          "name": "example",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "schema_version": 0,
          "values": {
            "broker_name": "orders",
            "deployment_mode": "SINGLE_INSTANCE",
            "engine_type": "ActiveMQ",
            "engine_version": "5.18",
            "host_instance_type": "mq.m5.large",
            "publicly_accessible": false,
            "subnet_ids": ["subnet-0a1b2c3d4e5f60718"],
            "user": [
              {
                "console_access": false,
                "groups": [],
                "replication_user": false,
                "username": "admin"
              }
            ]
          },
          "sensitive_values": {
            "user": [{"password": true}]
          }
        }
      ]
    }
  },
  "resource_changes": [
    {
      "address": "aws_mq_broker.example",
      "mode": "managed",
      "type": "aws_mq_broker",
      "name": "example",
      "provider_name": "registry.terraform.io/hashicorp/aws",
      "change": {
        "actions": ["create"],
        "before": null,
        "after": {
          "broker_name": "orders",
          "deployment_mode": "SINGLE_INSTANCE",
          "engine_type": "ActiveMQ",
          "engine_version": "5.18",
          "host_instance_type": "mq.m5.large",
          "publicly_accessible": false,
          "subnet_ids": ["subnet-0a1b2c3d4e5f60718"],
          "user": [
            {
              "console_access": false,
              "groups": [],
              "replication_user": false,
              "username": "admin"
            }
          ]
        },
        "after_unknown": {
          "arn": true,
          "id": true,
          "instances": true,
          "user": [{"password": true}]
        },
        "before_sensitive": false,
        "after_sensitive": {
          "user": [{"password": true}]
        }
      }
    }
  ],
  "configuration": {
    "root_module": {
      "resources": [
        {
          "address": "aws_mq_broker.example",
          "mode": "managed",
          "type": "aws_mq_broker",
          "name": "example",
          "provider_config_key": "aws",
          "expressions": {
            "broker_name": {"constant_value": "orders"},
            "engine_type": {"constant_value": "ActiveMQ"},
            "engine_version": {"constant_value": "5.18"},
            "host_instance_type": {"constant_value": "mq.m5.large"},
            "subnet_ids": {"constant_value": ["subnet-0a1b2c3d4e5f60718"]},
            "user": [
              {
                "username": {"references": ["var.mq_username"]},
                "password": {"references": ["random_password.mq.result", "random_password.mq"]}
              }
            ]
          },
          "schema_version": 0
        }
      ],
      "variables": {
        "mq_username": {}
      }
    }
  },
  "applyable": true,
  "complete": true,
  "errored": false
}
`},
		},
	},
}

func checkDefaultUsername(b *model.Broker, ctx *Context) []Result {
	var fails, unknown []Result
	for _, u := range b.Users {
		name := u.Username
		switch {
		case !name.Known() && u.UsernameGenerated:
			// A name generated at apply (random_pet, random_string, random_id) is no default
			// name and cannot be guessed, whatever it turns out to be.
		case !name.Known():
			if unknown == nil {
				unknown = unknownResult("A broker username", name.At)
			}
		case containsFold(contextSettings(ctx).DefaultUsernames, strings.TrimSpace(name.V)):
			fails = append(fails, Result{Status: Fail, At: name.At, ValueFrom: name.State, Subject: name.V,
				Message: "The broker user '" + name.V + "' has a default or guessable name."})
		}
	}
	switch {
	case len(fails) > 0:
		return fails
	case unknown != nil:
		return unknown
	case b.UsersState == model.Unknown:
		return unknownResult("The broker's users", b.ID.At)
	}
	return one(Pass, "No broker user has a default or guessable name.", b.ID.At, model.Explicit)
}
