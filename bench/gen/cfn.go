package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// CloudFormation templates are built as a small tree of values and written
// either as YAML (short-form intrinsic tags such as !Ref and !Sub) or as JSON
// (long forms such as {"Fn::Sub": ...}), so both syntaxes describe the same
// kinds of stacks.

// obj is a mapping whose keys keep their order.
type obj []kv

type kv struct {
	k string
	v any
}

// fn is an intrinsic function call: name is the short-form tag without "!"
// (Ref, Sub, GetAtt, If, ...).
type fn struct {
	name string
	arg  any
}

// plain is a string written unquoted in YAML (for example an engine version
// such as 3.10, which a YAML parser reads as a number); JSON quotes it.
type plain string

// block is a multi-line string, written as a YAML literal block scalar.
type block string

func ref(name string) fn            { return fn{"Ref", name} }
func sub(s string) fn               { return fn{"Sub", s} }
func getAtt(res, attr string) fn    { return fn{"GetAtt", []any{res, attr}} }
func ifFn(cond string, a, b any) fn { return fn{"If", []any{cond, a, b}} }
func findInMap(m string, k1 any, k2 string) fn {
	return fn{"FindInMap", []any{m, k1, k2}}
}

var noValue = ref("AWS::NoValue")

// longName is the JSON (long form) key of an intrinsic.
func longName(name string) string {
	if name == "Ref" || name == "Condition" {
		return name
	}
	return "Fn::" + name
}

// ---- YAML writer ----

var (
	plainSafe  = regexp.MustCompile(`^[A-Za-z_/][A-Za-z0-9 _./:*()<>=+-]*$`)
	yamlKeywds = map[string]bool{"true": true, "false": true, "yes": true, "no": true, "on": true,
		"off": true, "null": true, "y": true, "n": true, "~": true}
)

func yamlScalar(s string) string {
	if s != "" && plainSafe.MatchString(s) && !yamlKeywds[strings.ToLower(s)] &&
		!strings.HasSuffix(s, " ") && !strings.HasSuffix(s, ":") && !strings.Contains(s, " -") &&
		!strings.Contains(s, ": ") {
		return s
	}
	return jsonString(s)
}

// jsonString quotes s as a JSON string (also a valid YAML double-quoted
// scalar), leaving <, > and & as they are.
func jsonString(s string) string {
	var b strings.Builder
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// yamlInline returns v written on one line, when it is short and simple.
func yamlInline(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return yamlScalar(v), true
	case plain:
		return string(v), true
	case int:
		return fmt.Sprint(v), true
	case bool:
		return fmt.Sprint(v), true
	case fn:
		arg := v.arg
		if v.name == "GetAtt" {
			if l, ok := arg.([]any); ok && len(l) == 2 {
				return fmt.Sprintf("!GetAtt %s.%s", l[0], l[1]), true
			}
		}
		if _, isFn := arg.(fn); isFn {
			// A node has one tag: written in long form by yamlValue.
			return "", false
		}
		s, ok := yamlInline(arg)
		if !ok {
			return "", false
		}
		return "!" + v.name + " " + s, true
	case []any:
		parts := make([]string, len(v))
		n := 0
		for i, e := range v {
			if _, isBlock := e.(block); isBlock {
				return "", false
			}
			s, ok := yamlInline(e)
			if !ok {
				return "", false
			}
			parts[i] = s
			n += len(s)
		}
		if n > 100 {
			return "", false
		}
		return "[" + strings.Join(parts, ", ") + "]", true
	case obj:
		if len(v) == 0 {
			return "{}", true
		}
	}
	return "", false
}

// yamlValue writes v after "key:" or "- " (the caller wrote those), at the
// given indentation of the key.
func yamlValue(b *strings.Builder, v any, indent int) {
	if s, ok := yamlInline(v); ok {
		b.WriteString(" " + s + "\n")
		return
	}
	pad := strings.Repeat(" ", indent+2)
	switch v := v.(type) {
	case block:
		b.WriteString(" |\n")
		for _, line := range strings.Split(strings.TrimSuffix(string(v), "\n"), "\n") {
			if line == "" {
				b.WriteString("\n")
				continue
			}
			b.WriteString(pad + line + "\n")
		}
	case fn:
		if _, isFn := v.arg.(fn); isFn {
			b.WriteString("\n")
			yamlObj(b, obj{{longName(v.name), v.arg}}, indent+2)
			return
		}
		b.WriteString(" !" + v.name)
		yamlValue(b, v.arg, indent)
	case obj:
		b.WriteString("\n")
		yamlObj(b, v, indent+2)
	case []any:
		b.WriteString("\n")
		for _, e := range v {
			if o, ok := e.(obj); ok && len(o) > 0 {
				b.WriteString(pad + "- " + yamlScalar(o[0].k) + ":")
				yamlValue(b, o[0].v, indent+4)
				yamlObj(b, o[1:], indent+4)
				continue
			}
			b.WriteString(pad + "-")
			yamlValue(b, e, indent+2)
		}
	default:
		panic(fmt.Sprintf("yaml: unexpected %T", v))
	}
}

func yamlObj(b *strings.Builder, o obj, indent int) {
	pad := strings.Repeat(" ", indent)
	for _, e := range o {
		b.WriteString(pad + yamlScalar(e.k) + ":")
		yamlValue(b, e.v, indent)
	}
}

// ---- JSON writer ----

func jsonValue(b *strings.Builder, v any, indent int) {
	pad := strings.Repeat("  ", indent)
	switch v := v.(type) {
	case string:
		b.WriteString(jsonString(v))
	case plain:
		b.WriteString(jsonString(string(v)))
	case block:
		b.WriteString(jsonString(string(v)))
	case int, bool:
		fmt.Fprint(b, v)
	case fn:
		arg := v.arg
		if v.name == "GetAtt" {
			if s, ok := arg.(string); ok {
				res, attr, _ := strings.Cut(s, ".")
				arg = []any{res, attr}
			}
		}
		jsonValue(b, obj{{longName(v.name), arg}}, indent)
	case obj:
		if len(v) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{\n")
		for i, e := range v {
			b.WriteString(pad + "  " + jsonString(e.k))
			b.WriteString(": ")
			jsonValue(b, e.v, indent+1)
			if i < len(v)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(pad + "}")
	case []any:
		if len(v) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for i, e := range v {
			b.WriteString(pad + "  ")
			jsonValue(b, e, indent+1)
			if i < len(v)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(pad + "]")
	default:
		panic(fmt.Sprintf("json: unexpected %T", v))
	}
}

// ---- templates ----

var cfnTeams = []string{"platform", "payments", "data", "integration", "commerce", "identity"}

// cfnCorpus writes n templates under <out>/cfn/<team>/<service>/.
func (g *gen) cfnCorpus(n int) error {
	for i := range n {
		team := cfnTeams[i%len(cfnTeams)]
		svc := services[(i/len(cfnTeams))%len(services)]
		env := g.pick(envs)
		mq := g.chance(0.1)
		kind := "app"
		if mq {
			kind = "messaging"
		}
		t := g.cfnTemplate(env, svc, mq)
		var b strings.Builder
		var ext string
		if g.chance(0.65) {
			ext = g.pick([]string{".yaml", ".yaml", ".yml", ".template"})
			yamlObj(&b, t, 0)
		} else {
			ext = ".json"
			if g.chance(0.15) {
				ext = ".template"
			}
			jsonValue(&b, t, 0)
			b.WriteString("\n")
		}
		rel := filepath.Join("cfn", team, svc, fmt.Sprintf("%s-%s-%04d%s", kind, env, i, ext))
		if err := g.write(rel, b.String()); err != nil {
			return err
		}
		g.cfnFiles++
	}
	return nil
}

// cfnTemplate returns one template: a messaging stack (broker, configuration,
// security groups, key) with a few neighbours, or an application stack.
func (g *gen) cfnTemplate(env, svc string, mq bool) obj {
	g.seq = 0
	desc := fmt.Sprintf("%s %s stack (%s). Managed by the platform pipeline.", svc, map[bool]string{true: "messaging", false: "application"}[mq], env)
	envParam := obj{{"Type", "String"}, {"AllowedValues", []any{"dev", "qa", "staging", "perf", "prod", "dr"}},
		{"Description", "Deployment environment."}}
	if g.chance(0.95) {
		envParam = append(envParam, kv{"Default", env})
	}
	params := obj{
		{"Environment", envParam},
		{"VpcId", obj{{"Type", "AWS::EC2::VPC::Id"}, {"Default", fmt.Sprintf("vpc-%08x", g.r.Uint32())}}},
		{"SubnetIds", obj{{"Type", "List<AWS::EC2::Subnet::Id>"}, {"Default", fmt.Sprintf("subnet-%08x,subnet-%08x", g.r.Uint32(), g.r.Uint32())}}},
		{"AllowedCidr", obj{{"Type", "String"}, {"Default", g.cidr()}, {"AllowedPattern", `^(\d{1,3}\.){3}\d{1,3}/\d{1,2}$`}}},
	}
	conds := obj{
		{"IsProd", fn{"Equals", []any{ref("Environment"), "prod"}}},
		{"IsNotDev", fn{"Not", []any{fn{"Equals", []any{ref("Environment"), "dev"}}}}},
	}
	var mappings obj
	res := obj{}
	outputs := obj{}
	size := 2500 + int(g.r.Float64()*g.r.Float64()*38000)
	if mq {
		params = append(params,
			kv{"BrokerPassword", obj{{"Type", "String"}, {"NoEcho", true}, {"MinLength", 12}, {"Description", "Administrator password."}}},
			kv{"KmsKeyArn", obj{{"Type", "String"}, {"Default", ""}, {"Description", "Customer managed key; empty for a key created here."}}},
		)
		conds = append(conds,
			kv{"CreateKey", fn{"Equals", []any{ref("KmsKeyArn"), ""}}},
			kv{"MultiAz", fn{"Or", []any{fn{"Condition", "IsProd"}, fn{"Equals", []any{ref("Environment"), "dr"}}}}},
		)
		mappings = obj{{"EnvConfig", obj{
			{"dev", obj{{"InstanceType", "mq.t3.micro"}, {"LogsEnabled", "false"}}},
			{"qa", obj{{"InstanceType", "mq.t3.micro"}, {"LogsEnabled", "false"}}},
			{"staging", obj{{"InstanceType", "mq.m5.large"}, {"LogsEnabled", "true"}}},
			{"perf", obj{{"InstanceType", "mq.m5.xlarge"}, {"LogsEnabled", "true"}}},
			{"prod", obj{{"InstanceType", "mq.m5.xlarge"}, {"LogsEnabled", "true"}}},
			{"dr", obj{{"InstanceType", "mq.m5.large"}, {"LogsEnabled", "true"}}},
		}}}
		g.cfnMessaging(&res, &outputs, svc)
	}
	for cfnSize(res) < size {
		g.cfnOther(&res, &outputs, svc)
	}
	tmpl := obj{{"AWSTemplateFormatVersion", "2010-09-09"}, {"Description", desc}, {"Parameters", params}}
	if mappings != nil {
		tmpl = append(tmpl, kv{"Mappings", mappings})
	}
	tmpl = append(tmpl, kv{"Conditions", conds}, kv{"Resources", res})
	if len(outputs) > 0 {
		tmpl = append(tmpl, kv{"Outputs", outputs})
	}
	return tmpl
}

// cfnSize estimates the written size of the resources.
func cfnSize(res obj) int {
	var b strings.Builder
	yamlObj(&b, res, 2)
	return b.Len()
}

func (g *gen) logical(prefix string) string {
	g.seq++
	return fmt.Sprintf("%s%d", prefix, g.seq)
}

func cfnTags(svc string) []any {
	return []any{
		obj{{"Key", "Service"}, {"Value", svc}},
		obj{{"Key", "Environment"}, {"Value", ref("Environment")}},
		obj{{"Key", "CostCenter"}, {"Value", "cc-1234"}},
	}
}

func export(name string, v any) obj {
	return obj{{"Value", v}, {"Export", obj{{"Name", sub("${AWS::StackName}-" + name)}}}}
}

// cfnMessaging adds a security group, ingress rules, a KMS key, an ActiveMQ
// configuration and one or two brokers, with a mix of good and bad settings.
func (g *gen) cfnMessaging(res, outputs *obj, svc string) {
	sg := g.logical("BrokerSecurityGroup")
	var ingress []any
	for _, port := range []int{5671, 61617, 8162, 443}[:1+g.r.IntN(4)] {
		cidr := any(ref("AllowedCidr"))
		if g.chance(0.3) {
			cidr = "0.0.0.0/0"
		}
		ingress = append(ingress, obj{{"IpProtocol", "tcp"}, {"FromPort", port}, {"ToPort", port}, {"CidrIp", cidr},
			{"Description", fmt.Sprintf("broker port %d", port)}})
	}
	*res = append(*res, kv{sg, obj{{"Type", "AWS::EC2::SecurityGroup"}, {"Properties", obj{
		{"GroupDescription", sub("${AWS::StackName} broker access")},
		{"VpcId", ref("VpcId")},
		{"SecurityGroupIngress", ingress},
		{"SecurityGroupEgress", []any{obj{{"IpProtocol", "-1"}, {"CidrIp", "0.0.0.0/0"}}}},
		{"Tags", cfnTags(svc)},
	}}}})
	for range g.r.IntN(3) {
		port := g.pick([]string{"5671", "61617", "61614", "8883", "443"})
		group := any(getAtt(sg, "GroupId"))
		if g.chance(0.5) {
			group = ref(sg)
		}
		cidr := g.cidr()
		*res = append(*res, kv{g.logical("BrokerIngress"), obj{{"Type", "AWS::EC2::SecurityGroupIngress"}, {"Properties", obj{
			{"GroupId", group}, {"IpProtocol", "tcp"}, {"FromPort", plain(port)}, {"ToPort", plain(port)}, {"CidrIp", cidr},
		}}}})
	}

	key := g.logical("BrokerKey")
	*res = append(*res, kv{key, obj{{"Type", "AWS::KMS::Key"}, {"Condition", "CreateKey"}, {"Properties", obj{
		{"Description", "Broker encryption key"},
		{"EnableKeyRotation", g.chance(0.7)},
		{"PendingWindowInDays", 30},
		{"KeyPolicy", obj{{"Version", "2012-10-17"}, {"Statement", []any{
			obj{{"Sid", "Root"}, {"Effect", "Allow"}, {"Principal", obj{{"AWS", sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")}}},
				{"Action", "kms:*"}, {"Resource", "*"}},
			obj{{"Sid", "AmazonMQ"}, {"Effect", "Allow"}, {"Principal", obj{{"Service", "mq.amazonaws.com"}}},
				{"Action", []any{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"}}, {"Resource", "*"}},
		}}}},
		{"Tags", cfnTags(svc)},
	}}}})
	keyArn := ifFn("CreateKey", getAtt(key, "Arn"), ref("KmsKeyArn"))

	conf := g.logical("BrokerConfiguration")
	xml := g.activemqXML()
	data := any(fn{"Base64", block(xml)})
	if g.chance(0.5) {
		data = base64.StdEncoding.EncodeToString([]byte(xml))
	}
	*res = append(*res, kv{conf, obj{{"Type", "AWS::AmazonMQ::Configuration"}, {"Properties", obj{
		{"Name", sub("${AWS::StackName}-" + strings.ToLower(conf))},
		{"Description", "ActiveMQ settings"},
		{"EngineType", "ACTIVEMQ"},
		{"EngineVersion", plain("5.18")},
		{"Data", data},
	}}}})

	for range 1 + g.r.IntN(2) {
		g.cfnBroker(res, outputs, svc, sg, conf, keyArn)
	}
}

func (g *gen) cfnBroker(res, outputs *obj, svc, sg, conf string, keyArn fn) {
	name := g.logical("Broker")
	rabbit := g.chance(0.4)
	engine := "ACTIVEMQ"
	version := any(g.pick([]string{"5.18", "5.17.6", "5.15.16", "5.16.7"}))
	if rabbit {
		engine = "RABBITMQ"
		version = g.pick([]string{"3.13", "3.11.20", "3.8.34", "3.10"})
	}
	if g.chance(0.3) {
		// Unquoted, as in many templates: 3.10 must stay "3.10".
		version = plain(version.(string))
	}
	props := obj{
		{"BrokerName", sub("${AWS::StackName}-" + strings.ToLower(name))},
		{"EngineType", engine},
		{"EngineVersion", version},
		{"HostInstanceType", findInMap("EnvConfig", ref("Environment"), "InstanceType")},
	}
	multi := "ACTIVE_STANDBY_MULTI_AZ"
	if rabbit {
		multi = "CLUSTER_MULTI_AZ"
	}
	props = append(props, kv{"DeploymentMode", ifFn("MultiAz", multi, "SINGLE_INSTANCE")})
	subnets := any(ifFn("MultiAz", ref("SubnetIds"), []any{fn{"Select", []any{0, ref("SubnetIds")}}}))
	props = append(props, kv{"SubnetIds", subnets})
	switch x := g.r.IntN(8); {
	case x < 2:
		props = append(props, kv{"PubliclyAccessible", true})
	case x < 3:
		props = append(props, kv{"PubliclyAccessible", plain("Yes")})
	case x < 6:
		props = append(props, kv{"PubliclyAccessible", false}, kv{"SecurityGroups", []any{ref(sg)}})
	default:
		props = append(props, kv{"SecurityGroups", []any{getAtt(sg, "GroupId")}})
	}
	switch x := g.r.IntN(4); x {
	case 0: // absent: AutoMinorVersionUpgrade defaults to true
	case 1:
		props = append(props, kv{"AutoMinorVersionUpgrade", false})
	default:
		props = append(props, kv{"AutoMinorVersionUpgrade", true})
	}
	if !rabbit && g.chance(0.6) {
		props = append(props, kv{"Configuration", obj{{"Id", ref(conf)}, {"Revision", getAtt(conf, "Revision")}}})
	}
	if g.chance(0.6) {
		props = append(props, kv{"EncryptionOptions", obj{{"KmsKeyId", keyArn}, {"UseAwsOwnedKey", false}}})
	} else if g.chance(0.3) {
		props = append(props, kv{"EncryptionOptions", obj{{"UseAwsOwnedKey", true}}})
	}
	if g.chance(0.7) {
		logs := obj{{"General", g.chance(0.7)}}
		if !rabbit {
			if g.chance(0.5) {
				logs = append(logs, kv{"Audit", ifFn("IsProd", true, noValue)})
			} else {
				logs = append(logs, kv{"Audit", g.chance(0.6)})
			}
		}
		props = append(props, kv{"Logs", logs})
	}
	props = append(props, kv{"MaintenanceWindowStartTime", obj{{"DayOfWeek", "SUNDAY"}, {"TimeOfDay", "03:00"}, {"TimeZone", "UTC"}}})
	var password any
	switch g.r.IntN(3) {
	case 0:
		password = ref("BrokerPassword")
	case 1:
		password = sub("{{resolve:secretsmanager:mq/${Environment}/" + strings.ToLower(name) + ":SecretString:password}}")
	default:
		password = "NotARealPassword-0001"
	}
	user := obj{{"Username", "admin"}, {"Password", password}}
	if !rabbit {
		user = append(user, kv{"ConsoleAccess", g.chance(0.5)}, kv{"Groups", []any{"admins"}})
	}
	props = append(props, kv{"Users", []any{user}}, kv{"Tags", cfnTags(svc)})
	r := obj{{"Type", "AWS::AmazonMQ::Broker"}}
	if g.chance(0.15) {
		r = append(r, kv{"Condition", "IsNotDev"})
	}
	r = append(r, kv{"Properties", props})
	*res = append(*res, kv{name, r})
	if g.chance(0.5) && len(r) == 2 {
		*outputs = append(*outputs,
			kv{name + "Id", export(name+"Id", ref(name))},
			kv{name + "Endpoints", export(name+"Endpoints", fn{"Join", []any{",", getAtt(name, "AmqpEndpoints")}})})
	}
}

func (g *gen) activemqXML() string {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<broker xmlns=\"http://activemq.apache.org/schema/core\" schedulePeriodForDestinationPurge=\"10000\">\n")
	b.WriteString("  <destinationPolicy>\n    <policyMap>\n      <policyEntries>\n")
	for i := range 2 + g.r.IntN(4) {
		fmt.Fprintf(&b, "        <policyEntry queue=\"%s.%d.>\" gcInactiveDestinations=\"true\" inactiveTimoutBeforeGC=\"600000\">\n          <deadLetterStrategy>\n            <individualDeadLetterStrategy queuePrefix=\"DLQ.\" useQueueForQueueMessages=\"true\"/>\n          </deadLetterStrategy>\n        </policyEntry>\n", g.pick(services), i)
	}
	b.WriteString("      </policyEntries>\n    </policyMap>\n  </destinationPolicy>\n  <plugins>\n")
	if g.chance(0.5) {
		b.WriteString("    <authorizationPlugin>\n      <map>\n        <authorizationMap>\n          <authorizationEntries>\n            <authorizationEntry admin=\"admins\" queue=\">\" read=\"users\" write=\"users\"/>\n            <authorizationEntry admin=\"admins\" topic=\"ActiveMQ.Advisory.>\" read=\"everyone\" write=\"everyone\"/>\n          </authorizationEntries>\n        </authorizationMap>\n      </map>\n    </authorizationPlugin>\n")
	}
	b.WriteString("    <forcePersistencyModeBrokerPlugin persistenceFlag=\"true\"/>\n    <statisticsBrokerPlugin/>\n  </plugins>\n")
	if g.chance(0.3) {
		b.WriteString("  <networkConnectors>\n    <networkConnector name=\"bridge\" uri=\"static:(tcp://peer.example.internal:61616)\" duplex=\"true\"/>\n  </networkConnectors>\n")
	}
	b.WriteString("</broker>\n")
	return b.String()
}

// cfnOther adds one ordinary resource group: a Lambda function with its
// role, an S3 bucket with its policy, a DynamoDB table, an SQS queue with a
// dead-letter queue, or alarms.
func (g *gen) cfnOther(res, outputs *obj, svc string) {
	switch g.r.IntN(6) {
	case 0, 1:
		g.cfnLambda(res, outputs, svc)
	case 2:
		g.cfnBucket(res, svc)
	case 3:
		g.cfnTable(res, outputs, svc)
	case 4:
		g.cfnQueue(res, outputs, svc)
	default:
		g.cfnAlarm(res)
	}
}

var iamActions = map[string][]any{
	"s3":             {"s3:GetObject", "s3:PutObject", "s3:ListBucket"},
	"sqs":            {"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"},
	"sns":            {"sns:Publish", "sns:GetTopicAttributes"},
	"dynamodb":       {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:DescribeTable"},
	"kms":            {"kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"},
	"logs":           {"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups"},
	"mq":             {"mq:DescribeBroker", "mq:ListBrokers", "mq:DescribeConfiguration"},
	"secretsmanager": {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
}

func (g *gen) cfnPolicyStatements() []any {
	var st []any
	for i := range 4 + g.r.IntN(12) {
		s := g.pick([]string{"s3", "sqs", "sns", "dynamodb", "kms", "logs", "mq", "secretsmanager"})
		stmt := obj{{"Sid", fmt.Sprintf("Stmt%d", i)}, {"Effect", "Allow"},
			{"Action", iamActions[s]},
			{"Resource", []any{sub(fmt.Sprintf("arn:${AWS::Partition}:%s:${AWS::Region}:${AWS::AccountId}:%s-*", s, g.pick(services)))}}}
		if g.chance(0.3) {
			stmt = append(stmt, kv{"Condition", obj{{"StringEquals", obj{{"aws:RequestedRegion", ref("AWS::Region")}}}}})
		}
		st = append(st, stmt)
	}
	return st
}

func (g *gen) cfnLambda(res, outputs *obj, svc string) {
	role := g.logical("FunctionRole")
	f := g.logical("Function")
	*res = append(*res, kv{role, obj{{"Type", "AWS::IAM::Role"}, {"Properties", obj{
		{"AssumeRolePolicyDocument", obj{{"Version", "2012-10-17"}, {"Statement", []any{obj{
			{"Effect", "Allow"}, {"Principal", obj{{"Service", []any{"lambda.amazonaws.com"}}}}, {"Action", []any{"sts:AssumeRole"}}}}}}},
		{"ManagedPolicyArns", []any{sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")}},
		{"Policies", []any{obj{{"PolicyName", "app-access"}, {"PolicyDocument", obj{{"Version", "2012-10-17"}, {"Statement", g.cfnPolicyStatements()}}}}}},
		{"Tags", cfnTags(svc)},
	}}}})
	var code strings.Builder
	code.WriteString("import json\nimport os\nimport boto3\n\nclient = boto3.client(\"sqs\")\n\n\ndef handler(event, context):\n")
	for i := range 4 + g.r.IntN(20) {
		fmt.Fprintf(&code, "    # step %d\n    record = event.get(\"Records\", [{}])[0]\n    client.send_message(QueueUrl=os.environ[\"QUEUE_URL\"], MessageBody=json.dumps({\"step\": %d, \"id\": record.get(\"messageId\")}))\n", i, i)
	}
	code.WriteString("    return {\"statusCode\": 200, \"body\": json.dumps({\"ok\": True})}\n")
	env := obj{{"ENVIRONMENT", ref("Environment")}, {"QUEUE_URL", sub("https://sqs.${AWS::Region}.amazonaws.com/${AWS::AccountId}/" + svc)}}
	for i := range 2 + g.r.IntN(6) {
		env = append(env, kv{fmt.Sprintf("VAR_%d", i), sub(fmt.Sprintf("${Environment}-%d", g.r.IntN(1000)))})
	}
	*res = append(*res, kv{f, obj{{"Type", "AWS::Lambda::Function"}, {"Properties", obj{
		{"FunctionName", sub("${AWS::StackName}-" + strings.ToLower(f))},
		{"Runtime", "python3.12"},
		{"Handler", "index.handler"},
		{"Role", getAtt(role, "Arn")},
		{"Timeout", 3 + g.r.IntN(60)},
		{"MemorySize", ifFn("IsProd", 1024, 128<<g.r.IntN(3))},
		{"Code", obj{{"ZipFile", block(code.String())}}},
		{"Environment", obj{{"Variables", env}}},
		{"TracingConfig", obj{{"Mode", "Active"}}},
		{"VpcConfig", obj{{"SubnetIds", ref("SubnetIds")}, {"SecurityGroupIds", noValue}}},
		{"Tags", cfnTags(svc)},
	}}}})
	*res = append(*res, kv{g.logical("FunctionLogs"), obj{{"Type", "AWS::Logs::LogGroup"}, {"Properties", obj{
		{"LogGroupName", sub("/aws/lambda/${" + f + "}")},
		{"RetentionInDays", ifFn("IsProd", 365, 14)},
	}}}})
	*outputs = append(*outputs, kv{f + "Arn", export(f+"Arn", getAtt(f, "Arn"))})
}

func (g *gen) cfnBucket(res *obj, svc string) {
	bucket := g.logical("Bucket")
	var rules []any
	for i := range 1 + g.r.IntN(5) {
		rules = append(rules, obj{{"Id", fmt.Sprintf("expire-%d", i)}, {"Status", "Enabled"}, {"Prefix", fmt.Sprintf("tmp/%d/", i)},
			{"ExpirationInDays", 7 + g.r.IntN(365)}, {"NoncurrentVersionExpiration", obj{{"NoncurrentDays", 30}}}})
	}
	*res = append(*res, kv{bucket, obj{{"Type", "AWS::S3::Bucket"}, {"DeletionPolicy", "Retain"}, {"Properties", obj{
		{"BucketName", sub("${AWS::StackName}-" + strings.ToLower(bucket) + "-${AWS::AccountId}")},
		{"VersioningConfiguration", obj{{"Status", "Enabled"}}},
		{"BucketEncryption", obj{{"ServerSideEncryptionConfiguration", []any{obj{{"ServerSideEncryptionByDefault", obj{{"SSEAlgorithm", "aws:kms"}}}}}}}},
		{"PublicAccessBlockConfiguration", obj{{"BlockPublicAcls", true}, {"BlockPublicPolicy", true}, {"IgnorePublicAcls", true}, {"RestrictPublicBuckets", true}}},
		{"LifecycleConfiguration", obj{{"Rules", rules}}},
		{"Tags", cfnTags(svc)},
	}}}})
	*res = append(*res, kv{g.logical("BucketPolicy"), obj{{"Type", "AWS::S3::BucketPolicy"}, {"Properties", obj{
		{"Bucket", ref(bucket)},
		{"PolicyDocument", obj{{"Version", "2012-10-17"}, {"Statement", []any{obj{
			{"Sid", "DenyInsecureTransport"}, {"Effect", "Deny"}, {"Principal", "*"}, {"Action", "s3:*"},
			{"Resource", []any{getAtt(bucket, "Arn"), sub("${" + bucket + ".Arn}/*")}},
			{"Condition", obj{{"Bool", obj{{"aws:SecureTransport", "false"}}}}},
		}}}}},
	}}}})
}

func (g *gen) cfnTable(res, outputs *obj, svc string) {
	t := g.logical("Table")
	attrs := []any{obj{{"AttributeName", "pk"}, {"AttributeType", "S"}}, obj{{"AttributeName", "sk"}, {"AttributeType", "S"}}}
	var gsis []any
	for i := range g.r.IntN(4) {
		a := fmt.Sprintf("gsi%dpk", i)
		attrs = append(attrs, obj{{"AttributeName", a}, {"AttributeType", "S"}})
		gsis = append(gsis, obj{{"IndexName", fmt.Sprintf("gsi%d", i)},
			{"KeySchema", []any{obj{{"AttributeName", a}, {"KeyType", "HASH"}}, obj{{"AttributeName", "sk"}, {"KeyType", "RANGE"}}}},
			{"Projection", obj{{"ProjectionType", "ALL"}}}})
	}
	props := obj{
		{"TableName", sub("${AWS::StackName}-" + strings.ToLower(t))},
		{"BillingMode", "PAY_PER_REQUEST"},
		{"AttributeDefinitions", attrs},
		{"KeySchema", []any{obj{{"AttributeName", "pk"}, {"KeyType", "HASH"}}, obj{{"AttributeName", "sk"}, {"KeyType", "RANGE"}}}},
	}
	if len(gsis) > 0 {
		props = append(props, kv{"GlobalSecondaryIndexes", gsis})
	}
	props = append(props,
		kv{"PointInTimeRecoverySpecification", obj{{"PointInTimeRecoveryEnabled", fn{"If", []any{"IsProd", true, false}}}}},
		kv{"SSESpecification", obj{{"SSEEnabled", true}}},
		kv{"StreamSpecification", obj{{"StreamViewType", "NEW_AND_OLD_IMAGES"}}},
		kv{"Tags", cfnTags(svc)})
	*res = append(*res, kv{t, obj{{"Type", "AWS::DynamoDB::Table"}, {"Properties", props}}})
	*outputs = append(*outputs, kv{t + "Name", export(t+"Name", ref(t))})
}

func (g *gen) cfnQueue(res, outputs *obj, svc string) {
	q := g.logical("Queue")
	dlq := q + "Dlq"
	*res = append(*res, kv{dlq, obj{{"Type", "AWS::SQS::Queue"}, {"Properties", obj{
		{"QueueName", sub("${AWS::StackName}-" + strings.ToLower(dlq))},
		{"MessageRetentionPeriod", 1209600},
		{"SqsManagedSseEnabled", true},
	}}}})
	*res = append(*res, kv{q, obj{{"Type", "AWS::SQS::Queue"}, {"Properties", obj{
		{"QueueName", sub("${AWS::StackName}-" + strings.ToLower(q))},
		{"VisibilityTimeout", 30 + g.r.IntN(300)},
		{"KmsMasterKeyId", "alias/aws/sqs"},
		{"RedrivePolicy", obj{{"deadLetterTargetArn", getAtt(dlq, "Arn")}, {"maxReceiveCount", 5}}},
		{"Tags", cfnTags(svc)},
	}}}})
	*res = append(*res, kv{q + "Policy", obj{{"Type", "AWS::SQS::QueuePolicy"}, {"Properties", obj{
		{"Queues", []any{ref(q)}},
		{"PolicyDocument", obj{{"Version", "2012-10-17"}, {"Statement", []any{obj{
			{"Effect", "Allow"}, {"Principal", obj{{"Service", "sns.amazonaws.com"}}}, {"Action", "sqs:SendMessage"},
			{"Resource", getAtt(q, "Arn")},
			{"Condition", obj{{"ArnEquals", obj{{"aws:SourceArn", sub("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:" + svc + "-events")}}}}},
		}}}}},
	}}}})
	*outputs = append(*outputs, kv{q + "Url", export(q+"Url", ref(q))})
}

func (g *gen) cfnAlarm(res *obj) {
	*res = append(*res, kv{g.logical("Alarm"), obj{{"Type", "AWS::CloudWatch::Alarm"}, {"Condition", "IsNotDev"}, {"Properties", obj{
		{"AlarmName", sub(fmt.Sprintf("${AWS::StackName}-alarm-%d", g.seq))},
		{"AlarmDescription", "Sustained load for 15 minutes"},
		{"Namespace", "AWS/Lambda"},
		{"MetricName", g.pick([]string{"Errors", "Throttles", "Duration"})},
		{"Statistic", "Sum"},
		{"Period", 300},
		{"EvaluationPeriods", 3},
		{"Threshold", 1 + g.r.IntN(100)},
		{"ComparisonOperator", "GreaterThanThreshold"},
		{"TreatMissingData", "notBreaching"},
		{"AlarmActions", []any{fn{"ImportValue", sub("platform-${Environment}-alerts-topic")}}},
	}}}})
}
