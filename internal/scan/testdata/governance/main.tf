variable "edge_public" {
  type = bool
}

# mqguard:ignore MQG001 reason="public by design: status page" until=2099-01-31 by=secops
resource "aws_mq_broker" "status" {
  broker_name         = "status"
  engine_type         = "RabbitMQ"
  engine_version      = "3.13"
  host_instance_type  = "mq.m5.large"
  publicly_accessible = true
}

resource "aws_mq_broker" "legacy" {
  broker_name         = "legacy"
  engine_type         = "RabbitMQ"
  engine_version      = "3.13"
  host_instance_type  = "mq.m5.large"
  publicly_accessible = true
}

resource "aws_mq_broker" "old" {
  broker_name         = "old"
  engine_type         = "RabbitMQ"
  engine_version      = "3.13"
  host_instance_type  = "mq.m5.large"
  publicly_accessible = true
}

resource "aws_mq_broker" "edge" {
  broker_name         = "edge"
  engine_type         = "RabbitMQ"
  engine_version      = "3.13"
  host_instance_type  = "mq.m5.large"
  publicly_accessible = var.edge_public
}

resource "aws_mq_broker" "new" {
  broker_name         = "new"
  engine_type         = "RabbitMQ"
  engine_version      = "3.13"
  host_instance_type  = "mq.m5.large"
  publicly_accessible = var.edge_public
}
