package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// KMS key managers as KMS reports them.
const (
	keyManagerCustomer = "CUSTOMER"
	keyManagerAWS      = "AWS"
)

var mqg005 = &Rule{
	ID:       "MQG005",
	Slug:     "no-customer-managed-key",
	Title:    "Data at rest not encrypted with a customer managed KMS key",
	Severity: Medium,
	Rationale: "With the AWS owned key or the AWS managed key aws/mq, the key policy, rotation and " +
		"audit trail are out of the account owner's hands: access to stored messages cannot be " +
		"restricted or revoked through the key, and key use does not show in the account's CloudTrail " +
		"as decisions the owner made. A customer managed key puts those controls with the owner.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "The encryption key cannot be changed in place. Create an aws_kms_key (with rotation " +
			"enabled and a key policy that lets Amazon MQ use it) and a new broker with encryption_options " +
			"{ use_aws_owned_key = false, kms_key_id = aws_kms_key.mq.arn }, migrate to it " +
			"(`mqguard plan-migration`), then remove the old broker.",
		model.SourceTFPlan: "Fix the Terraform code: create a new broker whose encryption_options use a customer " +
			"managed aws_kms_key (use_aws_owned_key = false, kms_key_id = aws_kms_key.mq.arn) and migrate to it " +
			"(`mqguard plan-migration`).",
		model.SourceCloudFormation: "Changing EncryptionOptions replaces the broker. Add an AWS::KMS::Key and a new " +
			"AWS::AmazonMQ::Broker with EncryptionOptions: {UseAwsOwnedKey: false, KmsKeyId: !GetAtt Key.Arn}, " +
			"migrate to it (`mqguard plan-migration`), then delete the old broker.",
		model.SourceAWS: "Amazon MQ cannot change the key of an existing broker. Create a customer managed key " +
			"(`aws kms create-key`, then `aws kms enable-key-rotation`) and a new broker with " +
			"`--encryption-options UseAwsOwnedKey=false,KmsKeyId=<key arn>`, then migrate to it " +
			"(`mqguard plan-migration`).",
	},
	ReplacementRequired: true,
	Aliases: []Alias{
		{Tool: "checkov", ID: "CKV_AWS_209"},
		{Tool: "cloudsploit", ID: "mqBrokerEncrypted"},
		{Tool: "kics", ID: "3db3f534-e3a3-487f-88c7-0a9fbf64b702"},
	},
	Check: checkCustomerManagedKey,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "A customer managed key declared in the same configuration.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_kms_key" "mq" {
  description         = "Amazon MQ data at rest"
  enable_key_rotation = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"

  encryption_options {
    use_aws_owned_key = false
    kms_key_id        = aws_kms_key.mq.arn
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
			Note: "No encryption_options block: the AWS owned key is used.",
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
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "use_aws_owned_key = false without a key id selects the AWS managed key aws/mq.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.m5.large"

  encryption_options {
    use_aws_owned_key = false
  }

  user {
    username = "events-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceAWS, Want: Pass,
			Address: snapBroker{ID: "b-5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", Name: "orders"}.arn(),
			Note:    "A live broker encrypted with an enabled customer managed key (KeyManager CUSTOMER).",
			Files: snapshotExample(snapBroker{ID: "b-5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d", Name: "orders",
				Engine: model.EngineActiveMQ, State: "RUNNING", ConfigRevision: 1, LatestRevision: 1,
				KeyID: "1234abcd-12ab-34cd-56ef-1234567890ab"}),
		},
		{
			Kind: model.SourceAWS, Want: Fail,
			Address: snapBroker{ID: "b-6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e", Name: "events"}.arn(),
			Note:    "A live broker with UseAwsOwnedKey true.",
			Files: snapshotExample(snapBroker{ID: "b-6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d9e", Name: "events",
				Engine: model.EngineRabbitMQ, State: "RUNNING"}),
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Pass,
			Note: "A customer managed AWS::KMS::Key declared in the same template.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker encrypted with a customer managed key.

Resources:
  BrokerKey:
    Type: AWS::KMS::Key
    Properties:
      Description: Amazon MQ data at rest
      EnableKeyRotation: true
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: AccountAdministration
            Effect: Allow
            Principal:
              AWS: !Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
            Action: "kms:*"
            Resource: "*"

  OrdersBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      EncryptionOptions:
        UseAwsOwnedKey: false
        KmsKeyId: !GetAtt BrokerKey.Arn
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Pass,
			Note: "A customer managed key ARN passed as a parameter default.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker encrypted with a shared customer managed key.

Parameters:
  BrokerKeyArn:
    Type: String
    Default: arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0

Resources:
  OrdersBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      EncryptionOptions:
        UseAwsOwnedKey: false
        KmsKeyId: !Ref BrokerKeyArn
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Fail,
			Note: "No EncryptionOptions: the AWS owned key is used.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker on the AWS owned key.

Resources:
  OrdersBroker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "EventsBroker", Want: Fail,
			Note: "KmsKeyId: alias/aws/mq names the AWS managed key, not a customer managed one.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker on the AWS managed key.

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
      EncryptionOptions:
        UseAwsOwnedKey: false
        KmsKeyId: alias/aws/mq
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:prod/events/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceTFPlan, Address: "aws_mq_broker.example", Want: Pass,
			Note: "kms_key_id is unknown until apply; the plan configuration names the aws_kms_key it comes from, so the key is known to be customer managed.",
			Files: map[string]string{"plan.json": `{
  "format_version": "1.2",
  "terraform_version": "1.9.8",
  "planned_values": {
    "root_module": {
      "resources": [
        {
          "address": "aws_kms_key.mq",
          "mode": "managed",
          "type": "aws_kms_key",
          "name": "mq",
          "provider_name": "registry.terraform.io/hashicorp/aws",
          "schema_version": 0,
          "values": {
            "bypass_policy_lockout_safety_check": false,
            "custom_key_store_id": null,
            "customer_master_key_spec": "SYMMETRIC_DEFAULT",
            "deletion_window_in_days": null,
            "description": "Amazon MQ data at rest",
            "enable_key_rotation": true,
            "is_enabled": true,
            "key_usage": "ENCRYPT_DECRYPT",
            "tags": null,
            "timeouts": null,
            "xks_key_id": null
          },
          "sensitive_values": {}
        },
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
            "auto_minor_version_upgrade": false,
            "broker_name": "orders",
            "configuration": [],
            "data_replication_mode": null,
            "data_replication_primary_broker_arn": null,
            "deployment_mode": "SINGLE_INSTANCE",
            "encryption_options": [{"use_aws_owned_key": false}],
            "engine_type": "ActiveMQ",
            "engine_version": "5.18",
            "host_instance_type": "mq.m5.large",
            "ldap_server_metadata": [],
            "logs": [],
            "maintenance_window_start_time": [],
            "publicly_accessible": false,
            "security_groups": null,
            "subnet_ids": null,
            "tags": null,
            "timeouts": null,
            "user": [
              {
                "console_access": false,
                "groups": null,
                "replication_user": false,
                "username": "orders-app"
              }
            ]
          },
          "sensitive_values": {
            "configuration": [],
            "encryption_options": [{}],
            "ldap_server_metadata": [],
            "logs": [],
            "maintenance_window_start_time": [],
            "user": [{"password": true}]
          }
        },
        {
          "address": "random_password.mq",
          "mode": "managed",
          "type": "random_password",
          "name": "mq",
          "provider_name": "registry.terraform.io/hashicorp/random",
          "schema_version": 3,
          "values": {
            "keepers": null,
            "length": 32,
            "lower": true,
            "min_lower": 0,
            "min_numeric": 0,
            "min_special": 0,
            "min_upper": 0,
            "number": true,
            "numeric": true,
            "override_special": null,
            "special": false,
            "upper": true
          },
          "sensitive_values": {}
        }
      ]
    }
  },
  "resource_changes": [
    {
      "address": "aws_kms_key.mq",
      "mode": "managed",
      "type": "aws_kms_key",
      "name": "mq",
      "provider_name": "registry.terraform.io/hashicorp/aws",
      "change": {
        "actions": ["create"],
        "before": null,
        "after": {
          "bypass_policy_lockout_safety_check": false,
          "custom_key_store_id": null,
          "customer_master_key_spec": "SYMMETRIC_DEFAULT",
          "deletion_window_in_days": null,
          "description": "Amazon MQ data at rest",
          "enable_key_rotation": true,
          "is_enabled": true,
          "key_usage": "ENCRYPT_DECRYPT",
          "tags": null,
          "timeouts": null,
          "xks_key_id": null
        },
        "after_unknown": {
          "arn": true,
          "id": true,
          "key_id": true,
          "multi_region": true,
          "policy": true,
          "rotation_period_in_days": true,
          "tags_all": true
        },
        "before_sensitive": false,
        "after_sensitive": {}
      }
    },
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
          "auto_minor_version_upgrade": false,
          "broker_name": "orders",
          "configuration": [],
          "data_replication_mode": null,
          "data_replication_primary_broker_arn": null,
          "deployment_mode": "SINGLE_INSTANCE",
          "encryption_options": [{"use_aws_owned_key": false}],
          "engine_type": "ActiveMQ",
          "engine_version": "5.18",
          "host_instance_type": "mq.m5.large",
          "ldap_server_metadata": [],
          "logs": [],
          "maintenance_window_start_time": [],
          "publicly_accessible": false,
          "security_groups": null,
          "subnet_ids": null,
          "tags": null,
          "timeouts": null,
          "user": [
            {
              "console_access": false,
              "groups": null,
              "replication_user": false,
              "username": "orders-app"
            }
          ]
        },
        "after_unknown": {
          "arn": true,
          "configuration": true,
          "id": true,
          "instances": true,
          "maintenance_window_start_time": true,
          "pending_data_replication_mode": true,
          "storage_type": true,
          "subnet_ids": true,
          "tags_all": true,
          "user": [{"password": true}],
          "encryption_options": [{"kms_key_id": true}]
        },
        "before_sensitive": false,
        "after_sensitive": {
          "configuration": [],
          "encryption_options": [{}],
          "ldap_server_metadata": [],
          "logs": [],
          "maintenance_window_start_time": [],
          "user": [{"password": true}]
        }
      }
    },
    {
      "address": "random_password.mq",
      "mode": "managed",
      "type": "random_password",
      "name": "mq",
      "provider_name": "registry.terraform.io/hashicorp/random",
      "change": {
        "actions": ["create"],
        "before": null,
        "after": {
          "keepers": null,
          "length": 32,
          "lower": true,
          "min_lower": 0,
          "min_numeric": 0,
          "min_special": 0,
          "min_upper": 0,
          "number": true,
          "numeric": true,
          "override_special": null,
          "special": false,
          "upper": true
        },
        "after_unknown": {"bcrypt_hash": true, "id": true, "result": true},
        "before_sensitive": false,
        "after_sensitive": {"bcrypt_hash": true, "result": true}
      }
    }
  ],
  "configuration": {
    "provider_config": {
      "aws": {"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws"},
      "random": {"name": "random", "full_name": "registry.terraform.io/hashicorp/random"}
    },
    "root_module": {
      "resources": [
        {
          "address": "aws_kms_key.mq",
          "mode": "managed",
          "type": "aws_kms_key",
          "name": "mq",
          "provider_config_key": "aws",
          "expressions": {
            "description": {"constant_value": "Amazon MQ data at rest"},
            "enable_key_rotation": {"constant_value": true}
          },
          "schema_version": 0
        },
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
            "user": [
              {
                "username": {"constant_value": "orders-app"},
                "password": {"references": ["random_password.mq.result", "random_password.mq"]}
              }
            ],
            "encryption_options": [
              {
                "use_aws_owned_key": {"constant_value": false},
                "kms_key_id": {"references": ["aws_kms_key.mq.arn", "aws_kms_key.mq"]}
              }
            ]
          },
          "schema_version": 0
        },
        {
          "address": "random_password.mq",
          "mode": "managed",
          "type": "random_password",
          "name": "mq",
          "provider_config_key": "random",
          "expressions": {"length": {"constant_value": 32}, "special": {"constant_value": false}},
          "schema_version": 3
        }
      ]
    }
  },
  "timestamp": "2026-11-20T09:30:00Z",
  "applyable": true,
  "complete": true,
  "errored": false
}
`},
		},
	},
}

func checkCustomerManagedKey(b *model.Broker, _ *Context) []Result {
	e := b.Encryption
	owned := e.UseAWSOwnedKey
	switch {
	case !owned.Known():
		return unknownResult("Whether the broker uses the AWS owned key", owned.At)
	case owned.V:
		return one(Fail, "Data at rest is encrypted with the AWS owned key, not a customer managed key.", owned.At, owned.State)
	}

	// A key manager reported by KMS (live, or a resolved key resource) decides.
	for _, km := range []model.String{e.KeyManager, keyManagerOf(e.Key)} {
		if !km.Known() || km.V == "" {
			continue
		}
		at := firstRange(e.KMSKeyID.At, km.At)
		switch strings.ToUpper(strings.TrimSpace(km.V)) {
		case keyManagerCustomer:
			return one(Pass, "Data at rest is encrypted with a customer managed KMS key.", at, km.State)
		case keyManagerAWS:
			return one(Fail, "Data at rest is encrypted with the AWS managed key aws/mq, not a customer managed key.", at, km.State)
		}
		return unknownResult("Who manages the broker's KMS key", at)
	}

	id := e.KMSKeyID
	switch {
	case e.Key != nil && b.ID.Source != model.SourceAWS:
		// A key resource in code (aws_kms_key, AWS::KMS::Key) is always customer managed.
		return one(Pass, "Data at rest is encrypted with a customer managed KMS key declared in code.",
			firstRange(id.At, e.Key.ID.At), model.Explicit)
	case !id.Known():
		return unknownResult("The broker's KMS key", id.At)
	case strings.TrimSpace(id.V) == "":
		return one(Fail, "No KMS key is set with use_aws_owned_key false: the AWS managed key aws/mq is used.",
			firstRange(id.At, owned.At), id.State)
	case isAWSManagedAlias(id.V):
		return one(Fail, "The KMS key is the AWS managed key aws/mq, not a customer managed key.", id.At, id.State)
	case b.ID.Source == model.SourceAWS:
		// The API reports the AWS managed key by its ARN too: only KeyManager can tell.
		return unknownResult("Who manages the broker's KMS key", id.At)
	default:
		return one(Pass, "Data at rest is encrypted with the customer managed KMS key named in code.", id.At, id.State)
	}
}

// isAWSManagedAlias reports whether a key id names an AWS managed key alias (alias/aws/...),
// as an alias name or an alias ARN.
func isAWSManagedAlias(id string) bool {
	return strings.Contains(strings.ToLower(id), "alias/aws/")
}

// keyManagerOf returns the key manager of a resolved key, Unknown when there is none.
func keyManagerOf(k *model.Key) model.String {
	if k == nil {
		return model.String{}
	}
	return k.KeyManager
}
