package cloudformation

import (
	"testing"
)

func TestRabbitMQConfigurationBody(t *testing.T) {
	text := `Resources:
  Config:
    Type: AWS::AmazonMQ::Configuration
    Properties:
      Name: r
      EngineType: RABBITMQ
      EngineVersion: "3.13"
      Data: !Base64 |
        # comment
        consumer_timeout = 1800000
`
	inv, diags := loadOne(t, text, Options{})
	for _, d := range diags {
		t.Errorf("unexpected diagnostic %s", d.Error())
	}
	if len(inv.Configurations) != 1 || inv.Configurations[0].RabbitMQ == nil {
		t.Fatalf("configurations = %+v, want one parsed RabbitMQ body", inv.Configurations)
	}
	v, ok := inv.Configurations[0].RabbitMQ.Get("consumer_timeout")
	if !ok || v.V != "1800000" || v.At.StartLine != 10 {
		t.Errorf("consumer_timeout = %+v, want 1800000 at line 10", v)
	}
}
