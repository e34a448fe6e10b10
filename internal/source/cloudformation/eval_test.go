package cloudformation

import (
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

const evalTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    Default: prod
  Version:
    Type: String
    Default: 5.18
  Subnets:
    Type: CommaDelimitedList
    Default: "subnet-a, subnet-b"
  Ids:
    Type: List<AWS::EC2::Subnet::Id>
  NoDefault:
    Type: String
  FromSSM:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /mq/version
Mappings:
  Sizes:
    prod:
      Instance: mq.m5.large
    dev:
      Instance: mq.t3.micro
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [!Ref Env, dev]
  ProdOrDev: !Or [!Condition IsProd, {Condition: IsDev}]
  NotProd: !Not [!Condition IsProd]
  Both: !And [!Condition IsProd, !Condition NotProd]
  Undecided: !Equals [!Ref NoDefault, x]
  UndecidedAnd: !And [!Condition Undecided, !Condition IsProd]
  FalseAnd: !And [!Condition Undecided, !Condition IsDev]
  TrueOr: !Or [!Condition Undecided, !Condition IsProd]
  LongForm: {"Fn::Equals": [{"Ref": "Env"}, "prod"]}
Resources:
  Secret:
    Type: AWS::SecretsManager::Secret
  Group:
    Type: AWS::EC2::SecurityGroup
`

func TestIntrinsics(t *testing.T) {
	tests := []struct {
		name, expr, want string
	}{
		{"literal", `abc`, "abc"},
		{"number keeps text", `3.10`, "3.10"},
		{"null is no value", `~`, "-"},
		{"Ref param default", `!Ref Env`, "prod"},
		{"Ref number default keeps text", `!Ref Version`, "5.18"},
		{"Ref long form", `{"Ref": "Env"}`, "prod"},
		{"Ref CommaDelimitedList", `!Ref Subnets`, "[subnet-a subnet-b]"},
		{"Ref List without default", `!Ref Ids`, "?"},
		{"Ref param without default", `!Ref NoDefault`, "?"},
		{"Ref SSM parameter", `!Ref FromSSM`, "?"},
		{"Ref NoValue", `!Ref AWS::NoValue`, "-"},
		{"Ref pseudo given", `!Ref AWS::Region`, "eu-west-1"},
		{"Ref pseudo not given", `!Ref AWS::AccountId`, "?"},
		{"Ref resource", `!Ref Group`, "?"},
		{"Ref undeclared", `!Ref Nope`, "?"},
		{"GetAtt dotted", `!GetAtt Group.GroupId`, "?"},
		{"GetAtt list", `!GetAtt [Group, GroupId]`, "?"},
		{"GetAtt long", `{"Fn::GetAtt": ["Group", "GroupId"]}`, "?"},
		{"Sub string", `!Sub "mq-${Env}-${AWS::Region}"`, "mq-prod-eu-west-1"},
		{"Sub literal escape", `!Sub "a-${!Literal}-b"`, "a-${Literal}-b"},
		{"Sub list form", `!Sub ["${Name}-${Env}", {Name: !Ref Version}]`, "5.18-prod"},
		{"Sub unknown part", `!Sub "${Env}-${NoDefault}"`, "?"},
		{"Sub resource attribute", `!Sub "${Group.GroupId}"`, "?"},
		{"Sub long form", `{"Fn::Sub": "x-${Env}"}`, "x-prod"},
		{"Join", `!Join ["-", [a, !Ref Env, b]]`, "a-prod-b"},
		{"Join list param", `!Join [",", !Ref Subnets]`, "subnet-a,subnet-b"},
		{"Join unknown", `!Join ["", [a, !Ref NoDefault]]`, "?"},
		{"Join long", `{"Fn::Join": ["", ["a", "b"]]}`, "ab"},
		{"Join drops NoValue", `!Join ["-", [a, !Ref AWS::NoValue, b]]`, "a-b"},
		{"Select", `!Select [1, [a, b, c]]`, "b"},
		{"Select out of range", `!Select [5, [a]]`, "?"},
		{"Select of Split", `!Select [2, !Split [".", "a.b.c"]]`, "c"},
		{"Select GetAZs", `!Select [0, !GetAZs ""]`, "?"},
		{"Split", `!Split [",", "a,b"]`, "[a b]"},
		{"If true", `!If [IsProd, big, small]`, "big"},
		{"If false", `!If [IsDev, big, small]`, "small"},
		{"If NoValue", `!If [IsDev, big, !Ref AWS::NoValue]`, "-"},
		{"If undecided", `!If [Undecided, a, b]`, "?"},
		{"If undecided same", `!If [Undecided, a, a]`, "a"},
		{"If long", `{"Fn::If": ["IsProd", "x", "y"]}`, "x"},
		{"Equals", `!Equals [a, a]`, "true"},
		{"Equals different", `!Equals [a, b]`, "false"},
		{"Equals unknown", `!Equals [!Ref NoDefault, b]`, "?"},
		{"And", `!And [!Equals [a, a], !Condition IsProd]`, "true"},
		{"Or", `!Or [!Equals [a, b], !Condition IsDev]`, "false"},
		{"Not", `!Not [!Condition IsDev]`, "true"},
		{"Condition", `!Condition ProdOrDev`, "true"},
		{"FindInMap", `!FindInMap [Sizes, !Ref Env, Instance]`, "mq.m5.large"},
		{"FindInMap long", `{"Fn::FindInMap": ["Sizes", "dev", "Instance"]}`, "mq.t3.micro"},
		{"FindInMap missing", `!FindInMap [Sizes, test, Instance]`, "?"},
		{"FindInMap default", `!FindInMap [Sizes, test, Instance, {DefaultValue: none}]`, "none"},
		{"FindInMap unknown key", `!FindInMap [Sizes, !Ref NoDefault, Instance]`, "?"},
		{"Base64", `!Base64 abc`, "YWJj"},
		{"Base64 long", `{"Fn::Base64": {"Fn::Sub": "${Env}"}}`, "cHJvZA=="},
		{"ImportValue", `!ImportValue shared-vpc`, "?"},
		{"GetAZs", `!GetAZs ""`, "?"},
		{"Cidr", `!Cidr [10.0.0.0/16, 4, 8]`, "?"},
		{"unknown function", `{"Fn::Length": [1, 2]}`, "?"},
		{"nested", `!Join ["", [!Select [0, !Split ["-", !Sub "${Env}-x"]], !If [IsProd, "!", "?"]]]`, "prod!"},
		{"list drops NoValue", `[a, !Ref AWS::NoValue, b]`, "[a b]"},
		{"map drops NoValue", `{a: x, b: !Ref AWS::NoValue}`, "{a:x}"},
		{"dynamic reference", `"{{resolve:ssm:/mq/name}}"`, "?"},
		{"bad Join", `!Join [a]`, "?"},
		{"bad Sub", `!Sub [1, 2, 3]`, "?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := evalIn(t, evalTemplate, tt.expr, nil, map[string]string{"AWS::Region": "eu-west-1"})
			if got := show(v); got != tt.want {
				t.Errorf("%s = %s, want %s", tt.expr, got, tt.want)
			}
		})
	}
}

func TestConditions(t *testing.T) {
	tests := []struct {
		cond string
		want int8
	}{
		{"IsProd", 1}, {"IsDev", 0}, {"ProdOrDev", 1}, {"NotProd", 0}, {"Both", 0},
		{"Undecided", -1}, {"UndecidedAnd", -1}, {"FalseAnd", 0}, {"TrueOr", 1}, {"LongForm", 1},
	}
	for _, tt := range tests {
		t.Run(tt.cond, func(t *testing.T) {
			_, tm := evalIn(t, evalTemplate, "x", nil, nil)
			if got := tm.condition(tt.cond, model.Range{}); got != tt.want {
				t.Errorf("condition %s = %d, want %d", tt.cond, got, tt.want)
			}
		})
	}
}

func TestConditionErrors(t *testing.T) {
	text := `Conditions:
  A: !Condition B
  B: !Not [!Condition A]
  Self: !And [!Condition Self, !Equals [a, a]]
Resources: {}
`
	for _, name := range []string{"A", "Self", "Missing"} {
		_, tm := evalIn(t, text, "x", nil, nil)
		if got := tm.condition(name, model.Range{File: "template.yaml"}); got != -1 {
			t.Errorf("condition %s = %d, want undecided", name, got)
		}
		if len(errorsOf(tm.diags)) == 0 {
			t.Errorf("condition %s: no error entry", name)
		}
	}
}

func TestProvenance(t *testing.T) {
	text := `Parameters:
  Pass:
    Type: String
    NoEcho: true
    Default: hunter2hunter2
  Input:
    Type: String
    NoEcho: true
Resources:
  Secret:
    Type: AWS::SecretsManager::Secret
`
	tests := []struct {
		expr    string
		want    model.SecretOrigin
		litLine int
	}{
		{`literal`, model.SecretLiteral, 1},
		{`!Ref Pass`, model.SecretLiteral, 5},
		{`!Join ["", [!Ref Pass, x]]`, model.SecretLiteral, 5},
		{`!Sub "${Pass}x"`, model.SecretLiteral, 5},
		{`!Ref Input`, model.SecretInput, 6},
		{`!Sub "${Input}x"`, model.SecretInput, 6},
		{`"{{resolve:secretsmanager:mq:SecretString:password}}"`, model.SecretStore, 0},
		{`"{{resolve:ssm-secure:/mq/pass:1}}"`, model.SecretStore, 0},
		{`!Sub "{{resolve:secretsmanager:${Secret}:SecretString:password}}"`, model.SecretStore, 0},
		{`!Join ["", ["{{resolve:secretsmanager:", !Ref Secret, ":SecretString:password}}"]]`, model.SecretStore, 0},
		{`!Ref Secret`, model.SecretStore, 0},
		{`!GetAtt Secret.Id`, model.SecretStore, 0},
		{`!ImportValue pass`, model.SecretUnknown, 0},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			v, _ := evalIn(t, text, tt.expr, nil, nil)
			if v.orig != tt.want {
				t.Fatalf("origin = %v, want %v", v.orig, tt.want)
			}
			if tt.want == model.SecretLiteral && v.litAt.StartLine != tt.litLine {
				t.Errorf("literal at line %d, want %d", v.litAt.StartLine, tt.litLine)
			}
			if tt.want == model.SecretStore && v.known() {
				t.Errorf("a dynamic reference is known: %s", show(v))
			}
		})
	}
}

func TestIsTemplate(t *testing.T) {
	tests := []struct {
		name, text string
		want       bool
	}{
		{"version yaml", "AWSTemplateFormatVersion: '2010-09-09'\n", true},
		{"version json", `{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}`, true},
		{"resources yaml", "Resources:\n  B:\n    Type: AWS::AmazonMQ::Broker\n", true},
		{"resources json", `{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}`, true},
		{"sam", "Transform: AWS::Serverless-2016-10-31\nResources: {}\n", true},
		{"kubernetes", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n", false},
		{"plan json", `{"format_version": "1.2", "planned_values": {}}`, false},
		{"custom type only", "Resources:\n  B:\n    Type: Custom::Thing\n", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsTemplate([]byte(tt.text)); got != tt.want {
				t.Errorf("IsTemplate = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEvalLimits(t *testing.T) {
	deep := strings.Repeat("[", 300) + strings.Repeat("]", 300)
	v, tm := evalIn(t, "Resources: {}\n", deep, nil, nil)
	if v == nil || len(errorsOf(tm.diags)) == 0 {
		t.Errorf("deep expression: want an error entry")
	}
}
