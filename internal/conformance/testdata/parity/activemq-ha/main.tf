data "aws_secretsmanager_secret_version" "mq" {
  secret_id = "mq/app"
}

resource "aws_kms_key" "mq" {
  description = "Amazon MQ"
}

resource "aws_security_group" "mq" {
  name   = "orders-ha-mq"
  vpc_id = "vpc-0a1b2c3d"

  ingress {
    from_port   = 61617
    to_port     = 61617
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}

resource "aws_mq_configuration" "mq" {
  name           = "orders-ha-config"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"
  data           = <<-XML
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <broker xmlns="http://activemq.apache.org/schema/core">
      <plugins>
        <authorizationPlugin>
          <map>
            <authorizationMap>
              <authorizationEntries>
                <authorizationEntry admin="admins" queue="&gt;" read="admins,apps" write="admins"/>
                <authorizationEntry admin="admins" read="admins,apps" topic="&gt;" write="admins"/>
              </authorizationEntries>
            </authorizationMap>
          </map>
        </authorizationPlugin>
      </plugins>
      <networkConnectors>
        <networkConnector name="mesh" uri="static:(ssl://b-peer.mq.eu-west-1.amazonaws.com:61617)" userName="mesh"/>
      </networkConnectors>
    </broker>
  XML
}

resource "aws_mq_broker" "mq" {
  broker_name                = "orders-ha"
  engine_type                = "ActiveMQ"
  engine_version             = "5.18"
  deployment_mode            = "ACTIVE_STANDBY_MULTI_AZ"
  host_instance_type         = "mq.m5.large"
  auto_minor_version_upgrade = true
  security_groups            = [aws_security_group.mq.id]
  subnet_ids                 = ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"]

  configuration {
    id       = aws_mq_configuration.mq.id
    revision = aws_mq_configuration.mq.latest_revision
  }

  encryption_options {
    use_aws_owned_key = false
    kms_key_id        = aws_kms_key.mq.arn
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
    "environment"      = "production"
  }
}
