package cloudformation

import (
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/engine"
	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
)

// secretTemplate is a broker whose user reads username and password from a secret of the same
// template; secret is the secret's Properties, username and password the users' values.
func secretTemplate(secret, username, password string) string {
	return `Parameters:
  User:
    Type: String
    Default: mqadmin
Resources:
  Secret:
    Type: AWS::SecretsManager::Secret
    Properties:
` + secret + `
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      EngineType: ActiveMQ
      Users:
        - Username: ` + username + `
          Password: ` + password + `
`
}

const (
	generated = `      Name: mq-credentials
      GenerateSecretString:
        SecretStringTemplate: '{"username": "admin"}'
        GenerateStringKey: password
        PasswordLength: 32`
	subRef     = `!Sub '{{resolve:secretsmanager:${Secret}:SecretString:%s}}'`
	byName     = `'{{resolve:secretsmanager:mq-credentials:SecretString:%s}}'`
	joinRef    = `!Join ['', ['{{resolve:secretsmanager:', !Ref Secret, ':SecretString:%s}}']]`
	templateAt = 11 // the SecretStringTemplate line of generated
)

func key(form, k string) string { return strings.Replace(form, "%s", k, 1) }

// TestTemplateSecretUsers: a username read from a secret the template defines is the literal of
// its SecretStringTemplate (or SecretString), located there; the GenerateStringKey stays
// generated; anything the template does not decide stays a secret-store value.
func TestTemplateSecretUsers(t *testing.T) {
	tests := []struct {
		name, secret, username, password string
		wantUser                         string // "?" unknown
		userLine                         int
		wantPass                         model.SecretOrigin
		passLiteralLine                  int
	}{
		{"Sub of Ref", generated, key(subRef, "username"), key(subRef, "password"), "admin", templateAt, model.SecretGenerated, 0},
		{"literal name", generated, key(byName, "username"), key(byName, "password"), "admin", templateAt, model.SecretGenerated, 0},
		{"Join of Ref", generated, key(joinRef, "username"), key(joinRef, "password"), "admin", templateAt, model.SecretGenerated, 0},
		{"Sub of GetAtt Id", generated, `!Sub '{{resolve:secretsmanager:${Secret.Id}:SecretString:username}}'`, key(subRef, "password"), "admin", templateAt, model.SecretGenerated, 0},
		{"partial ARN", generated, `'{{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:mq-credentials:SecretString:username}}'`, key(subRef, "password"), "admin", templateAt, model.SecretGenerated, 0},
		{"full ARN", generated, `'{{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:mq-credentials-AbCdEf:SecretString:username:AWSCURRENT}}'`, key(subRef, "password"), "admin", templateAt, model.SecretGenerated, 0},
		{"key not in the template", generated, key(subRef, "user"), key(subRef, "pass"), "?", 0, model.SecretStore, 0},
		{"previous version", generated, `!Sub '{{resolve:secretsmanager:${Secret}:SecretString:username:AWSPREVIOUS}}'`, key(subRef, "password"), "?", 0, model.SecretGenerated, 0},
		{"version id", generated, `!Sub '{{resolve:secretsmanager:${Secret}:SecretString:username::a1b2}}'`, key(subRef, "password"), "?", 0, model.SecretGenerated, 0},
		{"another secret's name", generated, key(`'{{resolve:secretsmanager:other:SecretString:%s}}'`, "username"), key(byName, "password"), "?", 0, model.SecretGenerated, 0},
		{"template from a parameter", `      GenerateSecretString:
        SecretStringTemplate: !Sub '{"username": "${User}"}'
        GenerateStringKey: password`, key(subRef, "username"), key(subRef, "password"), "mqadmin", 10, model.SecretGenerated, 0},
		{"template built by Join", `      GenerateSecretString:
        SecretStringTemplate: !Join ['', ['{"username": "', !Ref User, '"}']]
        GenerateStringKey: password`, key(subRef, "username"), key(subRef, "password"), "mqadmin", 10, model.SecretGenerated, 0},
		{"template of an unknown parameter", `      GenerateSecretString:
        SecretStringTemplate: !Sub '{"username": "${AWS::StackName}"}'
        GenerateStringKey: password`, key(subRef, "username"), key(subRef, "password"), "?", 0, model.SecretGenerated, 0},
		{"password written in the template", `      GenerateSecretString:
        SecretStringTemplate: '{"username": "app", "password": "hunter2"}'
        GenerateStringKey: token`, key(subRef, "username"), key(subRef, "password"), "app", 10, model.SecretLiteral, 10},
		{"generated key also in the template", `      GenerateSecretString:
        SecretStringTemplate: '{"username": "app", "password": ""}'
        GenerateStringKey: password`, key(subRef, "username"), key(subRef, "password"), "app", 10, model.SecretGenerated, 0},
		{"generated without a template", `      GenerateSecretString:
        PasswordLength: 32`, "app", `!Sub '{{resolve:secretsmanager:${Secret}}}'`, "app", 16, model.SecretGenerated, 0},
		{"SecretString", `      SecretString: '{"username": "guest", "password": "hunter2"}'`, key(subRef, "username"), key(subRef, "password"), "guest", 9, model.SecretLiteral, 9},
		{"SecretString of an input", `      SecretString: !Ref AWS::StackName`, key(subRef, "username"), `!Sub '{{resolve:secretsmanager:${Secret}}}'`, "?", 0, model.SecretStore, 0},
		{"no properties", `      Description: x`, key(subRef, "username"), key(subRef, "password"), "?", 0, model.SecretStore, 0},
		{"invalid template JSON", `      GenerateSecretString:
        SecretStringTemplate: '{"username": admin}'
        GenerateStringKey: password`, key(subRef, "username"), key(subRef, "password"), "?", 0, model.SecretGenerated, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := loadOne(t, secretTemplate(tt.secret, tt.username, tt.password), Options{})
			noErrors(t, diags)
			b := broker(t, inv)
			if len(b.Users) != 1 {
				t.Fatalf("users = %+v", b.Users)
			}
			u := b.Users[0]
			switch {
			case tt.wantUser == "?" && u.Username.Known():
				t.Errorf("username = %+v, want unknown", u.Username)
			case tt.wantUser != "?" && (u.Username.State != model.Explicit || u.Username.V != tt.wantUser || u.Username.At.StartLine != tt.userLine):
				t.Errorf("username = %+v, want explicit %q at line %d", u.Username, tt.wantUser, tt.userLine)
			}
			if u.Password.Origin != tt.wantPass || u.Password.LiteralAt.StartLine != tt.passLiteralLine {
				t.Errorf("password = %+v, want %v literal at line %d", u.Password, tt.wantPass, tt.passLiteralLine)
			}
			for _, d := range diags {
				if strings.Contains(d.Message, "hunter2") {
					t.Errorf("diagnostic shows a secret: %v", d)
				}
			}
		})
	}
}

// TestTemplateSecretJSON: the same in a JSON template, where the SecretStringTemplate is a JSON
// string.
func TestTemplateSecretJSON(t *testing.T) {
	text := `{
  "Resources": {
    "Secret": {
      "Type": "AWS::SecretsManager::Secret",
      "Properties": {
        "GenerateSecretString": {
          "SecretStringTemplate": "{\"username\": \"admin\"}",
          "GenerateStringKey": "password"
        }
      }
    },
    "Broker": {
      "Type": "AWS::AmazonMQ::Broker",
      "Properties": {
        "Users": [{
          "Username": {"Fn::Sub": "{{resolve:secretsmanager:${Secret}:SecretString:username}}"},
          "Password": {"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": "Secret"}, ":SecretString:password}}"]]}
        }]
      }
    }
  }
}`
	inv, diags := load(t, map[string]string{"template.json": text}, []string{"template.json"}, Options{})
	noErrors(t, diags)
	u := broker(t, inv).Users[0]
	if u.Username.State != model.Explicit || u.Username.V != "admin" || u.Username.At != (model.Range{File: "template.json", StartLine: 7, EndLine: 7}) {
		t.Errorf("username = %+v, want admin at template.json:7", u.Username)
	}
	if u.Password.Origin != model.SecretGenerated {
		t.Errorf("password = %+v, want generated", u.Password)
	}
}

// TestTemplateSecretSelf: a secret whose properties read itself is not evaluated forever.
func TestTemplateSecretSelf(t *testing.T) {
	inv, diags := loadOne(t, secretTemplate(`      SecretString: !Sub '{{resolve:secretsmanager:${Secret}:SecretString:username}}'`,
		key(subRef, "username"), key(subRef, "password")), Options{})
	noErrors(t, diags)
	if u := broker(t, inv).Users[0]; u.Username.Known() || u.Password.Origin != model.SecretStore {
		t.Errorf("user = %+v", u)
	}
}

// TestTemplateSecretRules: the default username of a secret's template fails MQG014 at the
// SecretStringTemplate line; its generated password passes MQG013.
func TestTemplateSecretRules(t *testing.T) {
	inv, diags := loadOne(t, secretTemplate(generated, key(subRef, "username"), key(subRef, "password")), Options{})
	rep, err := engine.Run(inv, diags, rules.All(), engine.Options{Settings: rules.DefaultSettings(), Only: []string{"MQG013", "MQG014"}, ShowPassed: true, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]finding.Finding{}
	for _, f := range rep.Findings {
		got[f.RuleID] = f
	}
	if f := got["MQG014"]; f.Status != finding.StatusFail || f.Location.StartLine != templateAt {
		t.Errorf("MQG014 = %s at line %d, want FAIL at line %d", f.Status, f.Location.StartLine, templateAt)
	}
	if f := got["MQG013"]; f.Status != finding.StatusPass {
		t.Errorf("MQG013 = %s, want PASS", f.Status)
	}
}

// TestTemplateParameterUsers: {{resolve:ssm:...}} of an AWS::SSM::Parameter the template defines
// is the parameter's Value, a literal located where it is written (a password there is written
// in the template); a version, or a parameter the template does not define, stays a store value.
func TestTemplateParameterUsers(t *testing.T) {
	text := func(username, password string) string {
		return `Resources:
  UserParam:
    Type: AWS::SSM::Parameter
    Properties:
      Name: /mq/user
      Type: String
      Value: admin
  PassParam:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: hunter2hunter2
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      Users:
        - Username: ` + username + `
          Password: ` + password + `
`
	}
	tests := []struct {
		name, username, password string
		wantUser                 string
		wantPass                 model.SecretOrigin
		passLine                 int
	}{
		{"by name and by Ref", `'{{resolve:ssm:/mq/user}}'`, `!Sub '{{resolve:ssm:${PassParam}}}'`, "admin", model.SecretLiteral, 12},
		{"Join of Ref", `!Join ['', ['{{resolve:ssm:', !Ref UserParam, '}}']]`, `'{{resolve:ssm:/other}}'`, "admin", model.SecretStore, 0},
		{"version", `'{{resolve:ssm:/mq/user:2}}'`, `'{{resolve:ssm-secure:/mq/pass}}'`, "?", model.SecretStore, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, diags := loadOne(t, text(tt.username, tt.password), Options{})
			noErrors(t, diags)
			u := broker(t, inv).Users[0]
			switch {
			case tt.wantUser == "?" && u.Username.Known():
				t.Errorf("username = %+v, want unknown", u.Username)
			case tt.wantUser != "?" && (u.Username.V != tt.wantUser || u.Username.At.StartLine != 7):
				t.Errorf("username = %+v, want %q at line 7", u.Username, tt.wantUser)
			}
			if u.Password.Origin != tt.wantPass || u.Password.LiteralAt.StartLine != tt.passLine {
				t.Errorf("password = %+v, want %v literal at line %d", u.Password, tt.wantPass, tt.passLine)
			}
		})
	}
}
