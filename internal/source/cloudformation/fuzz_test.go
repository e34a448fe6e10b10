package cloudformation

import (
	"context"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"
)

func FuzzLoad(f *testing.F) {
	for _, seed := range []string{fullTemplate, evalTemplate,
		`{"Resources": {"B": {"Type": "AWS::AmazonMQ::Broker", "Properties": {"Users": [{"Password": {"Fn::Sub": "${X}"}}]}}}}`,
		"a: &a [x, x]\nb: &b [*a, *a]\nResources:\n  B:\n    Type: AWS::AmazonMQ::Broker\n    Properties: {Tags: *b}\n",
		"Resources:\n  S:\n    Type: AWS::CloudFormation::Stack\n    Properties: {TemplateURL: template.yaml}\n",
		"Conditions:\n  A: !Condition A\nResources:\n  B:\n    Type: AWS::AmazonMQ::Broker\n    Condition: A\n",
		"Resources:\n  C:\n    Type: AWS::AmazonMQ::Configuration\n    Properties:\n      Data: !Base64 |\n        <broker><plugins/></broker>\n",
		secretTemplate(generated, key(subRef, "username"), key(joinRef, "password")),
		`{"Resources": {"S": {"Type": "AWS::SecretsManager::Secret", "Properties": {"SecretString": "{\"u\": 1}"}}, "B": {"Type": "AWS::AmazonMQ::Broker", "Properties": {"Users": [{"Username": {"Fn::Sub": "{{resolve:secretsmanager:\u0000${S}:SecretString:u}}"}}]}}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"template.yaml": &fstest.MapFile{Data: data}}
		Load(context.Background(), fsys, []string{"template.yaml"}, Options{ParamFiles: []string{"template.yaml"}})
		IsTemplate(data)
	})
}

func FuzzIntrinsics(f *testing.F) {
	for _, seed := range []string{
		`!Ref Env`, `!Sub "${Env}-${AWS::Region}-${!x}"`, `!Sub ["${a}", {a: !Ref Subnets}]`, `!Join ["-", !Ref Subnets]`,
		`!Select [1, !Split [",", "a,b"]]`, `!If [IsProd, a, b]`, `!And [!Condition IsProd, !Not [!Equals [a, b]]]`,
		`!FindInMap [Sizes, !Ref Env, Instance]`, `!Base64 {"Fn::GetAtt": [Group, GroupId]}`, `{"Fn::Or": [{"Condition": "IsDev"}]}`,
		`!GetAtt [Group, !Ref Env]`, `!Sub "${"`, `!Select [-1, []]`,
	} {
		f.Add(seed)
	}
	root, err := parseDocument([]byte(evalTemplate))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		var doc yaml.Node
		if yaml.Unmarshal([]byte(expr), &doc) != nil {
			return
		}
		if n, ok := expandedSize(&doc, map[*yaml.Node]int{}, 0); !ok || n > maxExpandedNodes {
			return
		}
		tm := newTmpl("template.yaml", root, nil, map[string]string{"AWS::Region": "eu-west-1"})
		v := tm.eval(&doc, 0)
		if v == nil {
			t.Fatal("nil value")
		}
		_ = show(v)
	})
}
