package brokerconf

import (
	"fmt"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// dumpBroker renders the self-managed facts of an ActiveMQ broker as one line per fact, for
// compact expectations in tests.
func dumpBroker(b *model.Broker) string {
	var w strings.Builder
	at := func(r model.Range) string {
		if r.StartLine == 0 {
			return "@" + r.File
		}
		return fmt.Sprintf("@%s:%d-%d", r.File, r.StartLine, r.EndLine)
	}
	str := func(s model.String) string { return fmt.Sprintf("%s:%q", s.State, s.V) }
	boo := func(v model.Bool) string { return fmt.Sprintf("%s:%v", v.State, v.V) }
	num := func(v model.Int) string { return fmt.Sprintf("%s:%d", v.State, v.V) }
	lst := func(v model.StringList) string { return fmt.Sprintf("%s:%v", v.State, v.V) }
	fmt.Fprintf(&w, "broker %s name=%s version=%s\n", b.ID.Address, str(b.Name), str(b.EngineVersion))
	sm := b.SelfManaged
	fmt.Fprintf(&w, "files %v\n", sm.Files)
	fmt.Fprintf(&w, "listeners %s\n", sm.ListenersState)
	for _, l := range sm.Listeners {
		fmt.Fprintf(&w, "  %s %q tls=%s host=%s port=%s loopback=%s %s\n", l.Protocol, l.Name, boo(l.TLS), str(l.Host), num(l.Port), boo(l.Loopback), at(l.At))
	}
	fmt.Fprintf(&w, "users %s\n", sm.UsersState)
	for _, u := range sm.Users {
		fmt.Fprintf(&w, "  %s %s groups=%s password=%s default=%v %s\n", u.Realm, str(u.Username), lst(u.Groups), u.Password.Origin, u.DefaultPassword, at(u.At))
	}
	if b.LDAP != nil {
		fmt.Fprintf(&w, "ldap %s user=%s password=%s@%s\n", lst(b.LDAP.Hosts), str(b.LDAP.ServiceAccountUsername), b.LDAP.ServiceAccountPassword.Origin, b.LDAP.ServiceAccountPassword.At)
	}
	in := sm.ActiveMQ
	if m := in.ManagementContext; m != nil {
		fmt.Fprintf(&w, "managementContext enabled=%s auth=%s host=%s port=%s %s\n", boo(m.Enabled), boo(m.Authenticated), str(m.Host), num(m.Port), at(m.At))
	}
	if m := in.JVMAgent; m != nil {
		fmt.Fprintf(&w, "jvmAgent enabled=%s auth=%s host=%s port=%s %s\n", boo(m.Enabled), boo(m.Authenticated), str(m.Host), num(m.Port), at(m.At))
	}
	for _, p := range in.Authentication {
		fmt.Fprintf(&w, "authentication %s %s\n", p.Name, at(p.At))
	}
	fmt.Fprintf(&w, "anonymous %s\n", boo(in.AnonymousAccessAllowed))
	fmt.Fprintf(&w, "loginModules %s\n", in.LoginModulesState)
	for _, lm := range in.LoginModules {
		fmt.Fprintf(&w, "loginModule %s %s url=%s %s\n", lm.Entry, lm.Class, str(lm.URL), at(lm.At))
	}
	fmt.Fprintf(&w, "fileserver %s\n", boo(in.FileServer))
	fmt.Fprintf(&w, "consoleLogin %s\n", boo(in.ConsoleLogin))
	if len(in.Placeholders) > 0 {
		fmt.Fprintf(&w, "placeholders %v\n", in.Placeholders)
	}
	return w.String()
}
