// Command gen writes a deterministic synthetic Terraform monorepo for
// benchmarking mqguard.
//
//	go run ./bench/gen -out DIR [-files 5000] [-seed 1] [-profile default|dense]
//
// The tree looks like a large organisation's infrastructure repository:
//
//	modules/<name>/{main,variables,outputs}.tf           local modules
//	envs/<env>/<region>/<service>/                        root modules
//	    versions.tf providers.tf variables.tf locals.tf   plumbing
//	    main.tf                                           module calls
//	    <topic>-<n>.tf                                    resources
//	    terraform.tfvars                                  variable values
//
// About one resource in ten belongs to a message broker (aws_mq_broker,
// aws_mq_configuration with an ActiveMQ XML heredoc, security groups and
// their ingress rules, KMS keys), with a mix of good and bad settings; the
// rest are ordinary AWS resources of realistic size (instances with heredoc
// user data, S3 buckets, IAM policies with large jsonencode() documents,
// Lambda functions, RDS instances, Route 53 records, alarms).
//
// The same flags always produce the same bytes. With the defaults the tree
// holds about 5,000 .tf files and 35 MB.
//
// -profile dense writes another shape of the same size instead, in which
// every service has its own brokers and about 41 % of the bytes are blocks
// mqguard parses at once (see dense.go).
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	out := flag.String("out", "", "directory to write the corpus into (created; must not exist or be empty)")
	files := flag.Int("files", 5000, "approximate number of .tf files (0: none)")
	cfn := flag.Int("cfn", 0, "number of CloudFormation templates, written under DIR/cfn")
	seed := flag.Uint64("seed", 1, "random seed")
	profile := flag.String("profile", "default", "shape of the Terraform part: default, or dense: every service has its own brokers")
	flag.Parse()
	if *out == "" || *files < 0 || *cfn < 0 || *files+*cfn == 0 || (*profile != "default" && *profile != "dense") {
		fmt.Fprintln(os.Stderr, "usage: gen -out DIR [-files N] [-cfn N] [-seed S] [-profile default|dense]")
		os.Exit(2)
	}
	g := &gen{r: rand.New(rand.NewPCG(*seed, 0x6d71677561726400)), out: *out, dense: *profile == "dense"}
	if err := g.run(*files, *cfn); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d .tf files, %d CloudFormation templates (%d other), %.1f MB to %s\n",
		g.tfFiles, g.cfnFiles, g.otherFiles-g.cfnFiles, float64(g.bytes)/1e6, *out)
}

var (
	envs     = []string{"dev", "qa", "staging", "perf", "prod", "dr"}
	regions  = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1"}
	services = []string{"orders", "payments", "billing", "inventory", "shipping", "catalog", "search",
		"auth", "notifications", "reporting", "ledger", "fraud", "pricing", "returns", "loyalty",
		"analytics", "gateway", "partners", "warehouse", "invoicing", "risk", "audit", "media", "chat"}
	modules = []string{"mq-broker", "network", "s3-bucket", "lambda", "rds", "iam-role", "ecs-service", "alarms"}
	topics  = []string{"compute", "storage", "iam", "data", "dns", "monitoring", "functions", "messaging"}
)

type gen struct {
	r          *rand.Rand
	out        string
	dense      bool // -profile dense
	tfFiles    int
	cfnFiles   int // CloudFormation templates, also counted in otherFiles
	otherFiles int
	bytes      int64
	seq        int  // makes resource names unique within a directory
	inModule   bool // writing a local module (no aliased providers)
}

func (g *gen) run(target, cfn int) error {
	if entries, err := os.ReadDir(g.out); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty", g.out)
	}
	if target > 0 {
		write := g.terraform
		if g.dense {
			write = g.denseTerraform
		}
		if err := write(target); err != nil {
			return err
		}
	}
	return g.cfnCorpus(cfn)
}

// terraform writes the local modules and root modules up to target .tf files.
func (g *gen) terraform(target int) error {
	for _, m := range modules {
		if err := g.module(m); err != nil {
			return err
		}
	}
	for i := 0; g.tfFiles < target; i++ {
		env := envs[i%len(envs)]
		region := regions[(i/len(envs))%len(regions)]
		svc := services[(i/(len(envs)*len(regions)))%len(services)]
		if round := i / (len(envs) * len(regions) * len(services)); round > 0 {
			svc = fmt.Sprintf("%s-%d", svc, round)
		}
		if err := g.root(filepath.Join("envs", env, region, svc), env, region, svc, target-g.tfFiles); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) write(rel, content string) error {
	path := filepath.Join(g.out, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if strings.HasSuffix(rel, ".tf") {
		g.tfFiles++
	} else {
		g.otherFiles++
	}
	g.bytes += int64(len(content))
	return os.WriteFile(path, []byte(content), 0o644)
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// chance reports true with probability p.
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) name(prefix string) string {
	g.seq++
	return fmt.Sprintf("%s_%d", prefix, g.seq)
}

// root writes one root module with at most budget .tf files.
func (g *gen) root(dir, env, region, svc string, budget int) error {
	g.seq = 0
	var b strings.Builder
	fmt.Fprintf(&b, "terraform {\n  required_version = \">= 1.5.0\"\n\n  backend \"s3\" {\n    bucket = \"acme-tfstate-%s\"\n    key    = \"%s/%s/%s.tfstate\"\n    region = \"us-east-1\"\n  }\n\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \"~> 5.40\"\n    }\n  }\n}\n", env, env, region, svc)
	files := []struct{ name, content string }{{"versions.tf", b.String()}}

	b.Reset()
	fmt.Fprintf(&b, "provider \"aws\" {\n  region = var.region\n\n  default_tags {\n    tags = {\n      Environment = var.environment\n      Service     = %q\n      ManagedBy   = \"terraform\"\n    }\n  }\n}\n\nprovider \"aws\" {\n  alias  = \"dns\"\n  region = \"us-east-1\"\n}\n", svc)
	files = append(files, struct{ name, content string }{"providers.tf", b.String()})

	b.Reset()
	b.WriteString("variable \"region\" {\n  type = string\n}\n\nvariable \"environment\" {\n  type        = string\n  description = \"Deployment environment.\"\n}\n\n")
	b.WriteString("variable \"vpc_id\" {\n  type = string\n}\n\nvariable \"subnet_ids\" {\n  type    = list(string)\n  default = []\n}\n\n")
	b.WriteString("variable \"allowed_cidrs\" {\n  type    = list(string)\n  default = [\"10.0.0.0/8\"]\n}\n\n")
	b.WriteString("variable \"mq_password\" {\n  type      = string\n  sensitive = true\n}\n\n")
	b.WriteString("variable \"instance_count\" {\n  type    = number\n  default = 1\n\n  validation {\n    condition     = var.instance_count >= 0 && var.instance_count <= 20\n    error_message = \"Between 0 and 20 instances.\"\n  }\n}\n\n")
	b.WriteString("variable \"queues\" {\n  type = map(object({\n    engine  = string\n    public  = bool\n    members = number\n  }))\n  default = {}\n}\n")
	files = append(files, struct{ name, content string }{"variables.tf", b.String()})

	b.Reset()
	fmt.Fprintf(&b, "locals {\n  name_prefix = \"%s-${var.environment}\"\n  is_prod     = var.environment == \"prod\"\n  az_count    = local.is_prod ? 3 : 1\n\n  tags = {\n    Service    = %q\n    CostCenter = \"cc-%04d\"\n    Owner      = \"team-%s\"\n  }\n}\n", svc, svc, g.r.IntN(10000), svc)
	files = append(files, struct{ name, content string }{"locals.tf", b.String()})

	files = append(files, struct{ name, content string }{"shared.tf", shared})

	b.Reset()
	g.moduleCalls(&b, env)
	files = append(files, struct{ name, content string }{"main.tf", b.String()})

	b.Reset()
	b.WriteString("output \"broker_ids\" {\n  value = { for k, m in module.mq : k => m.broker_id }\n}\n\noutput \"vpc_id\" {\n  value = module.network.vpc_id\n}\n")
	files = append(files, struct{ name, content string }{"outputs.tf", b.String()})

	// Resource files: 2 to 20 per root module, 10 KB on average.
	n := 2 + g.r.IntN(19)
	for i := range n {
		files = append(files, struct{ name, content string }{
			fmt.Sprintf("%s-%d.tf", g.pick(topics), i), g.resourceFile(env),
		})
	}
	if len(files) > budget {
		files = files[:max(budget, 1)]
	}
	for _, f := range files {
		if err := g.write(filepath.Join(dir, f.name), f.content); err != nil {
			return err
		}
	}
	tfvars := fmt.Sprintf("region         = %q\nenvironment    = %q\nvpc_id         = \"vpc-%08x\"\nsubnet_ids     = [\"subnet-%08x\", \"subnet-%08x\"]\nmq_password    = \"not-a-real-password\"\ninstance_count = %d\n\nqueues = {\n  blue = {\n    engine  = \"ActiveMQ\"\n    public  = %v\n    members = 2\n  }\n  green = {\n    engine  = \"RabbitMQ\"\n    public  = false\n    members = 3\n  }\n}\n",
		region, env, g.r.Uint32(), g.r.Uint32(), g.r.Uint32(), 1+g.r.IntN(4), g.chance(0.2))
	return g.write(filepath.Join(dir, "terraform.tfvars"), tfvars)
}

func (g *gen) moduleCalls(b *strings.Builder, env string) {
	const src = "../../../../modules/"
	fmt.Fprintf(b, "module \"network\" {\n  source = \"%snetwork\"\n\n  name       = local.name_prefix\n  cidr_block = \"10.%d.0.0/16\"\n  az_count   = local.az_count\n}\n\n", src, g.r.IntN(256))
	fmt.Fprintf(b, "# One broker per queue family; see terraform.tfvars.\nmodule \"mq\" {\n  source   = \"%smq-broker\"\n  for_each = var.queues\n\n  name                = \"${local.name_prefix}-${each.key}\"\n  engine_type         = each.value.engine\n  publicly_accessible = each.value.public\n  subnet_ids          = module.network.private_subnet_ids\n  vpc_id              = module.network.vpc_id\n  allowed_cidrs       = var.allowed_cidrs\n  password            = var.mq_password\n  multi_az            = %v\n  tags                = local.tags\n}\n\n", src, env == "prod")
	for _, m := range []string{"s3-bucket", "lambda", "rds", "iam-role", "ecs-service", "alarms"} {
		if g.chance(0.5) {
			continue
		}
		fmt.Fprintf(b, "module %q {\n  source = \"%s%s\"\n  count  = local.is_prod ? 1 : 0\n\n  name = \"${local.name_prefix}-%s\"\n  tags = local.tags\n}\n\n", strings.ReplaceAll(m, "-", "_"), src, m, m)
	}
}

// resourceFile returns one file of resources, 3 to 17 KB.
func (g *gen) resourceFile(env string) string {
	var b strings.Builder
	size := 3000 + g.r.IntN(14000)
	fmt.Fprintf(&b, "# Managed by the %s platform pipeline. Do not edit by hand.\n\n", env)
	for b.Len() < size {
		if g.chance(0.1) {
			g.broker(&b)
		} else {
			g.other(&b)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// broker writes one broker-related resource.
func (g *gen) broker(b *strings.Builder) {
	switch g.r.IntN(5) {
	case 0:
		g.mqBroker(b)
	case 1:
		g.mqConfiguration(b)
	case 2:
		g.securityGroup(b)
	case 3:
		g.ingressRule(b)
	default:
		g.kmsKey(b)
	}
}

func (g *gen) other(b *strings.Builder) {
	switch g.r.IntN(9) {
	case 0, 1:
		g.instance(b)
	case 2:
		g.bucket(b)
	case 3, 4:
		g.iamPolicy(b)
	case 5:
		g.lambda(b)
	case 6:
		g.database(b)
	case 7:
		g.dns(b)
	default:
		g.alarm(b)
	}
}

func (g *gen) mqBroker(b *strings.Builder) {
	n := g.name("broker")
	rabbit := g.chance(0.4)
	engine, version, itype := "ActiveMQ", g.pick([]string{"5.18", "5.17.6", "5.15.16", "5.16.7"}), g.pick([]string{"mq.m5.large", "mq.t3.micro", "mq.m5.xlarge"})
	if rabbit {
		engine, version = "RabbitMQ", g.pick([]string{"3.13", "3.11.20", "3.8.34"})
	}
	public := g.chance(0.25)
	fmt.Fprintf(b, "resource \"aws_mq_broker\" %q {\n", n)
	if g.chance(0.2) {
		b.WriteString("  count = local.is_prod ? 2 : 1\n\n")
	}
	fmt.Fprintf(b, "  broker_name                = \"${local.name_prefix}-%s\"\n  engine_type                = %q\n  engine_version             = %q\n  host_instance_type         = %q\n", n, engine, version, itype)
	fmt.Fprintf(b, "  deployment_mode            = local.is_prod ? %q : \"SINGLE_INSTANCE\"\n", map[bool]string{false: "ACTIVE_STANDBY_MULTI_AZ", true: "CLUSTER_MULTI_AZ"}[rabbit])
	fmt.Fprintf(b, "  publicly_accessible        = %v\n  auto_minor_version_upgrade = %v\n  subnet_ids                 = local.is_prod ? var.subnet_ids : [var.subnet_ids[0]]\n", public, g.chance(0.7))
	if !public {
		b.WriteString("  security_groups            = [aws_security_group.mq.id]\n")
	}
	if !rabbit && g.chance(0.6) {
		b.WriteString("\n  configuration {\n    id       = aws_mq_configuration.this.id\n    revision = aws_mq_configuration.this.latest_revision\n  }\n")
	}
	if g.chance(0.6) {
		b.WriteString("\n  encryption_options {\n    kms_key_id        = aws_kms_key.mq.arn\n    use_aws_owned_key = false\n  }\n")
	}
	if g.chance(0.7) {
		fmt.Fprintf(b, "\n  logs {\n    general = %v\n", g.chance(0.7))
		if !rabbit {
			fmt.Fprintf(b, "    audit   = %v\n", g.chance(0.6))
		}
		b.WriteString("  }\n")
	}
	b.WriteString("\n  maintenance_window_start_time {\n    day_of_week = \"SUNDAY\"\n    time_of_day = \"03:00\"\n    time_zone   = \"UTC\"\n  }\n")
	fmt.Fprintf(b, "\n  user {\n    username       = \"admin\"\n    password       = var.mq_password\n    console_access = %v\n  }\n", g.chance(0.5))
	b.WriteString("\n  tags = local.tags\n}\n")
}

func (g *gen) mqConfiguration(b *strings.Builder) {
	n := g.name("config")
	fmt.Fprintf(b, "resource \"aws_mq_configuration\" %q {\n  name           = \"${local.name_prefix}-%s\"\n  description    = \"ActiveMQ settings\"\n  engine_type    = \"ActiveMQ\"\n  engine_version = \"5.18\"\n\n  data = <<-XML\n", n, n)
	g.activeMQXML(b)
	b.WriteString("  XML\n\n  tags = local.tags\n}\n")
}

// activeMQXML writes the body of an ActiveMQ configuration heredoc, indented
// for a <<-XML heredoc inside a resource.
func (g *gen) activeMQXML(b *strings.Builder) {
	b.WriteString("    <?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n    <broker xmlns=\"http://activemq.apache.org/schema/core\" schedulePeriodForDestinationPurge=\"10000\">\n")
	b.WriteString("      <destinationPolicy>\n        <policyMap>\n          <policyEntries>\n")
	for i := range 2 + g.r.IntN(4) {
		fmt.Fprintf(b, "            <policyEntry queue=\"%s.%d.>\" gcInactiveDestinations=\"true\" inactiveTimoutBeforeGC=\"600000\">\n              <deadLetterStrategy>\n                <individualDeadLetterStrategy queuePrefix=\"DLQ.\" useQueueForQueueMessages=\"true\"/>\n              </deadLetterStrategy>\n            </policyEntry>\n", g.pick(services), i)
	}
	b.WriteString("          </policyEntries>\n        </policyMap>\n      </destinationPolicy>\n      <plugins>\n")
	if g.chance(0.5) {
		b.WriteString("        <authorizationPlugin>\n          <map>\n            <authorizationMap>\n              <authorizationEntries>\n                <authorizationEntry admin=\"admins\" queue=\">\" read=\"users\" write=\"users\"/>\n                <authorizationEntry admin=\"admins\" topic=\"ActiveMQ.Advisory.>\" read=\"everyone\" write=\"everyone\"/>\n              </authorizationEntries>\n            </authorizationMap>\n          </map>\n        </authorizationPlugin>\n")
	}
	b.WriteString("        <forcePersistencyModeBrokerPlugin persistenceFlag=\"true\"/>\n        <statisticsBrokerPlugin/>\n      </plugins>\n")
	if g.chance(0.3) {
		b.WriteString("      <networkConnectors>\n        <networkConnector name=\"bridge\" uri=\"static:(tcp://peer.example.internal:61616)\" duplex=\"true\"/>\n      </networkConnectors>\n")
	}
	b.WriteString("    </broker>\n")
}

func (g *gen) cidr() string {
	if g.chance(0.3) {
		return "0.0.0.0/0"
	}
	return fmt.Sprintf("10.%d.0.0/16", g.r.IntN(256))
}

func (g *gen) securityGroup(b *strings.Builder) {
	n := g.name("mq_sg")
	fmt.Fprintf(b, "resource \"aws_security_group\" %q {\n  name        = \"${local.name_prefix}-%s\"\n  description = \"Broker access\"\n  vpc_id      = var.vpc_id\n", n, n)
	for _, port := range []int{5671, 61617, 8162, 443}[:1+g.r.IntN(4)] {
		fmt.Fprintf(b, "\n  ingress {\n    description = \"broker port %d\"\n    from_port   = %d\n    to_port     = %d\n    protocol    = \"tcp\"\n    cidr_blocks = [%q]\n  }\n", port, port, port, g.cidr())
	}
	b.WriteString("\n  egress {\n    from_port   = 0\n    to_port     = 0\n    protocol    = \"-1\"\n    cidr_blocks = [\"0.0.0.0/0\"]\n  }\n\n  tags = local.tags\n}\n")
}

func (g *gen) ingressRule(b *strings.Builder) {
	port := g.pick([]string{"5671", "61617", "61614", "8883", "443"})
	if g.chance(0.5) {
		fmt.Fprintf(b, "resource \"aws_vpc_security_group_ingress_rule\" %q {\n  security_group_id = aws_security_group.mq.id\n  cidr_ipv4         = %q\n  from_port         = %s\n  to_port           = %s\n  ip_protocol       = \"tcp\"\n}\n", g.name("mq_in"), g.cidr(), port, port)
		return
	}
	fmt.Fprintf(b, "resource \"aws_security_group_rule\" %q {\n  type              = \"ingress\"\n  security_group_id = aws_security_group.mq.id\n  cidr_blocks       = [%q]\n  from_port         = %s\n  to_port           = %s\n  protocol          = \"tcp\"\n}\n", g.name("mq_rule"), g.cidr(), port, port)
}

func (g *gen) kmsKey(b *strings.Builder) {
	fmt.Fprintf(b, "resource \"aws_kms_key\" %q {\n  description             = \"Broker encryption key\"\n  deletion_window_in_days = 30\n  enable_key_rotation     = %v\n\n", g.name("mq_key"), g.chance(0.7))
	b.WriteString("  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [\n      {\n        Sid       = \"Root\"\n        Effect    = \"Allow\"\n        Principal = { AWS = \"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root\" }\n        Action    = \"kms:*\"\n        Resource  = \"*\"\n      },\n      {\n        Sid       = \"AmazonMQ\"\n        Effect    = \"Allow\"\n        Principal = { Service = \"mq.amazonaws.com\" }\n        Action    = [\"kms:Encrypt\", \"kms:Decrypt\", \"kms:GenerateDataKey*\", \"kms:DescribeKey\"]\n        Resource  = \"*\"\n      }\n    ]\n  })\n\n  tags = local.tags\n}\n")
}

func (g *gen) instance(b *strings.Builder) {
	n := g.name("app")
	fmt.Fprintf(b, "resource \"aws_instance\" %q {\n  count                  = var.instance_count\n  ami                    = \"ami-%017x\"\n  instance_type          = %q\n  subnet_id              = element(var.subnet_ids, count.index)\n  vpc_security_group_ids = [aws_security_group.app.id]\n  monitoring             = true\n\n", n, g.r.Uint64()>>4, g.pick([]string{"t3.small", "m5.large", "c6i.xlarge", "r6g.large"}))
	b.WriteString("  root_block_device {\n    volume_size = 50\n    volume_type = \"gp3\"\n    encrypted   = true\n  }\n\n  metadata_options {\n    http_tokens   = \"required\"\n    http_endpoint = \"enabled\"\n  }\n\n")
	b.WriteString("  user_data = <<-EOF\n    #!/bin/bash\n    set -euo pipefail\n    yum install -y amazon-cloudwatch-agent jq\n")
	for i := range 3 + g.r.IntN(8) {
		fmt.Fprintf(b, "    echo \"step %d: ${local.name_prefix}-%s-${count.index}\" >> /var/log/bootstrap.log\n", i, n)
	}
	b.WriteString("    cat > /etc/app/config.json <<JSON\n    { \"region\": \"${var.region}\", \"env\": \"${var.environment}\" }\n    JSON\n    systemctl enable --now app\n  EOF\n\n")
	fmt.Fprintf(b, "  tags = merge(local.tags, { Name = \"${local.name_prefix}-%s-${count.index}\" })\n}\n", n)
}

func (g *gen) bucket(b *strings.Builder) {
	n := g.name("bucket")
	fmt.Fprintf(b, "resource \"aws_s3_bucket\" %q {\n  bucket = \"${local.name_prefix}-%s\"\n  tags   = local.tags\n}\n\n", n, strings.ReplaceAll(n, "_", "-"))
	fmt.Fprintf(b, "resource \"aws_s3_bucket_versioning\" \"%s\" {\n  bucket = aws_s3_bucket.%s.id\n\n  versioning_configuration {\n    status = \"Enabled\"\n  }\n}\n\n", n, n)
	fmt.Fprintf(b, "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"%s\" {\n  bucket = aws_s3_bucket.%s.id\n\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = \"aws:kms\"\n    }\n  }\n}\n", n, n)
}

func (g *gen) iamPolicy(b *strings.Builder) {
	fmt.Fprintf(b, "resource \"aws_iam_policy\" %q {\n  name        = \"${local.name_prefix}-%d\"\n  description = \"Application access\"\n\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [\n", g.name("policy"), g.seq)
	for i := range 4 + g.r.IntN(12) {
		svc := g.pick([]string{"s3", "sqs", "sns", "dynamodb", "kms", "logs", "mq", "secretsmanager"})
		fmt.Fprintf(b, "      {\n        Sid    = \"Stmt%d\"\n        Effect = \"Allow\"\n        Action = [\n          \"%s:Get*\",\n          \"%s:List*\",\n          \"%s:Describe*\",\n        ]\n        Resource = [\n          \"arn:aws:%s:${var.region}:${data.aws_caller_identity.current.account_id}:%s-*\",\n        ]\n", i, svc, svc, svc, svc, g.pick(services))
		if g.chance(0.3) {
			b.WriteString("        Condition = {\n          StringEquals = { \"aws:RequestedRegion\" = var.region }\n        }\n")
		}
		b.WriteString("      },\n")
	}
	b.WriteString("    ]\n  })\n}\n")
}

func (g *gen) lambda(b *strings.Builder) {
	n := g.name("fn")
	fmt.Fprintf(b, "resource \"aws_lambda_function\" %q {\n  function_name = \"${local.name_prefix}-%s\"\n  role          = aws_iam_role.lambda.arn\n  handler       = \"index.handler\"\n  runtime       = %q\n  timeout       = %d\n  memory_size   = %d\n  filename      = \"${path.module}/dist/%s.zip\"\n\n  environment {\n    variables = {\n", n, n, g.pick([]string{"python3.12", "nodejs20.x", "java21"}), 3+g.r.IntN(60), 128<<g.r.IntN(4), n)
	for i := range 3 + g.r.IntN(6) {
		fmt.Fprintf(b, "      VAR_%d = \"${var.environment}-%d\"\n", i, g.r.IntN(1000))
	}
	b.WriteString("    }\n  }\n\n  tracing_config {\n    mode = \"Active\"\n  }\n\n  tags = local.tags\n}\n")
}

func (g *gen) database(b *strings.Builder) {
	fmt.Fprintf(b, "resource \"aws_db_instance\" %q {\n  identifier              = \"${local.name_prefix}-db-%d\"\n  engine                  = \"postgres\"\n  engine_version          = \"16.3\"\n  instance_class          = local.is_prod ? \"db.r6g.large\" : \"db.t4g.medium\"\n  allocated_storage       = %d\n  storage_encrypted       = true\n  multi_az                = local.is_prod\n  username                = \"app\"\n  manage_master_user_password = true\n  backup_retention_period = 7\n  skip_final_snapshot     = !local.is_prod\n  deletion_protection     = local.is_prod\n\n  tags = local.tags\n}\n", g.name("db"), g.seq, 20+g.r.IntN(500))
}

func (g *gen) dns(b *strings.Builder) {
	provider := "  provider = aws.dns\n"
	if g.inModule {
		provider = ""
	}
	fmt.Fprintf(b, "resource \"aws_route53_record\" %q {\n%s  zone_id  = \"Z%012X\"\n  name     = \"%s.${var.environment}.example.com\"\n  type     = \"CNAME\"\n  ttl      = 300\n  records  = [\"lb-%d.${var.region}.elb.amazonaws.com\"]\n}\n", g.name("record"), provider, g.r.Uint64()>>16, g.pick(services), g.r.IntN(1000))
}

func (g *gen) alarm(b *strings.Builder) {
	fmt.Fprintf(b, "resource \"aws_cloudwatch_metric_alarm\" %q {\n  alarm_name          = \"${local.name_prefix}-%d\"\n  comparison_operator = \"GreaterThanThreshold\"\n  evaluation_periods  = 3\n  metric_name         = %q\n  namespace           = \"AWS/EC2\"\n  period              = 300\n  statistic           = \"Average\"\n  threshold           = %d\n  alarm_description   = \"Sustained load for 15 minutes\"\n\n  dimensions = {\n    AutoScalingGroupName = \"${local.name_prefix}-asg\"\n  }\n}\n", g.name("alarm"), g.seq, g.pick([]string{"CPUUtilization", "NetworkIn", "StatusCheckFailed"}), 50+g.r.IntN(50))
}

// shared declares what the generated resources refer to, so that every
// reference in a root module or a module resolves.
const shared = `data "aws_caller_identity" "current" {}

resource "aws_security_group" "app" {
  name   = "${local.name_prefix}-app"
  vpc_id = var.vpc_id
}

resource "aws_security_group" "mq" {
  name   = "${local.name_prefix}-mq"
  vpc_id = var.vpc_id

  ingress {
    from_port   = 61617
    to_port     = 61617
    protocol    = "tcp"
    cidr_blocks = var.allowed_cidrs
  }
}

resource "aws_kms_key" "mq" {
  description         = "Broker key"
  enable_key_rotation = true
}

resource "aws_iam_role" "lambda" {
  name = "${local.name_prefix}-lambda"

  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_mq_configuration" "this" {
  name           = "${local.name_prefix}-default"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"
  data           = <<-XML
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <broker xmlns="http://activemq.apache.org/schema/core"/>
  XML
}
`

// moduleVars declares the inputs of a generic local module: the same names
// as a root module, with defaults.
const moduleVars = `
variable "region" {
  type    = string
  default = "us-east-1"
}

variable "environment" {
  type    = string
  default = "dev"
}

variable "vpc_id" {
  type    = string
  default = "vpc-00000000"
}

variable "subnet_ids" {
  type    = list(string)
  default = ["subnet-00000001"]
}

variable "allowed_cidrs" {
  type    = list(string)
  default = ["10.0.0.0/8"]
}

variable "instance_count" {
  type    = number
  default = 1
}
`

const moduleLocals = `locals {
  name_prefix = var.name
  is_prod     = var.environment == "prod"
  tags        = var.tags
}

`

// module writes one local module under modules/.
func (g *gen) module(name string) error {
	g.seq = 0
	g.inModule = true
	defer func() { g.inModule = false }()
	dir := filepath.Join("modules", name)
	vars := "variable \"name\" {\n  type = string\n}\n\nvariable \"tags\" {\n  type    = map(string)\n  default = {}\n}\n"
	var main strings.Builder
	outputs := "output \"id\" {\n  value = null\n}\n"
	if name == "mq-broker" {
		vars += "\nvariable \"engine_type\" {\n  type    = string\n  default = \"ActiveMQ\"\n}\n\nvariable \"publicly_accessible\" {\n  type    = bool\n  default = false\n}\n\nvariable \"subnet_ids\" {\n  type = list(string)\n}\n\nvariable \"vpc_id\" {\n  type = string\n}\n\nvariable \"allowed_cidrs\" {\n  type = list(string)\n}\n\nvariable \"password\" {\n  type      = string\n  sensitive = true\n}\n\nvariable \"multi_az\" {\n  type    = bool\n  default = false\n}\n"
		main.WriteString("locals {\n  is_rabbit = var.engine_type == \"RabbitMQ\"\n  port      = local.is_rabbit ? 5671 : 61617\n}\n\n")
		main.WriteString("resource \"aws_security_group\" \"this\" {\n  name   = \"${var.name}-mq\"\n  vpc_id = var.vpc_id\n\n  dynamic \"ingress\" {\n    for_each = var.allowed_cidrs\n    content {\n      from_port   = local.port\n      to_port     = local.port\n      protocol    = \"tcp\"\n      cidr_blocks = [ingress.value]\n    }\n  }\n}\n\n")
		main.WriteString("resource \"aws_mq_broker\" \"this\" {\n  broker_name         = var.name\n  engine_type         = var.engine_type\n  engine_version      = local.is_rabbit ? \"3.13\" : \"5.18\"\n  host_instance_type  = \"mq.m5.large\"\n  deployment_mode     = var.multi_az ? (local.is_rabbit ? \"CLUSTER_MULTI_AZ\" : \"ACTIVE_STANDBY_MULTI_AZ\") : \"SINGLE_INSTANCE\"\n  publicly_accessible = var.publicly_accessible\n  subnet_ids          = var.multi_az ? var.subnet_ids : [var.subnet_ids[0]]\n  security_groups     = var.publicly_accessible ? null : [aws_security_group.this.id]\n\n  logs {\n    general = true\n  }\n\n  user {\n    username = \"admin\"\n    password = var.password\n  }\n\n  tags = var.tags\n}\n")
		outputs = "output \"broker_id\" {\n  value = aws_mq_broker.this.id\n}\n"
	} else {
		vars += moduleVars
		main.WriteString(moduleLocals)
		main.WriteString(shared)
		main.WriteString("\n")
		for main.Len() < 8000 {
			g.other(&main)
			main.WriteString("\n")
		}
	}
	if name == "network" {
		vars += "\nvariable \"cidr_block\" {\n  type = string\n}\n\nvariable \"az_count\" {\n  type    = number\n  default = 1\n}\n"
		outputs += "\noutput \"vpc_id\" {\n  value = \"vpc-00000000\"\n}\n\noutput \"private_subnet_ids\" {\n  value = [\"subnet-00000001\", \"subnet-00000002\", \"subnet-00000003\"]\n}\n"
	}
	for _, f := range []struct{ name, content string }{{"variables.tf", vars}, {"main.tf", main.String()}, {"outputs.tf", outputs}} {
		if err := g.write(filepath.Join(dir, f.name), f.content); err != nil {
			return err
		}
	}
	return nil
}
