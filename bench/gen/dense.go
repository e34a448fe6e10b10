package main

// The dense profile (-profile dense): a platform team's monorepo in which
// every service has its own brokers. The default profile holds one broker
// per 70 resources and mqguard parses a tenth of its bytes; here there is one
// per 12 resources and mqguard must parse about 41 % of the bytes, which
// makes parsing and evaluation, not scanning, the cost to measure.
//
//	<org>/modules/{mq-broker,network,service-base}/   local modules
//	<org>/<env>/<region>/<team>/                       root modules
//	    versions.tf providers.tf variables.tf          plumbing
//	    locals.tf main.tf outputs.tf terraform.tfvars  module calls with for_each
//	    <service>.tf                                   one service each
//
// A service file holds two to four brokers, each with its security group
// (sometimes a second one for its clients, and separate ingress rules), most
// with a customer KMS key, some ActiveMQ brokers with a configuration (an XML
// heredoc), and the service's ordinary resources: alarms, log groups, queues,
// topics, IAM roles, Lambda consumers, DNS records. Settings mix good and
// bad: public brokers, open CIDRs (literal or through var.allowed_cidrs),
// missing logs, AWS-owned keys, old engine versions, passwords from a
// variable or generated. With -files 5000: about 35 MB, 10,000 aws_mq_broker, 12,500
// aws_security_group and 7,800 aws_kms_key blocks among 125,000 resources.

import (
	"fmt"
	"path/filepath"
	"strings"
)

var (
	orgs       = []string{"retail", "payments", "logistics", "media", "corporate"}
	denseEnvs  = []string{"dev", "staging", "prod"}
	teams      = []string{"core", "checkout", "fulfilment", "identity", "insights", "integrations", "mobile", "web", "data", "edge"}
	roles      = []string{"commands", "events", "jobs", "audit"}
	denseMods  = []string{"mq-broker", "network", "service-base"}
	amqVersion = []string{"5.18", "5.18", "5.17.6", "5.16.7", "5.15.16"}
	rmqVersion = []string{"3.13", "3.13", "3.12.13", "3.11.28", "3.8.34"}
)

// denseTerraform writes the local modules of every organisation, then root
// modules, organisation after organisation in turn, up to target .tf files.
func (g *gen) denseTerraform(target int) error {
	for _, org := range orgs {
		if err := g.denseModules(org); err != nil {
			return err
		}
	}
	for i := 0; g.tfFiles < target; i++ {
		org := orgs[i%len(orgs)]
		env := denseEnvs[(i/len(orgs))%len(denseEnvs)]
		region := regions[(i/(len(orgs)*len(denseEnvs)))%len(regions)]
		team := teams[(i/(len(orgs)*len(denseEnvs)*len(regions)))%len(teams)]
		if round := i / (len(orgs) * len(denseEnvs) * len(regions) * len(teams)); round > 0 {
			team = fmt.Sprintf("%s-%d", team, round)
		}
		if err := g.denseRoot(filepath.Join(org, env, region, team), org, env, region, team, target-g.tfFiles); err != nil {
			return err
		}
	}
	return nil
}

// denseRoot writes one team's root module with at most budget .tf files.
func (g *gen) denseRoot(dir, org, env, region, team string, budget int) error {
	// The services of the team: distinct names, so that resource names are
	// unique within the module.
	svcs := make([]string, 7+g.r.IntN(13))
	for i, j := range g.r.Perm(len(services))[:len(svcs)] {
		svcs[i] = services[j]
	}

	var b strings.Builder
	fmt.Fprintf(&b, "terraform {\n  required_version = \">= 1.6.0\"\n\n  backend \"s3\" {\n    bucket = \"%s-tfstate-%s\"\n    key    = \"%s/%s.tfstate\"\n    region = \"us-east-1\"\n  }\n\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \"~> 5.60\"\n    }\n    random = {\n      source  = \"hashicorp/random\"\n      version = \"~> 3.6\"\n    }\n  }\n}\n", org, env, filepath.ToSlash(dir), team)
	files := []struct{ name, content string }{{"versions.tf", b.String()}}

	b.Reset()
	fmt.Fprintf(&b, "provider \"aws\" {\n  region = var.region\n\n  default_tags {\n    tags = {\n      Organisation = %q\n      Team         = %q\n      Environment  = var.environment\n    }\n  }\n}\n", org, team)
	files = append(files, struct{ name, content string }{"providers.tf", b.String()})
	files = append(files, struct{ name, content string }{"variables.tf", denseVariables})

	b.Reset()
	fmt.Fprintf(&b, "locals {\n  name_prefix = \"%s-%s-${var.environment}\"\n  is_prod     = var.environment == \"prod\"\n  tenants     = toset([\"blue\", \"green\"])\n  services    = [%s]\n\n  tags = {\n    Team       = %q\n    CostCenter = \"cc-%04d\"\n  }\n}\n",
		org, team, quoteList(svcs), team, g.r.IntN(10000))
	files = append(files, struct{ name, content string }{"locals.tf", b.String()})

	b.Reset()
	fmt.Fprintf(&b, "module \"network\" {\n  source = \"../../../modules/network\"\n\n  name       = local.name_prefix\n  cidr_block = \"10.%d.0.0/16\"\n}\n\n", g.r.IntN(256))
	b.WriteString("# Brokers shared by the team's services, one per entry of var.shared_brokers.\nmodule \"shared_mq\" {\n  source   = \"../../../modules/mq-broker\"\n  for_each = var.shared_brokers\n\n  name                = \"${local.name_prefix}-${each.key}\"\n  engine_type         = each.value.engine\n  publicly_accessible = each.value.public\n  subnet_ids          = module.network.private_subnet_ids\n  vpc_id              = module.network.vpc_id\n  allowed_cidrs       = var.allowed_cidrs\n  password            = var.mq_password\n  tags                = local.tags\n}\n\n")
	b.WriteString("module \"base\" {\n  source   = \"../../../modules/service-base\"\n  for_each = toset(local.services)\n\n  name = \"${local.name_prefix}-${each.key}\"\n  tags = local.tags\n}\n")
	files = append(files, struct{ name, content string }{"main.tf", b.String()})
	files = append(files, struct{ name, content string }{"outputs.tf", "output \"shared_broker_ids\" {\n  value = { for k, m in module.shared_mq : k => m.broker_id }\n}\n\noutput \"vpc_id\" {\n  value = module.network.vpc_id\n}\n"})

	for _, svc := range svcs {
		files = append(files, struct{ name, content string }{svc + ".tf", g.serviceFile(svc, team, env == "prod")})
	}
	if len(files) > budget {
		files = files[:max(budget, 1)]
	}
	for _, f := range files {
		if err := g.write(filepath.Join(dir, f.name), f.content); err != nil {
			return err
		}
	}
	cidrs := `["10.0.0.0/8"]`
	if g.chance(0.15) {
		cidrs = `["10.0.0.0/8", "0.0.0.0/0"]`
	}
	tfvars := fmt.Sprintf("region        = %q\nenvironment   = %q\nvpc_id        = \"vpc-%08x\"\nsubnet_ids    = [\"subnet-%08x\", \"subnet-%08x\"]\nallowed_cidrs = %s\nmq_password   = \"not-a-real-password\"\n\nshared_brokers = {\n  bus = {\n    engine = \"RabbitMQ\"\n    public = %v\n  }\n  legacy = {\n    engine = \"ActiveMQ\"\n    public = false\n  }\n}\n",
		region, env, g.r.Uint32(), g.r.Uint32(), g.r.Uint32(), cidrs, g.chance(0.2))
	return g.write(filepath.Join(dir, "terraform.tfvars"), tfvars)
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// serviceFile returns the file of one service: its brokers with their
// neighbours, then the service's own resources.
func (g *gen) serviceFile(svc, team string, prod bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: messaging and supporting resources. Owned by team %s.\n\n", svc, team)
	n := 2 + g.r.IntN(3)
	for _, i := range g.r.Perm(len(roles))[:n] {
		g.brokerUnit(&b, svc, roles[i], prod)
	}
	g.serviceResources(&b, svc)
	return b.String()
}

// brokerUnit writes one broker and what it depends on, then the ordinary
// resources that watch or consume it.
func (g *gen) brokerUnit(b *strings.Builder, svc, role string, prod bool) {
	n := svc + "_" + role
	display := svc + "-" + role
	rabbit := g.chance(0.45)
	engine, version, port, console := "ActiveMQ", g.pick(amqVersion), 61617, 8162
	if rabbit {
		engine, version, port, console = "RabbitMQ", g.pick(rmqVersion), 5671, 443
	}
	public := g.chance(0.12)

	// Encryption: a customer key for most, the AWS-owned key for the rest,
	// said explicitly or left to the default.
	key := g.chance(0.78)
	if key {
		if g.chance(0.6) {
			fmt.Fprintf(b, "resource \"aws_kms_key\" %q {\n  description             = \"%s broker\"\n  deletion_window_in_days = %d\n  enable_key_rotation     = %v\n", n, display, 7+g.r.IntN(24), g.chance(0.75))
		} else {
			fmt.Fprintf(b, "resource \"aws_kms_key\" %q {\n  description         = \"%s broker\"\n  enable_key_rotation = %v\n", n, display, g.chance(0.75))
		}
		if g.chance(0.1) {
			b.WriteString("\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [{\n      Sid       = \"AmazonMQ\"\n      Effect    = \"Allow\"\n      Principal = { Service = \"mq.amazonaws.com\" }\n      Action    = [\"kms:Encrypt\", \"kms:Decrypt\", \"kms:GenerateDataKey*\", \"kms:DescribeKey\"]\n      Resource  = \"*\"\n    }]\n  })\n")
		}
		b.WriteString("}\n\n")
		if g.chance(0.15) {
			fmt.Fprintf(b, "resource \"aws_kms_alias\" %q {\n  name          = \"alias/${local.name_prefix}-%s\"\n  target_key_id = aws_kms_key.%s.key_id\n}\n\n", n, display, n)
		}
	}

	// Network access: the broker's group with inline ingress, sometimes a
	// group for its clients and separate rules.
	if g.chance(0.5) {
		fmt.Fprintf(b, "resource \"aws_security_group\" %q {\n  name        = \"${local.name_prefix}-%s\"\n  description = \"%s broker\"\n  vpc_id      = var.vpc_id\n", n, display, display)
	} else {
		fmt.Fprintf(b, "resource \"aws_security_group\" %q {\n  name   = \"${local.name_prefix}-%s\"\n  vpc_id = var.vpc_id\n", n, display)
	}
	fmt.Fprintf(b, "\n  ingress {\n    from_port   = %d\n    to_port     = %d\n    protocol    = \"tcp\"\n    cidr_blocks = %s\n  }\n", port, port, g.denseCIDRs())
	if g.chance(0.2) {
		fmt.Fprintf(b, "\n  ingress {\n    description = \"web console\"\n    from_port   = %d\n    to_port     = %d\n    protocol    = \"tcp\"\n    cidr_blocks = %s\n  }\n", console, console, g.denseCIDRs())
	}
	b.WriteString("}\n\n")
	if g.chance(0.25) {
		fmt.Fprintf(b, "resource \"aws_security_group\" \"%s_clients\" {\n  name   = \"${local.name_prefix}-%s-clients\"\n  vpc_id = var.vpc_id\n}\n\n", n, display)
		fmt.Fprintf(b, "resource \"aws_vpc_security_group_ingress_rule\" \"%s_clients\" {\n  security_group_id            = aws_security_group.%s.id\n  referenced_security_group_id = aws_security_group.%s_clients.id\n  from_port                    = %d\n  to_port                      = %d\n  ip_protocol                  = \"tcp\"\n}\n\n", n, n, n, port, port)
	}
	if g.chance(0.1) {
		fmt.Fprintf(b, "resource \"aws_vpc_security_group_ingress_rule\" \"%s_cidrs\" {\n  for_each = toset(var.allowed_cidrs)\n\n  security_group_id = aws_security_group.%s.id\n  cidr_ipv4         = each.value\n  from_port         = %d\n  to_port           = %d\n  ip_protocol       = \"tcp\"\n}\n\n", n, n, port, port)
	}

	config := !rabbit && g.chance(0.08)
	if config {
		fmt.Fprintf(b, "resource \"aws_mq_configuration\" %q {\n  name           = \"${local.name_prefix}-%s\"\n  engine_type    = \"ActiveMQ\"\n  engine_version = %q\n\n  data = <<-XML\n", n, display, version)
		g.activeMQXML(b)
		b.WriteString("  XML\n}\n\n")
	}

	password := "var.mq_password"
	if g.chance(0.2) {
		fmt.Fprintf(b, "resource \"random_password\" %q {\n  length  = 32\n  special = false\n}\n\n", n)
		password = "random_password." + n + ".result"
	}

	// The broker, sometimes one per tenant or two in production.
	ref, suffix := "aws_mq_broker."+n, ""
	fmt.Fprintf(b, "resource \"aws_mq_broker\" %q {\n", n)
	switch x := g.r.Float64(); {
	case x < 0.1:
		b.WriteString("  for_each = local.tenants\n\n")
		ref, suffix = ref+"[\"blue\"]", "-${each.key}"
	case x < 0.25:
		b.WriteString("  count = local.is_prod ? 2 : 1\n\n")
		ref, suffix = ref+"[0]", "-${count.index}"
	}
	multiAZ := `"ACTIVE_STANDBY_MULTI_AZ"`
	if rabbit {
		multiAZ = `"CLUSTER_MULTI_AZ"`
	}
	mode, subnets := `"SINGLE_INSTANCE"`, "[var.subnet_ids[0]]"
	if prod {
		mode, subnets = multiAZ, "var.subnet_ids"
	}
	if g.chance(0.3) {
		// Written to be copied between environments unchanged.
		mode, subnets = "local.is_prod ? "+multiAZ+` : "SINGLE_INSTANCE"`, "local.is_prod ? var.subnet_ids : [var.subnet_ids[0]]"
	}
	fmt.Fprintf(b, "  broker_name         = \"${local.name_prefix}-%s%s\"\n  engine_type         = %q\n  engine_version      = %q\n  host_instance_type  = %q\n",
		display, suffix, engine, version, g.pick([]string{"mq.t3.micro", "mq.m5.large", "mq.m5.xlarge", "mq.m7g.large"}))
	if mode != `"SINGLE_INSTANCE"` || g.chance(0.5) { // else left to its default
		fmt.Fprintf(b, "  deployment_mode     = %s\n", mode)
	}
	fmt.Fprintf(b, "  publicly_accessible = %v\n  subnet_ids          = %s\n", public, subnets)
	if !public {
		fmt.Fprintf(b, "  security_groups     = [aws_security_group.%s.id]\n", n)
	}
	switch x := g.r.Float64(); {
	case x < 0.4:
		b.WriteString("\n  auto_minor_version_upgrade = true\n")
	case x < 0.6:
		b.WriteString("\n  auto_minor_version_upgrade = false\n")
	}
	if config {
		fmt.Fprintf(b, "\n  configuration {\n    id       = aws_mq_configuration.%s.id\n    revision = aws_mq_configuration.%s.latest_revision\n  }\n", n, n)
	}
	switch {
	case key:
		fmt.Fprintf(b, "\n  encryption_options {\n    kms_key_id        = aws_kms_key.%s.arn\n    use_aws_owned_key = false\n  }\n", n)
	case g.chance(0.5):
		b.WriteString("\n  encryption_options {\n    use_aws_owned_key = true\n  }\n")
	}
	if g.chance(0.75) {
		fmt.Fprintf(b, "\n  logs {\n    general = %v\n", g.chance(0.8))
		if !rabbit {
			fmt.Fprintf(b, "    audit   = %v\n", g.chance(0.6))
		}
		b.WriteString("  }\n")
	}
	if rabbit {
		fmt.Fprintf(b, "\n  user {\n    username = %q\n    password = %s\n  }\n", svc, password)
	} else {
		switch x := g.r.Float64(); {
		case x < 0.5: // console_access left to its default, false
			fmt.Fprintf(b, "\n  user {\n    username = %q\n    password = %s\n  }\n", svc, password)
		default:
			fmt.Fprintf(b, "\n  user {\n    username       = %q\n    password       = %s\n    console_access = %v\n  }\n", svc, password, x < 0.8)
		}
	}
	if g.chance(0.3) {
		b.WriteString("\n  tags = local.tags\n")
	}
	b.WriteString("}\n\n")

	// What watches and consumes the broker.
	fmt.Fprintf(b, "resource \"aws_cloudwatch_log_group\" %q {\n  name              = \"/aws/amazonmq/broker/${local.name_prefix}-%s\"\n  retention_in_days = %d\n}\n\n", n, display, []int{7, 14, 30, 90, 365}[g.r.IntN(5)])
	metrics := []string{"CpuUtilization", "HeapUsage", "StorePercentUsage", "TotalMessageCount"}
	if rabbit {
		metrics = []string{"SystemCpuUtilization", "RabbitMQMemUsed", "RabbitMQDiskFree", "MessageCount"}
	}
	alarms := 1
	if g.chance(0.25) {
		alarms = 2
	}
	for _, i := range g.r.Perm(len(metrics))[:alarms] {
		fmt.Fprintf(b, "resource \"aws_cloudwatch_metric_alarm\" \"%s_%d\" {\n  alarm_name          = \"${local.name_prefix}-%s-%s\"\n  namespace           = \"AWS/AmazonMQ\"\n  metric_name         = %q\n  comparison_operator = \"GreaterThanThreshold\"\n  statistic           = \"Average\"\n  period              = 300\n  evaluation_periods  = %d\n  threshold           = %d\n  alarm_actions       = [aws_sns_topic.%s_events.arn]\n  dimensions          = { Broker = \"${local.name_prefix}-%s\" }\n}\n\n",
			n, i, display, strings.ToLower(metrics[i]), metrics[i], 1+g.r.IntN(5), 50+g.r.IntN(50), svc, display)
	}
	if g.chance(0.5) {
		fmt.Fprintf(b, "resource \"aws_route53_record\" %q {\n  zone_id = var.zone_id\n  name    = \"%s.${var.environment}.internal.example.com\"\n  type    = \"CNAME\"\n  ttl     = 300\n  records = [\"${%s.id}.mq.${var.region}.amazonaws.com\"]\n}\n\n", n, display, ref)
	}
	if !rabbit && g.chance(0.5) {
		fmt.Fprintf(b, "resource \"aws_lambda_event_source_mapping\" %q {\n  function_name    = aws_lambda_function.%s.arn\n  event_source_arn = %s.arn\n  queues           = [\"%s.work\"]\n  batch_size       = %d\n\n  source_access_configuration {\n    type = \"BASIC_AUTH\"\n    uri  = aws_secretsmanager_secret.%s.arn\n  }\n}\n\n", n, svc, ref, display, 1+g.r.IntN(100), svc)
	}
	for i := range 1 + g.r.IntN(3) {
		fmt.Fprintf(b, "resource \"aws_sqs_queue\" \"%s_dlq_%d\" {\n  name                      = \"${local.name_prefix}-%s-dlq-%d\"\n  message_retention_seconds = 1209600\n}\n\n", n, i, display, i)
	}
}

// serviceResources writes the ordinary resources of a service.
func (g *gen) serviceResources(b *strings.Builder, svc string) {
	fmt.Fprintf(b, "resource \"aws_iam_role\" %q {\n  name = \"${local.name_prefix}-%s\"\n\n  assume_role_policy = jsonencode({\n    Version   = \"2012-10-17\"\n    Statement = [{ Effect = \"Allow\", Principal = { Service = \"lambda.amazonaws.com\" }, Action = \"sts:AssumeRole\" }]\n  })\n}\n\n", svc, svc)
	for _, p := range []string{"AWSLambdaBasicExecutionRole", "AWSXRayDaemonWriteAccess", "CloudWatchLambdaInsightsExecutionRolePolicy"}[:1+g.r.IntN(3)] {
		fmt.Fprintf(b, "resource \"aws_iam_role_policy_attachment\" \"%s_%s\" {\n  role       = aws_iam_role.%s.name\n  policy_arn = \"arn:aws:iam::aws:policy/service-role/%s\"\n}\n\n", svc, strings.ToLower(p), svc, p)
	}
	fmt.Fprintf(b, "resource \"aws_lambda_function\" %q {\n  function_name = \"${local.name_prefix}-%s\"\n  role          = aws_iam_role.%s.arn\n  handler       = \"app.handler\"\n  runtime       = %q\n  timeout       = %d\n  memory_size   = %d\n  filename      = \"${path.module}/dist/%s.zip\"\n}\n\n",
		svc, svc, svc, g.pick([]string{"python3.12", "nodejs20.x", "java21"}), 3+g.r.IntN(60), 128<<g.r.IntN(4), svc)
	fmt.Fprintf(b, "resource \"aws_secretsmanager_secret\" %q {\n  name = \"${local.name_prefix}/%s/mq\"\n}\n\n", svc, svc)
	for _, t := range []string{"events", "alerts"}[:1+g.r.IntN(2)] {
		fmt.Fprintf(b, "resource \"aws_sns_topic\" \"%s_%s\" {\n  name = \"${local.name_prefix}-%s-%s\"\n}\n\n", svc, t, svc, t)
		fmt.Fprintf(b, "resource \"aws_sns_topic_subscription\" \"%s_%s\" {\n  topic_arn = aws_sns_topic.%s_%s.arn\n  protocol  = \"lambda\"\n  endpoint  = aws_lambda_function.%s.arn\n}\n\n", svc, t, svc, t, svc)
		fmt.Fprintf(b, "resource \"aws_lambda_permission\" \"%s_%s\" {\n  action        = \"lambda:InvokeFunction\"\n  function_name = aws_lambda_function.%s.function_name\n  principal     = \"sns.amazonaws.com\"\n  source_arn    = aws_sns_topic.%s_%s.arn\n}\n\n", svc, t, svc, svc, t)
	}
	fmt.Fprintf(b, "resource \"aws_s3_bucket\" \"%s_archive\" {\n  bucket = \"${local.name_prefix}-%s-archive\"\n}\n\n", svc, svc)
}

// denseCIDRs returns the sources of a broker's ingress: private ranges
// mostly, the world or whatever var.allowed_cidrs says sometimes.
func (g *gen) denseCIDRs() string {
	switch x := g.r.Float64(); {
	case x < 0.12:
		return `["0.0.0.0/0"]`
	case x < 0.3:
		return "var.allowed_cidrs"
	default:
		return fmt.Sprintf(`["10.%d.0.0/16"]`, g.r.IntN(256))
	}
}

// denseVariables are the inputs of a dense root module.
const denseVariables = `variable "region" {
  type = string
}

variable "environment" {
  type        = string
  description = "Deployment environment."

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "One of dev, staging or prod."
  }
}

variable "vpc_id" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "zone_id" {
  type    = string
  default = "Z0000000000000"
}

variable "allowed_cidrs" {
  type    = list(string)
  default = ["10.0.0.0/8"]
}

variable "mq_password" {
  type      = string
  sensitive = true
}

variable "shared_brokers" {
  type = map(object({
    engine = string
    public = bool
  }))
  default = {}
}
`

// denseModules writes the local modules of one organisation.
func (g *gen) denseModules(org string) error {
	dir := filepath.Join(org, "modules")
	write := func(mod, name, content string) error {
		return g.write(filepath.Join(dir, mod, name), content)
	}
	common := "variable \"name\" {\n  type = string\n}\n\nvariable \"tags\" {\n  type    = map(string)\n  default = {}\n}\n"
	for _, mod := range denseMods {
		vars, main, outputs := common, "", ""
		switch mod {
		case "mq-broker":
			vars += denseBrokerModuleVars
			main = g.denseBrokerModule()
			outputs = "output \"broker_id\" {\n  value = aws_mq_broker.this.id\n}\n\noutput \"security_group_id\" {\n  value = aws_security_group.this.id\n}\n"
		case "network":
			vars += "\nvariable \"cidr_block\" {\n  type = string\n}\n"
			main = "locals {\n  subnets = [for i in range(3) : cidrsubnet(var.cidr_block, 8, i)]\n}\n"
			outputs = "output \"vpc_id\" {\n  value = \"vpc-00000000\"\n}\n\noutput \"private_subnet_ids\" {\n  value = [\"subnet-00000001\", \"subnet-00000002\", \"subnet-00000003\"]\n}\n"
		case "service-base":
			main = "resource \"aws_cloudwatch_log_group\" \"this\" {\n  name              = \"/${var.name}\"\n  retention_in_days = 30\n  tags              = var.tags\n}\n\nresource \"aws_sns_topic\" \"alerts\" {\n  name = \"${var.name}-alerts\"\n  tags = var.tags\n}\n"
			outputs = "output \"alerts_arn\" {\n  value = aws_sns_topic.alerts.arn\n}\n"
		}
		for _, f := range []struct{ name, content string }{{"variables.tf", vars}, {"main.tf", main}, {"outputs.tf", outputs}} {
			if err := write(mod, f.name, f.content); err != nil {
				return err
			}
		}
	}
	return nil
}

const denseBrokerModuleVars = `
variable "engine_type" {
  type    = string
  default = "ActiveMQ"
}

variable "publicly_accessible" {
  type    = bool
  default = false
}

variable "subnet_ids" {
  type = list(string)
}

variable "vpc_id" {
  type = string
}

variable "allowed_cidrs" {
  type = list(string)
}

variable "password" {
  type      = string
  sensitive = true
}
`

// denseBrokerModule returns the main.tf of an organisation's broker module:
// a broker with its security group (dynamic ingress), key and, for
// ActiveMQ, configuration.
func (g *gen) denseBrokerModule() string {
	var b strings.Builder
	b.WriteString("locals {\n  is_rabbit = var.engine_type == \"RabbitMQ\"\n  port      = local.is_rabbit ? 5671 : 61617\n}\n\n")
	b.WriteString("resource \"aws_kms_key\" \"this\" {\n  description         = \"${var.name} broker\"\n  enable_key_rotation = true\n  tags                = var.tags\n}\n\n")
	b.WriteString("resource \"aws_security_group\" \"this\" {\n  name   = \"${var.name}-mq\"\n  vpc_id = var.vpc_id\n\n  dynamic \"ingress\" {\n    for_each = var.allowed_cidrs\n    content {\n      from_port   = local.port\n      to_port     = local.port\n      protocol    = \"tcp\"\n      cidr_blocks = [ingress.value]\n    }\n  }\n\n  tags = var.tags\n}\n\n")
	b.WriteString("resource \"aws_mq_configuration\" \"this\" {\n  count = local.is_rabbit ? 0 : 1\n\n  name           = var.name\n  engine_type    = \"ActiveMQ\"\n  engine_version = \"5.18\"\n\n  data = <<-XML\n")
	g.activeMQXML(&b)
	b.WriteString("  XML\n}\n\n")
	b.WriteString("resource \"aws_mq_broker\" \"this\" {\n  broker_name         = var.name\n  engine_type         = var.engine_type\n  engine_version      = local.is_rabbit ? \"3.13\" : \"5.18\"\n  host_instance_type  = \"mq.m5.large\"\n  deployment_mode     = \"SINGLE_INSTANCE\"\n  publicly_accessible = var.publicly_accessible\n  subnet_ids          = [var.subnet_ids[0]]\n  security_groups     = var.publicly_accessible ? null : [aws_security_group.this.id]\n\n  dynamic \"configuration\" {\n    for_each = aws_mq_configuration.this\n    content {\n      id       = configuration.value.id\n      revision = configuration.value.latest_revision\n    }\n  }\n\n  encryption_options {\n    kms_key_id        = aws_kms_key.this.arn\n    use_aws_owned_key = false\n  }\n\n  logs {\n    general = true\n  }\n\n  user {\n    username = \"admin\"\n    password = var.password\n  }\n\n  tags = var.tags\n}\n")
	return b.String()
}
