package brokerconf

import (
	"fmt"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// dumpRabbit renders a RabbitMQ broker as one line per fact, for compact expectations in tests.
func dumpRabbit(b *model.Broker) string {
	var w strings.Builder
	at := func(r model.Range) string { return fmt.Sprintf("@%d", r.StartLine) }
	sm := b.SelfManaged
	fmt.Fprintf(&w, "broker %s name=%s:%q version=%s:%q files=%v\n", b.ID.Address, b.Name.State, b.Name.V, b.EngineVersion.State, b.EngineVersion.V, sm.Files)
	s := sm.RabbitMQ
	fmt.Fprintf(&w, "conf %s plugins %s:%v policies %s queues %s listeners %s users %s clustered %s:%v%s ldaptls %s:%v\n",
		s.ConfState, s.PluginsState, s.Plugins.V, s.PoliciesState, s.QueuesState, sm.ListenersState, sm.UsersState,
		sm.Clustered.State, sm.Clustered.V, at(sm.Clustered.At), sm.LDAPTLS.State, sm.LDAPTLS.V)
	for _, k := range s.WithPrefix("") {
		fmt.Fprintf(&w, "  %s = %q %s\n", k, s.Conf[k].V, at(s.Conf[k].At))
	}
	for _, l := range sm.Listeners {
		fmt.Fprintf(&w, "listener %s tls=%s:%v host=%s:%q port=%s:%d loopback=%s:%v %s\n", l.Protocol, l.TLS.State, l.TLS.V,
			l.Host.State, l.Host.V, l.Port.State, l.Port.V, l.Loopback.State, l.Loopback.V, at(l.At))
	}
	for _, u := range sm.Users {
		fmt.Fprintf(&w, "user %s:%q tags=%v pw=%s default=%v realm=%s perms=%d %s\n", u.Username.State, u.Username.V, u.Tags.V,
			u.Password.Origin, u.DefaultPassword, u.Realm, len(u.Permissions), at(u.At))
	}
	for _, p := range s.Policies {
		fmt.Fprintf(&w, "policy %s/%s op=%v keys=%v %s\n", p.VHost, p.Name, p.Operator, p.Keys, at(p.At))
	}
	for _, q := range s.Queues {
		fmt.Fprintf(&w, "queue %s/%s durable=%s:%v type=%s:%q %s\n", q.VHost, q.Name, q.Durable.State, q.Durable.V, q.Type.State, q.Type.V, at(q.At))
	}
	for _, c := range sm.Credentials {
		fmt.Fprintf(&w, "credential %s %s\n", c.Where, at(c.At))
	}
	if b.LDAP != nil {
		fmt.Fprintf(&w, "ldap %v\n", b.LDAP.Hosts.V)
	}
	return w.String()
}
