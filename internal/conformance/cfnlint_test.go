package conformance

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
)

// cfnLintLine is one line of `cfn-lint --format parseable`:
// path:line:column:endLine:endColumn:rule:message.
var cfnLintLine = regexp.MustCompile(`^(.*):(\d+):(\d+):(\d+):(\d+):([EWI]\d+):(.*)$`)

// TestGoodExamplesPassCfnLint checks with cfn-lint that every CloudFormation rule example that
// passes (or to which the rule does not apply), and every parity template, is a template AWS
// would accept: cfn-lint errors (E*) fail the test, warnings and notices are logged.
func TestGoodExamplesPassCfnLint(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not on PATH: good CloudFormation examples are not linted")
	}
	dir := t.TempDir()
	var paths []string
	origin := map[string]string{} // written path -> what it is
	for _, r := range rules.All() {
		for i, ex := range r.Examples {
			if ex.Kind != model.SourceCloudFormation || (ex.Want != rules.Pass && ex.Want != rules.NotApplicable) {
				continue
			}
			name := fmt.Sprintf("%s-%02d", r.ID, i)
			for file, body := range ex.Files {
				if !isTemplateName(file) {
					continue
				}
				p := filepath.Join(dir, name, filepath.FromSlash(file))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
				paths = append(paths, p)
				origin[p] = fmt.Sprintf("%s example %d (%s) %s", r.ID, i, wantStatus[ex.Want], file)
			}
		}
	}
	parity, _ := filepath.Glob(filepath.Join("testdata", "parity", "*", "template.yaml"))
	for _, p := range parity {
		abs, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, abs)
		origin[abs] = "parity " + filepath.Base(filepath.Dir(p))
	}
	if len(paths) == 0 {
		t.Skip("no good CloudFormation example or parity template to lint")
	}
	sort.Strings(paths)
	t.Logf("cfn-lint over %d templates", len(paths))

	cmd := exec.Command(lint, append([]string{"--format", "parseable", "--"}, paths...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("cfn-lint: %v", err)
	}
	parsed := 0
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		m := cfnLintLine.FindStringSubmatch(line)
		if m == nil {
			if strings.TrimSpace(line) != "" {
				t.Errorf("unexpected cfn-lint output: %s", line)
			}
			continue
		}
		parsed++
		what := origin[m[1]]
		if what == "" {
			what = m[1]
		}
		msg := fmt.Sprintf("%s: line %s: %s %s", what, m[2], m[6], m[7])
		if strings.HasPrefix(m[6], "E") {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
	// cfn-lint exits non-zero when it reports anything; an exit without a parsed line is a
	// failure of the tool itself.
	if err != nil && parsed == 0 {
		t.Fatalf("cfn-lint failed: %v\n%s", err, stderr.String())
	}
}

// isTemplateName reports whether an example file is a template cfn-lint can read.
func isTemplateName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json", ".template":
		return filepath.Base(name) != "manifest.json"
	}
	return false
}
