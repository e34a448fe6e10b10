package hclscan

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// nest returns opening n times, then closing n times.
func nest(n int, opening, closing string) string {
	return strings.Repeat(opening, n) + strings.Repeat(closing, n)
}

func TestCheck(t *testing.T) {
	const deep = 100_000
	cases := []struct {
		name string
		syn  Syntax
		src  string
		line int    // 0: accepted
		msg  string // part of the problem's message
	}{
		// Accepted: what real configurations hold.
		{"empty", Native, "", 0, ""},
		{"config", Native, "resource \"aws_mq_broker\" \"b\" {\n  engine_type = var.engine == \"ActiveMQ\" ? \"ActiveMQ\" : \"RabbitMQ\"\n  user {\n    username = \"admin\"\n  }\n  tags = merge(local.tags, { Name = \"b-${var.env}\" })\n}\n", 0, ""},
		{"999 nested lists", Native, "x = " + nest(MaxNesting-1, "[", "]") + "\n", 0, ""},
		{"brackets in comments and strings", Native, "# " + nest(deep, "[", "") + "\n// " + nest(deep, "(", "") + "\n/* " + nest(deep, "{", "") + " */\nx = \"" + nest(deep, "[", "") + "\"\n", 0, ""},
		{"brackets in a heredoc", Native, "x = <<EOF\n" + nest(deep, "[", "") + "\n  EOF\ny = 1\n", 0, ""},
		{"escaped template sequences", Native, "x = \"" + strings.Repeat("$${", deep) + strings.Repeat("%%{", deep) + "\"\n", 0, ""},
		{"many operators on many lines", Native, strings.Repeat("x = !a && b || c == d ? -1 : 2\n", deep/10), 0, ""},
		{"long flat list", Native, "x = [" + strings.Repeat("1 + 1, ", deep) + "]\n", 0, ""},
		{"sequential directives", Native, "x = <<EOF\n" + strings.Repeat("%{ if a }x%{ endif }\n", deep/10) + "EOF\n", 0, ""},
		{"invalid UTF-8 in comments", Native, "# caf\xe9\n/* \xff */\nx = 1 // \xfe\n", 0, ""},
		{"template text", Template, nest(deep, "[", "]") + "${a}%{ for x in y }${x}%{ endfor }", 0, ""},
		{"json", JSON, `{"resource": {"aws_mq_broker": {"b": {"engine_type": "${var.e}", "x": ` + nest(MaxNesting-5, "[", "]") + `}}}}`, 0, ""},
		{"json brackets in strings", JSON, `{"a": "` + nest(deep, "[", "") + `"}`, 0, ""},

		// Refused: nesting.
		{"100,000 nested lists", Native, "locals {\n  x = " + nest(deep, "[", "]") + "\n}\n", 2, "nested more than 1000 levels deep"},
		{"1,000 nested lists", Native, "x = " + nest(MaxNesting, "[", "]") + "\n", 1, "nested more than"},
		{"nested objects", Native, "x = " + nest(deep, "{a=", "}") + "\n", 1, "nested more than"},
		{"nested calls", Native, "x = " + nest(deep, "f(", ")") + "\n", 1, "nested more than"},
		{"nested blocks", Native, nest(deep, "a {\n", "}\n"), MaxNesting / 2, "nested more than"},
		{"nested lists on lines", Native, "x = [\n" + strings.Repeat("[\n", deep) + "]\n", MaxNesting, "nested more than"},
		{"unary chain", Native, "x = " + strings.Repeat("!", deep) + "true\n", 1, "nested more than"},
		{"minus chain", Native, "x = " + strings.Repeat("-", deep) + "1\n", 1, "nested more than"},
		{"conditional chain", Native, "x = " + strings.Repeat("a ? 1 : ", deep) + "2\n", 1, "nested more than"},
		{"binary chain", Native, "x = " + strings.Repeat("1 + ", deep) + "1\n", 1, "nested more than"},
		{"index chain", Native, "x = a" + strings.Repeat("[0]", deep) + "\n", 1, "nested more than"},
		{"splat chain", Native, "x = a" + strings.Repeat("[*].b", deep) + "\n", 1, "nested more than"},
		{"chain across lines in parentheses", Native, "x = (a\n" + strings.Repeat("+ a\n", deep) + ")\n", MaxNesting, "nested more than"},
		{"chain across lines in a for expression", Native, "x = {for k, v in m : k =>\n" + strings.Repeat("!\n", deep) + "v}\n", MaxNesting - 1, "nested more than"},
		{"nested templates", Native, "x = " + nest(deep, "\"${", "}\"") + "\n", 1, "nested more than"},
		{"nested heredocs", Native, "x = " + strings.Repeat("<<E\n${", deep) + "\n", MaxNesting/2 + 1, "nested more than"},
		{"nested directives", Native, "x = <<EOF\n" + strings.Repeat("%{ if a }\n", deep) + "EOF\n", MaxNesting - 1, "nested more than"},
		{"brackets in a template sequence of a heredoc", Native, "x = <<EOF\n${" + nest(deep, "[", "]") + "}\nEOF\n", 2, "nested more than"},
		// "}" ends the template sequence as hclsyntax's scanner does, whatever is open in it:
		// what follows is template text, not a comment hiding the brackets.
		{"brace closing an open parenthesis", Native, "x = <<EOF\n${(}#${" + nest(deep, "[", "]") + "}\nEOF\n", 2, "nested more than"},
		// A quoted string goes on past the end of its line, as in hclsyntax's scanner.
		{"unterminated string", Native, "x = \"a\n${" + nest(deep, "[", "]") + "}\"\n", 2, "nested more than"},
		{"template", Template, "a\n${" + nest(deep, "[", "]") + "}", 2, "nested more than"},
		{"template directives", Template, strings.Repeat("%{ for x in y }", deep), 1, "nested more than"},
		{"json arrays", JSON, "{\"a\":\n" + nest(deep, "[", "]") + "}", 2, "nested more than"},
		{"json template", JSON, "{\"a\":\n\"${" + nest(deep, "[", "]") + "}\"}", 2, "nested more than"},
		{"json escaped template", JSON, "{\"a\": \"\\u0024{" + nest(deep, "[", "]") + "}\"}", 1, "nested more than"},

		// Refused: not text.
		{"NUL byte", Native, "x = 1\ny = \x00\n", 2, "not a text file (NUL byte)"},
		{"invalid UTF-8 in a string", Native, "x = 1\ny = \"caf\xe9\"\n", 2, "not UTF-8 text"},
		{"invalid UTF-8 in code", Native, "x = 1\n\n\xff\xfe\n", 3, "not UTF-8 text"},
		{"invalid UTF-8 in a heredoc", Native, "x = <<EOF\n\xff\nEOF\n", 2, "not UTF-8 text"},
		{"UTF-16", Native, "\xff\xfex\x00 \x00=\x00", 1, "UTF-16"},
		{"json NUL", JSON, "{\n\"a\": \"\x00\"}", 2, "NUL byte"},
		{"json invalid UTF-8", JSON, "{\"a\": \"\xe9\"}", 1, "not UTF-8 text"},
		{"non-ASCII heredoc marker", Native, "x = <<ÉOF\nÉOF\n", 1, "heredoc marker"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := Check([]byte(tc.src), tc.syn)
			switch {
			case tc.line == 0 && p != nil:
				t.Fatalf("Check = %v, want nil", p)
			case tc.line == 0:
			case p == nil:
				t.Fatalf("Check = nil, want line %d: %s", tc.line, tc.msg)
			case p.Line != tc.line || !strings.Contains(p.Msg, tc.msg):
				t.Fatalf("Check = %v, want line %d: %s", p, tc.line, tc.msg)
			}
		})
	}
}

// astDepth is the depth of the syntax tree of a parsed native file or template.
func astDepth(n hclsyntax.Node) int {
	w := &depthWalker{}
	hclsyntax.Walk(n, w)
	return w.max
}

type depthWalker struct{ cur, max int }

func (w *depthWalker) Enter(hclsyntax.Node) hcl.Diagnostics {
	w.cur++
	w.max = max(w.max, w.cur)
	return nil
}

func (w *depthWalker) Exit(hclsyntax.Node) hcl.Diagnostics {
	w.cur--
	return nil
}

// boundHolds checks the claim Check rests on: what it accepts within a limit parses to a syntax
// tree no deeper than a small multiple of the limit (a block level is a few nodes: block, body,
// attribute, expression).
func boundHolds(t *testing.T, src []byte) {
	const limit = 24
	for _, syn := range []Syntax{Native, Template} {
		if check(src, syn, limit) != nil {
			continue
		}
		var n hclsyntax.Node
		if syn == Native {
			f, _ := hclsyntax.ParseConfig(src, "f.tf", hcl.InitialPos)
			if f == nil {
				continue
			}
			n = f.Body.(*hclsyntax.Body)
		} else {
			e, _ := hclsyntax.ParseTemplate(src, "f.tmpl", hcl.InitialPos)
			if e == nil {
				continue
			}
			n = e
		}
		if d := astDepth(n); d > 4*limit+8 {
			t.Fatalf("syntax %d: accepted within %d, but the syntax tree is %d deep:\n%q", syn, limit, d, src)
		}
	}
}

func TestCheckBoundsTheSyntaxTree(t *testing.T) {
	// Each is nested 200 levels: refused by the check, or (were the check wrong) deeper than
	// the bound.
	const n = 200
	srcs := []string{
		"x = " + nest(n, "[", "]"),
		"x = " + strings.Repeat("!", n) + "a",
		"x = a" + strings.Repeat("[0]", n),
		"x = <<EOF\n${(}#${" + nest(n, "[", "]") + "}\nEOF\n",
		"x = \"a\n${" + nest(n, "[", "]") + "}\"\n",
		"x = {for k, v in m : k =>\n" + strings.Repeat("!\n", n) + "v}\n",
		strings.Repeat("%{ if a }", n),
		nest(n, "a {\n", "}\n"),
	}
	for _, tc := range cases { // hclscan's own cases: real syntax of every kind
		srcs = append(srcs, tc.src)
	}
	for _, src := range srcs {
		boundHolds(t, []byte(src))
	}
}

func FuzzCheckBoundsTheSyntaxTree(f *testing.F) {
	for _, tc := range cases {
		f.Add([]byte(tc.src))
	}
	f.Add([]byte("x = <<EOF\n${(}#${[[[[]]]]}\nEOF\n"))
	f.Add([]byte("x = {for k, v in m : k =>\n!\n!\nv}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, syn := range []Syntax{Native, JSON, Template} {
			Check(src, syn) // never panics
		}
		boundHolds(t, src)
	})
}
