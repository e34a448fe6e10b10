package rules

import (
	"github.com/mqguard/mqguard/internal/brokeruri"
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg016 = &Rule{
	ID:       "MQG016",
	Slug:     "credentials-in-configuration",
	Title:    "Credentials embedded in a URL or broker configuration",
	Severity: High,
	Rationale: "A password inside a broker configuration, an LDAP URL or a tag is stored and shown in " +
		"clear: configurations are readable by anyone with mq:DescribeConfigurationRevision, tags by " +
		"anyone who can list resources, and both end up in Terraform state, plans and inventories. " +
		"Network connectors and LDAP should authenticate with credentials kept out of these documents. A " +
		"self-managed broker's files (rabbitmq.conf default_pass and *.password keys, the Erlang cookie in " +
		"advanced.config, shovel and federation URIs in definitions, activemq.xml attributes) are copied " +
		"into repositories, images and backups the same way.",
	Remediation: map[model.SourceKind]string{
		ForEngine(model.SourceBrokerConf, model.EngineActiveMQ): "Remove the password from activemq.xml (networkConnector and sslContext attributes, plugin users) and reference it with a ${...} placeholder resolved from a credentials.properties kept outside the repository (or an encrypted property), then rotate it.",
		ForEngine(model.SourceBrokerConf, model.EngineRabbitMQ): "Remove the password from the broker's files (rabbitmq.conf default_pass and *.password keys, advanced.config, shovel and federation URIs in the definitions) and read it from a password file or encrypted values (`rabbitmqctl encode`), then rotate it.",
		model.SourceProbe: "Remove credentials from the shovel and federation URIs the management API shows (use a secrets store or x509 authentication between brokers), and rotate them.",
		model.SourceTerraform: "Remove the credential from the aws_mq_configuration data, the LDAP hosts or the " +
			"tag, and rotate it (it stays in the version history and in earlier configuration revisions). " +
			"Amazon MQ network connectors take only a userName attribute naming a user that exists on both " +
			"brokers, never a password or user:password in the uri; LDAP credentials belong in " +
			"service_account_password, read from a secrets store, not in the host URL.",
		model.SourceTFPlan: "Fix the Terraform code: remove the credential from the aws_mq_configuration data, " +
			"the ldap_server_metadata hosts or the tags, and rotate it.",
		model.SourceCloudFormation: "Remove the credential from the AWS::AmazonMQ::Configuration Data, the " +
			"LdapServerMetadata Hosts or the Tags, take LDAP's ServiceAccountPassword from a " +
			"'{{resolve:secretsmanager:...}}' dynamic reference, and rotate the credential.",
		model.SourceAWS: "Create a configuration revision without the credential (`aws mq update-configuration`), " +
			"apply it with a reboot, remove credential-bearing tags (`aws mq delete-tags`), and rotate the " +
			"exposed credential: earlier revisions keep it, so treat it as disclosed.",
	},
	SelfManaged:        true,
	Check:              checkCredentialsInConfiguration,
	CheckConfiguration: checkCredentialsInConfigurationOnly,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "A RabbitMQ configuration body that writes a password.",
			Files: map[string]string{"main.tf": strings.Replace(tfRabbitBroker, "heartbeat = 60\n",
				"heartbeat = 60\ndefault_pass = written-in-code\n", 1)},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "A network of brokers over TLS without credentials in the configuration.",
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
  <networkConnectors>
    <networkConnector name="orders-to-billing" uri="static:(ssl://b-1234.mq.eu-west-1.amazonaws.com:61617)"/>
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
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "A network connector URI with user:password embedded.",
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
  <networkConnectors>
    <networkConnector name="orders-to-billing" uri="static:(ssl://bridge:FakePassword-DoNotUse@b-1234.mq.eu-west-1.amazonaws.com:61617)"/>
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
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "A tag value holding a URL with a password query parameter.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "events-app"
    password = var.mq_password
  }

  tags = {
    dashboard = "https://grafana.example.com/d/mq?user=viewer&password=FakePassword-DoNotUse"
  }
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Pass,
			Note: "A network of brokers over TLS without credentials in the configuration.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker in a network of brokers.
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
          <networkConnectors>
            <networkConnector name="orders-to-billing" uri="static:(ssl://b-1234.mq.eu-west-1.amazonaws.com:61617)"/>
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
      Configuration:
        Id: !Ref Configuration
        Revision: !GetAtt Configuration.Revision
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "A network connector URI with user:password embedded, in a configuration given as base64 text.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker in a network of brokers.
Resources:
  Configuration:
    Type: AWS::AmazonMQ::Configuration
    Properties:
      Name: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      Data: PGJyb2tlciB4bWxucz0iaHR0cDovL2FjdGl2ZW1xLmFwYWNoZS5vcmcvc2NoZW1hL2NvcmUiPgogIDxuZXR3b3JrQ29ubmVjdG9ycz4KICAgIDxuZXR3b3JrQ29ubmVjdG9yIG5hbWU9Im9yZGVycy10by1iaWxsaW5nIiB1cmk9InN0YXRpYzooc3NsOi8vYnJpZGdlOkZha2VQYXNzd29yZC1Eb05vdFVzZUBiLTEyMzQubXEuZXUtd2VzdC0xLmFtYXpvbmF3cy5jb206NjE2MTcpIi8+CiAgPC9uZXR3b3JrQ29ubmVjdG9ycz4KPC9icm9rZXI+Cg==
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
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "A tag value holding a URL with a password query parameter.",
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
      Tags:
        - Key: dashboard
          Value: https://grafana.example.com/d/mq?user=viewer&password=FakePassword-DoNotUse
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Fail,
			Note: "A rabbitmq.conf with the default user's password written in it.",
			Files: map[string]string{"rabbitmq.conf": `listeners.tcp = none
listeners.ssl.default = 5671
default_user = orders-admin
default_pass = FakePassword-DoNotUse
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Pass,
			Note: "A rabbitmq.conf without credentials (users come from a definitions import with hashes).",
			Files: map[string]string{"rabbitmq.conf": `listeners.tcp = none
listeners.ssl.default = 5671
default_user = orders-admin
`},
		},
	},
}

func checkCredentialsInConfiguration(b *model.Broker, _ *Context) []Result {
	var fails, unknown []Result
	undecided := func(r []Result) {
		if unknown == nil {
			unknown = r
		}
	}

	c, _, res := usedConfiguration(b)
	undecided(res)
	if c != nil {
		f, u := configurationCredentials(c)
		fails = append(fails, f...)
		undecided(u)
	}

	if b.LDAP != nil {
		for i, h := range b.LDAP.Hosts.V {
			if brokeruri.HasCredentials(h) {
				n := strconv.Itoa(i + 1)
				fails = append(fails, Result{Status: Fail, At: b.LDAP.Hosts.At, ValueFrom: b.LDAP.Hosts.State,
					Subject: "ldap-host#" + n, Message: "LDAP server URL #" + n + " embeds a credential."})
			}
		}
		if !b.LDAP.Hosts.Known() {
			undecided(unknownResult("The LDAP server URLs", b.LDAP.Hosts.At))
		}
	}
	if b.LDAP == nil && b.LDAPUnread {
		undecided(unknownResult("Whether the broker declares LDAP server URLs", b.ID.At))
	}

	if sm := b.SelfManaged; sm != nil {
		var creds []Result
		for _, cr := range sm.Credentials {
			creds = append(creds, Result{Status: Fail, At: cr.At, ValueFrom: model.Explicit, Subject: "file:" + cr.Where,
				Message: "The broker's configuration embeds a credential in " + cr.Where + "."})
		}
		fails = append(fails, uniqueSubjects(creds)...)
	}

	for _, k := range b.Tags.SortedKeys() {
		if brokeruri.HasCredentials(b.Tags.V[k]) {
			at := b.Tags.At
			if r, ok := b.Tags.KeyAt[k]; ok {
				at = r
			}
			fails = append(fails, Result{Status: Fail, At: at, ValueFrom: b.Tags.State, Subject: "tag:" + k,
				Message: "The value of tag '" + k + "' embeds a credential in a URL or parameter."})
		}
	}
	if !b.Tags.Known() && !b.IsSelfManaged() {
		undecided(unknownResult("The broker's tags", b.Tags.At))
	}

	switch {
	case len(fails) > 0:
		return fails
	case unknown != nil:
		return unknown
	}
	if b.IsSelfManaged() {
		switch {
		case b.ID.Source == model.SourceProbe && (b.SelfManaged == nil || b.SelfManaged.RabbitMQ == nil):
			return notApplicable("A probe does not see the broker's configuration files.", b.ID.At)
		case b.SelfManaged == nil:
			return unknownResult("The broker's configuration files", b.ID.At)
		case b.ID.Source == model.SourceProbe:
			return one(Pass, "No credential is embedded in the definitions the management API shows.", b.ID.At, model.Explicit)
		}
		return one(Pass, "No credential is embedded in the broker's configuration files or LDAP URLs.", b.ID.At, model.Explicit)
	}
	if c != nil && configIsEngine(c, model.EngineActiveMQ) != Yes && c.ActiveMQ == nil && c.RabbitMQ == nil {
		// Said plainly: a PASS must not claim data that was not read.
		return one(Pass, "No credential is embedded in the broker's LDAP URLs or tags; the body of the "+
			"RabbitMQ configuration was not read.", b.ID.At, model.Explicit)
	}
	return one(Pass, "No credential is embedded in the broker's configuration, LDAP URLs or tags.", b.ID.At, model.Explicit)
}

func checkCredentialsInConfigurationOnly(c *model.Configuration, _ *Context) []Result {
	if c.Data == model.Unknown {
		return unknownResult("The body of configuration "+configLabel(c), configAt(c))
	}
	fails, unknown := configurationCredentials(c)
	switch {
	case len(fails) > 0:
		return fails
	case unknown != nil:
		return unknown
	}
	return one(Pass, "No credential is embedded in the configuration.", configAt(c), model.Explicit)
}

// configurationCredentials reports the credentials a readable configuration embeds: the ones the
// source recorded, and connector URIs with user:password or password= the source did not.
func configurationCredentials(c *model.Configuration) (fails, unknown []Result) {
	if configIsEngine(c, model.EngineActiveMQ) != Yes && c.ActiveMQ == nil {
		// A RabbitMQ configuration: the credentials its body embeds (default_pass and the like).
		if c.RabbitMQ != nil {
			for i, cr := range c.RabbitMQ.Credentials {
				fails = append(fails, Result{Status: Fail, At: cr.At, ValueFrom: model.Explicit,
					Subject: "config:" + cr.Where + "#" + strconv.Itoa(i+1),
					Message: "Configuration " + configLabel(c) + " embeds a credential in " + cr.Where + "."})
			}
		}
		return fails, nil
	}
	doc, res := activeMQDocument(c)
	if doc == nil {
		return nil, res
	}
	label := configLabel(c)
	// The source records credentials at their element's start tag: skip connectors it covered.
	type line struct {
		file string
		n    int
	}
	seen := map[line]bool{}
	var creds []Result
	for _, cr := range doc.Credentials {
		seen[line{cr.At.File, cr.At.StartLine}] = true
		creds = append(creds, Result{Status: Fail, At: cr.At, ValueFrom: model.Explicit, Subject: "config:" + cr.Where,
			Message: "Configuration " + label + " embeds a credential in " + cr.Where + "."})
	}
	fails = append(fails, uniqueSubjects(creds)...) // several users' password attributes are numbered
	check := func(kind string, i int, name, uri model.String, at model.Range) {
		if seen[line{at.File, at.StartLine}] || seen[line{uri.At.File, uri.At.StartLine}] ||
			!uri.Known() || !brokeruri.HasCredentials(uri.V) {
			return
		}
		where := kind + " #" + strconv.Itoa(i+1) + " uri"
		if name.Known() && name.V != "" {
			where = kind + " \"" + name.V + "\" uri"
		}
		fails = append(fails, Result{Status: Fail, At: uri.At, ValueFrom: uri.State, Subject: "config:" + where,
			Message: "Configuration " + label + " embeds a credential in " + where + "."})
	}
	for i, nc := range doc.NetworkConnectors {
		check("networkConnector", i, nc.Name, nc.URI, nc.At)
	}
	for i, tc := range doc.TransportConnectors {
		check("transportConnector", i, tc.Name, tc.URI, tc.At)
	}
	return fails, nil
}
