package tfplan

import (
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// moduleStep is one module call of a module instance address: module.<name><key>.
type moduleStep struct {
	name string
	key  string // "", "[0]" or `["blue"]`
}

// parseModuleAddr splits a module instance address (module.a["x"].module.b) into its calls. It
// reports false on an address it cannot read.
func parseModuleAddr(addr string) ([]moduleStep, bool) {
	var steps []moduleStep
	for addr != "" {
		rest, ok := strings.CutPrefix(addr, "module.")
		if !ok {
			return nil, false
		}
		end := strings.IndexAny(rest, ".[")
		if end < 0 {
			end = len(rest)
		}
		st := moduleStep{name: rest[:end]}
		rest = rest[end:]
		if strings.HasPrefix(rest, "[") {
			n := indexEnd(rest)
			if n < 0 {
				return nil, false
			}
			st.key, rest = rest[:n], rest[n:]
		}
		if st.name == "" {
			return nil, false
		}
		steps = append(steps, st)
		if rest != "" && rest[0] != '.' {
			return nil, false
		}
		addr = strings.TrimPrefix(rest, ".")
	}
	return steps, true
}

// indexEnd returns the length of the index expression at the start of s ("[0]", `["a.b"]`), or
// -1 when it is not closed.
func indexEnd(s string) int {
	inStr := false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case !inStr && c == ']':
			return i + 1
		}
	}
	return -1
}

// joinModule rebuilds a module instance address from its steps.
func joinModule(steps []moduleStep) string {
	var b strings.Builder
	for i, st := range steps {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString("module." + st.name + st.key)
	}
	return b.String()
}

// configModule returns the configuration of the module a module instance address belongs to, or
// nil when the plan does not carry it.
func configModule(cfg *tfjson.Config, steps []moduleStep) *tfjson.ConfigModule {
	if cfg == nil {
		return nil
	}
	m := cfg.RootModule
	for _, st := range steps {
		if m == nil {
			return nil
		}
		call := m.ModuleCalls[st.name]
		if call == nil {
			return nil
		}
		m = call.Module
	}
	return m
}

// configResource returns the configuration of the managed resource typ.name in module m.
func configResource(m *tfjson.ConfigModule, typ, name string) *tfjson.ConfigResource {
	if m == nil {
		return nil
	}
	for _, r := range m.Resources {
		if r != nil && r.Mode == tfjson.ManagedResourceMode && r.Type == typ && r.Name == name {
			return r
		}
	}
	return nil
}

// refParts splits a reference to a resource of type typ ("aws_security_group.sg[0].id") into the
// resource name and instance key. It reports false for references to anything else.
func refParts(ref, typ string) (name, key string, ok bool) {
	rest, ok := strings.CutPrefix(ref, typ+".")
	if !ok {
		return "", "", false
	}
	end := strings.IndexAny(rest, ".[")
	if end < 0 {
		end = len(rest)
	}
	name, rest = rest[:end], rest[end:]
	if strings.HasPrefix(rest, "[") {
		if n := indexEnd(rest); n > 0 {
			key = rest[:n]
		}
	}
	return name, key, name != ""
}

// notResource reports whether a reference names something that is never a resource (count.index,
// each.key, path.module ...): such references do not make a resolution incomplete.
func notResource(ref string) bool {
	for _, p := range []string{"count.", "each.", "path.", "terraform.", "self."} {
		if strings.HasPrefix(ref, p) {
			return true
		}
	}
	return false
}

// resolve follows the references of an expression written in the module of from to the instances
// of resources of type typ. Variables of child modules are followed to the module call that sets
// them. complete is false when a reference could not be followed (a local value, a data source,
// a module output, an ambiguous instance), so the targets may be missing some.
func (m *mapper) resolve(from *instance, refs []string, typ string) (targets []*instance, complete bool) {
	complete = true
	seen := map[*instance]bool{}
	var walk func(module []moduleStep, key string, refs []string, depth int)
	walk = func(module []moduleStep, key string, refs []string, depth int) {
		for _, ref := range refs {
			switch {
			case notResource(ref):
			case strings.HasPrefix(ref, "var."):
				name := strings.TrimPrefix(ref, "var.")
				if i := strings.IndexAny(name, ".["); i >= 0 {
					name = name[:i]
				}
				if len(module) == 0 || depth > 64 {
					complete = false
					continue
				}
				parent := module[:len(module)-1]
				call := configModule(m.plan.Config, parent)
				if call == nil || call.ModuleCalls[module[len(module)-1].name] == nil {
					complete = false
					continue
				}
				e := call.ModuleCalls[module[len(module)-1].name].Expressions[name]
				if e == nil || e.ExpressionData == nil {
					// Not set by the call: the variable's default, which the plan has evaluated.
					continue
				}
				walk(parent, module[len(module)-1].key, e.References, depth+1)
			default:
				name, rkey, ok := refParts(ref, typ)
				if !ok {
					complete = false
					continue
				}
				t := choose(m.byConfig[joinModule(module)+"|"+typ+"."+name], rkey, key)
				if t == nil {
					complete = false
					continue
				}
				if !seen[t] {
					seen[t] = true
					targets = append(targets, t)
				}
			}
		}
	}
	walk(from.module, from.key, refs, 0)
	// A reference names the resource ("aws_security_group.sg") besides the attribute
	// ("aws_security_group.sg.id"); only the targets matter.
	return targets, complete
}

// choose picks the instance a reference designates among the instances of one resource: the
// instance with the key the reference names; the only instance; or the instance with the same key
// as the referring instance (count.index / each.key). It returns nil when it cannot tell.
func choose(cands []*instance, refKey, fromKey string) *instance {
	if refKey != "" {
		for _, c := range cands {
			if c.key == refKey {
				return c
			}
		}
		return nil
	}
	if len(cands) == 1 {
		return cands[0]
	}
	for _, c := range cands {
		if c.key == fromKey && fromKey != "" {
			return c
		}
	}
	return nil
}
