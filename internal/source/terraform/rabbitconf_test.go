package terraform

import (
	"strings"
	"testing"
)

func TestRabbitMQConfigurationBody(t *testing.T) {
	src := `resource "aws_mq_configuration" "c" {
  name           = "r"
  engine_type    = "RabbitMQ"
  engine_version = "3.13"
  data           = <<EOT
# comment
consumer_timeout = 1800000
EOT
}
`
	inv, diags := load(t, map[string]string{"main.tf": src}, Options{})
	noErrors(t, diags)
	if len(inv.Configurations) != 1 || inv.Configurations[0].RabbitMQ == nil {
		t.Fatalf("configurations = %+v, want one parsed RabbitMQ body", inv.Configurations)
	}
	v, ok := inv.Configurations[0].RabbitMQ.Get("consumer_timeout")
	if !ok || v.V != "1800000" || v.At.StartLine != 7 {
		t.Errorf("consumer_timeout = %+v, want 1800000 at line 7", v)
	}

	bad := strings.Replace(src, "consumer_timeout = 1800000", "not a key value line", 1)
	inv, diags = load(t, map[string]string{"main.tf": bad}, Options{})
	errs := errorsOf(diags)
	if len(errs) != 1 || errs[0].At.StartLine != 7 || inv.Configurations[0].RabbitMQ != nil {
		t.Errorf("errors = %v, want one at line 7 and no parsed body", errs)
	}
}
