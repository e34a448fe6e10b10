# Legacy notifications broker: what not to do. Public RabbitMQ (no security group can protect
# it, the management UI included), a single instance, an engine past end of support, the AWS
# owned key, a default user name with a password written in the code, no governance tags.

resource "aws_mq_broker" "legacy_notifications" {
  broker_name        = "legacy-notifications"
  engine_type        = "RabbitMQ"
  engine_version     = "3.11.28"
  host_instance_type = "mq.t3.micro"
  deployment_mode    = "SINGLE_INSTANCE"

  publicly_accessible = true

  logs {
    general = false
  }

  user {
    username = "admin"
    password = "Example-Not-A-Real-Pw-2"
  }

  tags = {
    environment = "prod"
  }
}
