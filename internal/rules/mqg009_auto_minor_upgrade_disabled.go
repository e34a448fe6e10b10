package rules

import "github.com/mqguard/mqguard/internal/model"

var mqg009 = &Rule{
	ID:       "MQG009",
	Slug:     "auto-minor-upgrade-disabled",
	Title:    "Automatic minor version upgrades are off",
	Severity: Low,
	Rationale: "Minor and patch versions carry security fixes, such as the ActiveMQ OpenWire remote code " +
		"execution CVE-2023-46604. With automatic minor version upgrades off, a broker keeps running a " +
		"vulnerable version until someone upgrades it by hand. Amazon MQ requires automatic minor " +
		"upgrades on ActiveMQ 5.18 and later and RabbitMQ 3.13 and later. Terraform's default is false, " +
		"CloudFormation's and the API's is true.",
	Remediation: map[model.SourceKind]string{
		model.SourceTerraform: "Set auto_minor_version_upgrade = true on the aws_mq_broker (the provider defaults " +
			"to false) and keep a maintenance_window_start_time that suits the workload. The change applies in place.",
		model.SourceTFPlan: "Fix the Terraform code: set auto_minor_version_upgrade = true on the aws_mq_broker.",
		model.SourceCloudFormation: "Set AutoMinorVersionUpgrade: true (or remove the property: the default is true) " +
			"and set a MaintenanceWindowStartTime; the update applies without replacement.",
		model.SourceAWS: "Run `aws mq update-broker --broker-id <id> --auto-minor-version-upgrade` and check the " +
			"maintenance window with `aws mq describe-broker`.",
	},
	Aliases: []Alias{
		{Tool: "securityhub", ID: "MQ.3"},
		{Tool: "config", ID: "mq-automatic-minor-version-upgrade-enabled"},
		{Tool: "checkov", ID: "CKV_AWS_207"},
		{Tool: "conformity", ID: "MQ-001"},
	},
	Controls: []string{"AWS Security Hub MQ.3"},
	Check:    checkAutoMinorUpgrade,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "Automatic minor version upgrades in a weekly maintenance window.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name                = "orders"
  engine_type                = "ActiveMQ"
  engine_version             = "5.18"
  host_instance_type         = "mq.m5.large"
  auto_minor_version_upgrade = true

  maintenance_window_start_time {
    day_of_week = "SUNDAY"
    time_of_day = "03:00"
    time_zone   = "UTC"
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
			Note: "Absent in Terraform means false; on RabbitMQ 3.13 the apply itself is rejected.",
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
			Kind: model.SourceCloudFormation, Address: "EventsBroker", Want: Pass,
			Note: "AutoMinorVersionUpgrade is absent: CloudFormation and the API default it to true (Terraform does not).",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker patched by Amazon MQ.

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
		{
			Kind: model.SourceCloudFormation, Address: "OrdersBroker", Want: Pass,
			Note: "Automatic minor version upgrades in a weekly maintenance window.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker patched on Sunday nights.

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
      AutoMinorVersionUpgrade: true
      MaintenanceWindowStartTime:
        DayOfWeek: SUNDAY
        TimeOfDay: "03:00"
        TimeZone: UTC
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:prod/orders/mq:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "EventsBroker", Want: Fail,
			Note: "AutoMinorVersionUpgrade: false; on RabbitMQ 3.13 the create itself is rejected.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker pinned to its patch level.

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
      AutoMinorVersionUpgrade: false
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:prod/events/mq:SecretString:password}}"
`},
		},
	},
}

func checkAutoMinorUpgrade(b *model.Broker, _ *Context) []Result {
	u := b.AutoMinorUpgrade
	switch {
	case !u.Known():
		return unknownResult("Whether automatic minor version upgrades are on", u.At)
	case u.V:
		return one(Pass, "Automatic minor version upgrades are on.", u.At, u.State)
	}
	msg := "Automatic minor version upgrades are off."
	if u.State == model.Default {
		msg = "Automatic minor version upgrades are off (absent, and this input defaults to false)."
	}
	if upgradeRequired(b) {
		msg += " " + b.Engine.V + " " + b.EngineVersion.V +
			" requires them: Amazon MQ will reject the create or update."
	}
	return one(Fail, msg, u.At, u.State)
}

// upgradeRequired reports whether Amazon MQ requires automatic minor version upgrades for the
// broker's engine version (ActiveMQ 5.18 and later, RabbitMQ 3.13 and later).
func upgradeRequired(b *model.Broker) bool {
	if !b.EngineVersion.Known() {
		return false
	}
	v, ok := ParseVersion(b.EngineVersion.V)
	if !ok {
		return false
	}
	switch {
	case b.IsEngine(model.EngineActiveMQ):
		return v.AtLeast(5, 18)
	case b.IsEngine(model.EngineRabbitMQ):
		return v.AtLeast(3, 13)
	}
	return false
}
