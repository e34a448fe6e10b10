package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// Deployment modes of Amazon MQ.
const (
	modeActiveStandby  = "ACTIVE_STANDBY_MULTI_AZ"
	modeClusterMultiAZ = "CLUSTER_MULTI_AZ"
)

var mqg002 = &Rule{
	ID:       "MQG002",
	Slug:     "activemq-single-instance",
	Title:    "ActiveMQ broker is not active/standby",
	Severity: Medium,
	Engines:  []string{model.EngineActiveMQ},
	Rationale: "A single-instance ActiveMQ broker runs in one Availability Zone: maintenance windows, " +
		"instance failures and zone outages stop every producer and consumer until it comes back. " +
		"An active/standby broker fails over to a standby in another zone that shares the same storage, " +
		"so messages survive and clients reconnect through the failover transport.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "deployment_mode cannot be changed in place. Create a new broker with " +
			"deployment_mode = \"ACTIVE_STANDBY_MULTI_AZ\" and two subnet_ids in different Availability Zones, " +
			"migrate clients and messages (`mqguard plan-migration`), then remove the old broker. Clients " +
			"should use the failover: transport with both endpoints.",
		model.SourceTFPlan: "Fix the Terraform code: create a new broker with deployment_mode = " +
			"\"ACTIVE_STANDBY_MULTI_AZ\" in two Availability Zones and migrate to it (`mqguard plan-migration`).",
		model.SourceCloudFormation: "Changing DeploymentMode replaces the broker. Add a new AWS::AmazonMQ::Broker with " +
			"DeploymentMode: ACTIVE_STANDBY_MULTI_AZ and two SubnetIds in different Availability Zones, " +
			"migrate to it (`mqguard plan-migration`), then delete the old broker.",
		model.SourceAWS: "Amazon MQ cannot change the deployment mode of an existing broker. Create a new broker with " +
			"`aws mq create-broker --deployment-mode ACTIVE_STANDBY_MULTI_AZ` and two subnets in different " +
			"Availability Zones, then migrate to it (`mqguard plan-migration`).",
	},
	ReplacementRequired: true,
	Aliases: []Alias{
		{Tool: "securityhub", ID: "MQ.5"},
		{Tool: "config", ID: "mq-active-deployment-mode"},
		{Tool: "controltower", ID: "CT.MQ.PR.1"},
		{Tool: "prowler", ID: "mq_broker_active_deployment_mode"},
		{Tool: "conformity", ID: "MQ-003"},
	},
	Controls: []string{"AWS Security Hub MQ.5", "AWS Control Tower CT.MQ.PR.1"},
	Check:    checkActiveMQSingleInstance,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "An active/standby broker across two Availability Zones.",
			Files: map[string]string{"main.tf": `variable "private_subnet_ids" {
  type    = list(string)
  default = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
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
  deployment_mode    = "ACTIVE_STANDBY_MULTI_AZ"
  subnet_ids         = var.private_subnet_ids

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "deployment_mode is absent: the default is SINGLE_INSTANCE.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
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
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note: "RabbitMQ brokers are covered by MQG003.",
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
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Pass,
			Note: "An active/standby broker across two Availability Zones.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker, active/standby.

Parameters:
  PrivateSubnetIds:
    Type: List<AWS::EC2::Subnet::Id>

Resources:
  OrdersBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: ACTIVE_STANDBY_MULTI_AZ
      PubliclyAccessible: false
      SubnetIds: !Ref PrivateSubnetIds
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Fail,
			Note: "The deployment mode comes from a mapping: the default environment maps to SINGLE_INSTANCE.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker sized by environment.

Parameters:
  Environment:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  PrivateSubnetIds:
    Type: List<AWS::EC2::Subnet::Id>

Mappings:
  EnvironmentMap:
    dev:
      DeploymentMode: SINGLE_INSTANCE
    prod:
      DeploymentMode: ACTIVE_STANDBY_MULTI_AZ

Resources:
  OrdersBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: !Sub "orders-${Environment}"
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: !FindInMap [EnvironmentMap, !Ref Environment, DeploymentMode]
      PubliclyAccessible: false
      SubnetIds: !Ref PrivateSubnetIds
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:dev/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "EventsBroker", Want: NotApplicable,
			Note: "RabbitMQ brokers are covered by MQG003.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker.

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
`},
		},
	},
}

func checkActiveMQSingleInstance(b *model.Broker, _ *Context) []Result {
	m := b.DeploymentMode
	switch {
	case !m.Known():
		return unknownResult("The deployment mode", m.At)
	case strings.EqualFold(strings.TrimSpace(m.V), modeActiveStandby):
		return one(Pass, "The broker is active/standby across two Availability Zones.", m.At, m.State)
	default:
		return one(Fail, "The ActiveMQ broker runs as "+displayMode(m.V)+", not ACTIVE_STANDBY_MULTI_AZ.", m.At, m.State)
	}
}
