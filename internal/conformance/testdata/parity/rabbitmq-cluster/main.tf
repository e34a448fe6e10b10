data "aws_secretsmanager_secret_version" "mq" {
  secret_id = "mq/app"
}

resource "aws_kms_key" "mq" {
  description = "Amazon MQ"
}

resource "aws_mq_broker" "mq" {
  broker_name                = "events"
  engine_type                = "RabbitMQ"
  engine_version             = "3.13"
  deployment_mode            = "CLUSTER_MULTI_AZ"
  host_instance_type         = "mq.m5.large"
  auto_minor_version_upgrade = true
  subnet_ids                 = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"]

  encryption_options {
    use_aws_owned_key = false
    kms_key_id        = aws_kms_key.mq.arn
  }

  logs {
    general = true
  }

  user {
    username = "events-app"
    password = data.aws_secretsmanager_secret_version.mq.secret_string
  }

  tags = {
    "owner"            = "payments"
    "application"      = "orders"
    "data-sensitivity" = "internal"
  }
}
