package rules

import (
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// broadGroups are ActiveMQ groups that stand for every user: an authorizationEntry on ">" granting
// them write or admin gives every account every permission.
var broadGroups = []string{"users", "everyone", "anonymous", "guests", "*"}

// Amazon MQ puts users with console access in activemq-webconsole, a group with admin rights on
// every queue and topic. For an administrator that membership is intended: one admin user with
// console access is the normal setup. Anyone else in the group is a non-admin user with every
// permission.
const webConsoleGroup = "activemq-webconsole"

// An ActiveMQ user is an administrator when one of its groups is an admin group, or its name is,
// starts with or ends with an admin name (admin, orders_admin, amq-admin, AdminUser), all
// case-insensitive.
var (
	adminGroups = []string{"admins", "admin", "administrators"}
	adminNames  = []string{"admin", "administrator"}
)

var mqg019 = &Rule{
	ID:       "MQG019",
	Slug:     "broad-permissions",
	Title:    "Users granted every permission on every destination",
	Severity: Medium,
	Rationale: "Least privilege on a broker means each application may only read, write and create the " +
		"destinations it owns. An ActiveMQ authorizationEntry on \">\" that grants write or admin to a " +
		"group every user is in, or a non-administrator in activemq-webconsole (which Amazon MQ gives admin " +
		"rights on every queue and topic), lets one compromised application read, inject or purge every " +
		"other application's messages. A user counts as an administrator when one of its groups is admins, " +
		"admin or administrators, or its name is, starts with or ends with admin or administrator " +
		"(orders_admin, amq-admin, AdminUser; case-insensitive): console access for an administrator is " +
		"the normal setup and passes. A console user whose name cannot be resolved and whose groups do not " +
		"make it an administrator cannot be judged. On RabbitMQ, the permissions \".*\" on configure, " +
		"write and read of a vhost give a user without the administrator tag every queue and exchange of it.",
	Remediation: map[model.SourceKind]string{
		ForEngine(model.SourceBrokerConf, model.EngineActiveMQ): "Take application users out of activemq-webconsole and grant write and admin on \">\" only to the admins group; give each application group entries on its own destinations (queue=\"orders.>\").",
		ForEngine(model.SourceBrokerConf, model.EngineRabbitMQ): "Give each application user permissions on its own resources only (`rabbitmqctl set_permissions -p / orders '^orders\\.' '^orders\\.' '^orders\\.'`), then export the definitions again.",
		model.SourceProbe: "Narrow the users' permissions with `rabbitmqctl set_permissions` so that only administrators have \".*\" on configure, write and read.",
		model.SourceTerraform: "In the aws_mq_configuration data, grant write and admin on \">\" only to the " +
			"admins group and give application groups entries on their own destinations (e.g. queue=\"orders.>\"). " +
			"Set console_access = false on application users (console_access puts a user in activemq-webconsole, " +
			"which has admin rights everywhere); keep it for administrators (a user in the admins group, or " +
			"named as an admin, such as orders-admin).",
		model.SourceTFPlan: "Fix the Terraform code: narrow the authorizationEntry on \">\" to the admins group " +
			"and set console_access = false on non-admin users.",
		model.SourceCloudFormation: "In the AWS::AmazonMQ::Configuration Data, grant write/admin on \">\" only to " +
			"admins; set ConsoleAccess: false on non-admin Users entries.",
		model.SourceAWS: "Create a configuration revision whose \">\" entries grant write/admin only to admins " +
			"(`aws mq update-configuration`, then reboot), and remove console access from non-admin users " +
			"(`aws mq update-user --broker-id <id> --username <user> --no-console-access`).",
	},
	SelfManaged:        true,
	Check:              checkBroadPermissions,
	CheckConfiguration: checkBroadPermissionsConfiguration,
	Examples: []Example{
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "Only the admin user has console access; the application user has none.",
			Files: map[string]string{"main.tf": `variable "admin_password" {
  type      = string
  sensitive = true
}

variable "app_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username       = "orders-ops"
    password       = var.admin_password
    console_access = true
    groups         = ["admins"]
  }

  user {
    username = "orders-app"
    password = var.app_password
    groups   = ["orders"]
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "An administrator-named user (orders-admin) with console access and no groups: the normal single-admin setup.",
			Files: map[string]string{"main.tf": `variable "admin_password" {
  type      = string
  sensitive = true
}

variable "app_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username       = "orders-admin"
    password       = var.admin_password
    console_access = true
  }

  user {
    username = "orders-app"
    password = var.app_password
    groups   = ["orders"]
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Unknown,
			Note: "A console user whose name is a variable with no value, in no admin group: administrator or not is undecided.",
			Files: map[string]string{"main.tf": `variable "console_username" {
  type = string
}

variable "console_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username       = var.console_username
    password       = var.console_password
    console_access = true
    groups         = ["orders"]
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "An application user with console access: activemq-webconsole has admin rights everywhere.",
			Files: map[string]string{"main.tf": `variable "app_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username       = "orders-app"
    password       = var.app_password
    console_access = true
    groups         = ["orders"]
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "An authorization entry on every queue granting write and admin to the users group.",
			Files: map[string]string{"main.tf": `variable "app_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_configuration" "example" {
  name           = "orders"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"

  data = <<DATA
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<broker xmlns="http://activemq.apache.org/schema/core">
  <plugins>
    <authorizationPlugin>
      <map>
        <authorizationMap>
          <authorizationEntries>
            <authorizationEntry admin="admins,users" queue=">" read="admins,users" write="admins,users"/>
          </authorizationEntries>
        </authorizationMap>
      </map>
    </authorizationPlugin>
  </plugins>
</broker>
DATA
}

resource "aws_mq_broker" "example" {
  broker_name        = "orders"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  configuration {
    id       = aws_mq_configuration.example.id
    revision = aws_mq_configuration.example.latest_revision
  }

  user {
    username = "orders-app"
    password = var.app_password
    groups   = ["users"]
  }
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note: "RabbitMQ permissions are set on the broker, not in Terraform: nothing to judge here.",
			Files: map[string]string{"main.tf": `variable "mq_password" {
  type      = string
  sensitive = true
}

resource "aws_mq_broker" "example" {
  broker_name        = "events"
  engine_type        = "RabbitMQ"
  engine_version     = "3.13"
  host_instance_type = "mq.m5.large"
  subnet_ids         = ["subnet-0a1b2c3d4e5f60718"]

  user {
    username = "events-app"
    password = var.mq_password
  }
}
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Pass,
			Note: "Only the operations user has console access; the application user has none (ConsoleAccess defaults to false).",
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
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Users:
        - Username: orders-ops
          Password: "{{resolve:secretsmanager:mq/orders/ops:SecretString:password}}"
          ConsoleAccess: true
          Groups:
            - admins
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
          Groups:
            - orders
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Pass,
			Note: "An administrator-named user (orders-admin) with console access and no groups: the normal single-admin setup.",
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
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Users:
        - Username: orders-admin
          Password: "{{resolve:secretsmanager:mq/orders/admin:SecretString:password}}"
          ConsoleAccess: true
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
          Groups:
            - orders
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Unknown,
			Note: "A console user whose name is a parameter with no Default, in no admin group: administrator or not is undecided.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker.
Parameters:
  ConsoleUsername:
    Type: String
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Users:
        - Username: !Ref ConsoleUsername
          Password: "{{resolve:secretsmanager:mq/orders/console:SecretString:password}}"
          ConsoleAccess: true
          Groups:
            - orders
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "An application user with console access: activemq-webconsole has admin rights everywhere.",
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
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
          ConsoleAccess: true
          Groups:
            - orders
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: Fail,
			Note: "An authorization entry on every queue granting write and admin to the users group.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Orders broker.
Resources:
  Configuration:
    Type: AWS::AmazonMQ::Configuration
    Properties:
      Name: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      Data: !Base64 |
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <broker xmlns="http://activemq.apache.org/schema/core">
          <plugins>
            <authorizationPlugin>
              <map>
                <authorizationMap>
                  <authorizationEntries>
                    <authorizationEntry admin="admins,users" queue=">" read="admins,users" write="admins,users"/>
                  </authorizationEntries>
                </authorizationMap>
              </map>
            </authorizationPlugin>
          </plugins>
        </broker>
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: orders
      EngineType: ACTIVEMQ
      EngineVersion: "5.18"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Configuration:
        Id: !Ref Configuration
        Revision: !GetAtt Configuration.Revision
      Users:
        - Username: orders-app
          Password: "{{resolve:secretsmanager:mq/orders/app:SecretString:password}}"
          Groups:
            - users
`},
		},
		{
			Kind: model.SourceCloudFormation, Address: "Broker", Want: NotApplicable,
			Note: "RabbitMQ permissions are set on the broker, not in the template: nothing to judge here.",
			Files: map[string]string{"template.yaml": `AWSTemplateFormatVersion: "2010-09-09"
Description: Events broker.
Resources:
  Broker:
    Type: AWS::AmazonMQ::Broker
    Properties:
      BrokerName: events
      EngineType: RABBITMQ
      EngineVersion: "3.13"
      HostInstanceType: mq.m5.large
      DeploymentMode: SINGLE_INSTANCE
      PubliclyAccessible: false
      SubnetIds:
        - subnet-0a1b2c3d4e5f60718
      Users:
        - Username: events-app
          Password: "{{resolve:secretsmanager:mq/events/app:SecretString:password}}"
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "definitions.json", Want: Fail,
			Note:  "A RabbitMQ application user without the administrator tag granted \".*\" on configure, write and read.",
			Files: map[string]string{"definitions.json": rabbitDefinitions(`".*", "write": ".*", "read": ".*"`)},
		},
		{
			Kind: model.SourceBrokerConf, Address: "definitions.json", Want: Pass,
			Note:  "A RabbitMQ application user limited to its own queues and exchanges.",
			Files: map[string]string{"definitions.json": rabbitDefinitions(`"^orders\\.", "write": "^orders\\.", "read": "^orders\\."`)},
		},
	},
}

func checkBroadPermissions(b *model.Broker, _ *Context) []Result {
	switch {
	case !b.Engine.Known():
		return unknownResult("The engine of the broker", b.Engine.At)
	case b.IsSelfManaged() || b.SelfManaged != nil && b.SelfManaged.UsersState != model.Unknown && b.IsEngine(model.EngineRabbitMQ):
		return selfManagedBroadPermissions(b)
	case b.IsEngine(model.EngineRabbitMQ):
		return notApplicable("RabbitMQ permissions are not part of this input (a definitions export would show them).", b.ID.At)
	}
	var fails, unknown []Result
	undecided := func(r []Result) {
		if unknown == nil {
			unknown = r
		}
	}
	for i, u := range b.Users {
		f, r := webConsoleUser(u, i)
		fails = append(fails, f...)
		undecided(r)
	}
	if b.UsersState == model.Unknown {
		undecided(unknownResult("The broker's users", b.ID.At))
	}
	c, _, res := usedConfiguration(b)
	undecided(res)
	if c != nil {
		f, r := configurationPermissions(c)
		fails = append(fails, f...)
		undecided(r)
	}
	switch {
	case len(fails) > 0:
		return fails
	case unknown != nil:
		return unknown
	}
	return one(Pass, "No non-administrator user has every permission on every destination.", b.ID.At, model.Explicit)
}

func checkBroadPermissionsConfiguration(c *model.Configuration, _ *Context) []Result {
	if configIsEngine(c, model.EngineActiveMQ) == No {
		return notApplicable("RabbitMQ permissions are not part of a broker configuration.", c.ID.At)
	}
	fails, unknown := configurationPermissions(c)
	switch {
	case len(fails) > 0:
		return fails
	case unknown != nil:
		return unknown
	}
	return one(Pass, "No authorization entry grants every user write or admin on every destination.", configAt(c), model.Explicit)
}

// webConsoleUser judges one broker user: in activemq-webconsole (console access) without being
// an administrator.
func webConsoleUser(u model.User, i int) (fails, unknown []Result) {
	name, subject := "#"+strconv.Itoa(i+1), "user#"+strconv.Itoa(i+1)
	if u.Username.Known() && u.Username.V != "" {
		name, subject = "'"+u.Username.V+"'", u.Username.V
	}
	admin := administrator(u.Username, u.Groups)
	if admin == Yes {
		return nil, nil // console access or not, an administrator is meant to have every right
	}
	inGroup := u.Groups.Known() && containsFold(trimmed(u.Groups.V), webConsoleGroup)
	console := u.ConsoleAccess.Known() && u.ConsoleAccess.V || inGroup
	switch {
	case !console && !u.ConsoleAccess.Known():
		return nil, unknownResult("Whether user "+name+" has console access", u.ConsoleAccess.At)
	case !console:
		return nil, nil
	case !u.Groups.Known():
		return nil, unknownResult("The groups of user "+name+" (who has console access)", u.Groups.At)
	case admin == Maybe:
		return nil, unknownResult("The name of console user "+name+" (its groups do not make it an administrator)", u.Username.At)
	}
	at, from := u.ConsoleAccess.At, u.ConsoleAccess.State
	if inGroup && !(u.ConsoleAccess.Known() && u.ConsoleAccess.V) {
		at, from = u.Groups.At, u.Groups.State
	}
	return []Result{{Status: Fail, At: at, ValueFrom: from, Subject: subject,
		Message: "User " + name + " is not an administrator (no admin group, no admin name) but has console " +
			"access, which Amazon MQ grants through activemq-webconsole with admin rights on every queue and topic."}}, nil
}

// administrator says whether an ActiveMQ user is an administrator: Yes when its groups or its
// name make it one, whatever else is unknown; No when both are known and neither does.
func administrator(name model.String, groups model.StringList) Tri {
	switch {
	case groups.Known() && containsAnyFold(trimmed(groups.V), adminGroups):
		return Yes
	case name.Known() && isAdminName(name.V):
		return Yes
	case name.Known() && groups.Known():
		return No
	}
	return Maybe
}

// isAdminName reports whether a username is, starts with or ends with an admin name
// (case-insensitive).
func isAdminName(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, a := range adminNames {
		if strings.HasPrefix(n, a) || strings.HasSuffix(n, a) {
			return true
		}
	}
	return false
}

// configurationPermissions judges an ActiveMQ configuration's authorization entries on ">" and
// the users it declares itself.
func configurationPermissions(c *model.Configuration) (fails, unknown []Result) {
	if configIsEngine(c, model.EngineActiveMQ) != Yes && c.ActiveMQ == nil {
		return nil, nil
	}
	doc, res := activeMQDocument(c)
	if doc == nil {
		return nil, res
	}
	if p := doc.AuthorizationPlugin; p != nil && p.Map != nil {
		for _, e := range p.Map.Entries {
			if e.Kind == "temp" || strings.TrimSpace(e.Destination) != ">" {
				continue
			}
			var grants []string
			var groups []string
			for _, g := range []struct {
				perm   string
				groups []string
			}{{"write", e.Write}, {"admin", e.Admin}} {
				if found := broadIn(g.groups); len(found) > 0 {
					grants = append(grants, g.perm)
					for _, f := range found {
						if !containsFold(groups, f) {
							groups = append(groups, f)
						}
					}
				}
			}
			if len(grants) > 0 {
				fails = append(fails, Result{Status: Fail, At: e.At, ValueFrom: model.Explicit,
					Subject: "authorizationEntry:" + e.Kind + ":>",
					Message: "The authorizationEntry on " + e.Kind + " \">\" grants " + strings.Join(grants, " and ") +
						" to group '" + strings.Join(groups, "', '") + "', which stands for every user."})
			}
		}
	}
	for i, u := range doc.Users {
		name, subject := "#"+strconv.Itoa(i+1), "config-user#"+strconv.Itoa(i+1)
		if u.Username.Known() && u.Username.V != "" {
			name, subject = "'"+u.Username.V+"'", "config-user:"+u.Username.V
		}
		if u.GroupsUnknown {
			// A placeholder that did not resolve may name activemq-webconsole, or an admin group.
			if unknown == nil {
				unknown = unknownResult("The groups of configuration user "+name, u.At)
			}
			continue
		}
		if !containsFold(trimmed(u.Groups), webConsoleGroup) {
			continue
		}
		switch administrator(u.Username, model.StringList{V: u.Groups, State: model.Explicit, At: u.At}) {
		case Yes:
			continue
		case Maybe:
			if unknown == nil {
				unknown = unknownResult("The name of configuration user "+name+" (in activemq-webconsole, its groups "+
					"do not make it an administrator)", u.At)
			}
			continue
		}
		fails = append(fails, Result{Status: Fail, At: u.At, ValueFrom: model.Explicit, Subject: subject,
			Message: "Configuration user " + name + " is in activemq-webconsole without being an administrator " +
				"(no admin group, no admin name)."})
	}
	return fails, unknown
}

// broadIn returns the broad groups among groups (which may hold comma-separated lists).
func broadIn(groups []string) []string {
	var out []string
	for _, g := range trimmed(groups) {
		if containsFold(broadGroups, g) {
			out = append(out, g)
		}
	}
	return out
}

// trimmed splits comma-separated items and trims blanks.
func trimmed(list []string) []string {
	var out []string
	for _, item := range list {
		for _, g := range strings.Split(item, ",") {
			if g = strings.TrimSpace(g); g != "" {
				out = append(out, g)
			}
		}
	}
	return out
}

// containsAnyFold reports whether list holds one of want, case-insensitively.
func containsAnyFold(list, want []string) bool {
	for _, w := range want {
		if containsFold(list, w) {
			return true
		}
	}
	return false
}

// selfManagedBroadPermissions judges the users of a self-managed broker (files or management
// API): RabbitMQ permissions ".*" on configure, write and read for a non-administrator;
// ActiveMQ authorization entries and activemq-webconsole membership.
func selfManagedBroadPermissions(b *model.Broker) []Result {
	sm := b.SelfManaged
	var fails, unknown []Result
	undecided := func(r []Result) {
		if unknown == nil {
			unknown = r
		}
	}
	if sm == nil || sm.UsersState == model.Unknown {
		undecided(unknownResult("The broker's users and their permissions", b.ID.At))
	}
	rabbit := b.IsEngine(model.EngineRabbitMQ)
	var users []model.BrokerUser
	if sm != nil {
		users = sm.Users
	}
	for i, u := range users {
		name, subject := brokerUserLabel(u, i)
		if rabbit {
			var vhosts []string
			at := u.At
			for _, p := range u.Permissions {
				if p.Configure == ".*" && p.Write == ".*" && p.Read == ".*" {
					vhosts = append(vhosts, "'"+p.VHost+"'")
					at = firstRange(p.At, u.At)
				}
			}
			switch {
			case len(vhosts) == 0 || u.HasTag("administrator"):
			case !u.Tags.Known():
				undecided(unknownResult("The tags of user "+name+" (who has \".*\" on configure, write and read)", u.Tags.At))
			default:
				fails = append(fails, Result{Status: Fail, At: at, ValueFrom: model.Explicit, Subject: subject,
					Message: "User " + name + " is not an administrator but may configure, write and read every " +
						"resource (\".*\") of vhost " + strings.Join(vhosts, ", ") + "."})
			}
			continue
		}
		if !u.Groups.Known() || !containsFold(trimmed(u.Groups.V), webConsoleGroup) {
			continue
		}
		switch administrator(u.Username, u.Groups) {
		case Yes:
		case Maybe:
			undecided(unknownResult("The name of console user "+name+" (its groups do not make it an administrator)", u.Username.At))
		default:
			fails = append(fails, Result{Status: Fail, At: firstRange(u.Groups.At, u.At), ValueFrom: u.Groups.State,
				Subject: u.Realm + ":" + subject, Message: "User " + name + " (" + u.Realm + ") is in " + webConsoleGroup +
					" without being an administrator (no admin group, no admin name)."})
		}
	}
	if !rabbit {
		c, declared, res := usedConfiguration(b)
		undecided(res)
		if !declared {
			undecided(unknownResult("The broker's authorization entries (no ActiveMQ configuration was read)", b.ID.At))
		}
		if c != nil {
			f, r := configurationPermissions(c)
			fails = append(fails, f...)
			undecided(r)
		}
	}
	switch {
	case len(fails) > 0:
		return uniqueSubjects(fails)
	case unknown != nil:
		return unknown
	}
	return one(Pass, "No non-administrator user has every permission on every destination.", b.ID.At, model.Explicit)
}

// rabbitDefinitions is a definitions export with an administrator and the application user
// orders, whose permissions on / are configure = perms.
func rabbitDefinitions(perms string) string {
	return `{
  "rabbit_version": "3.13.7",
  "users": [
    {"name": "ops", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]},
    {"name": "orders", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []}
  ],
  "vhosts": [{"name": "/"}],
  "permissions": [
    {"user": "ops", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "orders", "vhost": "/", "configure": ` + perms + `}
  ],
  "policies": [],
  "queues": [],
  "exchanges": [],
  "bindings": []
}
`
}
