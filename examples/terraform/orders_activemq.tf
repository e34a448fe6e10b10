# Orders: the hardened production broker. Private, active/standby across two Availability Zones,
# encrypted with a customer managed key, audit and general logs published, minor upgrades
# applied automatically, credentials read from Secrets Manager, an authorization map and a TLS
# network connector to the disaster-recovery broker.

resource "aws_kms_key" "mq" {
  description             = "Amazon MQ data at rest"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

data "aws_secretsmanager_secret_version" "orders_mq" {
  secret_id = "prod/orders/mq-password"
}

resource "aws_security_group" "orders_mq" {
  name        = "orders-mq"
  description = "OpenWire over TLS from inside the VPC only"
  vpc_id      = var.vpc_id

  ingress {
    description = "OpenWire+TLS from the VPC"
    from_port   = 61617
    to_port     = 61617
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }

  egress {
    description = "Network connector to the DR broker"
    from_port   = 61617
    to_port     = 61617
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr]
  }
}

resource "aws_mq_configuration" "orders" {
  name           = "orders-prod"
  description    = "Orders broker: authorization map and TLS network connector"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"

  data = <<-XML
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <broker xmlns="http://activemq.apache.org/schema/core">
      <plugins>
        <authorizationPlugin>
          <map>
            <authorizationMap>
              <authorizationEntries>
                <authorizationEntry admin="mq-admins" queue="orders.>" read="orders-consumers" write="orders-producers"/>
                <authorizationEntry admin="mq-admins" topic="ActiveMQ.Advisory.>" read="orders-consumers,orders-producers" write="orders-consumers,orders-producers"/>
              </authorizationEntries>
              <tempDestinationAuthorizationEntry>
                <tempDestinationAuthorizationEntry admin="mq-admins" read="orders-consumers" write="orders-producers"/>
              </tempDestinationAuthorizationEntry>
            </authorizationMap>
          </map>
        </authorizationPlugin>
      </plugins>
      <networkConnectors>
        <networkConnector name="orders-to-dr" userName="orders-bridge" duplex="true"
          uri="static:(ssl://b-2f6c1e0a-dr-1.mq.eu-west-1.amazonaws.com:61617)"/>
      </networkConnectors>
    </broker>
  XML
}

resource "aws_mq_broker" "orders" {
  broker_name                = "orders-prod"
  engine_type                = "ActiveMQ"
  engine_version             = "5.18"
  host_instance_type         = "mq.m5.large"
  deployment_mode            = "ACTIVE_STANDBY_MULTI_AZ"
  publicly_accessible        = false
  auto_minor_version_upgrade = true
  subnet_ids                 = var.private_subnet_ids
  security_groups            = [aws_security_group.orders_mq.id]

  configuration {
    id       = aws_mq_configuration.orders.id
    revision = aws_mq_configuration.orders.latest_revision
  }

  encryption_options {
    use_aws_owned_key = false
    kms_key_id        = aws_kms_key.mq.arn
  }

  logs {
    general = true
    audit   = true
  }

  maintenance_window_start_time {
    day_of_week = "SUNDAY"
    time_of_day = "03:00"
    time_zone   = "UTC"
  }

  user {
    username = "orders-svc"
    password = data.aws_secretsmanager_secret_version.orders_mq.secret_string
    groups   = ["orders-producers", "orders-consumers"]
  }

  tags = {
    environment      = "production"
    application      = "orders"
    data-sensitivity = "confidential"
  }
}
