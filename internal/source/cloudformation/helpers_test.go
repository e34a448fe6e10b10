package cloudformation

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	"github.com/mqguard/mqguard/internal/model"
)

// load reads the named templates from an in-memory file system.
func load(t *testing.T, files map[string]string, paths []string, opts Options) (*model.Inventory, []model.Diagnostic) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return Load(context.Background(), fsys, paths, opts)
}

// loadOne reads one template called template.yaml.
func loadOne(t *testing.T, text string, opts Options) (*model.Inventory, []model.Diagnostic) {
	t.Helper()
	return load(t, map[string]string{"template.yaml": text}, []string{"template.yaml"}, opts)
}

// broker returns the only broker of inv.
func broker(t *testing.T, inv *model.Inventory) *model.Broker {
	t.Helper()
	if len(inv.Brokers) != 1 {
		t.Fatalf("got %d brokers, want 1", len(inv.Brokers))
	}
	return inv.Brokers[0]
}

func errorsOf(diags []model.Diagnostic) []string {
	var out []string
	for _, d := range diags {
		if d.Severity == model.DiagError {
			out = append(out, d.Error())
		}
	}
	return out
}

func noErrors(t *testing.T, diags []model.Diagnostic) {
	t.Helper()
	if e := errorsOf(diags); len(e) > 0 {
		t.Fatalf("unexpected errors: %q", e)
	}
}

// evalIn evaluates the YAML expression expr in the context of template text.
func evalIn(t testing.TB, text, expr string, given map[string]*val, pseudo map[string]string) (*val, *tmpl) {
	t.Helper()
	root, err := parseDocument([]byte(text))
	if err != nil {
		t.Fatalf("template: %v", err)
	}
	tm := newTmpl("template.yaml", root, given, pseudo)
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(expr), &doc); err != nil {
		t.Fatalf("expression: %v", err)
	}
	v := tm.eval(&doc, 0)
	return v, tm
}

// show renders a value for comparisons: "?" unknown, "-" no value, [a b] lists.
func show(v *val) string {
	switch v.k {
	case kUnknown:
		return "?"
	case kNoValue:
		return "-"
	case kScalar:
		return v.s
	case kList:
		var parts []string
		for _, e := range v.list {
			parts = append(parts, show(e))
		}
		return "[" + strings.Join(parts, " ") + "]"
	case kMap:
		var parts []string
		for _, k := range v.keys {
			parts = append(parts, k+":"+show(v.m[k]))
		}
		return "{" + strings.Join(parts, " ") + "}"
	}
	return "!"
}
