package rules

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg012 = &Rule{
	ID:       "MQG012",
	Slug:     "open-security-group",
	Title:    "A security group admits the internet on broker ports",
	Severity: High,
	Rationale: "Security groups are the network boundary of a broker in a VPC. An ingress rule from " +
		"0.0.0.0/0 or ::/0 on a broker port (or on every port) lets anyone who can route to the broker " +
		"try its protocols and its web console, and makes a public broker reachable from the whole " +
		"internet. Broker ports should admit only the client networks or client security groups.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "Replace the internet source of the ingress rule (cidr_blocks, ipv6_cidr_blocks, " +
			"cidr_ipv4 or cidr_ipv6 = \"0.0.0.0/0\" / \"::/0\") with the client CIDRs, or reference the clients' " +
			"security group (security_groups / referenced_security_group_id), and open only the broker ports " +
			"the clients use instead of every port. Security group rules change in place.",
		model.SourceTFPlan: "Fix the Terraform code: narrow the ingress rule's source from 0.0.0.0/0 or ::/0 to " +
			"the client CIDRs or the clients' security group, and open only the broker ports in use.",
		model.SourceCloudFormation: "In the AWS::EC2::SecurityGroup SecurityGroupIngress entry (or the " +
			"AWS::EC2::SecurityGroupIngress resource), replace CidrIp 0.0.0.0/0 / CidrIpv6 ::/0 with the client " +
			"CIDRs or a SourceSecurityGroupId, and open only the broker ports in use. The change is in place.",
		model.SourceAWS: "Add a narrower rule first (`aws ec2 authorize-security-group-ingress --group-id <sg> " +
			"--protocol tcp --port <port> --cidr <client-cidr>`), then remove the open one " +
			"(`aws ec2 revoke-security-group-ingress --group-id <sg> --protocol tcp --port <port> --cidr 0.0.0.0/0`).",
	},
	Check: checkOpenSecurityGroup,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "The broker ports admit only the client networks named in a local.",
			Files: map[string]string{"main.tf": `locals {
  client_cidrs = ["10.20.0.0/16", "10.30.0.0/16"]
}

variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_security_group" "mq" {
  name   = "orders-mq"
  vpc_id = "vpc-0a1b2c3d4e5f60718"

  ingress {
    description = "OpenWire over TLS from the client VPCs"
    from_port   = 61617
    to_port     = 61617
    protocol    = "tcp"
    cidr_blocks = local.client_cidrs
  }
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  security_groups    = [aws_security_group.mq.id]
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "Rules that admit the clients' security group, not a CIDR, never admit the internet, even on ports from a variable with no value.",
			Files: map[string]string{"main.tf": `variable "mq_port" {
  type = number
}

variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_security_group" "clients" {
  name   = "orders-clients"
  vpc_id = "vpc-0a1b2c3d4e5f60718"
}

resource "aws_security_group" "mq" {
  name   = "orders-mq"
  vpc_id = "vpc-0a1b2c3d4e5f60718"

  ingress {
    description     = "Broker port from the clients"
    from_port       = var.mq_port
    to_port         = var.mq_port
    protocol        = "tcp"
    security_groups = [aws_security_group.clients.id]
  }
}

resource "aws_vpc_security_group_ingress_rule" "console" {
  security_group_id            = aws_security_group.mq.id
  referenced_security_group_id = aws_security_group.clients.id
  ip_protocol                  = "tcp"
  from_port                    = var.mq_port
  to_port                      = var.mq_port
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  security_groups    = [aws_security_group.mq.id]
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
			Note: "A separate rule resource opens the OpenWire port to 0.0.0.0/0.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_security_group" "mq" {
  name   = "orders-mq"
  vpc_id = "vpc-0a1b2c3d4e5f60718"
}

resource "aws_vpc_security_group_ingress_rule" "openwire" {
  security_group_id = aws_security_group.mq.id
  ip_protocol       = "tcp"
  from_port         = 61617
  to_port           = 61617
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  security_groups    = [aws_security_group.mq.id]
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
			Note: "An inline rule open on every protocol and port from ::/0 covers every broker port.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_security_group" "mq" {
  name   = "events-mq"
  vpc_id = "vpc-0a1b2c3d4e5f60718"

  ingress {
    from_port        = 0
    to_port          = 0
    protocol         = "-1"
    ipv6_cidr_blocks = ["::/0"]
  }
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.m5.large"
  security_groups    = [aws_security_group.mq.id]
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "events-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Unknown,
			Note: "The attached group is a variable with no value: its rules cannot be read.",
			Files: map[string]string{"main.tf": `variable "broker_security_group_id" {
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
  security_groups    = [var.broker_security_group_id]
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
			Note: "The broker port admits a client CIDR and the clients' security group, never the internet.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker reachable from the client network only.
Parameters:
  ClientSecurityGroupId:
    Type: AWS::EC2::SecurityGroup::Id
Resources:
  BrokerSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Orders broker
      VpcId: vpc-0a1b2c3d4e5f60718
      SecurityGroupIngress:
        - Description: OpenWire over TLS from the client VPC
          IpProtocol: tcp
          FromPort: 61617
          ToPort: 61617
          CidrIp: 10.20.0.0/16
        - Description: OpenWire over TLS from the client instances
          IpProtocol: tcp
          FromPort: 61617
          ToPort: 61617
          SourceSecurityGroupId: !Ref ClientSecurityGroupId
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
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
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "An AWS::EC2::SecurityGroupIngress resource opens the OpenWire port to 0.0.0.0/0.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker.
Resources:
  BrokerSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Orders broker
      VpcId: vpc-0a1b2c3d4e5f60718
  OpenWireIngress:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt BrokerSecurityGroup.GroupId
      IpProtocol: tcp
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
      PubliclyAccessible: false
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
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "An inline rule on every protocol (IpProtocol -1) from ::/0 covers every broker port.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker.
Resources:
  BrokerSecurityGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Events broker
      VpcId: vpc-0a1b2c3d4e5f60718
      SecurityGroupIngress:
        - IpProtocol: "-1"
          CidrIpv6: ::/0
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: events
      EngineType: RABBITMQ
      EngineVersion: "3.13"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      SecurityGroups:
        - !Ref BrokerSecurityGroup
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:mq/events/app:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Unknown,
			Note: "The attached group is a parameter with no default: its rules cannot be read.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker in a shared security group.
Parameters:
  BrokerSecurityGroupId:
    Type: AWS::EC2::SecurityGroup::Id
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
      SecurityGroups:
        - !Ref BrokerSecurityGroupId
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
`},
		},
	},
}

func checkOpenSecurityGroup(b *model.Broker, _ *Context) []Result {
	rabbit := b.IsEngine(model.EngineRabbitMQ)
	if rabbit && b.PubliclyAccessible.Known() && b.PubliclyAccessible.V {
		return notApplicable("A public RabbitMQ broker takes no security groups (see MQG020).", b.PubliclyAccessible.At)
	}
	exp := internetExposure(b)
	switch {
	case len(exp.Open) > 0 && rabbit && !b.PubliclyAccessible.Known():
		// Private: FAIL; public: N/A. Undecided.
		return unknownResult("Whether the RabbitMQ broker is public (and so takes no security groups)", b.PubliclyAccessible.At)
	case len(exp.Open) > 0:
		out := make([]Result, 0, len(exp.Open))
		for _, o := range exp.Open {
			out = append(out, Result{
				Status:    Fail,
				Message:   o.message(),
				At:        o.Rule.At,
				ValueFrom: o.Rule.CIDRs.State,
				Subject:   o.subject(),
			})
		}
		return out
	case exp.Undecided:
		return one(Unknown, exp.Why, exp.At, model.Unknown)
	case len(b.SecurityGroups) == 0:
		return one(Pass, "No security group is attached; Amazon MQ uses the VPC's default security group.",
			b.ID.At, model.Default)
	default:
		return one(Pass, "No attached security group admits the internet on a broker port.", b.ID.At, model.Explicit)
	}
}

// openIngress is an ingress rule that admits the internet on a broker port.
type openIngress struct {
	Group *model.SecurityGroup
	// Index is the rule's position in Group.Ingress.
	Index int
	Rule  model.IngressRule
	CIDR  string
	// Ports says what the rule opens: "every port" or "port 61617 (OpenWire)".
	Ports string
}

func (o openIngress) message() string {
	return fmt.Sprintf("Security group %s admits %s on %s.", groupLabel(o.Group), o.CIDR, o.Ports)
}

// subject identifies the rule for the fingerprint: sg-rule:<group address>#<n>.
func (o openIngress) subject() string {
	id := o.Group.ID.Address
	if id == "" {
		id = o.Group.GroupID.V
	}
	if id == "" {
		id = o.Group.ID.ARN
	}
	return "sg-rule:" + id + "#" + strconv.Itoa(o.Index)
}

// groupLabel names a group in messages: its address (code) or group ID (live).
func groupLabel(g *model.SecurityGroup) string {
	switch {
	case g.ID.Address != "":
		return g.ID.Address
	case g.GroupID.Known() && g.GroupID.V != "":
		return g.GroupID.V
	default:
		return g.ID.ARN
	}
}

// exposure is what the attached security groups say about reaching the broker from the internet.
type exposure struct {
	// Open lists the rules that admit the internet on a broker port.
	Open []openIngress
	// Undecided is set when some group, rule or the group list itself could not be decided; Why
	// and At describe the first such case.
	Undecided bool
	Why       string
	At        model.Range
}

func (e *exposure) undecided(why string, at model.Range) {
	if !e.Undecided {
		e.Undecided, e.Why, e.At = true, why, at
	}
}

// internetExposure evaluates the broker's attached security groups (MQG012's logic, reused by
// MQG020). A known failing rule is reported whatever else is unknown.
func internetExposure(b *model.Broker) exposure {
	var e exposure
	if b.SecurityGroupsState == model.Unknown {
		e.undecided("The security groups attached to the broker could not be determined.", b.ID.At)
	}
	for _, ref := range b.SecurityGroups {
		g := ref.Group
		if g == nil {
			what := "an attached security group"
			if ref.ID.Known() && ref.ID.V != "" {
				what = "security group " + ref.ID.V
			}
			e.undecided("The ingress rules of "+what+" could not be read.", ref.ID.At)
			continue
		}
		failed := false
		for i, r := range g.Ingress {
			open, cidr, ports := ingressAdmitsInternet(b, r)
			switch open {
			case Yes:
				failed = true
				e.Open = append(e.Open, openIngress{Group: g, Index: i, Rule: r, CIDR: cidr, Ports: ports})
			case Maybe:
				e.undecided("An ingress rule of security group "+groupLabel(g)+" could not be fully determined.", r.At)
			}
		}
		if g.IngressState == model.Unknown && !failed {
			e.undecided("Some ingress rules of security group "+groupLabel(g)+" could not be determined.", g.ID.At)
		}
	}
	return e
}

// ingressAdmitsInternet decides whether one ingress rule admits an internet CIDR on a broker port
// of the broker's engine, returning the CIDR and a description of the ports.
func ingressAdmitsInternet(b *model.Broker, r model.IngressRule) (Tri, string, string) {
	internet, cidr := No, ""
	for _, c := range r.CIDRs.V {
		if isInternetCIDR(c) {
			internet, cidr = Yes, strings.TrimSpace(c)
			break
		}
	}
	if internet == No && !r.CIDRs.Known() {
		internet = Maybe
	}
	if internet == No {
		return No, "", ""
	}
	ports, what := ingressCoversBrokerPort(b, r)
	return and3(internet, ports), cidr, what
}

// ingressCoversBrokerPort decides whether a rule's protocol and port range cover a broker port.
func ingressCoversBrokerPort(b *model.Broker, r model.IngressRule) (Tri, string) {
	if !r.Protocol.Known() {
		return Maybe, ""
	}
	switch strings.ToLower(strings.TrimSpace(r.Protocol.V)) {
	case "-1", "all":
		return Yes, "every protocol and port"
	case "tcp", "6":
	default:
		return No, "" // every broker port is TCP
	}
	if !r.FromPort.Known() || !r.ToPort.Known() {
		return Maybe, ""
	}
	from, to := r.FromPort.V, r.ToPort.V
	if from == -1 && to == -1 {
		from, to = 0, 65535 // tcp with port -1 means every port on the API
	}
	if from <= 0 && to >= 65535 {
		return Yes, "every TCP port"
	}
	t, p := brokerPortInRange(b, from, to)
	if t == No {
		return No, ""
	}
	return t, fmt.Sprintf("port %d (%s)", p.Port, p.Use)
}

// isInternetCIDR reports whether c is 0.0.0.0/0 or ::/0 (in any spelling).
func isInternetCIDR(c string) bool {
	p, err := netip.ParsePrefix(strings.TrimSpace(c))
	return err == nil && p.Bits() == 0
}
