data "aws_secretsmanager_secret_version" "mq" {
  secret_id = "mq/app"
}

resource "aws_mq_broker" "mq" {
  broker_name                = "legacy"
  engine_type                = "ActiveMQ"
  engine_version             = "5.15.15"
  deployment_mode            = "SINGLE_INSTANCE"
  host_instance_type         = "mq.m5.large"
  auto_minor_version_upgrade = false
  subnet_ids                 = ["subnet-0a1b2c3d4e5f60718"]

  logs {
    general = false
    audit   = false
  }

  user {
    username = "app-orders"
    password = data.aws_secretsmanager_secret_version.mq.secret_string
  }

  tags = {
    "owner"            = "payments"
    "application"      = "orders"
    "data-sensitivity" = "internal"
  }
}
