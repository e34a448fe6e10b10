data "aws_secretsmanager_secret_version" "mq" {
  secret_id = "mq/app"
}

resource "aws_security_group" "mq" {
  name   = "bridge-mq"
  vpc_id = "vpc-0a1b2c3d"

  ingress {
    from_port   = 61617
    to_port     = 61617
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}

resource "aws_mq_configuration" "mq" {
  name           = "bridge-config"
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
                <authorizationEntry admin="users" queue="&gt;" read="users" write="users"/>
              </authorizationEntries>
            </authorizationMap>
          </map>
        </authorizationPlugin>
      </plugins>
      <networkConnectors>
        <networkConnector name="bridge" uri="static:(tcp://10.0.0.5:61616)" userName="bridge" password="Bridge-Pass-123"/>
      </networkConnectors>
    </broker>
  XML
}

resource "aws_mq_broker" "mq" {
  broker_name                = "bridge"
  engine_type                = "ActiveMQ"
  engine_version             = "5.18"
  deployment_mode            = "SINGLE_INSTANCE"
  host_instance_type         = "mq.m5.large"
  auto_minor_version_upgrade = true
  security_groups            = [aws_security_group.mq.id]
  subnet_ids                 = ["subnet-0a1b2c3d4e5f60718"]

  configuration {
    id       = aws_mq_configuration.mq.id
    revision = aws_mq_configuration.mq.latest_revision
  }

  logs {
    general = true
    audit   = false
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
