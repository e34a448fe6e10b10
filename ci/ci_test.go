package ci

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// decodeStrict decodes the YAML file at path into v, refusing keys v does not declare: a
// misspelt key is ignored by the tool that reads the file, so it must fail here.
func decodeStrict(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// preCommitHook is a hook of .pre-commit-hooks.yaml with the keys pre-commit accepts there.
type preCommitHook struct {
	ID                      string   `yaml:"id"`
	Name                    string   `yaml:"name"`
	Entry                   string   `yaml:"entry"`
	Language                string   `yaml:"language"`
	Description             string   `yaml:"description"`
	Files                   string   `yaml:"files"`
	Exclude                 string   `yaml:"exclude"`
	Types                   []string `yaml:"types"`
	TypesOr                 []string `yaml:"types_or"`
	ExcludeTypes            []string `yaml:"exclude_types"`
	AlwaysRun               *bool    `yaml:"always_run"`
	FailFast                *bool    `yaml:"fail_fast"`
	Verbose                 *bool    `yaml:"verbose"`
	PassFilenames           *bool    `yaml:"pass_filenames"`
	RequireSerial           *bool    `yaml:"require_serial"`
	LanguageVersion         string   `yaml:"language_version"`
	MinimumPreCommitVersion string   `yaml:"minimum_pre_commit_version"`
	Args                    []string `yaml:"args"`
	Stages                  []string `yaml:"stages"`
	AdditionalDependencies  []string `yaml:"additional_dependencies"`
	LogFile                 string   `yaml:"log_file"`
	Alias                   string   `yaml:"alias"`
}

func TestPreCommitHooks(t *testing.T) {
	var hooks []preCommitHook
	decodeStrict(t, "../.pre-commit-hooks.yaml", &hooks)
	var hook *preCommitHook
	for i, h := range hooks {
		if h.ID == "" || h.Name == "" || h.Entry == "" || h.Language == "" {
			t.Errorf("hook %d (%q): id, name, entry and language are required", i, h.ID)
		}
		if h.ID == "mqguard" {
			hook = &hooks[i]
		}
	}
	if hook == nil {
		t.Fatal("no hook with id mqguard")
	}
	// 'language: golang' installs the repository's commands with 'go install ./...', so the
	// entry must name the binary of cmd/mqguard.
	if hook.Language != "golang" || hook.Entry != "mqguard scan" {
		t.Errorf("language %q, entry %q: want golang, \"mqguard scan\"", hook.Language, hook.Entry)
	}
	if _, err := os.Stat("../cmd/" + strings.Fields(hook.Entry)[0]); err != nil {
		t.Errorf("entry %q: %v", hook.Entry, err)
	}
	// mqguard scans whole root modules: file names would make it evaluate modules piecemeal.
	if hook.PassFilenames == nil || *hook.PassFilenames {
		t.Error("pass_filenames must be false")
	}
	files, err := regexp.Compile(hook.Files)
	if err != nil {
		t.Fatalf("files: %v", err)
	}
	for name, want := range map[string]bool{
		"main.tf":                       true,
		"modules/mq/variables.tf":       true,
		"broker.tf.json":                true,
		"env/prod.tfvars":               true,
		"env/prod.auto.tfvars.json":     true,
		"stack.yaml":                    true,
		"templates/broker.YML":          true,
		"cdk.out/App.template.json":     true,
		"legacy/broker.template":        true,
		"plan.json":                     true,
		"config/activemq.xml":           true,
		"templates/rabbitmq.conf.tftpl": true,
		"README.md":                     false,
		"main.go":                       false,
		"Makefile":                      false,
	} {
		if got := files.MatchString(name); got != want {
			t.Errorf("files %q on %s: %v, want %v", hook.Files, name, got, want)
		}
	}
}

// TestPreCommitManifest checks the hooks with pre-commit's own validator when pre-commit is
// installed (Debian's pre-commit package).
func TestPreCommitManifest(t *testing.T) {
	preCommit, err := exec.LookPath("pre-commit")
	if err != nil {
		t.Skip("pre-commit not installed")
	}
	if out, err := exec.Command(preCommit, "validate-manifest", "../.pre-commit-hooks.yaml").CombinedOutput(); err != nil {
		t.Errorf("pre-commit validate-manifest: %v\n%s", err, out)
	}
}

// actionInput, actionOutput, actionStep and action hold the keys GitHub accepts in the
// metadata of a composite action.
type actionInput struct {
	Description        string  `yaml:"description"`
	Required           bool    `yaml:"required"`
	Default            *string `yaml:"default"`
	DeprecationMessage string  `yaml:"deprecationMessage"`
}

type actionOutput struct {
	Description string `yaml:"description"`
	Value       string `yaml:"value"`
}

type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Uses             string            `yaml:"uses"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	With             map[string]string `yaml:"with"`
	Env              map[string]string `yaml:"env"`
	WorkingDirectory string            `yaml:"working-directory"`
	ContinueOnError  string            `yaml:"continue-on-error"`
}

type action struct {
	Name        string                  `yaml:"name"`
	Author      string                  `yaml:"author"`
	Description string                  `yaml:"description"`
	Inputs      map[string]actionInput  `yaml:"inputs"`
	Outputs     map[string]actionOutput `yaml:"outputs"`
	Branding    struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

func loadAction(t *testing.T) *action {
	t.Helper()
	var a action
	decodeStrict(t, "../action.yml", &a)
	return &a
}

var (
	// expr matches the start of a GitHub Actions expression: its context and first name, as
	// in ${{ inputs.fail-on }} or ${{ steps.scan.outputs.exit-code }}.
	expr = regexp.MustCompile(`\$\{\{\s*([a-z_]+)\.([A-Za-z0-9_-]+)`)
	// ifRef matches the same in an if: condition, which needs no ${{ }}.
	ifRef = regexp.MustCompile(`\b(inputs|steps)\.([A-Za-z0-9_-]+)`)
	// pinned is a uses: reference to a major version of another action.
	pinned = regexp.MustCompile(`^[\w.-]+/[\w.-]+(/[\w./-]+)?@v\d+$`)
)

func TestActionMetadata(t *testing.T) {
	a := loadAction(t)
	if a.Name == "" || a.Description == "" {
		t.Error("name and description are required")
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using %q, want composite", a.Runs.Using)
	}
	if len(a.Runs.Steps) == 0 {
		t.Fatal("no steps")
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s: no description", name)
		}
	}
	for _, want := range []string{"paths", "fail-on", "format", "args"} {
		if _, ok := a.Inputs[want]; !ok {
			t.Errorf("no input %s", want)
		}
	}

	ids := map[string]bool{}
	used := map[string]bool{}
	// check verifies context references: the inputs and steps they name must exist (GitHub
	// expands an unknown one to "" silently).
	check := func(where string, refs [][]string) {
		for _, m := range refs {
			switch m[1] {
			case "inputs":
				if _, ok := a.Inputs[m[2]]; !ok {
					t.Errorf("%s: unknown input %s", where, m[2])
				}
				used[m[2]] = true
			case "steps":
				if !ids[m[2]] {
					t.Errorf("%s: no earlier step with id %s", where, m[2])
				}
			}
		}
	}
	for i, s := range a.Runs.Steps {
		where := fmt.Sprintf("step %d (%s)", i+1, s.Name)
		if (s.Run == "") == (s.Uses == "") {
			t.Errorf("%s: needs exactly one of run and uses", where)
		}
		if s.Run != "" {
			// Composite actions require a shell on every run step.
			if s.Shell == "" {
				t.Errorf("%s: run step without shell", where)
			}
			// An expression in a script is pasted into it before the shell runs: an input
			// could inject commands. Inputs go through env instead.
			if strings.Contains(s.Run, "${{") {
				t.Errorf("%s: expression in run script; pass it through env", where)
			}
		}
		if s.Uses != "" && !pinned.MatchString(s.Uses) {
			t.Errorf("%s: uses %q is not owner/repo@vN", where, s.Uses)
		}
		check(where+" if", ifRef.FindAllStringSubmatch(s.If, -1))
		for k, v := range s.With {
			check(where+" with."+k, expr.FindAllStringSubmatch(v, -1))
		}
		for k, v := range s.Env {
			check(where+" env."+k, expr.FindAllStringSubmatch(v, -1))
		}
		if s.ID != "" {
			ids[s.ID] = true
		}
	}
	for name, out := range a.Outputs {
		refs := expr.FindAllStringSubmatch(out.Value, -1)
		if len(refs) == 0 {
			t.Errorf("output %s: value %q is no expression", name, out.Value)
		}
		check("output "+name, refs)
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %s is never used", name)
		}
	}
	if !slices.ContainsFunc(a.Runs.Steps, func(s actionStep) bool {
		return strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@")
	}) {
		t.Error("no upload-sarif step")
	}
}

// TestActionScripts runs shellcheck on the action's scripts when it is installed.
func TestActionScripts(t *testing.T) {
	shellcheck, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck not installed")
	}
	for _, s := range loadAction(t).Runs.Steps {
		if s.Run == "" {
			continue
		}
		cmd := exec.Command(shellcheck, "--shell=bash", "-")
		cmd.Stdin = strings.NewReader(s.Run)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("step %s: shellcheck: %v\n%s", s.Name, err, out)
		}
	}
}

// TestActionValidator checks action.yml against the published action schema with
// action-validator when it is installed (npm install -g @action-validator/cli).
func TestActionValidator(t *testing.T) {
	validator, err := exec.LookPath("action-validator")
	if err != nil {
		t.Skip("action-validator not installed")
	}
	if out, err := exec.Command(validator, "../action.yml").CombinedOutput(); err != nil {
		t.Errorf("action-validator: %v\n%s", err, out)
	}
}

// stubMQGuard writes, into a new directory, an mqguard that records its arguments one a line
// in $STUB_ARGS, writes the file of a sarif=FILE argument when STUB_SARIF is set, and exits
// with $STUB_EXIT. It returns the directory.
func stubMQGuard(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	script := `#!/bin/sh
printf '%s\n' "$@" >"$STUB_ARGS"
for a in "$@"; do
	case $a in
	sarif=*) if [ -n "$STUB_SARIF" ]; then echo '{}' >"${a#sarif=}"; fi ;;
	esac
done
exit "$STUB_EXIT"
`
	if err := os.WriteFile(filepath.Join(dir, "mqguard"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// exitCode returns the exit code of a finished command, failing the test when it did not run.
func exitCode(t *testing.T, err error, out []byte) int {
	t.Helper()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	default:
		t.Fatalf("%v\n%s", err, out)
		return -1
	}
}

// expand replaces the ${{ inputs.X }} and ${{ steps.S.outputs.K }} expressions of an env value
// with their values.
func expand(v string, inputs map[string]string, outputs map[string]string) string {
	return regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`).ReplaceAllStringFunc(v, func(m string) string {
		ref := strings.TrimSpace(m[3 : len(m)-2])
		if name, ok := strings.CutPrefix(ref, "inputs."); ok {
			return inputs[name]
		}
		if _, key, ok := strings.Cut(ref, ".outputs."); ok {
			return outputs[key]
		}
		return ""
	})
}

// scanSteps returns the action's scan step and the step that exits with its exit code.
func scanSteps(t *testing.T, a *action) (scan, exit *actionStep) {
	t.Helper()
	for i, s := range a.Runs.Steps {
		switch {
		case s.ID == "scan":
			scan = &a.Runs.Steps[i]
		case strings.Contains(s.If, "steps.scan.outputs.exit-code"):
			exit = &a.Runs.Steps[i]
		}
	}
	if scan == nil || exit == nil {
		t.Fatal("no scan step (id scan) or no step that exits with its exit-code")
	}
	return scan, exit
}

// defaultInputs returns the inputs of a workflow that sets none.
func defaultInputs(a *action) map[string]string {
	inputs := map[string]string{}
	for name, in := range a.Inputs {
		if in.Default != nil {
			inputs[name] = *in.Default
		}
	}
	return inputs
}

// runStep runs a run step in dir as GitHub runs 'shell: bash', with env and the step's env
// (its expressions expanded), and returns its exit code and output.
func runStep(t *testing.T, bash string, s *actionStep, dir string, env []string, inputs, outputs map[string]string) (int, string) {
	t.Helper()
	cmd := exec.Command(bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", s.Run)
	cmd.Dir = dir
	cmd.Env = slices.Clone(env)
	for k, v := range s.Env {
		cmd.Env = append(cmd.Env, k+"="+expand(v, inputs, outputs))
	}
	out, err := cmd.CombinedOutput()
	return exitCode(t, err, out), string(out)
}

// readOutputs reads the KEY=VALUE lines a step wrote to $GITHUB_OUTPUT.
func readOutputs(t *testing.T, file string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		k, v, _ := strings.Cut(line, "=")
		outputs[k] = v
	}
	return outputs
}

// TestActionScan runs the action's scan step and its final step with a stub mqguard: the
// arguments the inputs make, the outputs, and the exit code the job ends with.
func TestActionScan(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	a := loadAction(t)
	scan, exit := scanSteps(t, a)
	stub := stubMQGuard(t)

	tests := []struct {
		name       string
		inputs     map[string]string
		stubExit   string
		writeSARIF bool
		staleSARIF bool
		wantArgs   []string
		wantSARIF  bool // sarif-file output set
		wantExit   int  // the job's exit code
	}{{
		name:       "defaults, findings: the SARIF is reported, then the job fails with 1",
		stubExit:   "1",
		writeSARIF: true,
		wantArgs:   []string{"scan", "--format", "table", "--format", "sarif=mqguard.sarif", "--", "."},
		wantSARIF:  true,
		wantExit:   1,
	}, {
		name:       "clean scan",
		stubExit:   "0",
		writeSARIF: true,
		wantArgs:   []string{"scan", "--format", "table", "--format", "sarif=mqguard.sarif", "--", "."},
		wantSARIF:  true,
		wantExit:   0,
	}, {
		name: "every input; lists split on spaces and newlines, globs kept",
		inputs: map[string]string{
			"paths":      "infra\nmodules/*  stacks",
			"fail-on":    "high",
			"format":     "table json=out.json",
			"sarif-file": "reports/out.sarif",
			"args":       "--allow-unknown\n--var-file prod.tfvars",
		},
		stubExit:   "1",
		writeSARIF: true,
		wantArgs: []string{"scan", "--fail-on", "high", "--format", "table", "--format", "json=out.json",
			"--format", "sarif=reports/out.sarif", "--allow-unknown", "--var-file", "prod.tfvars",
			"--", "infra", "modules/*", "stacks"},
		wantSARIF: true,
		wantExit:  1,
	}, {
		name:       "usage error: no report, a stale one is not taken for it",
		stubExit:   "2",
		staleSARIF: true,
		wantArgs:   []string{"scan", "--format", "table", "--format", "sarif=mqguard.sarif", "--", "."},
		wantExit:   2,
	}, {
		name:       "incomplete scan keeps exit code 3",
		stubExit:   "3",
		writeSARIF: true,
		wantArgs:   []string{"scan", "--format", "table", "--format", "sarif=mqguard.sarif", "--", "."},
		wantSARIF:  true,
		wantExit:   3,
	}, {
		name:     "no SARIF file, no paths (AWS only)",
		inputs:   map[string]string{"sarif-file": "", "paths": "", "args": "--aws"},
		stubExit: "1",
		wantArgs: []string{"scan", "--format", "table", "--aws", "--"},
		wantExit: 1,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			if err := os.MkdirAll(filepath.Join(work, "reports"), 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.staleSARIF {
				if err := os.WriteFile(filepath.Join(work, "mqguard.sarif"), []byte("{}"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			inputs := defaultInputs(a)
			for k, v := range tt.inputs {
				inputs[k] = v
			}
			outFile := filepath.Join(work, "github_output")
			argsFile := filepath.Join(work, "args")
			sarif := ""
			if tt.writeSARIF {
				sarif = "1"
			}
			env := append(os.Environ(),
				"PATH="+stub+string(os.PathListSeparator)+os.Getenv("PATH"),
				"GITHUB_OUTPUT="+outFile,
				"STUB_ARGS="+argsFile,
				"STUB_EXIT="+tt.stubExit,
				"STUB_SARIF="+sarif,
			)
			run := func(s *actionStep, outputs map[string]string) (int, string) {
				return runStep(t, bash, s, work, env, inputs, outputs)
			}

			if code, out := run(scan, nil); code != 0 {
				t.Fatalf("scan step exited %d, want 0 (the job fails in the last step)\n%s", code, out)
			}
			args, err := os.ReadFile(argsFile)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Split(strings.TrimSuffix(string(args), "\n"), "\n"); !slices.Equal(got, tt.wantArgs) {
				t.Errorf("mqguard arguments:\n got %q\nwant %q", got, tt.wantArgs)
			}
			outputs := readOutputs(t, outFile)
			if outputs["exit-code"] != tt.stubExit {
				t.Errorf("exit-code output %q, want %q", outputs["exit-code"], tt.stubExit)
			}
			if got := outputs["sarif-file"] != ""; got != tt.wantSARIF {
				t.Errorf("sarif-file output %q, want it set: %v", outputs["sarif-file"], tt.wantSARIF)
			}
			if tt.staleSARIF {
				if _, err := os.Stat(filepath.Join(work, "mqguard.sarif")); err == nil {
					t.Error("the stale SARIF file was left in place")
				}
			}

			// The last step runs when exit-code is not "0" (its if: condition).
			code := 0
			if outputs["exit-code"] != "0" {
				var out string
				code, out = run(exit, outputs)
				if code != 0 && !strings.Contains(out, "::error title=mqguard::") {
					t.Errorf("no error annotation:\n%s", out)
				}
			}
			if code != tt.wantExit {
				t.Errorf("job exit code %d, want %d", code, tt.wantExit)
			}
		})
	}
}

// gitlabJob holds the keys of a GitLab CI job that the template uses or a user may add.
type gitlabJob struct {
	Image        any               `yaml:"image"`
	Stage        string            `yaml:"stage"`
	Extends      any               `yaml:"extends"`
	Variables    map[string]string `yaml:"variables"`
	Needs        []any             `yaml:"needs"`
	BeforeScript []string          `yaml:"before_script"`
	Script       []string          `yaml:"script"`
	AfterScript  []string          `yaml:"after_script"`
	Rules        []any             `yaml:"rules"`
	AllowFailure any               `yaml:"allow_failure"`
	Artifacts    *struct {
		When     string `yaml:"when"`
		ExpireIn string `yaml:"expire_in"`
		Reports  struct {
			JUnit any `yaml:"junit"`
		} `yaml:"reports"`
		Paths []string `yaml:"paths"`
	} `yaml:"artifacts"`
}

const gitlabTemplate = "gitlab/mqguard.gitlab-ci.yml"

func loadGitLab(t *testing.T) map[string]gitlabJob {
	t.Helper()
	var jobs map[string]gitlabJob
	decodeStrict(t, gitlabTemplate, &jobs)
	return jobs
}

func TestGitLabTemplate(t *testing.T) {
	jobs := loadGitLab(t)
	visible := 0
	for name, job := range jobs {
		if strings.HasPrefix(name, ".") {
			continue
		}
		visible++
		// A job needs a script, its own or one it extends.
		resolved := job
		for resolved.Script == nil && resolved.Extends != nil {
			parent, ok := resolved.Extends.(string)
			if !ok {
				t.Fatalf("job %s: extends %v is not one job name", name, resolved.Extends)
			}
			if resolved, ok = jobs[parent]; !ok {
				t.Fatalf("job %s: extends unknown job %s", name, parent)
			}
		}
		if len(resolved.Script) == 0 {
			t.Errorf("job %s: no script", name)
		}
		a := resolved.Artifacts
		if a == nil {
			t.Fatalf("job %s: no artifacts", name)
		}
		// The reports matter most when the scan fails the job.
		if a.When != "always" {
			t.Errorf("job %s: artifacts when %q, want always", name, a.When)
		}
		junit, ok := a.Reports.JUnit.(string)
		if !ok || junit == "" {
			t.Fatalf("job %s: reports.junit %v is not a file", name, a.Reports.JUnit)
		}
		scan := strings.Join(resolved.Script, "\n")
		for _, file := range []string{junit, "mqguard.sarif", "mqguard.json"} {
			if !slices.Contains(a.Paths, file) {
				t.Errorf("job %s: %s is not kept (artifacts.paths)", name, file)
			}
			if !strings.Contains(scan, "="+file) {
				t.Errorf("job %s: the script writes no %s", name, file)
			}
		}
		if !strings.Contains(scan, "--format junit="+junit) {
			t.Errorf("job %s: the script writes no JUnit report to %s", name, junit)
		}
	}
	if visible == 0 {
		t.Error("no job (only hidden ones)")
	}
}

// TestGitLabScan runs the template's scan command, as the runner's shell would, with a stub
// mqguard: the arguments the variables make and the exit code the job ends with.
func TestGitLabScan(t *testing.T) {
	job, ok := loadGitLab(t)[".mqguard"]
	if !ok || len(job.Script) == 0 {
		t.Fatal("no hidden job .mqguard with a script")
	}
	// The last command scans; the ones before install mqguard.
	scan := job.Script[len(job.Script)-1]
	stub := stubMQGuard(t)
	reports := []string{"--format", "table", "--format", "junit=mqguard-junit.xml",
		"--format", "sarif=mqguard.sarif", "--format", "json=mqguard.json"}

	tests := []struct {
		name     string
		vars     map[string]string
		stubExit string
		wantArgs []string
	}{{
		name:     "defaults",
		stubExit: "1",
		wantArgs: slices.Concat([]string{"scan"}, reports, []string{"--", "."}),
	}, {
		name:     "every variable; globs kept",
		vars:     map[string]string{"MQGUARD_PATHS": "infra modules/*", "MQGUARD_FAIL_ON": "high", "MQGUARD_ARGS": "--allow-unknown --var-file prod.tfvars"},
		stubExit: "3",
		wantArgs: slices.Concat([]string{"scan", "--fail-on", "high"}, reports,
			[]string{"--allow-unknown", "--var-file", "prod.tfvars", "--", "infra", "modules/*"}),
	}, {
		name:     "clean scan",
		stubExit: "0",
		wantArgs: slices.Concat([]string{"scan"}, reports, []string{"--", "."}),
	}}
	// GitLab runs scripts with bash, or sh where bash is missing: both must agree.
	for _, shell := range []string{"bash", "sh"} {
		path, err := exec.LookPath(shell)
		if err != nil {
			t.Logf("%s not installed", shell)
			continue
		}
		for _, tt := range tests {
			t.Run(shell+"/"+tt.name, func(t *testing.T) {
				work := t.TempDir()
				// A file a glob would match, to show it does not.
				if err := os.MkdirAll(filepath.Join(work, "modules", "mq"), 0o755); err != nil {
					t.Fatal(err)
				}
				argsFile := filepath.Join(work, "args")
				cmd := exec.Command(path, "-e", "-c", scan)
				cmd.Dir = work
				cmd.Env = append(os.Environ(),
					"PATH="+stub+string(os.PathListSeparator)+os.Getenv("PATH"),
					"STUB_ARGS="+argsFile, "STUB_EXIT="+tt.stubExit, "STUB_SARIF=")
				for k, v := range job.Variables {
					if _, set := tt.vars[k]; !set {
						cmd.Env = append(cmd.Env, k+"="+v)
					}
				}
				for k, v := range tt.vars {
					cmd.Env = append(cmd.Env, k+"="+v)
				}
				out, err := cmd.CombinedOutput()
				if code := exitCode(t, err, out); strconv.Itoa(code) != tt.stubExit {
					t.Errorf("exit code %d, want %s\n%s", code, tt.stubExit, out)
				}
				args, err := os.ReadFile(argsFile)
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Split(strings.TrimSuffix(string(args), "\n"), "\n"); !slices.Equal(got, tt.wantArgs) {
					t.Errorf("mqguard arguments:\n got %q\nwant %q", got, tt.wantArgs)
				}
			})
		}
	}
}

// readmeExamples returns the YAML examples of the README's "CI and pre-commit" section, by the
// file named in their first line's comment (for example .gitlab-ci.yml).
func readmeExamples(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## CI and pre-commit\n")
	if !ok {
		t.Fatal(`README: no "## CI and pre-commit" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	examples := map[string]string{}
	for _, block := range strings.Split(section, "```yaml\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		first, _, _ := strings.Cut(block, "\n")
		examples[strings.TrimPrefix(first, "# ")] = block
	}
	return examples
}

// TestREADMEExamples checks that the README's copy-paste examples parse and use only what the
// action, the template and the hook define.
func TestREADMEExamples(t *testing.T) {
	examples := readmeExamples(t)
	parse := func(name string, v any) {
		t.Helper()
		src, ok := examples[name]
		if !ok {
			t.Fatalf("README: no example for %s", name)
		}
		if err := yaml.Unmarshal([]byte(src), v); err != nil {
			t.Fatalf("README example %s: %v", name, err)
		}
	}

	var workflow struct {
		Permissions map[string]string `yaml:"permissions"`
		Jobs        map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	parse(".github/workflows/mqguard.yml", &workflow)
	if workflow.Permissions["security-events"] != "write" {
		t.Error("workflow example: upload-sarif needs permissions security-events: write")
	}
	a := loadAction(t)
	uses := 0
	for _, job := range workflow.Jobs {
		for _, s := range job.Steps {
			if !strings.HasPrefix(s.Uses, "mqguard/mqguard@") {
				continue
			}
			uses++
			for k := range s.With {
				if _, ok := a.Inputs[k]; !ok {
					t.Errorf("workflow example: the action has no input %s", k)
				}
			}
		}
	}
	if uses == 0 {
		t.Error("workflow example does not use mqguard/mqguard@")
	}

	var gitlab struct {
		Include []struct {
			Remote string `yaml:"remote"`
		} `yaml:"include"`
		MQGuard struct {
			Variables map[string]string `yaml:"variables"`
		} `yaml:"mqguard"`
	}
	parse(".gitlab-ci.yml", &gitlab)
	if len(gitlab.Include) != 1 || !strings.HasSuffix(gitlab.Include[0].Remote, "/ci/"+gitlabTemplate) {
		t.Errorf("GitLab example: include %+v does not name ci/%s", gitlab.Include, gitlabTemplate)
	}
	template := loadGitLab(t)[".mqguard"].Variables
	for k := range gitlab.MQGuard.Variables {
		if _, ok := template[k]; !ok {
			t.Errorf("GitLab example: the template has no variable %s", k)
		}
	}

	var precommit struct {
		Repos []struct {
			Repo  string `yaml:"repo"`
			Hooks []struct {
				ID string `yaml:"id"`
			} `yaml:"hooks"`
		} `yaml:"repos"`
	}
	parse(".pre-commit-config.yaml", &precommit)
	var hooks []preCommitHook
	decodeStrict(t, "../.pre-commit-hooks.yaml", &hooks)
	for _, r := range precommit.Repos {
		for _, h := range r.Hooks {
			if !slices.ContainsFunc(hooks, func(d preCommitHook) bool { return d.ID == h.ID }) {
				t.Errorf("pre-commit example: no hook %s", h.ID)
			}
		}
	}
}

// TestRealScan runs the action's scan step and the GitLab template's scan command with the
// real mqguard on the example brokers, which are misconfigured on purpose: the reports that
// are uploaded and kept are written and parse, and the job fails with exit code 1.
func TestRealScan(t *testing.T) {
	if testing.Short() {
		t.Skip("builds mqguard")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not installed")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not installed")
	}
	bin := t.TempDir()
	if out, err := exec.Command(goCmd, "build", "-o", filepath.Join(bin, "mqguard"), "../cmd/mqguard").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	examples, err := filepath.Abs("../examples/terraform")
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	const args = "--as-of 2026-11-22 --no-cache"

	t.Run("action", func(t *testing.T) {
		a := loadAction(t)
		scan, exit := scanSteps(t, a)
		work := t.TempDir()
		inputs := defaultInputs(a)
		inputs["paths"] = examples
		inputs["args"] = args
		outFile := filepath.Join(work, "github_output")
		env := append(slices.Clone(env), "GITHUB_OUTPUT="+outFile)
		if code, out := runStep(t, bash, scan, work, env, inputs, nil); code != 0 {
			t.Fatalf("scan step exited %d\n%s", code, out)
		}
		outputs := readOutputs(t, outFile)
		if outputs["exit-code"] != "1" || outputs["sarif-file"] != "mqguard.sarif" {
			t.Fatalf("outputs %v, want exit-code 1 and sarif-file mqguard.sarif", outputs)
		}
		var sarif struct {
			Version string `json:"version"`
			Runs    []struct {
				Results []json.RawMessage `json:"results"`
			} `json:"runs"`
		}
		readJSON(t, filepath.Join(work, "mqguard.sarif"), &sarif)
		if sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) == 0 {
			t.Errorf("SARIF version %q, %d runs: want 2.1.0 and one run with results", sarif.Version, len(sarif.Runs))
		}
		if code, out := runStep(t, bash, exit, work, env, inputs, outputs); code != 1 {
			t.Errorf("last step exited %d, want 1\n%s", code, out)
		}
	})

	t.Run("gitlab", func(t *testing.T) {
		job := loadGitLab(t)[".mqguard"]
		work := t.TempDir()
		cmd := exec.Command(bash, "-e", "-c", job.Script[len(job.Script)-1])
		cmd.Dir = work
		cmd.Env = append(slices.Clone(env), "MQGUARD_PATHS="+examples, "MQGUARD_FAIL_ON=", "MQGUARD_ARGS="+args)
		out, err := cmd.CombinedOutput()
		if code := exitCode(t, err, out); code != 1 {
			t.Fatalf("exit code %d, want 1\n%s", code, out)
		}
		data, err := os.ReadFile(filepath.Join(work, "mqguard-junit.xml"))
		if err != nil {
			t.Fatal(err)
		}
		var junit struct {
			Failures int `xml:"failures,attr"`
		}
		if err := xml.Unmarshal(data, &junit); err != nil || junit.Failures == 0 {
			t.Errorf("JUnit report: %v, %d failures; want failures", err, junit.Failures)
		}
		var sarif, report map[string]any
		readJSON(t, filepath.Join(work, "mqguard.sarif"), &sarif)
		readJSON(t, filepath.Join(work, "mqguard.json"), &report)
	})
}

// readJSON decodes the JSON file at path into v.
func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
