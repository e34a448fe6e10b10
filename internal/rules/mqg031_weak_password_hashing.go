package rules

import (
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// md5Hashing is RabbitMQ's MD5 password hashing module.
const md5Hashing = "rabbit_password_hashing_md5"

var mqg031 = &Rule{
	ID:       "MQG031",
	Slug:     "weak-password-hashing",
	Title:    "User passwords hashed with MD5",
	Severity: Medium,
	Engines:  []string{model.EngineRabbitMQ},
	Rationale: "RabbitMQ stores a salted hash of each internal user's password; with " +
		"rabbit_password_hashing_md5 (the pre-3.6 scheme, still accepted on import) one GPU tries billions of " +
		"candidate passwords a second against a leaked definitions export or Mnesia backup. SHA-256 (the " +
		"default since 3.6) and SHA-512 pass.",
	Remediation: map[model.SourceKind]string{
		model.SourceBrokerConf: "Remove `password_hashing_module = rabbit_password_hashing_md5` (SHA-256 is the " +
			"default), then reset each MD5 user's password (`rabbitmqctl change_password`) so it is stored with " +
			"SHA-256, and export the definitions again.",
		model.SourceProbe: "Reset the password of every user whose hashing_algorithm is rabbit_password_hashing_md5 " +
			"(`rabbitmqctl change_password`), after removing password_hashing_module from the configuration.",
		model.SourceTerraform: "Amazon MQ manages its users' password hashing; nothing to change in code.",
	},
	SelfManaged: true,
	Check:       checkWeakPasswordHashing,
	Examples: []Example{
		{
			Kind: model.SourceBrokerConf, Address: "definitions.json", Want: Fail,
			Note: "A user imported with an MD5 password hash.",
			Files: map[string]string{"definitions.json": `{
  "rabbit_version": "3.13.7",
  "users": [
    {"name": "ops", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]},
    {"name": "legacy", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_md5", "tags": []}
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
			Note: "Users hashed with SHA-256 and SHA-512.",
			Files: map[string]string{"definitions.json": `{
  "rabbit_version": "3.13.7",
  "users": [
    {"name": "ops", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ["administrator"]},
    {"name": "orders", "password_hash": "", "hashing_algorithm": "rabbit_password_hashing_sha512", "tags": []}
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
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: NotApplicable,
			Note:  "Amazon MQ manages its users' password hashing.",
			Files: map[string]string{"main.tf": strings.NewReplacer(`"ActiveMQ"`, `"RabbitMQ"`, `"5.18"`, `"3.13"`).Replace(tfPlainBroker)},
		},
		{
			Kind: model.SourceTerraform, Address: "aws_mq_broker.example", Want: Pass,
			Note:  "A RabbitMQ configuration body that leaves password hashing at its SHA-256 default.",
			Files: map[string]string{"main.tf": tfRabbitBroker},
		},
	},
}

func checkWeakPasswordHashing(b *model.Broker, _ *Context) []Result {
	sm := b.SelfManaged
	s := rabbitSettings(b)
	if sm == nil && s == nil {
		return notApplicable("Amazon MQ manages its users' password hashing.", b.ID.At)
	}
	var fails, unknown []Result
	if v, raw, ok := confValue(s, "password_hashing_module"); ok && v == md5Hashing {
		fails = append(fails, Result{Status: Fail, At: raw.At, ValueFrom: raw.State, Subject: "password_hashing_module",
			Message: "password_hashing_module makes RabbitMQ hash new passwords with MD5."})
	}
	usersKnown := sm != nil && sm.UsersState != model.Unknown
	if sm != nil {
		for i, u := range sm.Users {
			name, subject := brokerUserLabel(u, i)
			switch h := u.HashingAlgorithm; {
			case !h.Known() && u.Realm == "default_user":
				// The node creates its default user with its own password_hashing_module, judged above.
				if s == nil || s.ConfState == model.Unknown {
					if unknown == nil {
						unknown = unknownResult("The node's password_hashing_module, which hashes its default user "+name, u.At)
					}
				}
			case !h.Known():
				if unknown == nil {
					unknown = unknownResult("The password hashing of user "+name, firstRange(h.At, u.At))
				}
			case strings.EqualFold(strings.TrimSpace(h.V), md5Hashing):
				fails = append(fails, Result{Status: Fail, At: firstRange(h.At, u.At), ValueFrom: h.State, Subject: subject,
					Message: "The password of user " + name + " is hashed with MD5 (" + md5Hashing + ")."})
			}
		}
	}
	switch {
	case len(fails) > 0:
		return fails
	case unknown != nil:
		return unknown
	case sm == nil:
		return one(Pass, "The broker's configuration does not select MD5 password hashing.", settingsAt(b), model.Explicit)
	case !usersKnown:
		return unknownResult("The broker's users and their password hashing", b.ID.At)
	case s == nil || s.ConfState == model.Unknown:
		if len(sm.Users) == 0 {
			return unknownResult("The node's password_hashing_module (its configuration was not read)", b.ID.At)
		}
		return one(Pass, "No user's password is hashed with MD5 (the node's configuration was not read).", b.ID.At, model.Explicit)
	}
	return one(Pass, "No user's password is hashed with MD5, and the node hashes new passwords with SHA-256 or SHA-512.", b.ID.At, model.Explicit)
}
