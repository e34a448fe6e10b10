package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

// sAt is a line of a self-managed broker's main file.
func sAt(line int) model.Range { return model.Range{File: "conf/main", StartLine: line, EndLine: line} }

// sBroker is a self-managed broker read from files: engine explicit, no Amazon MQ field, empty
// but known listeners and users, and (RabbitMQ) an empty configuration that was read.
func sBroker(engine string, mods ...func(*model.Broker)) *model.Broker {
	b := &model.Broker{
		ID:     model.Identity{Source: model.SourceBrokerConf, Address: "conf/main", Scope: "conf/main", Type: "selfmanaged", At: sAt(1)},
		Name:   model.DefaultString("conf", sAt(1)),
		Engine: model.ExplicitString(engine, sAt(1)),
		SelfManaged: &model.SelfManaged{
			Files:          []string{"conf/main"},
			Version:        model.UnknownString(sAt(1)),
			ListenersState: model.Explicit,
			UsersState:     model.Explicit,
			Clustered:      model.DefaultBool(false, sAt(1)),
		},
	}
	b.EngineVersion = b.SelfManaged.Version
	if engine == model.EngineRabbitMQ {
		b.SelfManaged.RabbitMQ = &model.RabbitMQSettings{Conf: map[string]model.String{}, ConfState: model.Explicit,
			PluginsState: model.Unknown, PoliciesState: model.Explicit, QueuesState: model.Explicit}
	} else {
		b.SelfManaged.ActiveMQ = &model.ActiveMQInstall{
			Authentication:         []model.PluginRef{{Name: "jaasAuthenticationPlugin", At: sAt(20)}},
			AnonymousAccessAllowed: model.DefaultBool(false, sAt(20)),
			FileServer:             model.ExplicitBool(false, sAt(1)),
			LoginModulesState:      model.Explicit,
		}
	}
	for _, m := range mods {
		m(b)
	}
	return b
}

// sProbe makes the broker a probe broker.
func sProbe(b *model.Broker) {
	b.ID = model.Identity{Source: model.SourceProbe, Address: "https://mq.example.com:15671", Type: "rabbitmq",
		At: model.Range{Ref: "https://mq.example.com:15671"}}
}

// sVersion sets the self-managed version.
func sVersion(v string) func(*model.Broker) {
	return func(b *model.Broker) {
		b.SelfManaged.Version = model.ExplicitString(v, sAt(2))
		b.EngineVersion = b.SelfManaged.Version
	}
}

// sConf sets RabbitMQ configuration keys (key, value pairs), one line each from line 10.
func sConf(kv ...string) func(*model.Broker) {
	return func(b *model.Broker) {
		for i := 0; i+1 < len(kv); i += 2 {
			b.SelfManaged.RabbitMQ.Conf[kv[i]] = model.ExplicitString(kv[i+1], sAt(10+i/2))
		}
	}
}

// sUser is a self-managed user.
func sUser(name, realm string, line int) model.BrokerUser {
	return model.BrokerUser{
		Username:         model.ExplicitString(name, sAt(line)),
		Tags:             model.StringList{State: model.Explicit, At: sAt(line)},
		Groups:           model.StringList{State: model.Explicit, At: sAt(line)},
		HashingAlgorithm: model.DefaultString("rabbit_password_hashing_sha256", sAt(line)),
		Password:         model.Secret{Origin: model.SecretLiteral, At: sAt(line)},
		Realm:            realm,
		At:               sAt(line),
	}
}

// sTagged is a RabbitMQ user with tags.
func sTagged(name string, line int, tags ...string) model.BrokerUser {
	u := sUser(name, "definitions", line)
	u.Tags.V = tags
	return u
}

// sGrouped is an ActiveMQ user with groups.
func sGrouped(name, realm string, line int, groups ...string) model.BrokerUser {
	u := sUser(name, realm, line)
	u.Groups.V = groups
	return u
}

// sUsers appends users.
func sUsers(users ...model.BrokerUser) func(*model.Broker) {
	return func(b *model.Broker) { b.SelfManaged.Users = append(b.SelfManaged.Users, users...) }
}

// sUnknownUsers marks the user list unreadable.
func sUnknownUsers(b *model.Broker) { b.SelfManaged.UsersState = model.Unknown }

// sActiveMQDoc attaches a parsed activemq.xml.
func sActiveMQDoc(doc *model.ActiveMQConfig) func(*model.Broker) {
	return func(b *model.Broker) {
		c := &model.Configuration{ID: model.Identity{Source: model.SourceBrokerConf, Address: "conf/main", Type: "activemq.xml", At: sAt(1)},
			Engine: model.ExplicitString(model.EngineActiveMQ, sAt(1)), Data: model.Explicit, DataAt: sAt(1), ActiveMQ: doc}
		b.Configuration = &model.ConfigurationRef{Config: c, At: sAt(1)}
	}
}

// selfManagedRules are the rules RULES.md applies to self-managed data.
var selfManagedRules = []string{"MQG016", "MQG017", "MQG018", "MQG019", "MQG023", "MQG024", "MQG025", "MQG026",
	"MQG028", "MQG029", "MQG030", "MQG031", "MQG032", "MQG033", "MQG034", "MQG035", "MQG036"}

func TestSelfManagedFlagMatchesCatalog(t *testing.T) {
	for _, r := range All() {
		if want := containsFold(selfManagedRules, r.ID); r.SelfManaged != want {
			t.Errorf("%s: SelfManaged = %v, want %v", r.ID, r.SelfManaged, want)
		}
	}
}

// TestAmazonRulesNotApplicableToSelfManaged: a self-managed broker with no Amazon MQ field gets
// N/A from every rule that is not listed for self-managed data, whatever its source and engine.
func TestAmazonRulesNotApplicableToSelfManaged(t *testing.T) {
	for _, src := range []model.SourceKind{model.SourceBrokerConf, model.SourceProbe} {
		for _, engine := range []string{model.EngineActiveMQ, model.EngineRabbitMQ, ""} {
			for _, bare := range []bool{false, true} {
				b := sBroker(engine)
				if bare {
					b.SelfManaged = &model.SelfManaged{}
				}
				if engine == "" {
					b.Engine = model.UnknownString(sAt(1))
				}
				b.ID.Source = src
				for _, r := range All() {
					res := bRun(r, b)
					if len(res) == 0 {
						t.Errorf("%s on %s %s: no result", r.ID, src, engine)
					}
					if containsFold(selfManagedRules, r.ID) {
						continue
					}
					for _, x := range res {
						if x.Status != NotApplicable {
							t.Errorf("%s on a self-managed %s broker (%s, bare %v): %v %q", r.ID, engine, src, bare, x.Status, x.Message)
						}
					}
				}
			}
		}
	}
}

func TestNotApplicableTo(t *testing.T) {
	amazon := aBroker(model.EngineActiveMQ)
	if mqg001.NotApplicableTo(amazon) != nil || mqg024.NotApplicableTo(amazon) != nil {
		t.Error("an Amazon MQ broker is judged by every rule")
	}
	self := sBroker(model.EngineActiveMQ)
	if na := mqg001.NotApplicableTo(self); len(na) != 1 || na[0].Status != NotApplicable || na[0].Message == "" {
		t.Errorf("MQG001 on a self-managed broker: %+v", na)
	}
	if mqg024.NotApplicableTo(self) != nil {
		t.Error("MQG024 applies to a self-managed broker")
	}
}

func TestLoopbackRestricted(t *testing.T) {
	cases := []struct {
		name string
		conf []string
		user string
		want Tri
	}{
		{"default guest", nil, "guest", Yes},
		{"default other user", nil, "alice", No},
		{"none", []string{"loopback_users", "none"}, "guest", No},
		{"guest false", []string{"loopback_users.guest", "false"}, "guest", No},
		{"guest true", []string{"loopback_users.guest", "true"}, "guest", Yes},
		{"another user replaces the list", []string{"loopback_users.alice", "true"}, "guest", No},
		{"listed user", []string{"loopback_users.alice", "true"}, "alice", Yes},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := sBroker(model.EngineRabbitMQ, sConf(tc.conf...))
			if got, _, _, _ := loopbackRestricted(b.SelfManaged.RabbitMQ, tc.user); got != tc.want {
				t.Errorf("loopbackRestricted = %v, want %v", got, tc.want)
			}
		})
	}
	s := &model.RabbitMQSettings{ConfState: model.Unknown}
	if got, _, _, _ := loopbackRestricted(s, "guest"); got != Maybe {
		t.Errorf("unread configuration: %v, want Maybe", got)
	}
}

// TestSelfManagedRulesTolerateNilContext: the self-managed rules never panic without a context.
func TestSelfManagedRulesTolerateNilContext(t *testing.T) {
	for _, r := range All() {
		if !r.SelfManaged {
			continue
		}
		for _, b := range []*model.Broker{sBroker(model.EngineActiveMQ, sVersion("5.18.3")), sBroker(model.EngineRabbitMQ, sVersion("4.1.0")),
			aBroker(model.EngineActiveMQ), aBroker(model.EngineRabbitMQ)} {
			if AppliesToEngine(r, b) != Pass {
				continue
			}
			if res := r.Check(b, nil); len(res) == 0 {
				t.Errorf("%s on %s: no result", r.ID, b.ID.Address)
			}
		}
	}
}
