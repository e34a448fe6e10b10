package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg021 = &Rule{
	ID:       "MQG021",
	Slug:     "test-instance-in-production",
	Title:    "Production broker on a test-only instance type",
	Severity: Low,
	Rationale: "mq.t2.micro, mq.t3.micro and mq.m7g.medium are sized for evaluation and development: burstable " +
		"CPU credits run out under sustained load, memory and connection limits are low, and the micro " +
		"types only run as single instances. A production broker on one of them throttles, alarms on " +
		"memory or refuses connections when traffic grows.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "Set host_instance_type to a production size such as \"mq.m5.large\" or " +
			"\"mq.m7g.large\" (check the sizes your engine version supports). The change applies in place " +
			"with a reboot: schedule it with apply_immediately = false for the maintenance window.",
		model.SourceTFPlan: "Fix the Terraform code: set host_instance_type to a production size such as " +
			"mq.m5.large or mq.m7g.large.",
		model.SourceCloudFormation: "Set HostInstanceType to a production size such as mq.m5.large or " +
			"mq.m7g.large; the broker is updated and rebooted.",
		model.SourceAWS: "Change the instance type with `aws mq update-broker --broker-id <id> " +
			"--host-instance-type mq.m5.large`; it takes effect at the next reboot or maintenance window.",
	},
	Aliases: []Alias{
		{Tool: "conformity", ID: "MQ-002"},
		{Tool: "cloudsploit", ID: "mqDesiredInstanceType"},
	},
	Check: checkTestInstanceInProduction,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note: "A micro instance is fine outside production.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders-dev"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.t3.micro"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "orders-app"
    password = var.mq_password
  }

  tags = {
    environment = "dev"
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "A production broker on a production size, tagged through provider default_tags.",
			Files: map[string]string{"main.tf": `provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      environment = "production"
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
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "A production broker on mq.t3.micro, chosen through a variable default.",
			Files: map[string]string{"main.tf": `variable "instance_type" {
  type    = string
  default = "mq.t3.micro"
}

variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = var.instance_type
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "events-app"
    password = var.mq_password
  }

  tags = {
    Environment = "Prod"
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Unknown,
			Note: "The environment tag comes from a variable with no value: production or not is undecided.",
			Files: map[string]string{"main.tf": `variable "environment" {
  type = string
}

variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.t3.micro"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "events-app"
    password = var.mq_password
  }

  tags = {
    environment = var.environment
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note: "The tags have no environment key: not a production broker, although the owner tag's value is a variable with no value.",
			Files: map[string]string{"main.tf": `variable "owner" {
  type = string
}

variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.t3.micro"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "events-app"
    password = var.mq_password
  }

  tags = {
    owner       = var.owner
    application = "events"
  }
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: NotApplicable,
			Note: "A micro instance is fine outside production.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker for development.
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders-dev
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.t3.micro
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders-dev/app:SecretString:password}}"
      Tags:
        - Key: environment
          Value: dev
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Pass,
			Note: "A production broker on a production size.",
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
      DeploymentMode: ACTIVE_STANDBY_MULTI_AZ
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
        - subnet-0a1b2c3d4e5f60719
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
      Tags:
        - Key: environment
          Value: production
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "A production broker (stage prod, the parameter Default) on mq.m7g.medium, a test-only size, from a Mappings lookup.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker.
Parameters:
  Stage:
    Type: String
    Default: prod
    AllowedValues:
      - dev
      - prod
Mappings:
  StageSettings:
    dev:
      InstanceType: mq.t3.micro
    prod:
      InstanceType: mq.m7g.medium
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: events
      EngineType: RABBITMQ
      EngineVersion: "3.13"
      HostInstanceType: !FindInMap [StageSettings, !Ref Stage, InstanceType]
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:mq/events/app:SecretString:password}}"
      Tags:
        - Key: stage
          Value: !Ref Stage
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Unknown,
			Note: "The environment tag comes from a parameter with no Default: production or not is undecided.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker.
Parameters:
  Environment:
    Type: String
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: events
      EngineType: RABBITMQ
      EngineVersion: "3.13"
      HostInstanceType: mq.t3.micro
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:mq/events/app:SecretString:password}}"
      Tags:
        - Key: environment
          Value: !Ref Environment
`},
		},
	},
}

func checkTestInstanceInProduction(b *model.Broker, ctx *Context) []Result {
	prod, at := Production(b, contextSettings(ctx))
	switch prod {
	case Maybe:
		return unknownResult("Whether the broker is a production broker", at)
	case No:
		return notApplicable("The broker is not a production broker.", at)
	}
	t := b.HostInstanceType
	switch {
	case !t.Known():
		return unknownResult("The instance type of the production broker", t.At)
	case containsFold(testInstanceTypes, strings.TrimSpace(t.V)):
		return one(Fail, "The production broker runs on "+strings.TrimSpace(t.V)+", a test-only instance type.", t.At, t.State)
	}
	return one(Pass, "The production broker runs on "+t.V+".", t.At, t.State)
}
