package rules

// testInstanceTypes are the Amazon MQ host instance types meant for development and tests
// (burstable or too small for a production load), checked in November 2026: MQG021 fails a
// production broker on one of them. Update the list when Amazon MQ adds or retires a type.
var testInstanceTypes = []string{
	"mq.t2.micro",
	"mq.t3.micro",
	"mq.m7g.medium",
}

// TestInstanceTypes returns a copy of MQG021's list of test-only instance types.
func TestInstanceTypes() []string {
	return append([]string(nil), testInstanceTypes...)
}
