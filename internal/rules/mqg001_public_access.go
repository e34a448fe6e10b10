package rules

import "github.com/mqguard/mqguard/internal/model"

var mqg001 = &Rule{
	ID:       "MQG001",
	Slug:     "public-access",
	Title:    "Broker is publicly accessible",
	Severity: High,
	Rationale: "A publicly accessible broker gets endpoints that resolve and answer from the whole " +
		"internet, so its users' passwords are the only barrier against credential stuffing and " +
		"exploits of the broker protocols. A public RabbitMQ broker takes no security groups at all. " +
		"Brokers should live in private subnets and be reached through the VPC, a VPN or a private link.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "Public access cannot be changed in place (publicly_accessible forces a new broker). " +
			"Create a new broker with publicly_accessible = false in private subnets, move clients and " +
			"messages to it, then remove the old one: `mqguard plan-migration` writes the replacement " +
			"broker and the cutover runbook. Do not try to fix this with security group changes.",
		model.SourceTFPlan: "Fix the Terraform code: public access cannot be changed in place. Create a new broker " +
			"with publicly_accessible = false in private subnets and migrate to it (`mqguard plan-migration`).",
		model.SourceCloudFormation: "Changing PubliclyAccessible replaces the broker (a new broker with new endpoints " +
			"and no messages). Add a new AWS::AmazonMQ::Broker with PubliclyAccessible: false in private " +
			"subnets, migrate clients and messages to it, then delete the old one: `mqguard plan-migration` " +
			"writes the template and the runbook.",
		model.SourceAWS: "Amazon MQ cannot make an existing broker private. Create a new broker with " +
			"`aws mq create-broker --no-publicly-accessible` in private subnets, copy its configuration and " +
			"users, drain or bridge messages, switch producers then consumers, and delete the old broker " +
			"(`mqguard plan-migration` writes the commands and runbook).",
	},
	ReplacementRequired: true,
	Aliases: []Alias{
		{Tool: "config", ID: "mq-no-public-access"},
		{Tool: "conformity", ID: "MQ-006"},
		{Tool: "prowler", ID: "mq_broker_not_publicly_accessible"},
		{Tool: "checkov", ID: "CKV_AWS_69"},
		{Tool: "trivy", ID: "AVD-AWS-0072"},
		{Tool: "trivy", ID: "aws-mq-no-public-access"},
		{Tool: "tfsec", ID: "aws-mq-no-public-access"},
		{Tool: "kics", ID: "4eb5f791-c861-4afd-9f94-f2a6a3fe49cb"},
		{Tool: "cloudsploit", ID: "mqBrokerPublicAccess"},
		{Tool: "terrascan", ID: "AC_AWS_0175"},
	},
	Controls: []string{"AWS Config mq-no-public-access"},
	Check:    checkPublicAccess,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "publicly_accessible is absent: the provider default is false.",
			Files: map[string]string{"main.tf": `variable "subnet_id" {
  type    = string
  default = "subnet-0a1b2c3d4e5f60718"
}

variable "mq_admin_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  subnet_ids         = [var.subnet_id]

  user {
    username = "orders-app"
    password = var.mq_admin_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "publicly_accessible = true gives the broker internet-facing endpoints.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name         = "events"
  engine_type         = "RabbitMQ"
  engine_version      = "3.13"
  host_instance_type  = "mq.m5.large"
  publicly_accessible = true

  user {
    username = "events-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "A local that evaluates to true is as public as a literal.",
			Files: map[string]string{"main.tf": `locals {
  environment = "sandbox"
  public      = local.environment == "sandbox"
}

variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name         = "sandbox-${local.environment}"
  engine_type         = "ActiveMQ"
  engine_version      = "5.18"
  host_instance_type  = "mq.m5.large"
  publicly_accessible = local.public

  user {
    username = "sandbox-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Unknown,
			Note: "A variable with no value cannot be decided: the result is UNKNOWN, never PASS.",
			Files: map[string]string{"main.tf": `variable "public" {
  type = bool
}

variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name         = "billing"
  engine_type         = "ActiveMQ"
  engine_version      = "5.18"
  host_instance_type  = "mq.m5.large"
  publicly_accessible = var.public

  user {
    username = "billing-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceAWS, Want: Pass,
			Address: snapBroker{ID: "b-3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7", Name: "orders"}.arn(),
			Note:    "A live broker with PubliclyAccessible false.",
			Files: snapshotExample(snapBroker{ID: "b-3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7", Name: "orders",
				Engine: model.EngineActiveMQ, State: "RUNNING", ConfigRevision: 1, LatestRevision: 1}),
		},
		{
			Kind: model.SourceAWS, Want: Fail,
			Address: snapBroker{ID: "b-8f9e0d1c-2b3a-4f5e-9d6c-7b8a9f0e1d2c", Name: "partners"}.arn(),
			Note:    "A live broker with PubliclyAccessible true.",
			Files: snapshotExample(snapBroker{ID: "b-8f9e0d1c-2b3a-4f5e-9d6c-7b8a9f0e1d2c", Name: "partners",
				Engine: model.EngineRabbitMQ, State: "RUNNING", Public: true}),
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Pass,
			Note: "PubliclyAccessible: false in a private subnet.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker in a private subnet.

Parameters:
  PrivateSubnetId:
    Type: AWS::EC2::Subnet::Id

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
      SubnetIds:
        - !Ref PrivateSubnetId
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "EventsBroker", Want: Fail,
			Note: "PubliclyAccessible: true gives the broker internet-facing endpoints.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker reachable from the internet.

Resources:
  EventsBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: events
      EngineType: RABBITMQ
      EngineVersion: "3.13"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: true
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:prod/events/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "SandboxBroker", Want: Fail,
			Note: "A condition that is true for the parameter's default makes the broker public.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Sandbox broker, public outside production.

Parameters:
  Environment:
    Type: String
    AllowedValues: [sandbox, production]
    Default: sandbox

Conditions:
  IsSandbox: !Equals [!Ref Environment, sandbox]

Resources:
  SandboxBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: !Sub "orders-${Environment}"
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: !If [IsSandbox, true, false]
      Users:
        - Username: sandbox-app
          Password: "{{resolve:secretsmanager:sandbox/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "BillingBroker", Want: Unknown,
			Note: "A parameter with no default and no value given cannot be decided: UNKNOWN, never PASS.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Billing broker whose exposure is chosen at deploy time.

Parameters:
  Public:
    Type: String
    AllowedValues: ["true", "false"]

Resources:
  BillingBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: billing
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: !Ref Public
      Users:
        - Username: billing-app
          Password: "{{resolve:secretsmanager:prod/billing/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceTFPlan, Address: "aws_mq_broker.example", Want: Fail,
			Note: "A plan carries the value given to a variable at plan time: the broker that is UNKNOWN in the code is public in this plan.",
			Files: map[string]string{"plan.json": `{
  "format_version": "1.2",
  "terraform_version": "1.9.8",
  "variables": {"public": {"value": true}},
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
            "apply_immediately": false,
            "authentication_strategy": "simple",
            "auto_minor_version_upgrade": false,
            "broker_name": "sandbox",
            "configuration": [],
            "data_replication_mode": null,
            "data_replication_primary_broker_arn": null,
            "deployment_mode": "SINGLE_INSTANCE",
            "encryption_options": [],
            "engine_type": "ActiveMQ",
            "engine_version": "5.18",
            "host_instance_type": "mq.m5.large",
            "ldap_server_metadata": [],
            "logs": [],
            "maintenance_window_start_time": [],
            "publicly_accessible": true,
            "security_groups": null,
            "subnet_ids": null,
            "tags": null,
            "timeouts": null,
            "user": [
              {
                "console_access": false,
                "groups": null,
                "replication_user": false,
                "username": "sandbox-app"
              }
            ]
          },
          "sensitive_values": {
            "configuration": [],
            "encryption_options": [],
            "ldap_server_metadata": [],
            "logs": [],
            "maintenance_window_start_time": [],
            "user": [{"password": true}]
          }
        },
        {
          "address": "random_password.mq",
          "mode": "managed",
          "type": "random_password",
          "name": "mq",
          "provider_name": "registry.terraform.io/hashicorp/random",
          "schema_version": 3,
          "values": {
            "keepers": null,
            "length": 32,
            "lower": true,
            "min_lower": 0,
            "min_numeric": 0,
            "min_special": 0,
            "min_upper": 0,
            "number": true,
            "numeric": true,
            "override_special": null,
            "special": false,
            "upper": true
          },
          "sensitive_values": {}
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
          "apply_immediately": false,
          "authentication_strategy": "simple",
          "auto_minor_version_upgrade": false,
          "broker_name": "sandbox",
          "configuration": [],
          "data_replication_mode": null,
          "data_replication_primary_broker_arn": null,
          "deployment_mode": "SINGLE_INSTANCE",
          "encryption_options": [],
          "engine_type": "ActiveMQ",
          "engine_version": "5.18",
          "host_instance_type": "mq.m5.large",
          "ldap_server_metadata": [],
          "logs": [],
          "maintenance_window_start_time": [],
          "publicly_accessible": true,
          "security_groups": null,
          "subnet_ids": null,
          "tags": null,
          "timeouts": null,
          "user": [
            {
              "console_access": false,
              "groups": null,
              "replication_user": false,
              "username": "sandbox-app"
            }
          ]
        },
        "after_unknown": {
          "arn": true,
          "configuration": true,
          "id": true,
          "instances": true,
          "maintenance_window_start_time": true,
          "pending_data_replication_mode": true,
          "storage_type": true,
          "subnet_ids": true,
          "tags_all": true,
          "user": [{"password": true}]
        },
        "before_sensitive": false,
        "after_sensitive": {
          "configuration": [],
          "encryption_options": [],
          "ldap_server_metadata": [],
          "logs": [],
          "maintenance_window_start_time": [],
          "user": [{"password": true}]
        }
      }
    },
    {
      "address": "random_password.mq",
      "mode": "managed",
      "type": "random_password",
      "name": "mq",
      "provider_name": "registry.terraform.io/hashicorp/random",
      "change": {
        "actions": ["create"],
        "before": null,
        "after": {
          "keepers": null,
          "length": 32,
          "lower": true,
          "min_lower": 0,
          "min_numeric": 0,
          "min_special": 0,
          "min_upper": 0,
          "number": true,
          "numeric": true,
          "override_special": null,
          "special": false,
          "upper": true
        },
        "after_unknown": {"bcrypt_hash": true, "id": true, "result": true},
        "before_sensitive": false,
        "after_sensitive": {"bcrypt_hash": true, "result": true}
      }
    }
  ],
  "configuration": {
    "provider_config": {
      "aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"},
      "random": {"name": "random", "full_name": "registry.terraform.io/hashicorp/random"}
    },
    "root_module": {
      "resources": [
        {
          "address": "aws_mq_broker.example",
          "mode": "managed",
          "type": "aws_mq_broker",
          "name": "example",
          "provider_config_key": "aws",
          "expressions": {
            "broker_name": {"constant_value": "sandbox"},
            "engine_type": {"constant_value": "ActiveMQ"},
            "engine_version": {"constant_value": "5.18"},
            "host_instance_type": {"constant_value": "mq.m5.large"},
            "user": [
              {
                "username": {"constant_value": "sandbox-app"},
                "password": {"references": ["random_password.mq.result", "random_password.mq"]}
              }
            ],
            "publicly_accessible": {"references": ["var.public"]}
          },
          "schema_version": 0
        },
        {
          "address": "random_password.mq",
          "mode": "managed",
          "type": "random_password",
          "name": "mq",
          "provider_config_key": "random",
          "expressions": {"length": {"constant_value": 32}, "special": {"constant_value": false}},
          "schema_version": 3
        }
      ],
      "variables": {"public": {"description": "Whether the broker gets public endpoints."}}
    }
  },
  "timestamp": "2026-11-20T09:30:00Z",
  "applyable": true,
  "complete": true,
  "errored": false
}
`},
		},
	},
}

func checkPublicAccess(b *model.Broker, _ *Context) []Result {
	p := b.PubliclyAccessible
	switch {
	case !p.Known():
		return unknownResult("Whether the broker is publicly accessible", p.At)
	case p.V:
		return one(Fail, "The broker is publicly accessible; a new private broker is needed.", p.At, p.State)
	default:
		return one(Pass, "The broker is not publicly accessible.", p.At, p.State)
	}
}
