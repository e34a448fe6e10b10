package rules

import (
	"strconv"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// defaultMaxAdministrators is MQG030's default threshold.
const defaultMaxAdministrators = 3

var mqg030 = &Rule{
	ID:       "MQG030",
	Slug:     "administrator-count",
	Title:    "No administrator left, or administrator rights sprawl",
	Severity: Low,
	Rationale: "A broker without any administrator cannot be managed or recovered without a restart from its " +
		"files (an operator lock-out); a broker where many users are administrators has lost least privilege: " +
		"each of them can read, purge and reconfigure everything, and each is a credential worth stealing. " +
		"RabbitMQ administrators carry the administrator tag; an ActiveMQ user is an administrator by its " +
		"group (admins, admin, administrators) or name, as in MQG019. More than 3 administrators (max_administrators " +
		"in the policy file), " +
		"or more than half of the users when there are at least 4, fails.",
	Remediation: map[model.SourceKind]string{
		ForEngine(model.SourceBrokerConf, model.EngineActiveMQ): "Keep one to three administrators: take application users out of the admins group in groups.properties or the simpleAuthenticationPlugin. With no administrator, add one whose password comes from a secrets store.",
		ForEngine(model.SourceBrokerConf, model.EngineRabbitMQ): "Keep one to three administrators: drop the administrator tag from application users in the definitions (`rabbitmqctl set_user_tags app management`, or no tag). With no administrator, add one whose password comes from a secrets store.",
		model.SourceProbe: "Adjust the users' tags (`rabbitmqctl set_user_tags`) so that one to three users are " +
			"administrators.",
		model.SourceTerraform: "Keep one to three users in the admins group (groups = [\"admins\"]) and give the " +
			"application users their own groups.",
		model.SourceCloudFormation: "Keep one to three users with Groups [admins] and give the application users " +
			"their own groups.",
		model.SourceAWS: "Update the broker's users (`aws mq update-user --groups`) so that one to three are " +
			"administrators, and reboot to apply.",
	},
	SelfManaged: true,
	Check:       checkAdministratorCount,
	Examples: []Example{
		{
			Kind: model.SourceBrokerConf, Address: "definitions.json", Want: Fail,
			Note: "Every application user carries the administrator tag.",
			Files: map[string]string{"definitions.json": `{
  "rabbit_version": "3.13.7",
  "users": [
    {"name": "ops", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]},
    {"name": "orders", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]},
    {"name": "billing", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]},
    {"name": "shipping", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]}
  ],
  "vhosts": [{"name": "/"}],
  "permissions": [],
  "policies": [],
  "queues": [],
  "exchanges": [],
  "bindings": []
}
`},
		},
		{
			Kind: model.SourceBrokerConf, Address: "definitions.json", Want: Pass,
			Note: "One administrator and application users with the management tag or none.",
			Files: map[string]string{"definitions.json": `{
  "rabbit_version": "3.13.7",
  "users": [
    {"name": "ops", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]},
    {"name": "orders", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []},
    {"name": "billing", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["management"]}
  ],
  "vhosts": [{"name": "/"}],
  "permissions": [],
  "policies": [],
  "queues": [],
  "exchanges": [],
  "bindings": []
}
`},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note: "An ActiveMQ broker with one administrator and one application user.",
			Files: map[string]string{"main.tf": strings.Replace(tfPlainBroker, `  user {
    username = "orders-app"`, `  user {
    username = "mq-admin"
    password = var.mq_password
    groups   = ["admins"]
  }

  user {
    username = "orders-app"`, 1)},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Fail,
			Note: "An ActiveMQ broker whose four users are all in the admins group.",
			Files: map[string]string{"main.tf": strings.Replace(tfPlainBroker, `  user {
    username = "orders-app"
    password = var.mq_password
  }`, `  user {
    username = "orders-app"
    password = var.mq_password
    groups   = ["admins"]
  }

  user {
    username = "billing-app"
    password = var.mq_password
    groups   = ["admins"]
  }

  user {
    username = "shipping-app"
    password = var.mq_password
    groups   = ["admins"]
  }

  user {
    username = "reporting-app"
    password = var.mq_password
    groups   = ["admins"]
  }`, 1)},
		},
	},
}

// adminUser is a user MQG030 counts.
type adminUser struct {
	name  string
	admin Tri
	at    model.Range
}

func checkAdministratorCount(b *model.Broker, ctx *Context) []Result {
	limit := contextSettings(ctx).MaxAdministrators
	if limit <= 0 {
		limit = defaultMaxAdministrators
	}
	users, state, res := administratorCandidates(b)
	if res != nil {
		return res
	}
	if state == model.Unknown {
		return unknownResult("The broker's users", b.ID.At)
	}
	if len(users) == 0 {
		return notApplicable("The broker declares no user.", b.ID.At)
	}
	var admins, maybe []string
	at := b.ID.At
	for _, u := range users {
		switch u.admin {
		case Yes:
			admins = append(admins, u.name)
			if len(admins) == limit+1 {
				at = firstRange(u.at, b.ID.At)
			}
		case Maybe:
			maybe = append(maybe, u.name)
		}
	}
	n, total := len(admins), len(users)
	tooMany := func(k int) bool { return k > limit || total >= 4 && 2*k > total }
	list := "'" + strings.Join(admins, "', '") + "'"
	switch {
	case tooMany(n):
		return one(Fail, "Administrators: "+strconv.Itoa(n)+" of the broker's "+strconv.Itoa(total)+" users ("+list+
			"); at most "+strconv.Itoa(limit)+", and no more than half when there are 4 or more.", at, model.Explicit)
	case len(maybe) > 0 && (n == 0 || tooMany(n+len(maybe))):
		return unknownResult("Whether user '"+maybe[0]+"' is an administrator", b.ID.At)
	case n == 0 && !b.IsSelfManaged():
		return one(Pass, "None of the broker's "+strconv.Itoa(total)+" users is an administrator, which does not lock "+
			"operators out: Amazon MQ's API manages the users and configuration.", b.ID.At, model.Explicit)
	case n == 0:
		return one(Fail, "None of the broker's "+strconv.Itoa(total)+" users is an administrator: nobody can manage "+
			"the broker (an operator lock-out).", b.ID.At, model.Explicit)
	}
	return one(Pass, "Administrators: "+strconv.Itoa(n)+" of the broker's "+strconv.Itoa(total)+" users ("+list+").", b.ID.At, model.Explicit)
}

// administratorCandidates lists the broker's users with whether each is an administrator:
// a self-managed broker's users (one per username across realms), or Amazon MQ ActiveMQ users.
func administratorCandidates(b *model.Broker) ([]adminUser, model.State, []Result) {
	if sm := b.SelfManaged; sm != nil && (b.IsSelfManaged() || sm.UsersState != model.Unknown) {
		rabbit := b.IsEngine(model.EngineRabbitMQ)
		seen := map[string]int{}
		var out []adminUser
		for i, u := range sm.Users {
			name, _ := brokerUserLabel(u, i)
			name = strings.Trim(name, "'")
			if u.Realm == "credentials.properties" {
				continue // the credentials the broker's own tools use, not an account of its own
			}
			var admin Tri
			switch {
			case rabbit && !u.Tags.Known():
				admin = Maybe
			case rabbit && u.HasTag("administrator"):
				admin = Yes
			case rabbit:
				admin = No
			default:
				admin = administrator(u.Username, u.Groups)
			}
			if j, ok := seen[name]; ok && u.Username.Known() {
				if admin == Yes || admin == Maybe && out[j].admin == No {
					out[j].admin = admin
				}
				continue
			}
			seen[name] = len(out)
			out = append(out, adminUser{name: name, admin: admin, at: u.At})
		}
		return out, sm.UsersState, nil
	}
	switch {
	case b.IsSelfManaged():
		return nil, model.Unknown, nil
	case !b.IsEngine(model.EngineActiveMQ):
		return nil, 0, notApplicable("The Amazon MQ for RabbitMQ broker's users are only seen through its management API.", b.ID.At)
	}
	var out []adminUser
	for i, u := range b.Users {
		name := "#" + strconv.Itoa(i+1)
		if u.Username.Known() {
			name = u.Username.V
		}
		out = append(out, adminUser{name: name, admin: administrator(u.Username, u.Groups), at: u.At})
	}
	return out, b.UsersState, nil
}
