package rules

import (
	"github.com/mqguard/mqguard/internal/brokeruri"
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg017 = &Rule{
	ID:       "MQG017",
	Slug:     "plaintext-network-connector",
	Title:    "Network connector without TLS",
	Severity: High,
	Engines:  []string{model.EngineActiveMQ},
	Rationale: "A network connector forwards messages between brokers. Over tcp, nio, multicast, auto or " +
		"http the messages and the connector's credentials cross the network in clear text, readable and " +
		"alterable by anyone on the path. Amazon MQ brokers only accept OpenWire over TLS (port 61617), " +
		"so a plaintext connector is either broken or pointing outside Amazon MQ.",
	Remediation: map[model.SourceKind]string{
		model.SourceBrokerConf: "Use ssl:// (or nio+ssl://) in every networkConnector uri, static:(ssl://host:61617), with the broker's sslContext trusting the other brokers' certificates.",
		model.SourceTerraform: "In the aws_mq_configuration data, change every networkConnector uri to a TLS " +
			"transport: static:(ssl://<broker-endpoint>:61617) (or nio+ssl://), keeping the other options. " +
			"Apply the new configuration revision; the broker picks it up at its next reboot.",
		model.SourceTFPlan: "Fix the Terraform code: make each networkConnector uri in the aws_mq_configuration " +
			"data use ssl:// (e.g. static:(ssl://<broker-endpoint>:61617)).",
		model.SourceCloudFormation: "In the AWS::AmazonMQ::Configuration Data, change every networkConnector uri " +
			"to static:(ssl://<broker-endpoint>:61617) (or nio+ssl://) and reboot the broker to apply the revision.",
		model.SourceAWS: "Create a configuration revision whose networkConnector URIs use ssl:// " +
			"(`aws mq update-configuration --configuration-id <id> --data <base64 XML>`), point the broker at it " +
			"(`aws mq update-broker --configuration Id=<id>,Revision=<n>`) and reboot it (`aws mq reboot-broker`).",
	},
	SelfManaged:        true,
	Check:              checkPlaintextNetworkConnector,
	CheckConfiguration: checkPlaintextNetworkConnectorConfiguration,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "A duplex connector to another Amazon MQ broker over ssl://.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_configuration" "example" {
  name           = "orders-mesh"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"

  data = <<DATA
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<broker xmlns="http://activemq.apache.org/schema/core">
  <networkConnectors>
    <networkConnector name="orders-1-to-2" duplex="true" uri="static:(ssl://b-5678.mq.eu-west-1.amazonaws.com:61617)"/>
  </networkConnectors>
</broker>
DATA
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders-Broker-1"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  configuration {
    id       = aws_mq_configuration.example.id
    revision = aws_mq_configuration.example.latest_revision
  }

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note: "No configuration block: Amazon MQ's default configuration has no network connectors.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
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
			Note: "A static network connector over plain tcp://.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_configuration" "example" {
  name           = "orders-mesh"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"

  data = <<DATA
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<broker xmlns="http://activemq.apache.org/schema/core">
  <networkConnectors>
    <networkConnector name="orders-to-legacy" uri="static:(tcp://legacy-mq.internal.example.com:61616)"/>
  </networkConnectors>
</broker>
DATA
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  configuration {
    id       = aws_mq_configuration.example.id
    revision = aws_mq_configuration.example.latest_revision
  }

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Pass,
			Note: "A duplex connector to another Amazon MQ broker over ssl://.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: First broker of the orders mesh.
Resources:
  Configuration:
    Type: AWS::AmazonMQ::Configuration
    Properties:
      Name: orders-mesh
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      Data: !Base64 |
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <broker xmlns="http://activemq.apache.org/schema/core">
          <networkConnectors>
            <networkConnector name="orders-1-to-2" duplex="true" uri="static:(ssl://b-5678.mq.eu-west-1.amazonaws.com:61617)"/>
          </networkConnectors>
        </broker>
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders-Broker-1
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Configuration:
        Id: !Ref Configuration
        Revision: !GetAtt Configuration.Revision
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: NotApplicable,
			Note: "No Configuration: Amazon MQ's default configuration has no network connectors.",
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
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "A static network connector over plain tcp://, the configuration attached by an AWS::AmazonMQ::ConfigurationAssociation.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker bridged to a legacy broker.
Resources:
  Configuration:
    Type: AWS::AmazonMQ::Configuration
    Properties:
      Name: orders-mesh
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      Data:
        Fn::Base64: |
          <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
          <broker xmlns="http://activemq.apache.org/schema/core">
            <networkConnectors>
              <networkConnector name="orders-to-legacy" uri="static:(tcp://legacy-mq.internal.example.com:61616)"/>
            </networkConnectors>
          </broker>
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
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
  ConfigurationAssociation:
    Type: AWS::AmazonMQ::ConfigurationAssociation
    Properties:
      Broker: !Ref Broker
      Configuration:
        Id: !Ref Configuration
        Revision: !GetAtt Configuration.Revision
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Fail,
			Note: "A self-managed network of brokers over tcp://.",
			Files: map[string]string{"conf/activemq.xml": activeMQXML(`    <networkConnectors>
      <networkConnector name="orders-to-billing" uri="static:(tcp://mq-billing.internal:61616)" duplex="true"/>
    </networkConnectors>
`)},
		},
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Pass,
			Note: "A self-managed network of brokers over ssl://.",
			Files: map[string]string{"conf/activemq.xml": activeMQXML(`    <networkConnectors>
      <networkConnector name="orders-to-billing" uri="static:(ssl://mq-billing.internal:61617)" duplex="true"/>
    </networkConnectors>
`)},
		},
	},
}

func checkPlaintextNetworkConnector(b *model.Broker, _ *Context) []Result {
	c, declared, res := usedConfiguration(b)
	switch {
	case !declared && b.IsSelfManaged():
		return notApplicable("No ActiveMQ configuration of the broker was read (a probe does not see its network connectors).", b.ID.At)
	case !declared:
		return notApplicable("The broker uses Amazon MQ's default configuration, which has no network connectors.", b.ID.At)
	case res != nil:
		return res
	}
	return plaintextNetworkConnectors(c)
}

func checkPlaintextNetworkConnectorConfiguration(c *model.Configuration, _ *Context) []Result {
	if configIsEngine(c, model.EngineActiveMQ) == No {
		return notApplicable("Network connectors are an ActiveMQ feature.", c.ID.At)
	}
	return plaintextNetworkConnectors(c)
}

// plaintextNetworkConnectors judges the network connectors of an ActiveMQ configuration.
func plaintextNetworkConnectors(c *model.Configuration) []Result {
	doc, res := activeMQDocument(c)
	if doc == nil {
		return res
	}
	if len(doc.NetworkConnectors) == 0 {
		return notApplicable("Configuration "+configLabel(c)+" declares no network connector.", configAt(c))
	}
	var fails, unknown []Result
	for i, nc := range doc.NetworkConnectors {
		name := "networkConnector #" + strconv.Itoa(i+1)
		if nc.Name.Known() && nc.Name.V != "" {
			name = "networkConnector \"" + nc.Name.V + "\""
		}
		at := nc.URI.At
		if at.IsZero() {
			at = nc.At
		}
		if !nc.URI.Known() {
			if unknown == nil {
				unknown = unknownResult("The URI of "+name, at)
			}
			continue
		}
		transports := brokeruri.Transports(nc.URI.V)
		if len(transports) == 0 {
			if unknown == nil {
				unknown = unknownResult("The transport of "+name, at)
			}
			continue
		}
		var plain []string
		for _, t := range transports {
			if !brokeruri.IsTLS(t) && t != "vm" && !containsFold(plain, t) {
				plain = append(plain, t)
			}
		}
		if len(plain) > 0 {
			fails = append(fails, Result{Status: Fail, At: at, ValueFrom: nc.URI.State,
				Subject: strings.Replace(name, " ", ":", 1),
				Message: "The " + name + " uses " + strings.Join(plain, ", ") + ", not TLS."})
		}
	}
	switch {
	case len(fails) > 0:
		return fails
	case unknown != nil:
		return unknown
	}
	return one(Pass, "No network connector sends its traffic in clear text.", configAt(c), model.Explicit)
}
