resource "random_password" "app" {
  length  = 32
  special = false
}

resource "aws_mq_broker" "this" {
  broker_name                = var.name
  engine_type                = "RabbitMQ"
  engine_version             = "3.13"
  host_instance_type         = "mq.m5.large"
  deployment_mode            = var.highly_available ? "CLUSTER_MULTI_AZ" : "SINGLE_INSTANCE"
  publicly_accessible        = false
  auto_minor_version_upgrade = true
  subnet_ids                 = var.highly_available ? var.subnet_ids : [var.subnet_ids[0]]
  security_groups            = var.security_group_ids

  encryption_options {
    use_aws_owned_key = false
    kms_key_id        = var.kms_key_arn
  }

  logs {
    general = true
  }

  user {
    username = "${var.name}-app"
    password = random_password.app.result
  }

  tags = {
    environment      = "production"
    owner            = var.owner
    application      = var.name
    data-sensitivity = var.data_sensitivity
  }
}
