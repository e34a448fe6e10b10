resource "aws_mq_broker" "mq" {
  broker_name                = "sprawl-app"
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
    username = "ops-lead"
    password = "Lit3ral-Ops-lead-Passw0rd"
    groups   = ["admins"]
  }

  user {
    username = "orders"
    password = "Lit3ral-Orders-Passw0rd"
    groups   = ["admins"]
  }

  user {
    username = "billing"
    password = "Lit3ral-Billing-Passw0rd"
    groups   = ["admins"]
  }

  user {
    username = "shipping"
    password = "Lit3ral-Shipping-Passw0rd"
    groups   = ["admins"]
  }

  tags = {
    "owner"            = "payments"
    "application"      = "orders"
    "data-sensitivity" = "internal"
  }
}
