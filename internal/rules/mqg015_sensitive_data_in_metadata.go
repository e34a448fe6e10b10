package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg015 = &Rule{
	ID:       "MQG015",
	Slug:     "sensitive-data-in-metadata",
	Title:    "Personal data in names, usernames or tags",
	Severity: Medium,
	Rationale: "Broker names, usernames, tags and configuration descriptions are not secret: they appear in " +
		"the console, in CloudTrail and CloudWatch, in cost reports, in Terraform state and plans and in " +
		"every tool that inventories the account. Personal data put there (an owner's email or phone " +
		"number, a card or social security number) leaks to all of them and falls under privacy law. " +
		"Use team names, aliases or ticket IDs instead.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "Replace the personal data with a team or distribution-list identifier, an alias " +
			"or a ticket reference. Tags and configuration descriptions change in place; broker_name forces a " +
			"new broker and a username change needs the clients to move to the new user.",
		model.SourceTFPlan: "Fix the Terraform code: replace the personal data in the name, username, tags or " +
			"configuration description with a team identifier or an alias.",
		model.SourceCloudFormation: "Replace the personal data with a team identifier or an alias. Tags and the " +
			"configuration Description update in place; BrokerName replaces the broker.",
		model.SourceAWS: "Retag with `aws mq create-tags` / `aws mq delete-tags`; update the configuration " +
			"description with `aws mq update-configuration`; usernames need a new user (`aws mq create-user`) " +
			"and broker names a new broker. Purge the old values from exported inventories.",
	},
	Check:              checkSensitiveDataInMetadata,
	CheckConfiguration: checkSensitiveDataInConfiguration,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "Tags that name a team and a ticket, not a person.",
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

  tags = {
    owner       = "team-payments"
    cost-center = "4200"
    change      = "CHG-2024-0916"
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "An owner tag holding a personal email address.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

locals {
  owner = "jane.doe@example.com"
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

  tags = {
    owner = local.owner
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_configuration.example", Want: Fail,
			Note: "An unused configuration is checked on its own: its description holds a phone number.",
			Files: map[string]string{"main.tf": `resource "aws_mq_configuration" "example" {
  name           = "orders"
  description    = "Orders broker, on call +1 202-555-0143"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"

  data = <<DATA
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<broker xmlns="http://activemq.apache.org/schema/core">
</broker>
DATA
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Pass,
			Note: "Tags that name a team and a ticket, not a person.",
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
      Tags:
        - Key: owner
          Value: team-payments
        - Key: cost-center
          Value: "4200"
        - Key: change
          Value: CHG-2024-0916
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "An owner tag holding a personal email address, through a parameter Default.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker.
Parameters:
  Owner:
    Type: String
    Default: jane.doe@example.com
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
      Tags:
        - Key: owner
          Value: !Ref Owner
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Configuration", Want: Fail,
			Note: "An unused configuration is checked on its own: its description holds a phone number.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker configuration.
Resources:
  Configuration:
    Type: AWS::AmazonMQ::Configuration
    Properties:
      Name: orders
      Description: Orders broker, on call +1 202-555-0143
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      Data: !Base64 |
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <broker xmlns="http://activemq.apache.org/schema/core">
        </broker>
`},
		},
	},
}

func checkSensitiveDataInMetadata(b *model.Broker, _ *Context) []Result {
	var s piiScan
	s.value("The broker name", "name", b.Name)
	for _, u := range b.Users {
		s.value("A broker username", "username", u.Username)
	}
	if b.UsersState == model.Unknown {
		s.undecided("The broker's users", b.ID.At)
	}
	s.tags("", b.Tags)
	// A configuration outside the scanned input has no metadata here to judge.
	if b.Configuration != nil && b.Configuration.Config != nil {
		s.configuration(b.Configuration.Config)
	}
	return s.results("The broker's name, usernames, tags and configuration hold no personal data.", b.ID.At)
}

func checkSensitiveDataInConfiguration(c *model.Configuration, _ *Context) []Result {
	var s piiScan
	s.configuration(c)
	return s.results("The configuration's name, description and tags hold no personal data.", c.ID.At)
}

// piiScan collects MQG015's findings over the fields of a resource.
type piiScan struct {
	fails   []Result
	unknown []Result
}

func (s *piiScan) undecided(what string, at model.Range) {
	if s.unknown == nil {
		s.unknown = unknownResult(what, at)
	}
}

// value checks one attribute. The subject carries only the masked data, never the value.
func (s *piiScan) value(label, subject string, v model.String) {
	if !v.Known() {
		s.undecided(label, v.At)
		return
	}
	found := findPII(v.V)
	if len(found) == 0 {
		return
	}
	if subject == "username" {
		subject += ":" + maskedList(found)
	}
	s.fails = append(s.fails, Result{Status: Fail, At: v.At, ValueFrom: v.State, Subject: subject,
		Message: label + " contains " + describePII(found) + "."})
}

// tags checks tag keys and values; owner prefixes labels and subjects ("configuration ").
func (s *piiScan) tags(owner string, t model.Tags) {
	for _, k := range t.SortedKeys() {
		at := t.At
		if r, ok := t.KeyAt[k]; ok {
			at = r
		}
		keyLabel, keySubject := "tag '"+k+"'", owner+"tag:"+k
		if found := findPII(k); len(found) > 0 {
			keyLabel, keySubject = "a tag", owner+"tag:"+maskedList(found)
			s.fails = append(s.fails, Result{Status: Fail, At: at, ValueFrom: t.State, Subject: owner + "tag-key:" + maskedList(found),
				Message: capitalize(owner+"tag key contains ") + describePII(found) + "."})
		}
		if found := findPII(t.V[k]); len(found) > 0 {
			s.fails = append(s.fails, Result{Status: Fail, At: at, ValueFrom: t.State, Subject: keySubject,
				Message: capitalize("the value of "+owner+keyLabel) + " contains " + describePII(found) + "."})
		}
	}
	if !t.Known() {
		s.undecided(capitalize(owner+"tags"), t.At)
	}
}

func (s *piiScan) configuration(c *model.Configuration) {
	s.value("The name of configuration "+configIDLabel(c), "configuration-name", c.Name)
	s.value("The description of configuration "+configIDLabel(c), "configuration-description", c.Description)
	s.tags("configuration ", c.Tags)
}

func (s *piiScan) results(pass string, at model.Range) []Result {
	switch {
	case len(s.fails) > 0:
		return s.fails
	case s.unknown != nil:
		return s.unknown
	}
	return one(Pass, pass, at, model.Explicit)
}

// describePII names the personal data found, masked: "an email address (j***@e***.com)".
func describePII(found []piiMatch) string {
	parts := make([]string, len(found))
	for i, m := range found {
		parts[i] = m.Kind + " (" + m.Masked + ")"
	}
	return strings.Join(parts, " and ")
}

// maskedList joins the masked matches, for subjects.
func maskedList(found []piiMatch) string {
	parts := make([]string, len(found))
	for i, m := range found {
		parts[i] = m.Masked
	}
	return strings.Join(parts, ",")
}

// capitalize upper-cases the first letter of a sentence.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// configIDLabel names a configuration by address or ARN only: its name may be what holds the
// personal data.
func configIDLabel(c *model.Configuration) string {
	if c.ID.Address != "" {
		return c.ID.Address
	}
	return c.ID.ARN
}
