package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg006 = &Rule{
	ID:       "MQG006",
	Slug:     "kms-key-unusable",
	Title:    "The broker's KMS key is disabled, pending deletion or unusable",
	Severity: High,
	Rationale: "Amazon MQ needs its KMS key to read and write the broker's storage. When the key is " +
		"disabled, scheduled for deletion or otherwise unusable, Amazon MQ quarantines the broker " +
		"(INVALID_KMS_KEY): it stops serving clients, and once the key is deleted the stored messages " +
		"are lost for good.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "Set is_enabled = true (and remove any deletion in progress) on the aws_kms_key the " +
			"broker uses, and keep a key policy that lets Amazon MQ use it. Do not point the broker at another " +
			"key: changing the key replaces the broker.",
		model.SourceTFPlan: "Fix the Terraform code: set is_enabled = true on the aws_kms_key the broker uses.",
		model.SourceCloudFormation: "Set Enabled: true on the AWS::KMS::Key the broker uses and keep a key policy " +
			"that lets Amazon MQ use it; do not change the broker's KmsKeyId, which would replace the broker.",
		model.SourceAWS: "Re-enable the key (`aws kms enable-key`) or cancel its deletion " +
			"(`aws kms cancel-key-deletion`, then `aws kms enable-key`), restore a key policy and grants that " +
			"allow Amazon MQ, then reboot the broker (`aws mq reboot-broker`) to leave quarantine.",
	},
	Check: checkKMSKeyUsable,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "The broker's customer managed key is enabled (the default).",
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
			Note: "The broker's key is disabled: Amazon MQ quarantines the broker.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_kms_key" "mq" {
  description         = "Amazon MQ data at rest"
  enable_key_rotation = true
  is_enabled          = false
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
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note: "The AWS owned key (the default) is not in the account and cannot be disabled.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.m5.large"

  user {
    username = "events-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Pass,
			Note: "The broker's customer managed key is enabled (Enabled defaults to true).",
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
        KmsKeyId: !Ref BrokerKey
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Fail,
			Note: "The key is disabled (Enabled: false): Amazon MQ quarantines the broker.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker whose key is disabled.

Resources:
  BrokerKey:
    Type: AWS::KMS::Key
    Properties:
      Description: Amazon MQ data at rest
      EnableKeyRotation: true
      Enabled: false
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
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Unknown,
			Note: "A key ARN passed as a parameter names a key outside the template: its state cannot be determined.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker encrypted with a key of the security account.

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
			Kind: model.SourceCloudFormation, Address: "EventsBroker", Want: NotApplicable,
			Note: "No EncryptionOptions: the AWS owned key is not in the account and cannot be disabled.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker on the AWS owned key.

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
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:prod/events/mq:SecretString:password}}"
`},
		},
	},
}

func checkKMSKeyUsable(b *model.Broker, _ *Context) []Result {
	e := b.Encryption
	owned := e.UseAWSOwnedKey
	switch {
	case !owned.Known():
		return unknownResult("Whether the broker uses the AWS owned key", owned.At)
	case owned.V:
		return notApplicable("The broker uses the AWS owned key, which cannot be disabled.", owned.At)
	}

	if k := e.Key; k != nil {
		if st := k.KeyState; st.Known() && strings.TrimSpace(st.V) != "" {
			if strings.EqualFold(strings.TrimSpace(st.V), "Enabled") {
				return one(Pass, "The broker's KMS key is enabled.", firstRange(st.At, k.ID.At), st.State)
			}
			return one(Fail, "The broker's KMS key is in state "+strings.TrimSpace(st.V)+
				"; Amazon MQ quarantines a broker whose key is unusable.", firstRange(st.At, k.ID.At), st.State)
		}
		switch en := k.Enabled; {
		case !en.Known():
			return unknownResult("Whether the broker's KMS key is enabled", firstRange(en.At, k.ID.At))
		case en.V:
			return one(Pass, "The broker's KMS key is enabled.", firstRange(en.At, k.ID.At), en.State)
		default:
			return one(Fail, "The broker's KMS key is disabled; Amazon MQ quarantines a broker whose key is unusable.",
				firstRange(en.At, k.ID.At), en.State)
		}
	}

	id := e.KMSKeyID
	switch {
	case !id.Known():
		return unknownResult("The broker's KMS key", id.At)
	case strings.TrimSpace(id.V) == "" || isAWSManagedAlias(id.V):
		return one(Pass, "The broker uses the AWS managed key aws/mq, which cannot be disabled.",
			firstRange(id.At, owned.At), id.State)
	case e.KeyManager.Known() && strings.EqualFold(strings.TrimSpace(e.KeyManager.V), keyManagerAWS):
		return one(Pass, "The broker uses an AWS managed key, which cannot be disabled.",
			firstRange(id.At, e.KeyManager.At), e.KeyManager.State)
	default:
		return one(Unknown, "The broker's KMS key is not described in the scanned input, so its state could not be determined.",
			id.At, model.Unknown)
	}
}
