package cloudformation

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

func TestNestedStacks(t *testing.T) {
	files := map[string]string{
		"stacks/parent.yaml": `Parameters:
  Pass: {Type: String, NoEcho: true, Default: parent-default-pw}
Conditions:
  Never: !Equals [a, b]
Resources:
  Mq:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./children/mq.yaml
      Parameters:
        Public: "true"
        Password: !Ref Pass
  Skipped:
    Type: AWS::CloudFormation::Stack
    Condition: Never
    Properties:
      TemplateURL: children/mq.yaml
  Remote:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.amazonaws.com/bucket/mq.yaml
  Loop:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: loop.yaml
`,
		"stacks/children/mq.yaml": `Parameters:
  Public: {Type: String, Default: "false"}
  Password: {Type: String, NoEcho: true}
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      PubliclyAccessible: !Ref Public
      Users:
        - Username: app
          Password: !Ref Password
  Inner:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: inner.yaml
`,
		"stacks/children/inner.yaml": "Resources:\n  Deep:\n    Type: AWS::AmazonMQ::Broker\n",
		"stacks/loop.yaml": `Resources:
  Again:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: loop.yaml
`,
	}
	inv, diags := load(t, files, []string{"stacks/parent.yaml"}, Options{})
	var addrs []string
	for _, b := range inv.Brokers {
		addrs = append(addrs, b.ID.Address)
		if b.ID.Scope != "stacks/parent.yaml" {
			t.Errorf("%s: scope %q", b.ID.Address, b.ID.Scope)
		}
	}
	if want := []string{"Mq/Broker", "Mq/Inner/Deep"}; !reflect.DeepEqual(addrs, want) {
		t.Fatalf("brokers %v, want %v", addrs, want)
	}
	b := inv.Brokers[0]
	if !b.PubliclyAccessible.V || b.PubliclyAccessible.At.File != "stacks/children/mq.yaml" || b.PubliclyAccessible.At.StartLine != 8 {
		t.Errorf("public = %+v", b.PubliclyAccessible)
	}
	if p := b.Users[0].Password; p.Origin != model.SecretLiteral || p.LiteralAt.File != "stacks/parent.yaml" || p.LiteralAt.StartLine != 2 {
		t.Errorf("password = %+v, want the parent's default", p)
	}
	errs := errorsOf(diags)
	if len(errs) != 1 || !strings.Contains(errs[0], "Loop/Again includes itself") {
		t.Errorf("errors = %q", errs)
	}
	var notes []string
	for _, d := range diags {
		if d.Severity == model.DiagNote {
			notes = append(notes, d.Message)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "Remote is not scanned") {
		t.Errorf("notes = %q", notes)
	}
}

func TestCDKAssembly(t *testing.T) {
	files := map[string]string{
		"cdk.out/manifest.json": `{
  "version": "36.0.0",
  "artifacts": {
    "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
    "MqStack": {
      "type": "aws:cloudformation:stack",
      "environment": "aws://unknown-account/unknown-region",
      "properties": {"templateFile": "MqStack.template.json"}
    },
    "assembly-Prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Prod"}}
  }
}`,
		"cdk.out/MqStack.template.json": `{
  "Resources": {
    "BrokerB1F2E3": {"Type": "AWS::AmazonMQ::Broker", "Properties": {"PubliclyAccessible": true, "EngineVersion": "5.18"}},
    "NestedStackNestedStackResource": {
      "Type": "AWS::CloudFormation::Stack",
      "Properties": {"TemplateURL": {"Fn::Join": ["", ["https://s3.", {"Ref": "AWS::Region"}, ".amazonaws.com/x.json"]]}},
      "Metadata": {"aws:asset:path": "MqStackNested.nested.template.json"}
    }
  }
}`,
		"cdk.out/MqStackNested.nested.template.json": `{"Resources": {"Inner": {"Type": "AWS::AmazonMQ::Broker"}}}`,
		"cdk.out/assembly-Prod/manifest.json":        `{"artifacts": {"ProdMq": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "ProdMq.template.json"}}}}`,
		"cdk.out/assembly-Prod/ProdMq.template.json": `{"Resources": {"ProdBroker": {"Type": "AWS::AmazonMQ::Broker"}}}`,
		"cdk.out/tree.json":                          `{}`,
	}
	for _, p := range []string{"cdk.out", "cdk.out/manifest.json"} {
		inv, diags := load(t, files, []string{p, "cdk.out/MqStack.template.json"}, Options{})
		noErrors(t, diags)
		var got []string
		for _, b := range inv.Brokers {
			got = append(got, b.ID.Scope+"#"+b.ID.Address)
		}
		want := []string{"cdk.out/MqStack.template.json#BrokerB1F2E3", "cdk.out/MqStack.template.json#NestedStackNestedStackResource/Inner",
			"cdk.out/assembly-Prod/ProdMq.template.json#ProdBroker"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: brokers %v, want %v", p, got, want)
		}
	}
	_, diags := load(t, map[string]string{"dir/x.txt": ""}, []string{"dir", "nothere.yaml"}, Options{})
	if errs := errorsOf(diags); len(errs) != 2 {
		t.Errorf("errors = %q", errs)
	}
}
