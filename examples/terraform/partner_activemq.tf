# Partner integration broker: private, but its security group admits the whole internet on
# OpenWire (61617), its network connector is plain TCP, its configuration has no authorization
# map, and its engine line is past end of support.

resource "aws_security_group" "partner_mq" {
  name        = "partner-mq"
  description = "Partner integration broker"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "partner_openwire" {
  security_group_id = aws_security_group.partner_mq.id
  description       = "OpenWire from anywhere (partners have changing IPs)"
  ip_protocol       = "tcp"
  from_port         = 61617
  to_port           = 61617
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_mq_configuration" "partner" {
  name           = "partner-gateway"
  engine_type    = "ActiveMQ"
  engine_version = "5.17.6"

  data = <<-XML
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <broker xmlns="http://activemq.apache.org/schema/core">
      <networkConnectors>
        <networkConnector name="to-onprem" uri="static:(tcp://mq.partner.example.com:61616)"/>
      </networkConnectors>
    </broker>
  XML
}

resource "aws_mq_broker" "partner" {
  broker_name        = "partner-gateway"
  engine_type        = "ActiveMQ"
  engine_version     = "5.17.6"
  host_instance_type = "mq.m5.large"
  deployment_mode    = "ACTIVE_STANDBY_MULTI_AZ"
  subnet_ids         = var.private_subnet_ids
  security_groups    = [aws_security_group.partner_mq.id]

  configuration {
    id       = aws_mq_configuration.partner.id
    revision = aws_mq_configuration.partner.latest_revision
  }

  logs {
    general = true
  }

  user {
    username = "partner-gateway"
    password = var.partner_mq_password
  }

  tags = {
    environment      = "production"
    owner            = "team-integrations"
    application      = "partner-gateway"
    data-sensitivity = "internal"
  }
}
