package rules

// Files shared by the examples of several rules.

// tfPlainBroker is a private Amazon MQ ActiveMQ broker in code, for rules whose data only a
// probe or a self-managed broker's files give.
const tfPlainBroker = `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`

// activeMQXML is a self-managed activemq.xml with an authentication plugin and an authorization
// map, a TLS transport connector, and inner inside <broker>.
func activeMQXML(inner string) string {
	return `<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
       http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="orders" dataDirectory="${activemq.data}">
` + inner + `    <plugins>
      <jaasAuthenticationPlugin configuration="activemq"/>
      <authorizationPlugin>
        <map>
          <authorizationMap>
            <authorizationEntries>
              <authorizationEntry queue="orders.>" read="orders" write="orders" admin="admins"/>
              <authorizationEntry topic="ActiveMQ.Advisory.>" read="orders" write="orders" admin="orders"/>
            </authorizationEntries>
          </authorizationMap>
        </map>
      </authorizationPlugin>
    </plugins>
    <sslContext>
      <sslContext keyStore="file:${activemq.conf}/broker.ks" trustStore="file:${activemq.conf}/broker.ts"/>
    </sslContext>
    <transportConnectors>
      <transportConnector name="ssl" uri="ssl://0.0.0.0:61617?transport.enabledProtocols=TLSv1.2,TLSv1.3"/>
    </transportConnectors>
  </broker>
</beans>
`
}

// tfRabbitBroker is a private Amazon MQ RabbitMQ broker in code that uses a configuration
// whose rabbitmq.conf body sets only keys Amazon MQ accepts.
const tfRabbitBroker = `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_configuration" "example" {
  name           = "events"
  engine_type    = "RabbitMQ"
  engine_version = "3.13"
  data           = <<DATA
consumer_timeout = 1800000
heartbeat = 60
DATA
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  configuration {
    id       = aws_mq_configuration.example.id
    revision = aws_mq_configuration.example.latest_revision
  }

  user {
    username = "events-app"
    password = var.mq_password
  }
}
`
