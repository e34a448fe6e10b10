data "aws_secretsmanager_secret_version" "mq" {
  secret_id = "mq/app"
}

resource "aws_mq_broker" "mq" {
  broker_name                = "directory"
  engine_type                = "ActiveMQ"
  engine_version             = "5.18"
  deployment_mode            = "SINGLE_INSTANCE"
  host_instance_type         = "mq.m5.large"
  auto_minor_version_upgrade = true
  authentication_strategy    = "ldap"
  subnet_ids                 = ["subnet-0a1b2c3d4e5f60718"]

  logs {
    general = true
    audit   = true
  }

  ldap_server_metadata {
    hosts                    = ["ldap://ldap.example.internal:389"]
    role_base                = "ou=groups,dc=example,dc=internal"
    role_name                = "cn"
    role_search_matching     = "(member={0})"
    service_account_username = "cn=mq,ou=services,dc=example,dc=internal"
    service_account_password = data.aws_secretsmanager_secret_version.mq.secret_string
    user_base                = "ou=people,dc=example,dc=internal"
    user_search_matching     = "(uid={0})"
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
