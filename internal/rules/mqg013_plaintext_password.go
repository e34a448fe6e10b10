package rules

import (
	"strconv"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg013 = &Rule{
	ID:       "MQG013",
	Slug:     "plaintext-password",
	Title:    "A broker password is written in plain text in code",
	Severity: High,
	Rationale: "A password written in a .tf file, a .tfvars file, a variable default or a template is in " +
		"every clone of the repository, every CI log that prints the plan and the version history forever. " +
		"Anyone with read access to the code can log in to the broker. Passwords should come from a " +
		"secrets store, be generated at apply time or be supplied at deploy time.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "Remove the literal from the code and the .tfvars files and rotate the password " +
			"(it stays in the version history). Read it from a secrets store (data " +
			"\"aws_secretsmanager_secret_version\" or data \"aws_ssm_parameter\" with a SecureString), generate it " +
			"with random_password and store it in Secrets Manager, or declare a sensitive variable with no " +
			"default that the pipeline sets from its secret store (TF_VAR_...).",
		model.SourceTFPlan: "Plans do not show where a password came from: fix the Terraform code so the " +
			"password comes from Secrets Manager, SSM SecureString, random_password or a sensitive variable " +
			"without default, then rotate it.",
		model.SourceCloudFormation: "Replace the literal (or the parameter Default) with a dynamic reference " +
			"such as '{{resolve:secretsmanager:mq/orders:SecretString:password}}', or a NoEcho parameter with " +
			"no Default, then rotate the password (it stays in the template history).",
		model.SourceAWS: "Live brokers do not reveal where their passwords came from: scan the code that " +
			"creates the broker. To rotate a password now: `aws mq update-user --broker-id <id> --username " +
			"<user> --password <new>` with a value read from Secrets Manager.",
	},
	Check: checkPlaintextPassword,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "The password is read from Secrets Manager.",
			Files: map[string]string{"main.tf": `data "aws_secretsmanager_secret_version" "mq" {
  secret_id = "mq/orders/app"
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "orders-app"
    password = jsondecode(data.aws_secretsmanager_secret_version.mq.secret_string)["password"]
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "A generated password (random_password) is never written in code.",
			Files: map[string]string{"main.tf": `resource "random_password" "mq" {
  length  = 32
  special = false
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "events-app"
    password = random_password.mq.result
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "The password is a variable default: it is written in the code.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
  default   = "FakePassword-DoNotUse-1"
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
			Note: "A password set in a .tfvars file is as plain as one in the resource.",
			Files: map[string]string{
				"main.tf": `variable "mq_password" {
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
`,
				"terraform.tfvars": `mq_password = "FakePassword-DoNotUse-2"
`,
			},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Pass,
			Note: "The password is a Secrets Manager dynamic reference, resolved at deploy time.",
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
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Pass,
			Note: "A NoEcho parameter with no Default is supplied at deploy time, never written in the template.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker.
Parameters:
  BrokerPassword:
    Type: String
    NoEcho: true
    MinLength: 12
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
          Password: !Ref BrokerPassword
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "A literal password in the template.",
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
          Password: FakePassword-DoNotUse-1
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "NoEcho hides the value in the console, but a parameter Default is still written in the template.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker.
Parameters:
  BrokerPassword:
    Type: String
    NoEcho: true
    Default: FakePassword-DoNotUse-2
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
          Password: !Ref BrokerPassword
`},
		},
		{
			Kind: model.SourceTFPlan, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note: "A plan holds resolved values only: where the password was written cannot be told (scan the Terraform code).",
			Files: map[string]string{"plan.json": `{
  "format_version": "1.2",
  "terraform_version": "1.9.8",
  "variables": {
    "mq_password": {
      "value": "FakePassword-DoNotUse-3"
    }
  },
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
            "apply_immediately": false,
            "authentication_strategy": "simple",
            "auto_minor_version_upgrade": true,
            "broker_name": "orders",
            "configuration": [],
            "deployment_mode": "SINGLE_INSTANCE",
            "engine_type": "ActiveMQ",
            "engine_version": "5.18",
            "host_instance_type": "mq.m5.large",
            "ldap_server_metadata": [],
            "logs": [],
            "publicly_accessible": false,
            "subnet_ids": ["subnet-0a1b2c3d4e5f60718"],
            "tags": null,
            "timeouts": null,
            "user": [
              {
                "console_access": false,
                "groups": [],
                "password": "FakePassword-DoNotUse-3",
                "replication_user": false,
                "username": "orders-app"
              }
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
          "apply_immediately": false,
          "authentication_strategy": "simple",
          "auto_minor_version_upgrade": true,
          "broker_name": "orders",
          "configuration": [],
          "deployment_mode": "SINGLE_INSTANCE",
          "engine_type": "ActiveMQ",
          "engine_version": "5.18",
          "host_instance_type": "mq.m5.large",
          "ldap_server_metadata": [],
          "logs": [],
          "publicly_accessible": false,
          "subnet_ids": ["subnet-0a1b2c3d4e5f60718"],
          "tags": null,
          "timeouts": null,
          "user": [
            {
              "console_access": false,
              "groups": [],
              "password": "FakePassword-DoNotUse-3",
              "replication_user": false,
              "username": "orders-app"
            }
          ]
        },
        "after_unknown": {
          "arn": true,
          "id": true,
          "instances": true,
          "security_groups": true,
          "storage_type": true
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
            "engine_type": {"constant_value": "ActiveMQ"},
            "engine_version": {"constant_value": "5.18"},
            "host_instance_type": {"constant_value": "mq.m5.large"},
            "subnet_ids": {"constant_value": ["subnet-0a1b2c3d4e5f60718"]},
            "user": [
              {
                "username": {"constant_value": "orders-app"},
                "password": {"references": ["var.mq_password"]}
              }
            ]
          },
          "schema_version": 0
        }
      ],
      "variables": {
        "mq_password": {"sensitive": true}
      }
    }
  },
  "timestamp": "2025-01-15T09:30:00Z",
  "applyable": true,
  "complete": true,
  "errored": false
}
`},
		},
	},
}

// brokerSecret is one password of a broker, with how messages and fingerprints name it.
type brokerSecret struct {
	label   string // "user 'app'", "replication user 'repl'", "the LDAP service account"
	subject string
	secret  model.Secret
	at      model.Range
}

func checkPlaintextPassword(b *model.Broker, _ *Context) []Result {
	switch b.ID.Source {
	case model.SourceTerraform, model.SourceCloudFormation:
	default:
		return notApplicable("Where a password is written can only be told from Terraform or CloudFormation code.", b.ID.At)
	}
	var fails []Result
	var unknown []Result
	for _, s := range brokerSecrets(b) {
		at := s.secret.At
		if at.IsZero() {
			at = s.at
		}
		switch s.secret.Origin {
		case model.SecretLiteral:
			where := "the code"
			if !s.secret.LiteralAt.IsZero() {
				where = s.secret.LiteralAt.String()
			}
			fails = append(fails, Result{Status: Fail, At: at, ValueFrom: model.Explicit, Subject: s.subject,
				Message: "The password of " + s.label + " is a literal written in " + where + "."})
		case model.SecretUnknown:
			if unknown == nil {
				unknown = unknownResult("Where the password of "+s.label+" comes from", at)
			}
		}
	}
	switch {
	case len(fails) > 0:
		return fails
	case unknown != nil:
		return unknown
	case b.UsersState == model.Unknown:
		return unknownResult("The broker's users", b.ID.At)
	case b.LDAP == nil && b.LDAPUnread:
		return unknownResult("Whether the broker has an LDAP service account", b.ID.At)
	}
	return one(Pass, "No broker password is a literal written in code.", b.ID.At, model.Explicit)
}

// brokerSecrets lists the passwords of a broker: its users' (replication user included) and the
// LDAP service account's.
func brokerSecrets(b *model.Broker) []brokerSecret {
	var out []brokerSecret
	for i, u := range b.Users {
		kind := "user"
		if u.ReplicationUser.Known() && u.ReplicationUser.V {
			kind = "replication user"
		}
		s := brokerSecret{secret: u.Password, at: u.At}
		if u.Username.Known() && u.Username.V != "" {
			// The name is shown masked when it holds personal data (MQG015 reports it).
			s.label, s.subject = kind+" '"+maskPII(u.Username.V)+"'", u.Username.V
		} else {
			n := strconv.Itoa(i + 1)
			s.label, s.subject = kind+" #"+n, "user#"+n
		}
		out = append(out, s)
	}
	if b.LDAP != nil {
		out = append(out, brokerSecret{label: "the LDAP service account", subject: "ldap-service-account",
			secret: b.LDAP.ServiceAccountPassword, at: b.LDAP.At})
	}
	return out
}

// maskPII replaces the personal data found in s by its masked form.
func maskPII(s string) string {
	found := findPII(s)
	for i := len(found) - 1; i >= 0; i-- {
		m := found[i]
		s = s[:m.start] + m.Masked + s[m.end:]
	}
	return s
}
