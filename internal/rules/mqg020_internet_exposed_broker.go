package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// sensitiveDataLevels are the data-sensitivity tag values that make any public broker MQG020's
// toxic combination.
var sensitiveDataLevels = []string{"confidential", "restricted"}

var mqg020 = &Rule{
	ID:       "MQG020",
	Slug:     "internet-exposed-broker",
	Title:    "Public broker reachable from the whole internet",
	Severity: Critical,
	Rationale: "A public broker whose ports are open to every address is one leaked or guessed password " +
		"away from an attacker reading, injecting or deleting messages, and its protocol endpoints are " +
		"exposed to every exploit (ActiveMQ's CVE-2023-46604 was mass-exploited this way). Public RabbitMQ " +
		"brokers take no security groups, so every port, the management UI included, is open. A public " +
		"broker that carries confidential or restricted data is the same risk with a higher cost.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "Public access cannot be changed in place. Create a new broker with " +
			"publicly_accessible = false in private subnets, with security groups that admit only the " +
			"clients, and migrate to it (`mqguard plan-migration` writes the replacement and the cutover " +
			"runbook). Until then, for ActiveMQ, narrow the open ingress rules to the client CIDRs; a public " +
			"RabbitMQ broker has no security group to narrow.",
		model.SourceTFPlan: "Fix the Terraform code: create a new private broker (publicly_accessible = false) " +
			"and migrate to it (`mqguard plan-migration`); narrow open ingress rules meanwhile (ActiveMQ).",
		model.SourceCloudFormation: "Changing PubliclyAccessible replaces the broker. Add a new " +
			"AWS::AmazonMQ::Broker with PubliclyAccessible: false in private subnets and narrow security " +
			"groups, migrate to it (`mqguard plan-migration`), then delete the old broker. Meanwhile narrow " +
			"CidrIp 0.0.0.0/0 ingress on broker ports (ActiveMQ).",
		model.SourceAWS: "Amazon MQ cannot make an existing broker private. Create a new broker with " +
			"`aws mq create-broker --no-publicly-accessible` in private subnets, migrate clients and messages " +
			"(`mqguard plan-migration`), then delete the old broker. Meanwhile revoke 0.0.0.0/0 and ::/0 " +
			"ingress on broker ports (`aws ec2 revoke-security-group-ingress`) for ActiveMQ, and rotate the " +
			"broker users' passwords.",
	},
	ReplacementRequired: true,
	Check:               checkInternetExposedBroker,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "A private broker is never this toxic combination, whatever its security groups say.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name         = "events"
  engine_type         = "RabbitMQ"
  engine_version      = "3.13"
  host_instance_type  = "mq.m5.large"
  publicly_accessible = false
  subnet_ids          = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "events-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "A public RabbitMQ broker: no security group protects any of its ports.",
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
			Note: "A public ActiveMQ broker whose security group admits 0.0.0.0/0 on the OpenWire port.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_security_group" "mq" {
  name   = "orders-mq"
  vpc_id = "vpc-0a1b2c3d4e5f60718"

  ingress {
    from_port   = 61617
    to_port     = 61617
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_mq_broker" "example" {
  broker_name         = "orders"
  engine_type         = "ActiveMQ"
  engine_version      = "5.18"
  host_instance_type  = "mq.m5.large"
  publicly_accessible = true
  security_groups     = [aws_security_group.mq.id]
  subnet_ids          = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Unknown,
			Note: "Public access from a variable with no value: the combination cannot be decided.",
			Files: map[string]string{"main.tf": `variable "public" {
  type = bool
}

variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name         = "events"
  engine_type         = "RabbitMQ"
  engine_version      = "3.13"
  host_instance_type  = "mq.m5.large"
  publicly_accessible = var.public

  user {
    username = "events-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Pass,
			Note: "A private broker is never this toxic combination, whatever its security groups say.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker.
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
        - Username: events-app
          Password: "{{resolve:secretsmanager:mq/events/app:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "A public RabbitMQ broker: no security group protects any of its ports.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker.
Resources:
  Broker:
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
          Password: "{{resolve:secretsmanager:mq/events/app:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "A public ActiveMQ broker whose security group admits 0.0.0.0/0 on the OpenWire port.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker.
Resources:
  BrokerSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Orders broker
      VpcId: vpc-0a1b2c3d4e5f60718
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 61617
          ToPort: 61617
          CidrIp: 0.0.0.0/0
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: true
      SecurityGroups:
        - !GetAtt BrokerSecurityGroup.GroupId
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Unknown,
			Note: "Public access from a parameter with no Default: the combination cannot be decided.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker.
Parameters:
  Public:
    Type: String
    AllowedValues:
      - "true"
      - "false"
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: events
      EngineType: RABBITMQ
      EngineVersion: "3.13"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: !Ref Public
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:mq/events/app:SecretString:password}}"
`},
		},
	},
}

func checkInternetExposedBroker(b *model.Broker, _ *Context) []Result {
	p := b.PubliclyAccessible
	switch {
	case !p.Known():
		return unknownResult("Whether the broker is publicly accessible", p.At)
	case !p.V:
		return one(Pass, "The broker is not publicly accessible.", p.At, p.State)
	case b.IsEngine(model.EngineRabbitMQ):
		return one(Fail, "The RabbitMQ broker is public and takes no security groups: every port, "+
			"the management UI included, is open to the internet.", p.At, p.State)
	}

	// A public ActiveMQ broker (or one of unknown engine).
	exp := internetExposure(b)
	if len(exp.Open) > 0 {
		o := exp.Open[0]
		return one(Fail, "The broker is public and security group "+groupLabel(o.Group)+" admits "+o.CIDR+
			" on "+o.Ports+".", o.Rule.At, p.State)
	}
	level, at, tags := sensitiveData(b)
	if tags == Yes {
		return one(Fail, "The broker is public and its data-sensitivity tag is '"+level+"'.", at, b.Tags.State)
	}
	switch {
	case !b.Engine.Known():
		return unknownResult("The engine of the public broker (a public RabbitMQ broker is open on every port)", b.Engine.At)
	case exp.Undecided:
		return one(Unknown, "The broker is public and "+lowerFirst(exp.Why), exp.At, model.Unknown)
	case tags == Maybe:
		return unknownResult("The data-sensitivity tag of the public broker", at)
	}
	return one(Pass, "The broker is public, but no attached security group admits the internet on a broker "+
		"port and its data is not tagged confidential or restricted.", p.At, p.State)
}

// sensitiveData reports whether the broker's data-sensitivity tag is confidential or restricted:
// Maybe when the tags could not be decided and no known tag decides it.
func sensitiveData(b *model.Broker) (string, model.Range, Tri) {
	v, at, ok := b.Tags.Lookup("data-sensitivity")
	switch {
	case ok && containsFold(sensitiveDataLevels, strings.TrimSpace(v)):
		return strings.TrimSpace(v), at, Yes
	case ok:
		return "", at, No
	case !b.Tags.Known():
		return "", b.Tags.At, Maybe
	default:
		return "", b.Tags.At, No
	}
}

// lowerFirst lower-cases the first letter of a sentence that is continued.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
