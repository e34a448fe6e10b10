# Orders messaging stack: an Amazon MQ for ActiveMQ broker, its
# configuration, security group, KMS key and supporting resources.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
}

variable "environment" {
  description = "Deployment environment (dev, staging, prod)."
  type        = string
  default     = "dev"

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "The environment must be one of dev, staging or prod."
  }
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  type    = list(string)
  default = []
}

variable "allowed_cidrs" {
  description = "CIDR blocks allowed to reach the broker."
  type        = list(string)
  default     = ["10.0.0.0/8"]
}

variable "mq_admin_password" {
  type      = string
  sensitive = true
}

locals {
  name_prefix = "orders-${var.environment}"
  is_prod     = var.environment == "prod"

  common_tags = {
    Environment = var.environment
    Service     = "orders"
    Owner       = "platform-team"
    CostCenter  = "cc-1234"
  }

  ports = {
    openwire = 61617
    amqp     = 5671
    stomp    = 61614
    mqtt     = 8883
    wss      = 61619
    console  = 8162
  }
}

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

resource "aws_kms_key" "mq" {
  description             = "Key for the ${local.name_prefix} broker"
  deletion_window_in_days = 30
  enable_key_rotation     = true

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EnableRootPermissions"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowAmazonMQ"
        Effect    = "Allow"
        Principal = { Service = "mq.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          StringEquals = {
            "kms:ViaService" = "mq.${data.aws_region.current.name}.amazonaws.com"
          }
        }
      }
    ]
  })

  tags = local.common_tags
}

resource "aws_kms_alias" "mq" {
  name          = "alias/${local.name_prefix}-mq"
  target_key_id = aws_kms_key.mq.key_id
}

resource "aws_security_group" "mq" {
  name        = "${local.name_prefix}-mq"
  description = "Amazon MQ broker access"
  vpc_id      = var.vpc_id

  dynamic "ingress" {
    for_each = local.ports
    content {
      description = "Broker ${ingress.key} port"
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = var.allowed_cidrs
    }
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"] # needed for LDAP and CloudWatch
  }

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-mq" })
}

resource "aws_mq_configuration" "orders" {
  name           = "${local.name_prefix}-config"
  description    = "ActiveMQ configuration for ${local.name_prefix}"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"

  data = <<-XML
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <broker xmlns="http://activemq.apache.org/schema/core" schedulePeriodForDestinationPurge="10000">
      <destinationPolicy>
        <policyMap>
          <policyEntries>
            <policyEntry topic=">" gcInactiveDestinations="true" inactiveTimoutBeforeGC="600000">
              <pendingMessageLimitStrategy>
                <constantPendingMessageLimitStrategy limit="1000"/>
              </pendingMessageLimitStrategy>
            </policyEntry>
            <policyEntry queue=">" gcInactiveDestinations="true" inactiveTimoutBeforeGC="600000"/>
          </policyEntries>
        </policyMap>
      </destinationPolicy>
      <plugins>
        <forcePersistencyModeBrokerPlugin persistenceFlag="true"/>
        <statisticsBrokerPlugin/>
        <timeStampingBrokerPlugin ttlCeiling="86400000" zeroExpirationOverride="86400000"/>
      </plugins>
    </broker>
  XML

  tags = local.common_tags
}

resource "aws_mq_broker" "orders" {
  broker_name                = "${local.name_prefix}-broker"
  engine_type                = "ActiveMQ"
  engine_version             = "5.18"
  host_instance_type         = local.is_prod ? "mq.m5.large" : "mq.t3.micro"
  deployment_mode            = local.is_prod ? "ACTIVE_STANDBY_MULTI_AZ" : "SINGLE_INSTANCE"
  publicly_accessible        = false
  auto_minor_version_upgrade = true
  apply_immediately          = !local.is_prod
  subnet_ids                 = local.is_prod ? slice(var.subnet_ids, 0, 2) : [var.subnet_ids[0]]
  security_groups            = [aws_security_group.mq.id]

  configuration {
    id       = aws_mq_configuration.orders.id
    revision = aws_mq_configuration.orders.latest_revision
  }

  encryption_options {
    kms_key_id        = aws_kms_key.mq.arn
    use_aws_owned_key = false
  }

  logs {
    general = true
    audit   = true
  }

  maintenance_window_start_time {
    day_of_week = "SUNDAY"
    time_of_day = "03:00"
    time_zone   = "UTC"
  }

  user {
    username       = "admin"
    password       = var.mq_admin_password
    console_access = true
    groups         = ["admin"]
  }

  tags = local.common_tags
}

resource "aws_cloudwatch_metric_alarm" "mq_memory" {
  alarm_name          = "${local.name_prefix}-mq-memory"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 3
  metric_name         = "MemoryUsage"
  namespace           = "AWS/AmazonMQ"
  period              = 300
  statistic           = "Average"
  threshold           = 80
  alarm_description   = "Broker memory usage above 80% for 15 minutes"

  dimensions = {
    Broker = aws_mq_broker.orders.broker_name
  }
}

/*
  The consumer instance reads from the orders queue. Its user data
  installs the agent and writes the broker endpoint { "like": "this" }.
*/
resource "aws_instance" "consumer" {
  count         = local.is_prod ? 2 : 1
  ami           = "ami-0c55b159cbfafe1f0"
  instance_type = "t3.small"
  subnet_id     = element(var.subnet_ids, count.index)

  user_data = <<EOF
#!/bin/bash
set -euo pipefail
echo "BROKER=${aws_mq_broker.orders.instances[0].endpoints[0]}" >> /etc/orders.env
cat > /etc/orders/config.json <<JSON
{ "queue": "orders", "prefetch": 100 }
JSON
systemctl enable --now orders-consumer
EOF

  tags = merge(local.common_tags, { Name = "${local.name_prefix}-consumer-${count.index}" })
}

output "broker_id" {
  value = aws_mq_broker.orders.id
}

output "broker_endpoints" {
  value = [for i in aws_mq_broker.orders.instances : i.endpoints]
}
