package policy

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

const repoRoot = "../.."

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "schema", "mqguard-config.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("mqguard-config.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("mqguard-config.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// yamlInstance turns a policy file into the JSON value the schema validates: YAML dates become
// the strings they were written as.
func yamlInstance(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var fix func(any) any
	fix = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = fix(e)
			}
		case []any:
			for i, e := range x {
				x[i] = fix(e)
			}
		case time.Time:
			return x.Format(time.DateOnly)
		}
		return v
	}
	raw, err := json.Marshal(fix(v))
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

type example struct {
	name string
	data []byte
}

// examples returns every example policy file of the repository: files named .mqguard.yaml,
// mqguard.yaml or *.mqguard.yaml, such files inside test scripts, and the README's policy
// examples (yaml blocks starting with "# .mqguard.yaml").
func examples(t *testing.T) []example {
	t.Helper()
	var out []example
	isPolicy := func(name string) bool {
		base := filepath.Base(name)
		return base == FileName || base == "mqguard.yaml" || strings.HasSuffix(base, ".mqguard.yaml")
	}
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		switch {
		case d.Type().IsRegular() && isPolicy(p):
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out = append(out, example{p, data})
		case d.Type().IsRegular() && strings.HasSuffix(p, ".txtar"):
			ar, err := txtar.ParseFile(p)
			if err != nil {
				return err
			}
			for _, f := range ar.Files {
				if isPolicy(f.Name) {
					out = append(out, example{p + ":" + f.Name, f.Data})
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range regexp.MustCompile("(?s)```yaml\n(# \\.mqguard\\.yaml.*?)```").FindAllSubmatch(readme, -1) {
		out = append(out, example{"README.md block " + string(rune('1'+i)), m[1]})
	}
	return out
}

// TestExamplesValidate: every example the parser accepts validates against the JSON Schema,
// so that editors and the parser agree on what a policy file is.
func TestExamplesValidate(t *testing.T) {
	schema := compileSchema(t)
	exs := examples(t)
	valid, readme := 0, 0
	for _, ex := range exs {
		if strings.HasPrefix(ex.name, "README.md") {
			readme++
		}
		if _, err := Parse(ex.name, ex.data); err != nil {
			if strings.HasPrefix(ex.name, "README.md") || strings.Contains(ex.name, "testdata/governance") {
				t.Errorf("%s: example does not parse: %v", ex.name, err)
			}
			continue
		}
		valid++
		if err := schema.Validate(yamlInstance(t, ex.data)); err != nil {
			t.Errorf("%s: does not validate against the schema: %v", ex.name, err)
		}
	}
	if valid < 3 || readme == 0 {
		t.Errorf("found %d valid examples, %d in the README: the search is broken", valid, readme)
	}
}

// TestSchemaRejects: the schema refuses what the parser refuses for structure.
func TestSchemaRejects(t *testing.T) {
	schema := compileSchema(t)
	for _, in := range []string{
		"fial_on: high\n",
		"rules:\n  MQG001:\n    enable: false\n",
		"rules:\n  MQG001:\n    severity: SEVERE\n",
		"exceptions:\n  - rule: MQG001\n    resources: [a]\n    reason: r\n    expires: 2027-01-31\n",
		"exceptions:\n  - rule: MQG001\n    reason: r\n    approved_by: me\n    expires: 2027-01-31\n",
		"exceptions:\n  - rule: MQG001\n    resources: [a]\n    reason: r\n    approved_by: me\n    expires: 31/01/2027\n",
		"max_exception_days: 0\n",
		"brokers:\n  - url: https://admin:secret@rabbit:15671\n",
		"brokers:\n  - url: ftp://rabbit\n",
		"brokers:\n  - name: rabbit\n",
		"brokers:\n  - url: https://rabbit:15671\n    password: secret\n",
		"brokers:\n  - url: https://rabbit:15671\n    engine: kafka\n",
		"brokers: {url: https://rabbit:15671}\n",
		"broker_secrets: ''\n",
	} {
		if _, err := Parse("p.yaml", []byte(in)); err == nil {
			t.Errorf("the parser accepts %q", in)
		}
		if err := schema.Validate(yamlInstance(t, []byte(in))); err == nil {
			t.Errorf("the schema accepts %q", in)
		}
	}
}
