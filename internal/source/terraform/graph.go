package terraform

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// A graph orders the objects of a module (variables, locals, resources, module calls, outputs,
// providers) so that each is evaluated once, after what it references. Objects on a reference
// cycle are reported and evaluated as unknown.
type graph struct {
	order  []string        // evaluation order of node keys
	cyclic map[string]bool // nodes on a cycle
	cycles [][]string      // each cycle's nodes, sorted
	rng    map[string]hcl.Range
	refs   map[string][]hcl.Traversal // what each node references
	// needed are the nodes the model needs: mapped resources, module calls, providers,
	// outputs, and everything they reference. Other resources are never evaluated.
	needed map[string]bool
	// referenced are the nodes some other node references: only their values are ever read.
	referenced map[string]bool
}

// node keys: var.X, local.X, TYPE.NAME, data.TYPE.NAME, ephemeral.TYPE.NAME, module.X,
// output.X, provider.NAME.

// refKey maps a traversal to the node it references, or "" when it names no node.
func refKey(t hcl.Traversal) string {
	if len(t) == 0 {
		return ""
	}
	root := t.RootName()
	attr := func(i int) string {
		if i >= len(t) {
			return ""
		}
		if a, ok := t[i].(hcl.TraverseAttr); ok {
			return a.Name
		}
		return ""
	}
	switch root {
	case "var", "local", "module":
		if n := attr(1); n != "" {
			return root + "." + n
		}
		return ""
	case "data", "ephemeral":
		typ, name := attr(1), attr(2)
		if typ == "" || name == "" {
			return ""
		}
		return root + "." + typ + "." + name
	case "count", "each", "path", "terraform", "self":
		return ""
	}
	if n := attr(1); n != "" {
		return root + "." + n
	}
	return ""
}

// bodyTraversals collects the traversals of every expression in b, skipping meta blocks that
// are not evaluated.
func bodyTraversals(b *body, out []hcl.Traversal) []hcl.Traversal {
	if b == nil {
		return out
	}
	// Both the lazy parse and the dependency graph ask; a body's traversals are collected once.
	// Bodies are only asked while their directory is parsed, by one goroutine.
	if !b.traversed {
		b.traversed = true
		b.traversals = collectTraversals(b, nil)
	}
	return append(out, b.traversals...)
}

func collectTraversals(b *body, out []hcl.Traversal) []hcl.Traversal {
	for name, a := range b.attrs {
		if name == "depends_on" || name == "providers" || name == "provider" {
			continue
		}
		out = append(out, a.Expr.Variables()...)
	}
	for _, blk := range b.blocks {
		switch blk.typ {
		case "lifecycle", "provisioner", "connection":
			continue
		}
		out = collectTraversals(blk.body, out)
	}
	return out
}

// buildGraph computes the evaluation order of m's objects.
func buildGraph(m *moduleDir) *graph {
	g := &graph{cyclic: map[string]bool{}, rng: map[string]hcl.Range{}}
	deps := map[string][]hcl.Traversal{}
	g.refs = deps
	for n, v := range m.variables {
		k := "var." + n
		deps[k] = nil
		g.rng[k] = v.rng
	}
	for n, a := range m.locals {
		k := "local." + n
		deps[k] = a.Expr.Variables()
		g.rng[k] = a.Range
	}
	for n, a := range m.outputs {
		k := "output." + n
		deps[k] = a.Expr.Variables()
		g.rng[k] = a.Range
	}
	for _, r := range m.resources {
		k := r.key()
		if _, dup := deps[k]; dup {
			continue
		}
		deps[k] = bodyTraversals(r.body, nil)
		g.rng[k] = r.rng
	}
	for _, c := range m.modules {
		k := "module." + c.name
		if _, dup := deps[k]; dup {
			continue
		}
		deps[k] = bodyTraversals(c.body, nil)
		g.rng[k] = c.rng
	}
	for _, p := range m.providers {
		k := "provider." + p.name
		if _, dup := deps[k]; dup {
			continue
		}
		deps[k] = bodyTraversals(p.body, nil)
		g.rng[k] = p.rng
	}

	keys := make([]string, 0, len(deps))
	for k := range deps {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	edges := make(map[string][]string, len(keys))
	g.referenced = map[string]bool{}
	for _, k := range keys {
		seen := map[string]bool{}
		for _, t := range deps[k] {
			d := refKey(t)
			if d == "" || seen[d] {
				continue
			}
			if _, ok := deps[d]; !ok {
				continue
			}
			seen[d] = true
			g.referenced[d] = true
			edges[k] = append(edges[k], d)
		}
		sort.Strings(edges[k])
	}

	g.needed = map[string]bool{}
	var need func(string)
	need = func(k string) {
		if g.needed[k] {
			return
		}
		g.needed[k] = true
		for _, d := range edges[k] {
			need(d)
		}
	}
	for _, k := range keys {
		kind, rest, _ := strings.Cut(k, ".")
		typ, _, _ := strings.Cut(rest, ".")
		switch {
		case kind == "output" && !m.called:
			// A root module's outputs are read by no one.
		case kind == "module" || kind == "provider" || kind == "output" || kind == "var" || kind == "local":
			need(k)
		case interesting[kind] || (kind == "data" && interesting[typ]):
			need(k)
		}
	}

	// Tarjan's strongly connected components; components come out in dependency order.
	index := map[string]int{}
	low := map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	next := 0
	var visit func(k string)
	visit = func(k string) {
		index[k], low[k] = next, next
		next++
		stack = append(stack, k)
		onStack[k] = true
		for _, d := range edges[k] {
			if _, seen := index[d]; !seen {
				visit(d)
				low[k] = min(low[k], low[d])
			} else if onStack[d] {
				low[k] = min(low[k], index[d])
			}
		}
		if low[k] != index[k] {
			return
		}
		var comp []string
		for {
			n := len(stack) - 1
			top := stack[n]
			stack = stack[:n]
			onStack[top] = false
			comp = append(comp, top)
			if top == k {
				break
			}
		}
		selfLoop := false
		for _, d := range edges[k] {
			if d == k {
				selfLoop = true
			}
		}
		if len(comp) > 1 || selfLoop {
			sort.Strings(comp)
			g.cycles = append(g.cycles, comp)
			for _, c := range comp {
				g.cyclic[c] = true
			}
		}
		sort.Strings(comp)
		g.order = append(g.order, comp...)
	}
	for _, k := range keys {
		if _, seen := index[k]; !seen {
			visit(k)
		}
	}
	return g
}

// cycleMessage describes a cycle without values.
func cycleMessage(comp []string) string {
	return "reference cycle between " + strings.Join(comp, ", ")
}
