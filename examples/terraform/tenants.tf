# One RabbitMQ broker per tenant team (for_each), and an optional sandbox (count).

module "tenant_broker" {
  source   = "./modules/tenant-broker"
  for_each = var.tenants

  name               = "tenant-${each.key}"
  owner              = each.value.owner
  data_sensitivity   = each.value.data_class
  highly_available   = each.value.highly_available
  subnet_ids         = var.private_subnet_ids
  security_group_ids = [aws_security_group.tenants_mq.id]
  kms_key_arn        = aws_kms_key.mq.arn
}

resource "aws_security_group" "tenants_mq" {
  name        = "tenants-mq"
  description = "AMQPS and the management API from inside the VPC"
  vpc_id      = var.vpc_id

  ingress {
    description = "AMQPS"
    from_port   = 5671
    to_port     = 5671
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }

  ingress {
    description = "Management API"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }
}

resource "random_password" "sandbox" {
  count   = var.enable_sandbox ? 1 : 0
  length  = 32
  special = false
}

resource "aws_mq_broker" "sandbox" {
  count = var.enable_sandbox ? 1 : 0

  broker_name         = "sandbox-${count.index}"
  engine_type         = "RabbitMQ"
  engine_version      = "3.13"
  host_instance_type  = "mq.t3.micro"
  publicly_accessible = false
  subnet_ids          = [var.private_subnet_ids[0]]
  security_groups     = [aws_security_group.tenants_mq.id]

  user {
    username = "sandbox"
    password = random_password.sandbox[count.index].result
  }

  tags = {
    environment      = "dev"
    owner            = "platform-messaging"
    application      = "sandbox"
    data-sensitivity = "public"
  }
}
