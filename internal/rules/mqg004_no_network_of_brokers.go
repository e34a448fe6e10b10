package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg004 = &Rule{
	ID:       "MQG004",
	Slug:     "no-network-of-brokers",
	Title:    "Production ActiveMQ broker is not in a network of brokers",
	Severity: Low,
	Engines:  []string{model.EngineActiveMQ},
	Rationale: "A production ActiveMQ broker that is not part of a network of brokers has a ceiling on " +
		"throughput and connections and no path to move messages to another broker. A network of " +
		"brokers forwards messages between brokers, so load can be spread and a broker can be drained " +
		"or replaced without stopping producers. A broker passes when its configuration declares a " +
		"networkConnector or when its name ends in -Broker-<n> (matched case-insensitively), the naming " +
		"of mesh members whose connectors live on their peers. A broker that names no configuration runs " +
		"the Amazon MQ default configuration, which declares no networkConnector, and fails.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "Add a networkConnector to the broker's aws_mq_configuration data, e.g. " +
			"<networkConnectors><networkConnector name=\"to-peer\" userName=\"bridge\" duplex=\"true\" " +
			"uri=\"static:(ssl://<peer endpoint>:61617)\"/></networkConnectors>, reference the configuration's " +
			"latest_revision from the broker, and create the bridge user on the peer. The change applies at " +
			"the next reboot or maintenance window.",
		model.SourceTFPlan: "Fix the Terraform code: add a networkConnector to the broker's aws_mq_configuration " +
			"and reference its latest revision from the broker.",
		model.SourceCloudFormation: "Add a networkConnector (uri=\"static:(ssl://<peer endpoint>:61617)\") to the " +
			"Data of the broker's AWS::AmazonMQ::Configuration and reference the new revision in the broker's " +
			"Configuration property; the change applies at the next reboot.",
		model.SourceAWS: "Create a configuration revision with a networkConnector to a peer broker " +
			"(`aws mq update-configuration`), attach it with `aws mq update-broker --configuration Id=...,Revision=...` " +
			"and reboot the broker in a maintenance window.",
	},
	Aliases:            []Alias{{Tool: "conformity", ID: "MQ-007"}},
	Check:              checkNetworkOfBrokers,
	CheckConfiguration: checkNetworkOfBrokersConfiguration,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "A production broker whose configuration bridges to a peer broker over TLS.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_configuration" "orders" {
  name           = "orders-prod"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"

  data = <<-XML
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <broker xmlns="http://activemq.apache.org/schema/core">
      <networkConnectors>
        <networkConnector name="orders-to-billing" userName="bridge" duplex="true"
          uri="static:(ssl://b-2a0c7b52-1f4e-4c1e-9d6a-0e4e3f1c2b3a-1.mq.eu-west-1.amazonaws.com:61617)"/>
      </networkConnectors>
    </broker>
  XML
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  deployment_mode    = "ACTIVE_STANDBY_MULTI_AZ"

  configuration {
    id       = aws_mq_configuration.orders.id
    revision = aws_mq_configuration.orders.latest_revision
  }

  user {
    username = "orders-app"
    password = var.mq_password
  }

  user {
    username = "bridge"
    password = var.mq_password
  }

  tags = {
    environment = "production"
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "A production broker on the default configuration, which has no network connector.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  deployment_mode    = "ACTIVE_STANDBY_MULTI_AZ"

  user {
    username = "orders-app"
    password = var.mq_password
  }

  tags = {
    Environment = "prod"
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note: "Brokers that are not tagged as production are not judged.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders-dev"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"

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
			Kind: model.SourceTFPlan, Address: "aws_mq_broker.example", Want: Fail,
			Note: "In a plan, a production broker with no configuration block (the provider computes one at apply) runs the default configuration, which has no network connector.",
			Files: map[string]string{"plan.json": `{
  "format_version": "1.2",
  "terraform_version": "1.9.8",
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
            "deployment_mode": "ACTIVE_STANDBY_MULTI_AZ",
            "engine_type": "ActiveMQ",
            "engine_version": "5.18",
            "host_instance_type": "mq.m5.large",
            "publicly_accessible": false,
            "tags": {"Environment": "prod"},
            "user": [
              {"console_access": false, "groups": [], "replication_user": false, "username": "orders-app"}
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
          "deployment_mode": "ACTIVE_STANDBY_MULTI_AZ",
          "engine_type": "ActiveMQ",
          "engine_version": "5.18",
          "host_instance_type": "mq.m5.large",
          "publicly_accessible": false,
          "tags": {"Environment": "prod"},
          "user": [
            {"console_access": false, "groups": [], "replication_user": false, "username": "orders-app"}
          ]
        },
        "after_unknown": {
          "arn": true,
          "configuration": true,
          "id": true,
          "instances": true,
          "tags_all": true,
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
            "deployment_mode": {"constant_value": "ACTIVE_STANDBY_MULTI_AZ"},
            "engine_type": {"constant_value": "ActiveMQ"},
            "engine_version": {"constant_value": "5.18"},
            "host_instance_type": {"constant_value": "mq.m5.large"},
            "tags": {"constant_value": {"Environment": "prod"}},
            "user": [
              {
                "username": {"constant_value": "orders-app"},
                "password": {"references": ["random_password.mq.result", "random_password.mq"]}
              }
            ]
          },
          "schema_version": 0
        }
      ]
    }
  },
  "applyable": true,
  "complete": true,
  "errored": false
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Pass,
			Note: "A production broker whose configuration (Fn::Base64 of the XML) bridges to a peer broker over TLS.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker bridged to the billing broker.

Parameters:
  PrivateSubnetIds:
    Type: List<AWS::EC2::Subnet::Id>

Resources:
  OrdersConfiguration:
    Type: AWS::AmazonMQ::Configuration
    Properties:
      Name: orders-prod
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      Data:
        Fn::Base64: |
          <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
          <broker xmlns="http://activemq.apache.org/schema/core">
            <networkConnectors>
              <networkConnector name="orders-to-billing" userName="bridge" duplex="true"
                uri="static:(ssl://b-2a0c7b52-1f4e-4c1e-9d6a-0e4e3f1c2b3a-1.mq.eu-west-1.amazonaws.com:61617)"/>
            </networkConnectors>
          </broker>

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
      Configuration:
        Id: !Ref OrdersConfiguration
        Revision: !GetAtt OrdersConfiguration.Revision
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
        - Username: bridge
          Password: "{{resolve:secretsmanager:prod/orders/mq-bridge:SecretString:password}}"
      Tags:
        - Key: environment
          Value: production
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Fail,
			Note: "A production broker with no Configuration property uses the default configuration, which has no network connector.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker on the default configuration.

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
      Tags:
        - Key: Environment
          Value: prod
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: NotApplicable,
			Note: "Brokers that are not tagged as production are not judged.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker for development.

Resources:
  OrdersBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders-dev
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:dev/orders/mq:SecretString:password}}"
      Tags:
        - Key: environment
          Value: dev
`},
		},
	},
}

func checkNetworkOfBrokers(b *model.Broker, ctx *Context) []Result {
	prod, prodAt := Production(b, contextSettings(ctx))
	if prod == No {
		return notApplicable("The broker is not tagged as a production broker.", prodAt)
	}

	if b.Name.Known() && isMeshMemberName(b.Name.V) {
		return one(Pass, "The broker's name marks it as a member of a network of brokers.", b.Name.At, b.Name.State)
	}

	var res []Result
	switch conf := b.Configuration; {
	case conf == nil:
		// No configuration block: Amazon MQ's default configuration has no network connector.
		res = one(Fail, "The production broker uses the default configuration, which declares no networkConnector.",
			b.ID.At, model.Default)
	case conf.Config == nil:
		res = unknownResult("The broker's configuration", conf.At)
	default:
		res = networkConnectorResult(conf.Config, "The production broker's configuration")
	}
	if res[0].Status == Fail && !b.Name.Known() {
		return unknownResult("The broker name", b.Name.At)
	}
	if prod == Maybe && res[0].Status != Pass {
		return unknownResult("Whether the broker is a production broker", prodAt)
	}
	return res
}

// checkNetworkOfBrokersConfiguration judges an ActiveMQ configuration no broker uses, when the
// configuration itself is tagged as production.
func checkNetworkOfBrokersConfiguration(c *model.Configuration, ctx *Context) []Result {
	if !c.Engine.Known() {
		return unknownResult("The configuration's engine", c.Engine.At)
	}
	if model.NormalizeEngine(c.Engine.V) != model.EngineActiveMQ {
		return notApplicable("The configuration is not an ActiveMQ configuration.", c.Engine.At)
	}
	prod, prodAt := Production(&model.Broker{Tags: c.Tags}, contextSettings(ctx))
	if prod == No {
		return notApplicable("The configuration is not tagged as production.", prodAt)
	}
	res := networkConnectorResult(c, "The production configuration")
	if prod == Maybe && res[0].Status != Pass {
		return unknownResult("Whether the configuration is for production", prodAt)
	}
	return res
}

// networkConnectorResult passes when a readable configuration declares a network connector.
func networkConnectorResult(c *model.Configuration, what string) []Result {
	if c.Data == model.Unknown || c.ActiveMQ == nil {
		return unknownResult("The configuration data", c.DataAt)
	}
	if nc := c.ActiveMQ.NetworkConnectors; len(nc) > 0 {
		return one(Pass, what+" declares a networkConnector.", nc[0].At, c.Data)
	}
	return one(Fail, what+" declares no networkConnector.", c.DataAt, c.Data)
}

// isMeshMemberName reports whether a broker name ends in -Broker-<n> (case-insensitive): the
// naming Amazon MQ's network-of-brokers blueprints give mesh members.
func isMeshMemberName(name string) bool {
	i := strings.LastIndex(strings.ToLower(name), "-broker-")
	if i < 0 {
		return false
	}
	n := name[i+len("-broker-"):]
	return n != "" && strings.Trim(n, "0123456789") == ""
}
