data "aws_secretsmanager_secret_version" "mq" {
  secret_id = "mq/app"
}

resource "aws_security_group" "mq" {
  name   = "open-rule-mq"
  vpc_id = "vpc-0a1b2c3d"
}

resource "aws_vpc_security_group_ingress_rule" "openwire" {
  security_group_id = aws_security_group.mq.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 61617
  to_port           = 61617
  ip_protocol       = "tcp"
}

resource "aws_mq_broker" "mq" {
  broker_name                = "open-rule"
  engine_type                = "ActiveMQ"
  engine_version             = "5.18"
  deployment_mode            = "SINGLE_INSTANCE"
  host_instance_type         = "mq.m5.large"
  auto_minor_version_upgrade = true
  security_groups            = [aws_security_group.mq.id]
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
    "owner"            = "payments"
    "application"      = "orders"
    "data-sensitivity" = "internal"
  }
}
