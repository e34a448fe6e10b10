package detect

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

const (
	template = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::AmazonMQ::Broker\n"
	samLike  = "{\"Resources\": {\"B\": {\"Type\": \"AWS::AmazonMQ::Broker\", \"Properties\": {}}}}"
	plan     = `{"format_version":"1.2","terraform_version":"1.9.0","planned_values":{"root_module":{}}}`
)

func TestFind(t *testing.T) {
	fsys := fstest.MapFS{
		"infra/main.tf":                       {Data: []byte(`resource "aws_mq_broker" "b" {}`)},
		"infra/terraform.tfvars.json":         {Data: []byte(`{"a": 1}`)},
		"infra/x.tf.json":                     {Data: []byte(`{"resource": {}}`)},
		"infra/cfn/broker.yaml":               {Data: []byte(template)},
		"infra/cfn/broker.json":               {Data: []byte(samLike)},
		"infra/cfn/not-a-template.yaml":       {Data: []byte("name: ci\non: push\n")},
		"infra/package.json":                  {Data: []byte(`{"name": "x", "version": "1.0.0"}`)},
		"infra/plan.json":                     {Data: []byte(plan)},
		"infra/cdk.out/manifest.json":         {Data: []byte(`{"version": "36.0.0", "artifacts": {}}`)},
		"infra/cdk.out/Stack.template.json":   {Data: []byte(samLike)},
		"infra/node_modules/x/template.yaml":  {Data: []byte(template)},
		"infra/.terraform/modules/m/t.yaml":   {Data: []byte(template)},
		"infra/assembly/manifest.json":        {Data: []byte(`{"version": "36.0.0"}`)},
		"infra/assembly/App.template.json":    {Data: []byte(samLike)},
		"infra/other/manifest.json":           {Data: []byte(`{"version": "1"}`)},
		"infra/other/readme.md":               {Data: []byte(`AWSTemplateFormatVersion`)},
		"infra/big/" + strings.Repeat("a", 3): {Data: []byte(template)},
	}
	got, diags := Find(fsys, []string{"infra"}, Auto)
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	want := Inputs{
		Terraform:      []string{"infra"},
		CloudFormation: []string{"infra/assembly", "infra/cdk.out", "infra/cfn/broker.json", "infra/cfn/broker.yaml"},
		Plans:          []string{"infra/plan.json"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Find = %+v\nwant  %+v", got, want)
	}
}

func TestFindNamedFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"main.tf":     {Data: []byte(`resource "aws_mq_broker" "b" {}`)},
		"stack.yaml":  {Data: []byte(template)},
		"plan.json":   {Data: []byte(plan)},
		"odd.txt":     {Data: []byte("hello")},
		"params.json": {Data: []byte(`[]`)},
	}
	got, diags := Find(fsys, []string{"main.tf", "stack.yaml", "plan.json", "odd.txt", "missing.yaml"}, Auto)
	want := Inputs{Terraform: []string{"main.tf"}, CloudFormation: []string{"stack.yaml"}, Plans: []string{"plan.json"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Find = %+v, want %+v", got, want)
	}
	if len(diags) != 2 || diags[0].At.File != "odd.txt" || diags[1].At.File != "missing.yaml" {
		t.Errorf("diagnostics = %v, want one for odd.txt and one for missing.yaml", diags)
	}
}

func TestFindForced(t *testing.T) {
	fsys := fstest.MapFS{
		"dir/main.tf":       {Data: []byte(`resource "aws_mq_broker" "b" {}`)},
		"dir/a.yaml":        {Data: []byte("Resources: {}\n")},
		"dir/plan.json":     {Data: []byte(plan)},
		"named.template":    {Data: []byte("{}")},
		"dir/sub/b.yml":     {Data: []byte("x: 1\n")},
		"dir/sub/c.tf.json": {Data: []byte(`{}`)},
	}
	got, _ := Find(fsys, []string{"dir", "named.template"}, CloudFormation)
	want := Inputs{CloudFormation: []string{"dir/a.yaml", "dir/plan.json", "dir/sub/b.yml", "named.template"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("forced cloudformation = %+v, want %+v", got, want)
	}
	got, _ = Find(fsys, []string{"dir"}, Terraform)
	if want := (Inputs{Terraform: []string{"dir"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("forced terraform = %+v, want %+v", got, want)
	}
}

// TestFindOversized: a template too large to read whole is still found, in a directory or named,
// so that the CloudFormation source reports it as too large instead of it vanishing from the
// scan; a large file that is no template is still ignored in a directory.
func TestFindOversized(t *testing.T) {
	pad := strings.Repeat("# padding\n", maxTemplateSniff/10+1)
	bigJSON := `{"Resources": {"B": {"Type": "AWS::AmazonMQ::Broker", "Properties": {"X": "` + strings.Repeat("x", maxTemplateSniff) + `"}}}}`
	fsys := fstest.MapFS{
		"dir/big.yaml":  {Data: []byte(template + pad)},
		"dir/big.json":  {Data: []byte(bigJSON)},
		"dir/data.json": {Data: []byte(`{"rows": ["` + strings.Repeat("x", maxTemplateSniff) + `"]}`)},
		"dir/data.yaml": {Data: []byte("rows:\n" + strings.Repeat("- x\n", maxTemplateSniff/4+1))},
	}
	tests := []struct {
		name  string
		roots []string
		want  []string
	}{
		{"directory", []string{"dir"}, []string{"dir/big.json", "dir/big.yaml"}},
		{"named", []string{"dir/big.yaml"}, []string{"dir/big.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags := Find(fsys, tt.roots, Auto)
			if len(diags) != 0 {
				t.Errorf("diagnostics: %v", diags)
			}
			if !reflect.DeepEqual(got.CloudFormation, tt.want) {
				t.Errorf("CloudFormation = %v, want %v", got.CloudFormation, tt.want)
			}
		})
	}
}
