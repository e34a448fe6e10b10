package brokerconf

import (
	"fmt"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
)

// dump renders a configuration as one line per element, for compact expectations in tests.
func dump(c *model.ActiveMQConfig) string {
	var b strings.Builder
	at := func(r model.Range) string { return fmt.Sprintf("@%d-%d", r.StartLine, r.EndLine) }
	str := func(s model.String) string { return fmt.Sprintf("%s:%q", s.State, s.V) }
	for _, n := range c.NetworkConnectors {
		fmt.Fprintf(&b, "network name=%s uri=%s %s\n", str(n.Name), str(n.URI), at(n.At))
	}
	for _, t := range c.TransportConnectors {
		fmt.Fprintf(&b, "transport name=%s uri=%s %s\n", str(t.Name), str(t.URI), at(t.At))
	}
	for _, p := range c.Plugins {
		fmt.Fprintf(&b, "plugin %s %s\n", p.Name, at(p.At))
	}
	if ap := c.AuthorizationPlugin; ap != nil {
		fmt.Fprintf(&b, "authorizationPlugin %s\n", at(ap.At))
		if ap.Map != nil {
			fmt.Fprintf(&b, "  map %s\n", at(ap.Map.At))
			for _, e := range ap.Map.Entries {
				fmt.Fprintf(&b, "  entry %s %q read=%v write=%v admin=%v %s\n",
					e.Kind, e.Destination, e.Read, e.Write, e.Admin, at(e.At))
			}
		}
	}
	for _, u := range c.Users {
		fmt.Fprintf(&b, "user %s groups=%v %s\n", str(u.Username), u.Groups, at(u.At))
	}
	for _, cr := range c.Credentials {
		fmt.Fprintf(&b, "credential %s %s\n", cr.Where, at(cr.At))
	}
	return b.String()
}
