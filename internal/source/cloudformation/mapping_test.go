package cloudformation

import (
	"context"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mqguard/mqguard/internal/model"
)

const fullTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  AdminPassword:
    Type: String
    NoEcho: true
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      Enabled: false
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupName: mq-sg
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 61617
          ToPort: 61617
          CidrIp: 0.0.0.0/0
  ExtraIngress:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Group.GroupId
      IpProtocol: "-1"
      CidrIpv6: ::/0
  Config:
    Type: AWS::AmazonMQ::Configuration
    Properties:
      Name: mq-config
      EngineType: ACTIVEMQ
      EngineVersion: 5.18
      Data:
        Fn::Base64: |
          <broker xmlns="http://activemq.apache.org/schema/core">
            <networkConnectors>
              <networkConnector name="bridge" uri="static:(ssl://other:61617)"/>
            </networkConnectors>
          </broker>
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ActiveMQ
      EngineVersion: 5.18
      DeploymentMode: ACTIVE_STANDBY_MULTI_AZ
      HostInstanceType: mq.m5.large
      PubliclyAccessible: "false"
      AutoMinorVersionUpgrade: No
      AuthenticationStrategy: simple
      StorageType: EFS
      EncryptionOptions:
        UseAwsOwnedKey: false
        KmsKeyId: !Ref Key
      Logs:
        General: Yes
        Audit: on
      SecurityGroups:
        - !Ref Group
        - sg-0123
      SubnetIds: [subnet-a, subnet-b]
      Configuration:
        Id: !Ref Config
        Revision: 2
      Tags:
        - Key: team
          Value: payments
      Users:
        - Username: admin
          Password: !Ref AdminPassword
          ConsoleAccess: true
          Groups: [admins]
        - Username: app
          Password: plaintext-secret-1
`

func TestBrokerMapping(t *testing.T) {
	inv, diags := loadOne(t, fullTemplate, Options{})
	noErrors(t, diags)
	b := broker(t, inv)
	want := model.Identity{Source: model.SourceCloudFormation, Scope: "template.yaml", Address: "Broker", Type: "AWS::AmazonMQ::Broker"}
	id := b.ID
	id.At = model.Range{}
	if id != want {
		t.Errorf("identity = %+v", b.ID)
	}
	if b.ID.At.StartLine != 39 || b.ID.At.EndLine != 73 {
		t.Errorf("resource range = %+v, want lines 39-73", b.ID.At)
	}
	strs := []struct {
		name string
		got  model.String
		want string
		line int
	}{
		{"name", b.Name, "orders", 42},
		{"engine", b.Engine, model.EngineActiveMQ, 43},
		{"version", b.EngineVersion, "5.18", 44},
		{"mode", b.DeploymentMode, "ACTIVE_STANDBY_MULTI_AZ", 45},
		{"instance", b.HostInstanceType, "mq.m5.large", 46},
		{"auth", b.AuthStrategy, "SIMPLE", 49},
		{"storage", b.StorageType, "EFS", 50},
	}
	for _, s := range strs {
		if s.got.State != model.Explicit || s.got.V != s.want || s.got.At.StartLine != s.line {
			t.Errorf("%s = %+v, want explicit %q at line %d", s.name, s.got, s.want, s.line)
		}
	}
	bools := []struct {
		name string
		got  model.Bool
		want bool
	}{
		{"public", b.PubliclyAccessible, false}, {"auto minor", b.AutoMinorUpgrade, false},
		{"owned key", b.Encryption.UseAWSOwnedKey, false}, {"general", b.Logs.General, true}, {"audit", b.Logs.Audit, true},
	}
	for _, x := range bools {
		if x.got.State != model.Explicit || x.got.V != x.want {
			t.Errorf("%s = %+v, want explicit %v", x.name, x.got, x.want)
		}
	}
	if b.Encryption.Key == nil || b.Encryption.Key.Enabled.V || b.Encryption.KeyManager.V != "CUSTOMER" {
		t.Errorf("encryption = %+v", b.Encryption)
	}
	if b.SecurityGroupsState != model.Explicit || len(b.SecurityGroups) != 2 || b.SecurityGroups[0].Group == nil ||
		b.SecurityGroups[1].ID.V != "sg-0123" || b.SecurityGroups[1].Group != nil {
		t.Errorf("security groups = %+v", b.SecurityGroups)
	}
	g := b.SecurityGroups[0].Group
	if g.Name.V != "mq-sg" || len(g.Ingress) != 2 || g.IngressState != model.Explicit {
		t.Fatalf("group = %+v", g)
	}
	if r := g.Ingress[0]; r.Protocol.V != "tcp" || r.FromPort.V != 61617 || r.ToPort.V != 61617 || !reflect.DeepEqual(r.CIDRs.V, []string{"0.0.0.0/0"}) {
		t.Errorf("inline rule = %+v", r)
	}
	if r := g.Ingress[1]; r.Protocol.V != "-1" || r.FromPort.State != model.Default || r.ToPort.V != 65535 || !reflect.DeepEqual(r.CIDRs.V, []string{"::/0"}) {
		t.Errorf("separate rule = %+v", r)
	}
	if !reflect.DeepEqual(b.SubnetIDs.V, []string{"subnet-a", "subnet-b"}) {
		t.Errorf("subnets = %+v", b.SubnetIDs)
	}
	if v, at, ok := b.Tags.Lookup("team"); !ok || v != "payments" || at.StartLine != 65 {
		t.Errorf("tags = %+v", b.Tags)
	}
	c := b.Configuration
	if c == nil || c.Config == nil || c.Revision.V != 2 || c.Config.UsedBy != 1 {
		t.Fatalf("configuration = %+v", c)
	}
	cfg := c.Config
	if cfg.Engine.V != model.EngineActiveMQ || cfg.EngineVersion.V != "5.18" || cfg.Data != model.Explicit || cfg.ActiveMQ == nil {
		t.Fatalf("configuration = %+v", cfg)
	}
	if nc := cfg.ActiveMQ.NetworkConnectors; len(nc) != 1 || nc[0].At.StartLine != 36 || nc[0].At.File != "template.yaml" {
		t.Errorf("network connectors = %+v, want one at template.yaml:36", nc)
	}
	if len(b.Users) != 2 || b.UsersState != model.Explicit {
		t.Fatalf("users = %+v", b.Users)
	}
	if u := b.Users[0]; u.Username.V != "admin" || u.Password.Origin != model.SecretInput || !u.ConsoleAccess.V || !reflect.DeepEqual(u.Groups.V, []string{"admins"}) {
		t.Errorf("user 0 = %+v", u)
	}
	if u := b.Users[1]; u.Password.Origin != model.SecretLiteral || u.Password.LiteralAt.StartLine != 73 || u.ConsoleAccess.State != model.Default {
		t.Errorf("user 1 = %+v", u)
	}
}

func TestBrokerDefaults(t *testing.T) {
	inv, diags := loadOne(t, `Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      EngineType: RabbitMQ
`, Options{})
	noErrors(t, diags)
	b := broker(t, inv)
	at := model.Range{File: "template.yaml", StartLine: 2, EndLine: 5}
	for name, got := range map[string]model.Bool{
		"public": b.PubliclyAccessible, "owned key": b.Encryption.UseAWSOwnedKey,
		"general": b.Logs.General, "audit": b.Logs.Audit, "auto minor": b.AutoMinorUpgrade,
	} {
		want := name == "owned key" || name == "auto minor"
		if got.State != model.Default || got.V != want || got.At != at {
			t.Errorf("%s = %+v, want default %v at %v", name, got, want, at)
		}
	}
	for name, got := range map[string]model.String{"mode": b.DeploymentMode, "auth": b.AuthStrategy, "storage": b.StorageType} {
		want := map[string]string{"mode": "SINGLE_INSTANCE", "auth": "SIMPLE", "storage": "ebs"}[name]
		if got.State != model.Default || got.V != want {
			t.Errorf("%s = %+v, want default %q", name, got, want)
		}
	}
	if b.Name.Known() || b.SecurityGroupsState != model.Default || b.LDAP != nil || b.Configuration != nil {
		t.Errorf("broker = %+v", b)
	}
}

func TestYAMLHazards(t *testing.T) {
	tests := []struct {
		name, value string
		want        model.Bool
	}{
		{"Yes", "Yes", model.Bool{V: true, State: model.Explicit}},
		{"No", "No", model.Bool{V: false, State: model.Explicit}},
		{"on", "on", model.Bool{V: true, State: model.Explicit}},
		{"off", "off", model.Bool{V: false, State: model.Explicit}},
		{"quoted true", `"true"`, model.Bool{V: true, State: model.Explicit}},
		{"quoted False", `'False'`, model.Bool{V: false, State: model.Explicit}},
		{"garbage", `maybe`, model.Bool{State: model.Unknown}},
		{"NoValue", `!Ref AWS::NoValue`, model.Bool{V: false, State: model.Default}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, _ := loadOne(t, "Resources:\n  B:\n    Type: AWS::AmazonMQ::Broker\n    Properties:\n      PubliclyAccessible: "+tt.value+"\n", Options{})
			got := broker(t, inv).PubliclyAccessible
			if got.V != tt.want.V || got.State != tt.want.State {
				t.Errorf("PubliclyAccessible: %s = %+v, want %+v", tt.value, got, tt.want)
			}
		})
	}
	for _, v := range []string{"3.10", "5.15.0", "3.8", "!Sub '3.10'"} {
		inv, _ := loadOne(t, "Resources:\n  B:\n    Type: AWS::AmazonMQ::Broker\n    Properties:\n      EngineVersion: "+v+"\n", Options{})
		want := strings.Trim(strings.TrimPrefix(v, "!Sub "), "'")
		if got := broker(t, inv).EngineVersion; got.V != want || got.State != model.Explicit {
			t.Errorf("EngineVersion %s = %+v, want %q", v, got, want)
		}
	}
}

func TestDuplicateKeys(t *testing.T) {
	inv, diags := loadOne(t, `Resources:
  B:
    Type: AWS::AmazonMQ::Broker
    Properties:
      PubliclyAccessible: true
      EngineType: ActiveMQ
      PubliclyAccessible: false
`, Options{})
	errs := errorsOf(diags)
	if len(errs) != 1 || !strings.Contains(errs[0], "lines 5 and 7") || !strings.HasPrefix(errs[0], "template.yaml:7") {
		t.Errorf("errors = %q", errs)
	}
	if p := broker(t, inv).PubliclyAccessible; p.V || p.At.StartLine != 7 {
		t.Errorf("PubliclyAccessible = %+v, want the last value", p)
	}
}

// TestDuplicateKeySeverity: a duplicate key that can change what is read about a broker is an
// error (the scan is incomplete); elsewhere it is a note at the duplicate's line and the scan
// stays complete.
func TestDuplicateKeySeverity(t *testing.T) {
	const broker = "  Broker:\n    Type: AWS::AmazonMQ::Broker\n    Properties:\n      PubliclyAccessible: true\n"
	resource := func(typ string) string {
		return "  R:\n    Type: " + typ + "\n    Properties:\n      A: 1\n    Properties:\n      A: 2\n"
	}
	tests := []struct {
		name, text string
		want       model.DiagSeverity
		line       int
	}{
		{"bucket properties", "Resources:\n" + broker + resource("AWS::S3::Bucket"), model.DiagNote, 10},
		{"deep in a bucket", "Resources:\n" + broker + "  R:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n        - {Key: a, Value: b, Key: c}\n", model.DiagNote, 10},
		{"bucket logical ID", "Resources:\n" + broker + "  R:\n    Type: AWS::S3::Bucket\n  R:\n    Type: AWS::SQS::Queue\n", model.DiagNote, 8},
		{"Outputs", "Resources:\n" + broker + "Outputs:\n  O: {Value: a, Value: b}\n", model.DiagNote, 7},
		{"Description", "Description: a\nDescription: b\nResources:\n" + broker, model.DiagNote, 2},
		{"broker", "Resources:\n" + broker + "  B2:\n    Type: AWS::AmazonMQ::Broker\n    Properties: {A: 1, A: 2}\n", model.DiagError, 8},
		{"configuration", "Resources:\n" + broker + resource("AWS::AmazonMQ::Configuration"), model.DiagError, 10},
		{"security group", "Resources:\n" + broker + resource("AWS::EC2::SecurityGroup"), model.DiagError, 10},
		{"ingress", "Resources:\n" + broker + resource("AWS::EC2::SecurityGroupIngress"), model.DiagError, 10},
		{"kms key", "Resources:\n" + broker + resource("AWS::KMS::Key"), model.DiagError, 10},
		{"secret", "Resources:\n" + broker + resource("AWS::SecretsManager::Secret"), model.DiagError, 10},
		{"ssm parameter", "Resources:\n" + broker + resource("AWS::SSM::Parameter"), model.DiagError, 10},
		{"nested stack", "Resources:\n" + broker + resource("AWS::CloudFormation::Stack"), model.DiagError, 10},
		{"type written twice", "Resources:\n" + broker + "  R:\n    Type: AWS::S3::Bucket\n    Type: AWS::AmazonMQ::Broker\n", model.DiagError, 8},
		{"type not a string", "Resources:\n" + broker + "  R:\n    Type: [x]\n    Properties: {A: 1, A: 2}\n", model.DiagError, 8},
		{"logical ID of a bucket and a broker", "Resources:\n" + broker + "  R:\n    Type: AWS::S3::Bucket\n  R:\n    Type: AWS::AmazonMQ::Broker\n", model.DiagError, 8},
		{"parameter", "Parameters:\n  P: {Type: String, Default: a, Default: b}\nResources:\n" + broker, model.DiagError, 2},
		{"Resources twice", "Resources:\n" + broker + "Resources:\n" + broker, model.DiagError, 6},
		{"json bucket", `{"Resources": {"Broker": {"Type": "AWS::AmazonMQ::Broker"},
  "R": {"Type": "AWS::S3::Bucket", "Properties": {"A": 1},
        "Properties": {"A": 2}}}}`, model.DiagNote, 3},
		{"json broker", `{"Resources": {"Broker": {"Type": "AWS::AmazonMQ::Broker",
  "Properties": {"PubliclyAccessible": true,
                 "PubliclyAccessible": false}}}}`, model.DiagError, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := loadOne(t, tt.text, Options{})
			if len(inv.Brokers) == 0 {
				t.Fatalf("no broker loaded; diagnostics %v", diags)
			}
			var dups []model.Diagnostic
			for _, d := range diags {
				if strings.Contains(d.Message, "duplicate key") {
					dups = append(dups, d)
				}
			}
			if len(dups) != 1 {
				t.Fatalf("diagnostics = %v, want one duplicate key", diags)
			}
			d := dups[0]
			if d.Severity != tt.want || d.At.File != "template.yaml" || d.At.StartLine != tt.line {
				t.Errorf("diagnostic = %+v, want severity %v at line %d", d, tt.want, tt.line)
			}
		})
	}
}

func TestRefusedDocuments(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i, n := range "bcdefghi" {
		name := string(n)
		bomb += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = name
		_ = i
	}
	bomb += "Resources:\n  B:\n    Type: AWS::AmazonMQ::Broker\n    Properties:\n      Tags: *i\n"
	huge := "Resources: {}\n# " + strings.Repeat("x", MaxTemplateSize) + "\n"
	tests := []struct{ name, text, want string }{
		{"alias bomb", bomb, "alias bomb"},
		{"huge", huge, "file is too large"},
		{"syntax", "Resources:\n  B:\n    Type: [AWS::AmazonMQ::Broker\n  C: x\n", "template.yaml:"},
		{"tab indentation", "Resources:\n\tB: x\n", "template.yaml:2"},
		{"not a mapping", "- a\n- b\n", "not a mapping"},
		{"empty", "", "empty document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := load(t, map[string]string{"template.yaml": tt.text, "good.yaml": "Resources:\n  B:\n    Type: AWS::AmazonMQ::Broker\n"},
				[]string{"template.yaml", "good.yaml"}, Options{})
			errs := errorsOf(diags)
			if len(errs) != 1 || !strings.Contains(errs[0], tt.want) {
				t.Errorf("errors = %q, want one containing %q", errs, tt.want)
			}
			if len(inv.Brokers) != 1 || inv.Brokers[0].ID.Scope != "good.yaml" {
				t.Errorf("the good template was not loaded")
			}
		})
	}
}

func TestParameterPrecedence(t *testing.T) {
	text := `Parameters:
  Name:
    Type: String
    Default: from-default
  Mode:
    Type: String
    Default: SINGLE_INSTANCE
  Version:
    Type: String
Resources:
  B:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: !Ref Name
      DeploymentMode: !Ref Mode
      EngineVersion: !Ref Version
`
	files := map[string]string{
		"template.yaml": text,
		"cli.json":      `[{"ParameterKey": "Name", "ParameterValue": "from-file"}, {"ParameterKey": "Mode", "ParameterValue": "CLUSTER_MULTI_AZ"}]`,
		"pipeline.json": `{"Parameters": {"Name": "from-pipeline"}}`,
		"flat.json":     `{"Version": "3.13"}`,
	}
	tests := []struct {
		name                  string
		opts                  Options
		wantName, wantMode, v string
	}{
		{"defaults", Options{}, "from-default", "SINGLE_INSTANCE", "?"},
		{"file", Options{ParamFiles: []string{"cli.json"}}, "from-file", "CLUSTER_MULTI_AZ", "?"},
		{"later file wins", Options{ParamFiles: []string{"cli.json", "pipeline.json", "flat.json"}}, "from-pipeline", "CLUSTER_MULTI_AZ", "3.13"},
		{"param beats file", Options{ParamFiles: []string{"cli.json"}, Params: []string{"Name=first", "Name=from-param"}}, "from-param", "CLUSTER_MULTI_AZ", "?"},
		{"value with equals", Options{Params: []string{"Version=a=b"}}, "from-default", "SINGLE_INSTANCE", "a=b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := load(t, files, []string{"template.yaml"}, tt.opts)
			noErrors(t, diags)
			b := broker(t, inv)
			v := b.EngineVersion.V
			if !b.EngineVersion.Known() {
				v = "?"
			}
			if b.Name.V != tt.wantName || b.DeploymentMode.V != tt.wantMode || v != tt.v {
				t.Errorf("got %q %q %q", b.Name.V, b.DeploymentMode.V, v)
			}
			if b.Name.At.StartLine != 14 {
				t.Errorf("name at %v, want the property's line", b.Name.At)
			}
		})
	}
	_, diags := load(t, map[string]string{"template.yaml": text, "bad.json": `{"x": [}`}, []string{"template.yaml"},
		Options{ParamFiles: []string{"bad.json", "missing.json"}, Params: []string{"novalue"}})
	if errs := errorsOf(diags); len(errs) != 3 || !strings.HasPrefix(errs[0], "bad.json:1") {
		t.Errorf("errors = %q", errs)
	}
}

func TestPasswordProvenance(t *testing.T) {
	tmpl := func(param, password string) string {
		return "Parameters:\n" + param + "Resources:\n  Secret:\n    Type: AWS::SecretsManager::Secret\n  B:\n    Type: AWS::AmazonMQ::Broker\n    Properties:\n      Users:\n        - Username: app\n          Password: " + password + "\n"
	}
	noEchoDefault := "  P:\n    Type: String\n    NoEcho: true\n    Default: s3cret-value\n"
	noEcho := "  P:\n    Type: String\n    NoEcho: true\n"
	plain := "  P:\n    Type: String\n"
	tests := []struct {
		name, param, password string
		opts                  Options
		want                  model.SecretOrigin
		literalLine           int
		literalRef            string
	}{
		{"NoEcho with default", noEchoDefault, "!Ref P", Options{}, model.SecretLiteral, 5, ""},
		{"NoEcho without default", noEcho, "!Ref P", Options{}, model.SecretInput, 0, ""},
		{"no default", plain, "!Ref P", Options{}, model.SecretInput, 0, ""},
		{"given on the command line", noEcho, "!Ref P", Options{Params: []string{"P=x"}}, model.SecretLiteral, 0, "--cfn-param P"},
		{"literal", plain, "hunter2", Options{}, model.SecretLiteral, 12, ""},
		{"secrets manager", plain, "'{{resolve:secretsmanager:mq:SecretString:password}}'", Options{}, model.SecretStore, 0, ""},
		{"ssm-secure", plain, "'{{resolve:ssm-secure:/mq/password:3}}'", Options{}, model.SecretStore, 0, ""},
		{"Sub of a secret", plain, "!Sub '{{resolve:secretsmanager:${Secret}:SecretString:password}}'", Options{}, model.SecretStore, 0, ""},
		{"GetAtt of a secret", plain, "!GetAtt Secret.Arn", Options{}, model.SecretStore, 0, ""},
		{"Ref of a secret", plain, "!Ref Secret", Options{}, model.SecretStore, 0, ""},
		{"absent", plain, "!Ref AWS::NoValue", Options{}, model.SecretAbsent, 0, ""},
		{"import", plain, "!ImportValue pass", Options{}, model.SecretUnknown, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := loadOne(t, tmpl(tt.param, tt.password), tt.opts)
			noErrors(t, diags)
			b := broker(t, inv)
			if len(b.Users) != 1 {
				t.Fatalf("users = %+v", b.Users)
			}
			p := b.Users[0].Password
			if p.Origin != tt.want || p.LiteralAt.StartLine != tt.literalLine || p.LiteralAt.Ref != tt.literalRef {
				t.Errorf("password = %+v, want %v literal at %d %q", p, tt.want, tt.literalLine, tt.literalRef)
			}
			for _, d := range diags {
				if strings.Contains(d.Message, "s3cret") || strings.Contains(d.Message, "hunter2") {
					t.Errorf("diagnostic shows a secret: %v", d)
				}
			}
		})
	}
}

func TestResourceCondition(t *testing.T) {
	text := `Parameters:
  Env: {Type: String, Default: dev}
  Unknown: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Maybe: !Equals [!Ref Unknown, yes]
Resources:
  ProdBroker:
    Type: AWS::AmazonMQ::Broker
    Condition: IsProd
  MaybeBroker:
    Type: AWS::AmazonMQ::Broker
    Condition: Maybe
  Always:
    Type: AWS::AmazonMQ::Broker
    Properties:
      PubliclyAccessible: !If [IsProd, false, true]
  MaybeBucket:
    Type: AWS::S3::Bucket
    Condition: Maybe
`
	tests := []struct {
		params []string
		want   []string
	}{
		{nil, []string{"Always", "MaybeBroker"}},
		{[]string{"Env=prod"}, []string{"Always", "MaybeBroker", "ProdBroker"}},
		{[]string{"Unknown=no"}, []string{"Always"}},
	}
	for _, tt := range tests {
		inv, diags := loadOne(t, text, Options{Params: tt.params})
		noErrors(t, diags)
		var got []string
		for _, b := range inv.Brokers {
			got = append(got, b.ID.Address)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("params %v: brokers %v, want %v", tt.params, got, tt.want)
		}
		notes := 0
		for _, d := range diags {
			if d.Severity == model.DiagNote && strings.Contains(d.Message, "undecided") {
				notes++
			}
		}
		if wantNotes := map[bool]int{true: 1, false: 0}[len(tt.params) == 0 || tt.params[0] != "Unknown=no"]; notes != wantNotes {
			t.Errorf("params %v: %d notes, want %d", tt.params, notes, wantNotes)
		}
	}
}

func TestDirectives(t *testing.T) {
	inv, diags := loadOne(t, `Resources:
  # mqguard:ignore MQG005 reason="dev broker"
  # trivy:ignore:AVD-AWS-0072
  Broker:
    Type: AWS::AmazonMQ::Broker
    Metadata:
      mqguard:
        ignore:
          - id: MQG001
            reason: partner "ingress" only
            until: 2027-01-31
            by: secops
          - id: [MQG002, MQG003]
            reason: legacy
      checkov:
        skip:
          - id: CKV_AWS_69
            comment: public by design
    Properties:
      PubliclyAccessible: true # checkov:skip=CKV_AWS_197:not needed
      # a plain comment
  Config:
    Type: AWS::AmazonMQ::Configuration
    Metadata:
      checkov: {skip: [{id: CKV_AWS_1}]}
`, Options{})
	noErrors(t, diags)
	var got []string
	for _, d := range broker(t, inv).Directives {
		got = append(got, d.At.String()+" "+d.Text)
	}
	want := []string{
		"template.yaml:2 # mqguard:ignore MQG005 reason=\"dev broker\"",
		"template.yaml:3 # trivy:ignore:AVD-AWS-0072",
		"template.yaml:20 # checkov:skip=CKV_AWS_197:not needed",
		"template.yaml:9 mqguard:ignore MQG001 reason='partner \"ingress\" only' until=2027-01-31 by=secops",
		"template.yaml:13 mqguard:ignore MQG002,MQG003 reason=legacy",
		"template.yaml:17 checkov:skip=CKV_AWS_69:public by design",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("directives:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := inv.Configurations[0].Directives; len(d) != 1 || d[0].Text != "checkov:skip=CKV_AWS_1" {
		t.Errorf("configuration directives = %+v", d)
	}
}

func TestConfigurationData(t *testing.T) {
	xml := `<broker xmlns="http://activemq.apache.org/schema/core"><plugins><simpleAuthenticationPlugin/></plugins></broker>`
	tests := []struct {
		name, data string
		want       model.State
		parsed     bool
	}{
		{"base64 text", base64.StdEncoding.EncodeToString([]byte(xml)), model.Explicit, true},
		{"Fn::Base64 literal", "!Base64 '" + xml + "'", model.Explicit, true},
		{"Fn::Base64 Sub", "{\"Fn::Base64\": {\"Fn::Sub\": \"" + strings.ReplaceAll(xml, `"`, `\"`) + "\"}}", model.Explicit, true},
		{"unknown", "!Base64 {Ref: Body}", model.Unknown, false},
		{"invalid xml", "!Base64 '<broker><x></broker>'", model.Unknown, false},
		{"not base64", "'%%%'", model.Unknown, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := loadOne(t, "Parameters:\n  Body: {Type: String}\nResources:\n  C:\n    Type: AWS::AmazonMQ::Configuration\n    Properties:\n      EngineType: ACTIVEMQ\n      Data: "+tt.data+"\n", Options{})
			c := inv.Configurations[0]
			if c.Data != tt.want || (c.ActiveMQ != nil) != tt.parsed {
				t.Errorf("data = %v, parsed %v; diags %v", c.Data, c.ActiveMQ != nil, diags)
			}
			if tt.name == "invalid xml" && len(errorsOf(diags)) != 1 {
				t.Errorf("invalid XML: errors %v", errorsOf(diags))
			}
		})
	}
}

func TestConfigurationAssociation(t *testing.T) {
	inv, diags := loadOne(t, `Resources:
  C:
    Type: AWS::AmazonMQ::Configuration
    Properties: {Name: c, EngineType: ActiveMQ}
  B:
    Type: AWS::AmazonMQ::Broker
  A:
    Type: AWS::AmazonMQ::ConfigurationAssociation
    Properties:
      Broker: !Ref B
      Configuration: {Id: !GetAtt C.Id, Revision: 3}
`, Options{})
	noErrors(t, diags)
	b := broker(t, inv)
	if b.Configuration == nil || b.Configuration.Config != inv.Configurations[0] || b.Configuration.Revision.V != 3 || inv.Configurations[0].UsedBy != 1 {
		t.Errorf("configuration = %+v", b.Configuration)
	}
}

func TestKMSAlias(t *testing.T) {
	tests := []struct{ kmsKeyID, want string }{
		{"alias/aws/mq", "AWS"},
		{"arn:aws:kms:eu-west-1:111122223333:alias/aws/mq", "AWS"},
		{"arn:aws:kms:eu-west-1:111122223333:key/abcd", "CUSTOMER"},
		{"!Ref Alias", "CUSTOMER"},
		{"!GetAtt Key.Arn", "CUSTOMER"},
		{"!ImportValue key", ""},
	}
	for _, tt := range tests {
		inv, _ := loadOne(t, "Resources:\n  Key:\n    Type: AWS::KMS::Key\n  Alias:\n    Type: AWS::KMS::Alias\n    Properties: {AliasName: alias/mq, TargetKeyId: !Ref Key}\n  B:\n    Type: AWS::AmazonMQ::Broker\n    Properties:\n      EncryptionOptions:\n        UseAwsOwnedKey: false\n        KmsKeyId: "+tt.kmsKeyID+"\n", Options{})
		e := broker(t, inv).Encryption
		if e.KeyManager.V != tt.want {
			t.Errorf("%s: key manager %+v, want %q", tt.kmsKeyID, e.KeyManager, tt.want)
		}
		if strings.HasPrefix(tt.kmsKeyID, "!") && tt.want == "CUSTOMER" && (e.Key == nil || !e.Key.Enabled.V || e.Key.Enabled.State != model.Default) {
			t.Errorf("%s: key %+v", tt.kmsKeyID, e.Key)
		}
	}
}

func TestDeterminism(t *testing.T) {
	files := map[string]string{"a.yaml": fullTemplate, "b.yaml": evalTemplate}
	first, firstDiags := load(t, files, []string{"a.yaml", "b.yaml"}, Options{})
	for range 50 {
		inv, diags := load(t, files, []string{"a.yaml", "b.yaml"}, Options{})
		if !reflect.DeepEqual(inv, first) || !reflect.DeepEqual(diags, firstDiags) {
			t.Fatal("two loads differ")
		}
	}
}

// TestSkipUnrelated: with SkipUnrelated, a top-level template that cannot hold a broker is not
// parsed (its syntax error is not reported); one that can, or that nests stacks, still is.
func TestSkipUnrelated(t *testing.T) {
	fsys := fstest.MapFS{
		"unrelated.yaml": {Data: []byte("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: [unclosed\n")},
		"broker.yaml":    {Data: []byte("Resources:\n  B:\n    Type: AWS::AmazonMQ::Broker\n    Properties: [unclosed\n")},
		"parent.yaml":    {Data: []byte("Resources:\n  S:\n    Type: AWS::CloudFormation::Stack\n    Properties: [unclosed\n")},
	}
	paths := []string{"broker.yaml", "parent.yaml", "unrelated.yaml"}
	for _, skip := range []bool{false, true} {
		_, diags := Load(context.Background(), fsys, paths, Options{SkipUnrelated: func(string) bool { return skip }})
		var files []string
		for _, d := range diags {
			files = append(files, d.At.File)
		}
		want := []string{"broker.yaml", "parent.yaml", "unrelated.yaml"}
		if skip {
			want = want[:2]
		}
		if !reflect.DeepEqual(files, want) {
			t.Errorf("SkipUnrelated=%v: errors in %v, want %v", skip, files, want)
		}
	}
}

// TestOversizedTemplate: a template larger than MaxTemplateSize is an error naming the file even
// when directory scans skip the templates that cannot hold a broker: its content is not read, so
// nothing says it holds none.
func TestOversizedTemplate(t *testing.T) {
	big := "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n# " + strings.Repeat("x", MaxTemplateSize) + "\n"
	for _, skip := range []bool{false, true} {
		_, diags := load(t, map[string]string{"big.yaml": big}, []string{"big.yaml"}, Options{SkipUnrelated: func(string) bool { return skip }})
		errs := errorsOf(diags)
		if len(errs) != 1 || !strings.HasPrefix(errs[0], "big.yaml: cannot read: file is too large") {
			t.Errorf("SkipUnrelated=%v: errors = %q", skip, errs)
		}
	}
}
