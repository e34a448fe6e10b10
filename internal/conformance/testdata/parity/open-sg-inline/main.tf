data "aws_secretsmanager_secret_version" "mq" {
  secret_id = "mq/app"
}

resource "aws_security_group" "mq" {
  name   = "open-inline-mq"
  vpc_id = "vpc-0a1b2c3d"

  ingress {
    from_port   = 61617
    to_port     = 61617
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_mq_configuration" "mq" {
  name           = "open-inline-config"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"
  data           = <<-XML
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <broker xmlns="http://activemq.apache.org/schema/core">
      <destinationPolicy/>
    </broker>
  XML
}

resource "aws_mq_broker" "mq" {
  broker_name                = "open-inline"
  engine_type                = "ActiveMQ"
  engine_version             = "5.18"
  deployment_mode            = "SINGLE_INSTANCE"
  host_instance_type         = "mq.m5.large"
  publicly_accessible        = true
  auto_minor_version_upgrade = true
  security_groups            = [aws_security_group.mq.id]
  subnet_ids                 = ["subnet-0a1b2c3d4e5f60718"]

  configuration {
    id       = aws_mq_configuration.mq.id
    revision = aws_mq_configuration.mq.latest_revision
  }

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
