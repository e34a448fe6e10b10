// Package brokerconfbench measures the scan of self-managed broker configurations: a generated
// tree of 1,000 broker directories (half ActiveMQ installations with the files beside
// activemq.xml, half RabbitMQ nodes with rabbitmq.conf, advanced.config, enabled_plugins and a
// definitions export), scanned through the library entry point as `mqguard scan DIR` does.
//
//	go test -run '^$' -bench . -benchtime 5x ./bench/brokerconfbench/
//
// The target is under 1 s for the 1,000 directories. TestGeneratedTree checks (untimed) that
// every directory is found and read without an error.
package brokerconfbench
