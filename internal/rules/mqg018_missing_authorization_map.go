package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg018 = &Rule{
	ID:       "MQG018",
	Slug:     "missing-authorization-map",
	Title:    "ActiveMQ configuration has no authorization map",
	Severity: Medium,
	Engines:  []string{model.EngineActiveMQ},
	Rationale: "Without an authorizationPlugin and its authorizationMap, ActiveMQ lets every authenticated " +
		"user read, write, create and delete every queue and topic. One leaked application password then " +
		"exposes every other application's messages. An authorization map limits each group to its own " +
		"destinations.",
	Remediation: map[model.SourceKind]string{
		model.SourceBrokerConf: "Add an <authorizationPlugin> with an <authorizationMap> under <plugins> in activemq.xml, granting each group only its own destinations (and ActiveMQ.Advisory.> for consumers), with admin rights for the admins group.",
		model.SourceTerraform: "Add an <authorizationPlugin><map><authorizationMap> to the <plugins> of the " +
			"aws_mq_configuration data, with authorizationEntry elements that give each group read/write/admin " +
			"only on its own destinations (and the admins group on \">\"), plus the ActiveMQ.Advisory.> topics " +
			"clients need. Reference the configuration from the broker's configuration block; it applies at the " +
			"next reboot.",
		model.SourceTFPlan: "Fix the Terraform code: add an authorizationPlugin with an authorizationMap to the " +
			"aws_mq_configuration data and attach the configuration to the broker.",
		model.SourceCloudFormation: "Add an authorizationPlugin with an authorizationMap to the " +
			"AWS::AmazonMQ::Configuration Data, reference it from the broker's Configuration property and " +
			"reboot the broker to apply the revision.",
		model.SourceAWS: "Create a configuration revision with an authorizationPlugin and authorizationMap " +
			"(`aws mq update-configuration`), attach it (`aws mq update-broker --configuration Id=<id>,Revision=<n>`) " +
			"and reboot the broker (`aws mq reboot-broker`). Test the map on a non-production broker first: " +
			"a map that is too strict stops clients.",
	},
	SelfManaged:        true,
	Check:              checkMissingAuthorizationMap,
	CheckConfiguration: checkMissingAuthorizationMapConfiguration,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "The configuration limits each group to its destinations.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_configuration" "example" {
  name           = "orders"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"

  data = <<DATA
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<broker xmlns="http://activemq.apache.org/schema/core">
  <plugins>
    <authorizationPlugin>
      <map>
        <authorizationMap>
          <authorizationEntries>
            <authorizationEntry admin="admins" queue=">" read="admins" write="admins"/>
            <authorizationEntry admin="orders" queue="orders.>" read="orders" write="orders"/>
            <authorizationEntry admin="admins,orders" read="admins,orders" topic="ActiveMQ.Advisory.>" write="admins,orders"/>
          </authorizationEntries>
        </authorizationMap>
      </map>
    </authorizationPlugin>
  </plugins>
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
    groups   = ["orders"]
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "A configuration without an authorizationPlugin: every user may do anything.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_configuration" "example" {
  name           = "orders"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"

  data = <<DATA
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<broker xmlns="http://activemq.apache.org/schema/core">
  <destinationPolicy>
    <policyMap>
      <policyEntries>
        <policyEntry queue=">" prioritizedMessages="true"/>
      </policyEntries>
    </policyMap>
  </destinationPolicy>
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
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Unknown,
			Note: "No configuration block: the default configuration cannot be read from code.",
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
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Pass,
			Note: "The configuration limits each group to its destinations.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker with an authorization map.
Resources:
  Configuration:
    Type: AWS::AmazonMQ::Configuration
    Properties:
      Name: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      Data: !Base64 |
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <broker xmlns="http://activemq.apache.org/schema/core">
          <plugins>
            <authorizationPlugin>
              <map>
                <authorizationMap>
                  <authorizationEntries>
                    <authorizationEntry admin="admins" queue=">" read="admins" write="admins"/>
                    <authorizationEntry admin="orders" queue="orders.>" read="orders" write="orders"/>
                    <authorizationEntry admin="admins,orders" read="admins,orders" topic="ActiveMQ.Advisory.>" write="admins,orders"/>
                  </authorizationEntries>
                </authorizationMap>
              </map>
            </authorizationPlugin>
          </plugins>
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
      Configuration:
        Id: !Ref Configuration
        Revision: !GetAtt Configuration.Revision
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
          Groups:
            - orders
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "A configuration without an authorizationPlugin: every user may do anything.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker.
Resources:
  Configuration:
    Type: AWS::AmazonMQ::Configuration
    Properties:
      Name: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      Data: !Base64 |
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <broker xmlns="http://activemq.apache.org/schema/core">
          <destinationPolicy>
            <policyMap>
              <policyEntries>
                <policyEntry queue=">" prioritizedMessages="true"/>
              </policyEntries>
            </policyMap>
          </destinationPolicy>
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
      Configuration:
        Id: !Ref Configuration
        Revision: !GetAtt Configuration.Revision
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Unknown,
			Note: "A configuration given by ID from a parameter: its content is not in the template.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker on a shared configuration.
Parameters:
  ConfigurationId:
    Type: String
  ConfigurationRevision:
    Type: Number
    Default: 3
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
      Configuration:
        Id: !Ref ConfigurationId
        Revision: !Ref ConfigurationRevision
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Fail,
			Note: "A self-managed activemq.xml that authenticates but authorizes nothing.",
			Files: map[string]string{"conf/activemq.xml": strings.Replace(activeMQXML(""), `      <authorizationPlugin>
        <map>
          <authorizationMap>
            <authorizationEntries>
              <authorizationEntry queue="orders.>" read="orders" write="orders" admin="admins"/>
              <authorizationEntry topic="ActiveMQ.Advisory.>" read="orders" write="orders" admin="orders"/>
            </authorizationEntries>
          </authorizationMap>
        </map>
      </authorizationPlugin>
`, "", 1)},
		},
		{
			Kind: model.SourceBrokerConf, Address: "conf/activemq.xml", Want: Pass,
			Note:  "A self-managed activemq.xml with an authorization map.",
			Files: map[string]string{"conf/activemq.xml": activeMQXML("")},
		},
	},
}

func checkMissingAuthorizationMap(b *model.Broker, _ *Context) []Result {
	c, declared, res := usedConfiguration(b)
	switch {
	case !declared && b.IsSelfManaged():
		return unknownResult("The authorization map of the broker (no ActiveMQ configuration was read; a probe does not see it)", b.ID.At)
	case !declared:
		return one(Unknown, "The broker uses Amazon MQ's default configuration, which cannot be read from "+
			"this input; its authorization map could not be determined.", b.ID.At, model.Unknown)
	case res != nil:
		return res
	}
	return authorizationMapPresent(c)
}

func checkMissingAuthorizationMapConfiguration(c *model.Configuration, _ *Context) []Result {
	if configIsEngine(c, model.EngineActiveMQ) == No {
		return notApplicable("Authorization maps are an ActiveMQ feature.", c.ID.At)
	}
	return authorizationMapPresent(c)
}

// authorizationMapPresent judges whether an ActiveMQ configuration has an authorization map.
func authorizationMapPresent(c *model.Configuration) []Result {
	doc, res := activeMQDocument(c)
	if doc == nil {
		return res
	}
	switch p := doc.AuthorizationPlugin; {
	case p == nil:
		return one(Fail, "Configuration "+configLabel(c)+" has no authorizationPlugin: every authenticated "+
			"user may read, write and administer every destination.", configAt(c), model.Explicit)
	case p.Map == nil:
		return one(Fail, "The authorizationPlugin of configuration "+configLabel(c)+" declares no "+
			"authorizationMap.", p.At, model.Explicit)
	default:
		return one(Pass, "Configuration "+configLabel(c)+" has an authorization map.", p.Map.At, model.Explicit)
	}
}
