// Package testsecrets holds scan inputs full of secrets, for the tests that check no output of
// mqguard (report formats, alert payloads, history rows) ever holds one.
package testsecrets

// Tree holds, in every place mqguard reads them from, passwords, password hashes, keys and
// personal data: a Terraform module (user, replication and LDAP passwords, a variable default,
// a tfvars value, an ActiveMQ configuration with connector credentials, keystore passwords and
// user password hashes, tags and usernames with personal data) and a CloudFormation template
// (a literal password, a NoEcho default, personal data in tags).
var Tree = map[string]string{
	"tf/main.tf": `
variable "mq_password" {
  type    = string
  default = "TfVarDefault-S3cr3t-4711"
}
variable "ldap_password" { type = string }

resource "aws_mq_configuration" "c" {
  name           = "orders"
  description    = "ask mary.major@example.net or call +1 415 555 0173"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"
  data           = <<DATA
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<broker xmlns="http://activemq.apache.org/schema/core">
  <plugins>
    <simpleAuthenticationPlugin>
      <users>
        <authenticationUser username="svc" password="{SHA-256}9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" groups="users"/>
      </users>
    </simpleAuthenticationPlugin>
  </plugins>
  <networkConnectors>
    <networkConnector name="a" uri="static:(tcp://bridge:UriEmbedded-S3cr3t@b-1.mq.eu-west-1.amazonaws.com:61617)"/>
    <networkConnector name="b" uri="static:(ssl://b-2.mq.eu-west-1.amazonaws.com:61617?password=QueryParam-S3cr3t)" userName="bridge" password="ConnectorAttr-S3cr3t"/>
  </networkConnectors>
  <sslContext>
    <sslContext keyStore="broker.ks" keyStorePassword="KeyStore-S3cr3t-0815" trustStorePassword="TrustStore-S3cr3t-0816"/>
  </sslContext>
</broker>
DATA
}

resource "aws_mq_broker" "orders" {
  broker_name                = "orders"
  engine_type                = "ActiveMQ"
  engine_version             = "5.18"
  host_instance_type         = "mq.m5.large"
  publicly_accessible        = true
  authentication_strategy    = "ldap"
  configuration {
    id       = aws_mq_configuration.c.id
    revision = aws_mq_configuration.c.latest_revision
  }
  user {
    username = "john.smith@example.org"
    password = "LiteralUser-Hunter2-S3cr3t"
  }
  user {
    username = "admin"
    password = var.mq_password
  }
  user {
    username         = "replicator"
    password         = "$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
    replication_user = true
  }
  ldap_server_metadata {
    hosts                    = ["ldap://ldap.example.com"]
    service_account_username = "cn=svc"
    service_account_password = "LdapBind-S3cr3t-9001"
  }
  tags = {
    owner   = "jane.doe@example.com"
    card    = "4111 1111 1111 1111"
    ssn     = "078-05-1120"
    backup  = "amqps://app:TagUrl-S3cr3t@b-3.mq.eu-west-1.amazonaws.com:5671"
  }
}
`,
	"tf/terraform.tfvars": `ldap_password = "TfVars-S3cr3t-1234"` + "\n",
	"cfn/template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  MqPassword:
    Type: String
    NoEcho: true
    Default: CfnNoEchoDefault-S3cr3t
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: events
      EngineType: RabbitMQ
      EngineVersion: "3.13"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: true
      AutoMinorVersionUpgrade: true
      Users:
        - Username: erika.mustermann@example.de
          Password: CfnLiteral-S3cr3t-2718
        - Username: app
          Password: !Ref MqPassword
      Tags:
        - Key: owner
          Value: max.mustermann@example.de
        - Key: ssn
          Value: 219-09-9999
`,
}

// Values are the secrets of Tree that no output may hold.
var Values = []string{
	"TfVarDefault-S3cr3t-4711", "mary.major@example.net", "415 555 0173",
	"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	"UriEmbedded-S3cr3t", "QueryParam-S3cr3t", "ConnectorAttr-S3cr3t", "KeyStore-S3cr3t-0815", "TrustStore-S3cr3t-0816",
	"john.smith@example.org", "LiteralUser-Hunter2-S3cr3t", "N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
	"LdapBind-S3cr3t-9001", "jane.doe@example.com", "4111 1111 1111 1111", "078-05-1120", "TagUrl-S3cr3t",
	"TfVars-S3cr3t-1234", "CfnNoEchoDefault-S3cr3t", "erika.mustermann@example.de", "CfnLiteral-S3cr3t-2718",
	"max.mustermann@example.de", "219-09-9999",
	// Fragments a partial mask could leave.
	"S3cr3t", "Hunter2", "mustermann", "john.smith", "jane.doe", "mary.major",
}
