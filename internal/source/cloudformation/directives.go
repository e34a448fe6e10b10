package cloudformation

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mqguard/mqguard/internal/model"
)

// directives returns the suppressions of a resource, as the comment text the suppress package
// parses: the Metadata entries of mqguard and Checkov, and the YAML comments directly above the
// logical ID and inside the resource.
func (mp *mapper) directives(r *resource) []model.Directive {
	var out []model.Directive
	add := func(text string, line int) {
		out = append(out, model.Directive{Text: text, At: model.Range{File: mp.t.disp, StartLine: line, EndLine: line}})
	}
	comments := func(c string, firstLine int) {
		for i, l := range strings.Split(c, "\n") {
			l = strings.TrimSpace(l)
			lower := strings.ToLower(l)
			if strings.Contains(lower, "ignore") || strings.Contains(lower, "skip") {
				add(l, firstLine+i)
			}
		}
	}
	if c := r.key.HeadComment; c != "" {
		comments(c, r.key.Line-strings.Count(c, "\n")-1)
	}
	if c := r.key.LineComment; c != "" {
		comments(c, r.key.Line)
	}
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > 200 {
			return
		}
		if c := n.HeadComment; c != "" && n != r.node {
			comments(c, n.Line-strings.Count(c, "\n")-1)
		}
		if c := n.LineComment; c != "" {
			comments(c, n.Line)
		}
		if c := n.FootComment; c != "" {
			comments(c, lastLine(n)+1)
		}
		for _, ch := range n.Content {
			walk(ch, depth+1)
		}
	}
	walk(r.node, 0)

	_, meta := lookup(r.node, "Metadata")
	_, mq := lookup(meta, "mqguard")
	_, ignores := lookup(mq, "ignore")
	for _, e := range entries(ignores) {
		id := ids(e)
		if id == "" {
			continue
		}
		text := "mqguard:ignore " + id
		for _, opt := range []string{"reason", "until", "by"} {
			if _, v := lookup(e, opt); v != nil && v.Kind == yaml.ScalarNode {
				text += " " + opt + "=" + quote(v.Value)
			}
		}
		add(text, e.Line)
	}
	_, ck := lookup(meta, "checkov")
	_, skips := lookup(ck, "skip")
	for _, e := range entries(skips) {
		id := ids(e)
		if id == "" {
			continue
		}
		text := "checkov:skip=" + id
		if _, v := lookup(e, "comment"); v != nil && v.Kind == yaml.ScalarNode && v.Value != "" {
			text += ":" + strings.ReplaceAll(v.Value, "\n", " ")
		}
		add(text, e.Line)
	}
	return out
}

// entries returns the items of a list of mappings (a single mapping is one entry).
func entries(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	switch {
	case n == nil:
		return nil
	case n.Kind == yaml.MappingNode:
		return []*yaml.Node{n}
	case n.Kind != yaml.SequenceNode:
		return nil
	}
	var out []*yaml.Node
	for _, e := range n.Content {
		if e = deref(e); e != nil && e.Kind == yaml.MappingNode {
			out = append(out, e)
		}
	}
	return out
}

// ids reads an entry's id: a string, or a list of strings joined by commas.
func ids(e *yaml.Node) string {
	_, v := lookup(e, "id")
	if v == nil {
		return ""
	}
	if v.Kind == yaml.ScalarNode {
		return strings.Join(strings.Fields(v.Value), "")
	}
	var out []string
	for _, x := range v.Content {
		if x = deref(x); x != nil && x.Kind == yaml.ScalarNode {
			out = append(out, strings.TrimSpace(x.Value))
		}
	}
	return strings.Join(out, ",")
}

// quote writes an option value the way the directive syntax reads it.
func quote(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	switch {
	case s != "" && !strings.ContainsAny(s, " \t\"'"):
		return s
	case !strings.Contains(s, `"`):
		return `"` + s + `"`
	case !strings.Contains(s, "'"):
		return "'" + s + "'"
	}
	return `"` + strings.ReplaceAll(s, `"`, "'") + `"`
}
