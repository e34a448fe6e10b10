package rules

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

var mqg026 = &Rule{
	ID:       "MQG026",
	Slug:     "ldap-without-tls",
	Title:    "LDAP server reached without TLS",
	Severity: Medium,
	Rationale: "With LDAP authentication the broker sends every client's username and password, and its " +
		"own service account's credentials, to the LDAP server. Over plain LDAP (ldap:// or port 389) " +
		"anyone on the path can read them and answer in the server's place. Amazon MQ expects LDAPS: " +
		"a bare host name is reached with TLS on port 636. RabbitMQ's auth_ldap uses TLS only with " +
		"auth_ldap.use_ssl or auth_ldap.use_starttls (StartTLS on port 389 is TLS and passes); ActiveMQ's " +
		"LDAP login module and authorization maps take ldap:// or ldaps:// URLs.",
	Remediation: map[model.SourceKind]string{
		ForEngine(model.SourceBrokerConf, model.EngineActiveMQ): "Use ldaps:// (port 636) in the LDAPLoginModule connectionURL of login.config and in the LDAP authorization map.",
		ForEngine(model.SourceBrokerConf, model.EngineRabbitMQ): "Set `auth_ldap.use_ssl = true` with `auth_ldap.port = 636`, or `auth_ldap.use_starttls = true`.",
		model.SourceTerraform: "In ldap_server_metadata, list the hosts as bare names (Amazon MQ connects with LDAPS " +
			"on port 636) or with an ldaps:// scheme and port 636, never ldap:// or port 389, and make sure the " +
			"directory presents a certificate the broker trusts. The change is applied in place on the next reboot.",
		model.SourceTFPlan: "Fix the Terraform code: list the ldap_server_metadata hosts as bare names or ldaps:// " +
			"URLs on port 636 instead of ldap:// or port 389.",
		model.SourceCloudFormation: "In LdapServerMetadata.Hosts, use bare host names (LDAPS on port 636) or ldaps:// " +
			"on port 636 instead of ldap:// or port 389. The change applies in place.",
		model.SourceAWS: "Update the broker's LDAP hosts to LDAPS (`aws mq update-broker --broker-id <id> " +
			"--ldap-server-metadata Hosts=ldap.example.com,...`), then reboot the broker (`aws mq reboot-broker`) " +
			"in a maintenance window.",
	},
	SelfManaged: true,
	Check:       checkLDAPWithoutTLS,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "Bare host names: Amazon MQ reaches them with LDAPS on port 636.",
			Files: map[string]string{"main.tf": `locals {
  directory_hosts = ["ldap.corp.example.com", "ldap2.corp.example.com"]
}

variable "ldap_service_password" {
  type      = string
  sensitive = true
}

variable "mq_admin_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name             = "orders"
  engine_type             = "ActiveMQ"
  engine_version          = "5.18"
  host_instance_type      = "mq.m5.large"
  deployment_mode         = "ACTIVE_STANDBY_MULTI_AZ"
  authentication_strategy = "LDAP"

  ldap_server_metadata {
    hosts                    = local.directory_hosts
    role_base                = "ou=Groups,dc=corp,dc=example,dc=com"
    role_search_matching     = "(member={0})"
    service_account_username = "cn=mq-service,ou=Services,dc=corp,dc=example,dc=com"
    service_account_password = var.ldap_service_password
    user_base                = "ou=Users,dc=corp,dc=example,dc=com"
    user_search_matching     = "(uid={0})"
  }

  user {
    username = "orders-admin"
    password = var.mq_admin_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "An ldap:// host on port 389 sends the directory credentials in plain text.",
			Files: map[string]string{"main.tf": `variable "ldap_service_password" {
  type      = string
  sensitive = true
}

variable "mq_admin_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name             = "orders"
  engine_type             = "ActiveMQ"
  engine_version          = "5.18"
  host_instance_type      = "mq.m5.large"
  deployment_mode         = "ACTIVE_STANDBY_MULTI_AZ"
  authentication_strategy = "LDAP"

  ldap_server_metadata {
    hosts                    = ["ldap://ldap.corp.example.com:389"]
    role_base                = "ou=Groups,dc=corp,dc=example,dc=com"
    role_search_matching     = "(member={0})"
    service_account_username = "cn=mq-service,ou=Services,dc=corp,dc=example,dc=com"
    service_account_password = var.ldap_service_password
    user_base                = "ou=Users,dc=corp,dc=example,dc=com"
    user_search_matching     = "(uid={0})"
  }

  user {
    username = "orders-admin"
    password = var.mq_admin_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Unknown,
			Note: "The hosts come from a variable with no value: they cannot be judged.",
			Files: map[string]string{"main.tf": `variable "ldap_hosts" {
  type = list(string)
}

variable "ldap_service_password" {
  type      = string
  sensitive = true
}

variable "mq_admin_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name             = "orders"
  engine_type             = "ActiveMQ"
  engine_version          = "5.18"
  host_instance_type      = "mq.m5.large"
  deployment_mode         = "ACTIVE_STANDBY_MULTI_AZ"
  authentication_strategy = "LDAP"

  ldap_server_metadata {
    hosts                    = var.ldap_hosts
    role_base                = "ou=Groups,dc=corp,dc=example,dc=com"
    role_search_matching     = "(member={0})"
    service_account_username = "cn=mq-service,ou=Services,dc=corp,dc=example,dc=com"
    service_account_password = var.ldap_service_password
    user_base                = "ou=Users,dc=corp,dc=example,dc=com"
    user_search_matching     = "(uid={0})"
  }

  user {
    username = "orders-admin"
    password = var.mq_admin_password
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note: "Simple authentication (the default) uses no LDAP server.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  deployment_mode    = "ACTIVE_STANDBY_MULTI_AZ"

  user {
    username = "orders-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Pass,
			Note: "Bare host names: Amazon MQ reaches them with LDAPS on port 636.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker authenticating against the corporate directory.
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: ACTIVE_STANDBY_MULTI_AZ
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
        - subnet-0a1b2c3d4e5f60719
      AuthenticationStrategy: LDAP
      LdapServerMetadata:
        Hosts:
          - ldap.corp.example.com
          - ldap2.corp.example.com
        RoleBase: ou=Groups,dc=corp,dc=example,dc=com
        RoleSearchMatching: (member={0})
        ServiceAccountUsername: cn=mq-service,ou=Services,dc=corp,dc=example,dc=com
        ServiceAccountPassword: "{{resolve:secretsmanager:mq/orders/ldap:SecretString:password}}"
        UserBase: ou=Users,dc=corp,dc=example,dc=com
        UserSearchMatching: (uid={0})
      Users:
        - Username: orders-admin
          Password: "{{resolve:secretsmanager:mq/orders/admin:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "An ldap:// host on port 389 sends the directory credentials in plain text.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker authenticating against the corporate directory.
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: ACTIVE_STANDBY_MULTI_AZ
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
        - subnet-0a1b2c3d4e5f60719
      AuthenticationStrategy: LDAP
      LdapServerMetadata:
        Hosts:
          - ldap://ldap.corp.example.com:389
        RoleBase: ou=Groups,dc=corp,dc=example,dc=com
        RoleSearchMatching: (member={0})
        ServiceAccountUsername: cn=mq-service,ou=Services,dc=corp,dc=example,dc=com
        ServiceAccountPassword: "{{resolve:secretsmanager:mq/orders/ldap:SecretString:password}}"
        UserBase: ou=Users,dc=corp,dc=example,dc=com
        UserSearchMatching: (uid={0})
      Users:
        - Username: orders-admin
          Password: "{{resolve:secretsmanager:mq/orders/admin:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Unknown,
			Note: "The hosts come from a CommaDelimitedList parameter with no Default: they cannot be judged.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker authenticating against the corporate directory.
Parameters:
  LdapHosts:
    Type: CommaDelimitedList
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: ACTIVE_STANDBY_MULTI_AZ
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
        - subnet-0a1b2c3d4e5f60719
      AuthenticationStrategy: LDAP
      LdapServerMetadata:
        Hosts: !Ref LdapHosts
        RoleBase: ou=Groups,dc=corp,dc=example,dc=com
        RoleSearchMatching: (member={0})
        ServiceAccountUsername: cn=mq-service,ou=Services,dc=corp,dc=example,dc=com
        ServiceAccountPassword: "{{resolve:secretsmanager:mq/orders/ldap:SecretString:password}}"
        UserBase: ou=Users,dc=corp,dc=example,dc=com
        UserSearchMatching: (uid={0})
      Users:
        - Username: orders-admin
          Password: "{{resolve:secretsmanager:mq/orders/admin:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: NotApplicable,
			Note: "No AuthenticationStrategy: CloudFormation's default is SIMPLE, which uses no LDAP server.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker.
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: ACTIVE_STANDBY_MULTI_AZ
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
        - subnet-0a1b2c3d4e5f60719
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Fail,
			Note: "RabbitMQ authenticating against LDAP on port 389 without use_ssl or use_starttls.",
			Files: map[string]string{"rabbitmq.conf": `auth_backends.1 = ldap
auth_backends.2 = internal
auth_ldap.servers.1 = ldap.example.com
auth_ldap.user_dn_pattern = cn=${username},ou=people,dc=example,dc=com
listeners.tcp = none
listeners.ssl.default = 5671
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "rabbitmq.conf", Want: Pass,
			Note: "RabbitMQ authenticating against LDAP with StartTLS on port 389.",
			Files: map[string]string{"rabbitmq.conf": `auth_backends.1 = ldap
auth_backends.2 = internal
auth_ldap.servers.1 = ldap.example.com
auth_ldap.use_starttls = true
auth_ldap.user_dn_pattern = cn=${username},ou=people,dc=example,dc=com
listeners.tcp = none
listeners.ssl.default = 5671
`},
		},
	},
}

// ldapPlainPort is plain LDAP (Amazon MQ does not use StartTLS); LDAPS is 636.
const ldapPlainPort = 389

func checkLDAPWithoutTLS(b *model.Broker, _ *Context) []Result {
	if b.IsSelfManaged() {
		return selfManagedLDAP(b)
	}
	return ldapHostsTLS(b, b.AuthStrategy)
}

// selfManagedLDAP judges a self-managed broker, whose source declares LDAP only when the
// broker authenticates with it: RabbitMQ auth_ldap use_ssl / use_starttls (StartTLS passes),
// ActiveMQ login module and LDAP authorization map URLs.
func selfManagedLDAP(b *model.Broker) []Result {
	switch {
	case b.LDAP == nil && b.LDAPUnread:
		return unknownResult("Whether the broker authenticates with LDAP", b.ID.At)
	case b.LDAP == nil:
		return notApplicable("The broker does not use LDAP.", b.ID.At)
	}
	if b.IsEngine(model.EngineRabbitMQ) {
		var tls model.Bool
		if b.SelfManaged != nil {
			tls = b.SelfManaged.LDAPTLS
		}
		switch {
		case !tls.Known():
			return unknownResult("Whether RabbitMQ reaches its LDAP servers with TLS (auth_ldap.use_ssl / use_starttls)", firstRange(tls.At, b.LDAP.At))
		case tls.V:
			return one(Pass, "RabbitMQ reaches its LDAP servers with TLS (auth_ldap.use_ssl or auth_ldap.use_starttls).", tls.At, tls.State)
		}
		why := "auth_ldap.use_ssl and auth_ldap.use_starttls are not set"
		if tls.State == model.Explicit {
			why = "auth_ldap.use_ssl / auth_ldap.use_starttls is false"
		}
		var out []Result
		seen := map[string]bool{}
		for _, h := range b.LDAP.Hosts.V {
			label, _, _ := ldapHostTLS(h)
			if seen[label] {
				continue
			}
			seen[label] = true
			out = append(out, Result{Status: Fail, At: firstRange(tls.At, b.LDAP.Hosts.At), ValueFrom: tls.State,
				Subject: "ldap-host:" + label, Message: fmt.Sprintf("LDAP host %s is reached without TLS (%s).", label, why)})
		}
		if len(out) == 0 {
			return one(Fail, "RabbitMQ reaches its LDAP servers without TLS ("+why+").", firstRange(tls.At, b.LDAP.At), tls.State)
		}
		return out
	}
	// A self-managed ActiveMQ's LDAP hosts are its LDAP authentication's.
	return ldapHostsTLS(b, model.ExplicitString("LDAP", firstRange(b.LDAP.At, b.ID.At)))
}

// ldapHostsTLS judges the LDAP hosts of a broker whose authentication strategy is auth.
func ldapHostsTLS(b *model.Broker, auth model.String) []Result {
	if b.LDAP == nil && !b.LDAPUnread {
		return notApplicable("The broker declares no LDAP server.", b.ID.At)
	}
	if auth.Known() && !strings.EqualFold(strings.TrimSpace(auth.V), "LDAP") {
		return notApplicable("The broker uses "+strings.TrimSpace(auth.V)+" authentication, not LDAP.", auth.At)
	}
	if b.LDAP == nil {
		return unknownResult("Whether the broker declares an LDAP server", b.ID.At)
	}
	hosts := b.LDAP.Hosts
	var out []Result
	undecided := ""
	seen := map[string]bool{}
	for _, h := range hosts.V {
		label, tls, why := ldapHostTLS(h)
		switch {
		case tls == No && !seen[label]:
			seen[label] = true
			out = append(out, Result{
				Status:    Fail,
				Message:   fmt.Sprintf("LDAP host %s is reached without TLS (%s).", label, why),
				At:        hosts.At,
				ValueFrom: model.Explicit,
				Subject:   "ldap-host:" + label,
			})
		case tls == Maybe:
			if undecided == "" {
				undecided = fmt.Sprintf("Whether LDAP host %s is reached with TLS (%s)", label, why)
			}
		}
	}
	switch {
	case len(out) > 0 && !auth.Known():
		return unknownResult("Whether the broker authenticates with LDAP (its LDAP hosts are not TLS)", auth.At)
	case len(out) > 0:
		return out
	case !hosts.Known():
		return unknownResult("The LDAP hosts", hosts.At)
	case undecided != "":
		return unknownResult(undecided, hosts.At)
	case !auth.Known():
		return unknownResult("Whether the broker authenticates with LDAP", auth.At)
	case len(hosts.V) == 0:
		return notApplicable("The LDAP server metadata lists no host.", hosts.At)
	default:
		return one(Pass, "Every LDAP host is reached over LDAPS.", hosts.At, hosts.State)
	}
}

// ldapHostTLS decides whether Amazon MQ reaches an LDAP host entry with TLS. An entry is a bare
// host name (Amazon MQ connects with LDAPS on port 636), host:port, or an ldap:// or ldaps:// URL.
// It returns a label safe to print (no user information), the answer, and why.
func ldapHostTLS(entry string) (label string, tls Tri, why string) {
	s := strings.TrimSpace(entry)
	scheme := ""
	if i := strings.Index(s, "://"); i >= 0 {
		scheme, s = strings.ToLower(s[:i]), s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndex(s, "@"); i >= 0 {
		s = s[i+1:] // never print user information
	}
	label = s
	if scheme != "" {
		label = scheme + "://" + s
	}
	if label == "" {
		return "(empty)", Maybe, "empty entry"
	}
	if scheme == "ldap" {
		return label, No, "the ldap:// scheme is plain text"
	}
	port := 0
	if host, p, err := net.SplitHostPort(s); err == nil && host != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return label, Maybe, "unreadable port"
		}
		port = n
	}
	switch {
	case port == ldapPlainPort:
		return label, No, "port 389 is plain LDAP"
	case scheme == "ldaps" || scheme == "":
		return label, Yes, ""
	default:
		return label, Maybe, "unrecognised scheme " + scheme
	}
}
