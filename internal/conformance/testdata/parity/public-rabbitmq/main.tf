resource "aws_mq_broker" "mq" {
  broker_name                = "public-rabbit"
  engine_type                = "RabbitMQ"
  engine_version             = "3.13"
  deployment_mode            = "SINGLE_INSTANCE"
  host_instance_type         = "mq.m5.large"
  publicly_accessible        = true
  auto_minor_version_upgrade = true
  subnet_ids                 = ["subnet-0a1b2c3d4e5f60718"]

  logs {
    general = true
  }

  user {
    username = "admin"
    password = "Lit3ral-Admin-Passw0rd"
  }

  tags = {
    "owner"            = "payments"
    "application"      = "orders"
    "data-sensitivity" = "internal"
  }
}
