package rules

import (
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

// bGroup is a resolved security group with the given ingress rules.
func bGroup(addr string, rules ...model.IngressRule) model.SecurityGroupRef {
	return model.SecurityGroupRef{
		ID: model.ExplicitString("sg-0123456789abcdef0", aAt(7)),
		Group: &model.SecurityGroup{
			ID:           model.Identity{Source: model.SourceTerraform, Address: addr, At: aAt(60)},
			GroupID:      model.UnknownString(aAt(60)),
			Ingress:      rules,
			IngressState: model.Explicit,
		},
	}
}

// bIngress is an explicit ingress rule.
func bIngress(proto string, from, to int64, cidrs ...string) model.IngressRule {
	return model.IngressRule{
		Protocol: model.ExplicitString(proto, aAt(61)),
		FromPort: model.Int{V: from, State: model.Explicit, At: aAt(62)},
		ToPort:   model.Int{V: to, State: model.Explicit, At: aAt(63)},
		CIDRs:    model.StringList{V: cidrs, State: model.Explicit, At: aAt(64)},
		At:       aAt(61),
	}
}

func bGroups(refs ...model.SecurityGroupRef) func(*model.Broker) {
	return func(b *model.Broker) {
		b.SecurityGroups = refs
		b.SecurityGroupsState = model.Explicit
	}
}

func TestMQG012OpenSecurityGroup(t *testing.T) {
	amq, rmq := model.EngineActiveMQ, model.EngineRabbitMQ
	unknownCIDRs := bIngress("tcp", 61617, 61617)
	unknownCIDRs.CIDRs = model.StringList{State: model.Unknown, At: aAt(64)}
	unknownPorts := bIngress("tcp", 0, 0, "0.0.0.0/0")
	unknownPorts.ToPort = model.Int{State: model.Unknown}
	unknownProto := bIngress("", 0, 0, "0.0.0.0/0")
	unknownProto.Protocol = model.UnknownString(aAt(61))
	partialCIDRs := bIngress("tcp", 5671, 5671, "0.0.0.0/0")
	partialCIDRs.CIDRs.State = model.Unknown
	openIngressUnknown := bGroup("aws_security_group.a", bIngress("tcp", 61617, 61617, "0.0.0.0/0"))
	openIngressUnknown.Group.IngressState = model.Unknown
	closedIngressUnknown := bGroup("aws_security_group.a", bIngress("tcp", 61617, 61617, "10.0.0.0/8"))
	closedIngressUnknown.Group.IngressState = model.Unknown

	bRunCases(t, mqg012, []bCase{
		{"no groups", aBroker(amq), []Status{Pass}, nil},
		{"private cidr", aBroker(amq, bGroups(bGroup("aws_security_group.a", bIngress("tcp", 61617, 61617, "10.0.0.0/16")))), []Status{Pass}, nil},
		{"openwire from internet", aBroker(amq, bGroups(bGroup("aws_security_group.a", bIngress("tcp", 61617, 61617, "10.0.0.0/8", "0.0.0.0/0")))),
			[]Status{Fail}, []string{"sg-rule:aws_security_group.a#0"}},
		{"ipv6 internet", aBroker(amq, bGroups(bGroup("aws_security_group.a", bIngress("tcp", 8162, 8162, "::/0")))), []Status{Fail}, nil},
		{"ipv6 long form", aBroker(amq, bGroups(bGroup("aws_security_group.a", bIngress("tcp", 8162, 8162, "0:0:0:0:0:0:0:0/0")))), []Status{Fail}, nil},
		{"all protocols", aBroker(rmq, bGroups(bGroup("aws_security_group.a", bIngress("-1", 0, 0, "0.0.0.0/0")))), []Status{Fail}, nil},
		{"all spelled out", aBroker(rmq, bGroups(bGroup("aws_security_group.a", bIngress("ALL", 0, 0, "0.0.0.0/0")))), []Status{Fail}, nil},
		{"tcp every port", aBroker(amq, bGroups(bGroup("aws_security_group.a", bIngress("tcp", 0, 65535, "0.0.0.0/0")))), []Status{Fail}, nil},
		{"tcp port -1", aBroker(amq, bGroups(bGroup("aws_security_group.a", bIngress("6", -1, -1, "0.0.0.0/0")))), []Status{Fail}, nil},
		{"range covers a port", aBroker(amq, bGroups(bGroup("aws_security_group.a", bIngress("tcp", 61000, 62000, "0.0.0.0/0")))), []Status{Fail}, nil},
		{"non-broker port", aBroker(amq, bGroups(bGroup("aws_security_group.a", bIngress("tcp", 22, 22, "0.0.0.0/0")))), []Status{Pass}, nil},
		{"rabbit port on activemq", aBroker(amq, bGroups(bGroup("aws_security_group.a", bIngress("tcp", 15671, 15671, "0.0.0.0/0")))), []Status{Pass}, nil},
		{"activemq port on rabbit", aBroker(rmq, bGroups(bGroup("aws_security_group.a", bIngress("tcp", 61617, 61617, "0.0.0.0/0")))), []Status{Pass}, nil},
		{"udp", aBroker(amq, bGroups(bGroup("aws_security_group.a", bIngress("udp", 0, 65535, "0.0.0.0/0")))), []Status{Pass}, nil},
		{"icmp", aBroker(amq, bGroups(bGroup("aws_security_group.a", bIngress("icmp", -1, -1, "0.0.0.0/0")))), []Status{Pass}, nil},
		{"metrics port on rabbit 3.13", aBroker(rmq, bGroups(bGroup("aws_security_group.a", bIngress("tcp", 16001, 16001, "0.0.0.0/0")))), []Status{Pass}, nil},
		{"metrics port on rabbit 4.2", aBroker(rmq, func(b *model.Broker) { b.EngineVersion.V = "4.2" },
			bGroups(bGroup("aws_security_group.a", bIngress("tcp", 16001, 16001, "0.0.0.0/0")))), []Status{Fail}, nil},
		{"metrics port, version unknown", aBroker(rmq, func(b *model.Broker) { b.EngineVersion = model.UnknownString(aAt(4)) },
			bGroups(bGroup("aws_security_group.a", bIngress("tcp", 16001, 16001, "0.0.0.0/0")))), []Status{Unknown}, nil},
		{"engine unknown, shared port", aBroker("", bGroups(bGroup("aws_security_group.a", bIngress("tcp", 5671, 5671, "0.0.0.0/0")))), []Status{Fail}, nil},
		{"engine unknown, activemq port", aBroker("", bGroups(bGroup("aws_security_group.a", bIngress("tcp", 61617, 61617, "0.0.0.0/0")))), []Status{Unknown}, nil},
		{"engine unknown, no broker port", aBroker("", bGroups(bGroup("aws_security_group.a", bIngress("tcp", 22, 22, "0.0.0.0/0")))), []Status{Pass}, nil},
		{"two open rules in two groups", aBroker(amq, bGroups(
			bGroup("aws_security_group.a", bIngress("tcp", 22, 22, "0.0.0.0/0"), bIngress("tcp", 61617, 61617, "0.0.0.0/0")),
			bGroup("aws_security_group.b", bIngress("-1", 0, 0, "::/0")))),
			[]Status{Fail, Fail}, []string{"sg-rule:aws_security_group.a#1", "sg-rule:aws_security_group.b#0"}},
		{"unresolved group", aBroker(amq, bGroups(model.SecurityGroupRef{ID: model.ExplicitString("sg-0abc", aAt(7))})), []Status{Unknown}, nil},
		{"unresolved group and an open one", aBroker(amq, bGroups(model.SecurityGroupRef{ID: model.ExplicitString("sg-0abc", aAt(7))},
			bGroup("aws_security_group.a", bIngress("tcp", 61617, 61617, "0.0.0.0/0")))), []Status{Fail}, nil},
		{"group list unknown", aBroker(amq, func(b *model.Broker) { b.SecurityGroupsState = model.Unknown }), []Status{Unknown}, nil},
		{"group list unknown, known group fails", aBroker(amq, bGroups(bGroup("aws_security_group.a", bIngress("tcp", 61617, 61617, "0.0.0.0/0"))),
			func(b *model.Broker) { b.SecurityGroupsState = model.Unknown }), []Status{Fail}, nil},
		{"ingress state unknown, no failing rule", aBroker(amq, bGroups(closedIngressUnknown)), []Status{Unknown}, nil},
		{"ingress state unknown, failing rule", aBroker(amq, bGroups(openIngressUnknown)), []Status{Fail}, nil},
		{"cidrs unknown", aBroker(amq, bGroups(bGroup("aws_security_group.a", unknownCIDRs))), []Status{Unknown}, nil},
		{"cidrs partly unknown with internet", aBroker(amq, bGroups(bGroup("aws_security_group.a", partialCIDRs))), []Status{Fail}, nil},
		{"ports unknown", aBroker(amq, bGroups(bGroup("aws_security_group.a", unknownPorts))), []Status{Unknown}, nil},
		{"protocol unknown", aBroker(amq, bGroups(bGroup("aws_security_group.a", unknownProto))), []Status{Unknown}, nil},
		{"public rabbitmq", aBroker(rmq, bPublic(true), bGroups(bGroup("aws_security_group.a", bIngress("-1", 0, 0, "0.0.0.0/0")))), []Status{NotApplicable}, nil},
		{"rabbitmq, public unknown, open group", aBroker(rmq, func(b *model.Broker) { b.PubliclyAccessible = model.UnknownBool(aAt(6)) },
			bGroups(bGroup("aws_security_group.a", bIngress("-1", 0, 0, "0.0.0.0/0")))), []Status{Unknown}, nil},
		{"public activemq still checked", aBroker(amq, bPublic(true), bGroups(bGroup("aws_security_group.a", bIngress("tcp", 61617, 61617, "0.0.0.0/0")))), []Status{Fail}, nil},
	})
}

func TestBrokerPortsTable(t *testing.T) {
	for _, engine := range []string{model.EngineActiveMQ, model.EngineRabbitMQ} {
		ports := BrokerPorts(engine)
		if len(ports) == 0 {
			t.Fatalf("no ports for %s", engine)
		}
		for _, p := range ports {
			if p.Port <= 0 || p.Port > 65535 || p.Use == "" {
				t.Errorf("%s: bad port %+v", engine, p)
			}
			if _, ok := ParseVersion(p.Since); p.Since != "" && !ok {
				t.Errorf("%s: bad Since %q", engine, p.Since)
			}
		}
	}
	if got := BrokerPorts("activemq"); len(got) != 6 {
		t.Errorf("BrokerPorts(activemq) = %v, want the six ActiveMQ ports", got)
	}
}

// TestMQG012RulesWithoutCIDR covers ingress rules whose source is a security group (or a prefix
// list) rather than a CIDR: known empty CIDRs never admit the internet, whatever their protocol
// and ports, so undecided ports on such a rule leave nothing undecided.
func TestMQG012RulesWithoutCIDR(t *testing.T) {
	amq := model.EngineActiveMQ
	fromGroup := func(mod func(*model.IngressRule)) model.IngressRule {
		r := bIngress("tcp", 61617, 61617)
		r.CIDRs = model.StringList{V: []string{}, State: model.Explicit, At: aAt(61)}
		mod(&r)
		return r
	}
	portsUnknown := fromGroup(func(r *model.IngressRule) {
		r.FromPort, r.ToPort = model.Int{State: model.Unknown, At: aAt(62)}, model.Int{State: model.Unknown, At: aAt(63)}
	})
	protoUnknown := fromGroup(func(r *model.IngressRule) { r.Protocol = model.UnknownString(aAt(61)) })
	defaultCIDRs := fromGroup(func(r *model.IngressRule) {
		r.CIDRs.State = model.Default
		r.ToPort = model.Int{State: model.Unknown, At: aAt(63)}
	})
	internetPortsUnknown := bIngress("tcp", 61617, 61617, "0.0.0.0/0")
	internetPortsUnknown.ToPort = model.Int{State: model.Unknown, At: aAt(63)}
	// Rules may be missing from the group (a dynamic block over an unknown collection): the
	// listed rule without CIDR does not decide the group.
	incomplete := bGroup("aws_security_group.a", portsUnknown)
	incomplete.Group.IngressState = model.Unknown

	aRun(t, mqg012, []aCase{
		{name: "from a group, ports unknown", b: aBroker(amq, bGroups(bGroup("aws_security_group.a", portsUnknown))),
			want: []Status{Pass}, from: aState(model.Explicit)},
		{name: "from a group, protocol unknown", b: aBroker(amq, bGroups(bGroup("aws_security_group.a", protoUnknown))),
			want: []Status{Pass}},
		{name: "no CIDR attribute, port unknown", b: aBroker(amq, bGroups(bGroup("aws_security_group.a", defaultCIDRs))),
			want: []Status{Pass}},
		{name: "from a group next to an internet rule", b: aBroker(amq, bGroups(bGroup("aws_security_group.a", portsUnknown,
			bIngress("tcp", 8162, 8162, "0.0.0.0/0")))), want: []Status{Fail}, subjects: []string{"sg-rule:aws_security_group.a#1"}},
		{name: "internet rule with unknown ports is undecided at the rule", b: aBroker(amq, bGroups(bGroup("aws_security_group.a", internetPortsUnknown))),
			want: []Status{Unknown}, at: aRange(aAt(61))},
		{name: "rules may be missing from the group", b: aBroker(amq, bGroups(incomplete)),
			want: []Status{Unknown}, at: aRange(aAt(60))},
	})
	t.Run("MQG020 agrees", func(t *testing.T) {
		b := aBroker(amq, bPublic(true), bGroups(bGroup("aws_security_group.a", portsUnknown)))
		bCheckResults(t, mqg020.Check(b, aCtx()), []Status{Pass}, nil)
	})
}
