data "aws_secretsmanager_secret_version" "mq" {
  secret_id = "mq/app"
}

resource "aws_mq_broker" "mq" {
  broker_name                = "untagged"
  engine_type                = "ActiveMQ"
  engine_version             = "5.18"
  deployment_mode            = "SINGLE_INSTANCE"
  host_instance_type         = "mq.m5.large"
  auto_minor_version_upgrade = true
  subnet_ids                 = ["subnet-0a1b2c3d4e5f60718"]

  logs {
    general = true
    audit   = true
  }

  user {
    username = "app-orders"
    password = data.aws_secretsmanager_secret_version.mq.secret_string
  }

  tags = {
    "Name" = "untagged"
  }
}
