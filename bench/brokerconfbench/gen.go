package brokerconfbench

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Generate writes n broker directories under dir: even ones ActiveMQ (activemq/NNNN/conf/...),
// odd ones RabbitMQ (rabbitmq/NNNN/...). The same n always gives the same bytes. It returns the
// total size written.
func Generate(dir string, n int) (int64, error) {
	var size int64
	write := func(rel, content string) error {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		size += int64(len(content))
		return os.WriteFile(p, []byte(content), 0o644)
	}
	for i := range n {
		var files map[string]string
		if i%2 == 0 {
			files = activemqFiles(i)
		} else {
			files = rabbitFiles(i)
		}
		for rel, content := range files {
			if err := write(rel, content); err != nil {
				return size, err
			}
		}
	}
	return size, nil
}

func activemqFiles(i int) map[string]string {
	d := fmt.Sprintf("activemq/%04d/conf/", i)
	weak := i%4 == 0
	transport := "ssl://0.0.0.0:61617?transport.enabledProtocols=TLSv1.2"
	if weak {
		transport = "tcp://0.0.0.0:61616?maximumConnections=1000"
	}
	var entries strings.Builder
	for q := range 20 {
		fmt.Fprintf(&entries, "            <authorizationEntry queue=\"svc%d.>\" read=\"svc%d\" write=\"svc%d\" admin=\"admins\"/>\n", q, q, q)
	}
	auth := ""
	if !weak {
		auth = `      <authorizationPlugin>
        <map>
          <authorizationMap>
            <authorizationEntries>
              <authorizationEntry queue=">" read="admins" write="admins" admin="admins"/>
` + entries.String() + `              <authorizationEntry topic="ActiveMQ.Advisory.>" read="everyone" write="everyone" admin="everyone"/>
            </authorizationEntries>
          </authorizationMap>
        </map>
      </authorizationPlugin>
`
	}
	xml := `<?xml version="1.0" encoding="UTF-8"?>
<beans xmlns="http://www.springframework.org/schema/beans"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
  http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  <bean class="org.springframework.beans.factory.config.PropertyPlaceholderConfigurer">
    <property name="locations">
      <value>file:${activemq.conf}/credentials.properties</value>
    </property>
  </bean>
  <broker xmlns="http://activemq.apache.org/schema/core" brokerName="broker-` + fmt.Sprint(i) + `" dataDirectory="${activemq.data}">
    <destinationPolicy>
      <policyMap>
        <policyEntries>
          <policyEntry topic=">">
            <pendingMessageLimitStrategy>
              <constantPendingMessageLimitStrategy limit="1000"/>
            </pendingMessageLimitStrategy>
          </policyEntry>
        </policyEntries>
      </policyMap>
    </destinationPolicy>
    <managementContext>
      <managementContext createConnector="false"/>
    </managementContext>
    <persistenceAdapter>
      <kahaDB directory="${activemq.data}/kahadb"/>
    </persistenceAdapter>
    <plugins>
      <jaasAuthenticationPlugin configuration="activemq"/>
` + auth + `    </plugins>
    <systemUsage>
      <systemUsage>
        <memoryUsage><memoryUsage percentOfJvmHeap="70"/></memoryUsage>
        <storeUsage><storeUsage limit="100 gb"/></storeUsage>
        <tempUsage><tempUsage limit="50 gb"/></tempUsage>
      </systemUsage>
    </systemUsage>
    <transportConnectors>
      <transportConnector name="openwire" uri="` + transport + `"/>
    </transportConnectors>
    <shutdownHooks>
      <bean xmlns="http://www.springframework.org/schema/beans" class="org.apache.activemq.hooks.SpringContextHook"/>
    </shutdownHooks>
  </broker>
  <import resource="jetty.xml"/>
</beans>
`
	users := "admin=admin\n"
	if !weak {
		users = fmt.Sprintf("ops-%d=%s\n", i, "Zq3-not-a-default")
	}
	for u := range 20 {
		users += fmt.Sprintf("svc%d=pw-%d-%d\n", u, i, u)
	}
	groups := "admins=admin\n"
	if !weak {
		groups = fmt.Sprintf("admins=ops-%d\n", i)
	}
	for u := range 20 {
		groups += fmt.Sprintf("svc%d=svc%d\n", u, u)
	}
	return map[string]string{
		d + "activemq.xml":           xml,
		d + "users.properties":       users,
		d + "groups.properties":      groups,
		d + "credentials.properties": "activemq.username=system\nactivemq.password=manager\n",
		d + "login.config": `activemq {
    org.apache.activemq.jaas.PropertiesLoginModule required
        org.apache.activemq.jaas.properties.user="users.properties"
        org.apache.activemq.jaas.properties.group="groups.properties";
};
`,
		d + "jetty.xml": `<beans xmlns="http://www.springframework.org/schema/beans">
  <bean id="jettyPort" class="org.apache.activemq.web.WebConsolePort" init-method="start">
    <property name="host" value="127.0.0.1"/>
    <property name="port" value="8161"/>
  </bean>
</beans>
`,
	}
}

func rabbitFiles(i int) map[string]string {
	d := fmt.Sprintf("rabbitmq/%04d/", i)
	weak := i%4 == 1
	conf := fmt.Sprintf(`cluster_name = node-%d
listeners.ssl.default = 5671
ssl_options.cacertfile = /etc/rabbitmq/ca.pem
ssl_options.certfile = /etc/rabbitmq/cert.pem
ssl_options.keyfile = /etc/rabbitmq/key.pem
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = true
ssl_options.versions.1 = tlsv1.3
ssl_options.versions.2 = tlsv1.2
management.ssl.port = 15671
management.ssl.cacertfile = /etc/rabbitmq/ca.pem
management.ssl.certfile = /etc/rabbitmq/cert.pem
management.ssl.keyfile = /etc/rabbitmq/key.pem
vm_memory_high_watermark.relative = 0.6
disk_free_limit.absolute = 2GB
load_definitions = definitions.json
cluster_formation.peer_discovery_backend = classic_config
cluster_formation.classic_config.nodes.1 = rabbit@node-%d-a
cluster_formation.classic_config.nodes.2 = rabbit@node-%d-b
cluster_formation.classic_config.nodes.3 = rabbit@node-%d-c
`, i, i, i, i)
	if weak {
		conf += "listeners.tcp.default = 5672\nloopback_users.guest = false\nmanagement.cors.allow_origins.1 = *\n"
	} else {
		conf += "listeners.tcp = none\n"
	}
	var users, perms, queues []string
	for u := range 25 {
		tags := `"management"`
		if u == 0 {
			tags = `"administrator"`
		}
		alg := "rabbit_password_hashing_sha256"
		if weak && u == 1 {
			alg = "rabbit_password_hashing_md5"
		}
		users = append(users, fmt.Sprintf(`{"name":"svc%d","password_hash":"kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR","hashing_algorithm":%q,"tags":[%s],"limits":{}}`, u, alg, tags))
		pat := fmt.Sprintf(`^svc%d\.`, u)
		if weak && u == 2 {
			pat = ".*"
		}
		perms = append(perms, fmt.Sprintf(`{"user":"svc%d","vhost":"/","configure":%q,"write":%q,"read":%q}`, u, pat, pat, pat))
	}
	for q := range 50 {
		typ := "quorum"
		if weak && q%5 == 0 {
			typ = "classic"
		}
		queues = append(queues, fmt.Sprintf(`{"name":"svc%d.work","vhost":"/","durable":true,"auto_delete":false,"arguments":{"x-queue-type":%q}}`, q, typ))
	}
	policies := "[]"
	if weak {
		policies = `[{"vhost":"/","name":"ha-all","pattern":".*","apply-to":"queues","definition":{"ha-mode":"all","ha-sync-mode":"automatic"},"priority":0}]`
	}
	defs := fmt.Sprintf(`{"rabbit_version":"3.13.7","rabbitmq_version":"3.13.7","product_name":"RabbitMQ","users":[%s],"vhosts":[{"name":"/","metadata":{"default_queue_type":"classic"}}],"permissions":[%s],"topic_permissions":[],"parameters":[],"global_parameters":[],"policies":%s,"queues":[%s],"exchanges":[],"bindings":[]}
`, strings.Join(users, ",\n"), strings.Join(perms, ",\n"), policies, strings.Join(queues, ",\n"))
	return map[string]string{
		d + "rabbitmq.conf":    conf,
		d + "advanced.config":  "[\n  {rabbit, [{tcp_listen_options, [{backlog, 128}, {nodelay, true}]}]}\n].\n",
		d + "enabled_plugins":  "[rabbitmq_management,rabbitmq_prometheus].\n",
		d + "definitions.json": defs,
	}
}
