package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/scan"
	"github.com/mqguard/mqguard/internal/source/terraform"
)

// testEnv is an environment rooted at dir with a fixed clock and no terminal.
func testEnv(dir string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &Env{
		Stdout:     &stdout,
		Stderr:     &stderr,
		Getenv:     func(string) string { return "" },
		Environ:    func() []string { return nil },
		Getwd:      func() (string, error) { return dir, nil },
		Now:        func() time.Time { return time.Date(2026, 11, 22, 23, 30, 0, 0, time.FixedZone("X", -5*3600)) },
		IsTerminal: func(io.Writer) bool { return false },
	}, &stdout, &stderr
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"findings", errFindings, ExitFindings},
		{"wrapped findings", fmt.Errorf("x: %w", errFindings), ExitFindings},
		{"incomplete", errIncomplete, ExitIncomplete},
		{"report write failed", &reportError{errors.New("disk full")}, ExitIncomplete},
		{"usage", usagef("bad"), ExitUsage},
		{"cobra parse error", errors.New(`unknown flag: --nope`), ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestOutcome(t *testing.T) {
	fail := func(sev rules.Severity) scan.Result { return scan.Result{HasFail: true, WorstFail: sev} }
	unknown := func(sev rules.Severity) scan.Result { return scan.Result{HasUnknown: true, WorstUnknown: sev} }
	tests := []struct {
		name         string
		res          scan.Result
		errs         []finding.Error
		failOn       rules.Severity
		allowUnknown bool
		want         error
	}{
		{"empty", scan.Result{}, nil, rules.Info, false, nil},
		{"fail at default threshold", fail(rules.Low), nil, rules.Info, false, errFindings},
		{"fail below threshold", fail(rules.Medium), nil, rules.High, false, nil},
		{"fail at threshold", fail(rules.High), nil, rules.High, false, errFindings},
		{"fail above threshold", fail(rules.Critical), nil, rules.High, false, errFindings},
		{"unknown counts", unknown(rules.High), nil, rules.High, false, errFindings},
		{"unknown allowed", unknown(rules.High), nil, rules.High, true, nil},
		{"allow-unknown keeps fails", scan.Result{HasUnknown: true, WorstUnknown: rules.High, HasFail: true, WorstFail: rules.High}, nil, rules.High, true, errFindings},
		{"unknown below threshold", unknown(rules.Low), nil, rules.High, false, nil},
		{"incomplete", scan.Result{}, []finding.Error{{Source: "terraform", Message: "x"}}, rules.Info, false, errIncomplete},
		{"incomplete wins over findings", fail(rules.High), []finding.Error{{Message: "x"}}, rules.Info, false, errIncomplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.res
			res.Report = &finding.Report{Errors: tt.errs}
			if got := outcome(&res, tt.failOn, tt.allowUnknown); !errors.Is(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("outcome = %v, want %v", got, tt.want)
			}
		})
	}
}

// parseScan parses args as `mqguard scan` would and returns the options, without running.
func parseScan(t *testing.T, env *Env, args []string) (*scanOptions, error) {
	t.Helper()
	var got *scanOptions
	cmd := newScanCmd(env, func(_ context.Context, _ *Env, o *scanOptions) error {
		got = o
		return nil
	})
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors = true
	cmd.SilenceUsage = true
	err := cmd.Execute()
	return got, err
}

func TestScanFlags(t *testing.T) {
	env, _, _ := testEnv(t.TempDir())
	got, err := parseScan(t, env, []string{
		"a", "b", "--format", "json", "--format", "sarif=out.sarif", "--fail-on", "high",
		"--allow-unknown", "--as-of", "2026-01-02", "--var", "a=1", "--var", "b=x,y",
		"--var-file", "p.tfvars", "--rules", "MQG001,public-access", "--skip-rules", "MQG007",
		"--show-passed", "--no-color", "-v", "--config", "policy.yaml", "--baseline", "b.json",
		"--write-baseline", "new.json", "--fail-on-expired-exceptions",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &scanOptions{
		Paths:             []string{"a", "b"},
		Formats:           []string{"json", "sarif=out.sarif"},
		FailOn:            "high",
		AllowUnknown:      true,
		failOnSet:         true,
		allowUnknownSet:   true,
		Config:            "policy.yaml",
		Baseline:          "b.json",
		WriteBaseline:     "new.json",
		FailOnExpired:     true,
		NotifyMinSeverity: "high",
		AsOf:              "2026-01-02",
		Vars:              []string{"a=1", "b=x,y"},
		VarFiles:          []string{"p.tfvars"},
		varOrder:          []bool{false, false, true},
		Rules:             []string{"MQG001", "public-access"},
		SkipRules:         []string{"MQG007"},
		ShowPassed:        true,
		NoColor:           true,
		Verbose:           true,
		AWS:               awsOptions{Concurrency: defaultConcurrency, Rate: defaultRate},
		Probe:             probeOptions{Timeout: defaultProbeTimeout, Concurrency: defaultProbeConcurrency},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("options:\n got %+v\nwant %+v", got, want)
	}

	if _, err := parseScan(t, env, []string{"-q", "-v"}); err == nil {
		t.Error("-q with -v: want an error")
	}
}

func TestScanValidate(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "infra", "main.tf"), "")
	mustWrite(t, filepath.Join(dir, "prod.tfvars"), "x = 1\n")
	mustWrite(t, filepath.Join(dir, "notes.txt"), "")

	tests := []struct {
		name    string
		opts    scanOptions
		wantErr string // substring; "" means valid
	}{
		{"defaults", scanOptions{FailOn: "info"}, ""},
		{"all valid", scanOptions{Paths: []string{"infra"}, FailOn: "HIGH", AsOf: "2026-01-31",
			Formats: []string{"json", "sarif=out.sarif"}, Vars: []string{"a=b"}, VarFiles: []string{"prod.tfvars"},
			Rules: []string{"MQG001"}, SkipRules: []string{"audit-log-disabled"}}, ""},
		{"tf file", scanOptions{Paths: []string{"infra/main.tf"}, FailOn: "info"}, ""},
		{"bad fail-on", scanOptions{FailOn: "severe"}, `--fail-on "severe"`},
		{"bad as-of", scanOptions{FailOn: "info", AsOf: "22/11/2026"}, `--as-of "22/11/2026"`},
		{"bad var", scanOptions{FailOn: "info", Vars: []string{"novalue"}}, "--var: want NAME=VALUE, got no '='"},
		{"empty var name", scanOptions{FailOn: "info", Vars: []string{"=secret"}}, `--var "=..."`},
		{"missing var file", scanOptions{FailOn: "info", VarFiles: []string{"nope.tfvars"}}, "--var-file nope.tfvars"},
		{"var file is dir", scanOptions{FailOn: "info", VarFiles: []string{"infra"}}, "is a directory"},
		{"unknown rule", scanOptions{FailOn: "info", Rules: []string{"MQG999"}}, `unknown rule "MQG999"`},
		{"unknown skip rule", scanOptions{FailOn: "info", SkipRules: []string{"nope"}}, `--skip-rules: unknown rule "nope"`},
		{"missing path", scanOptions{FailOn: "info", Paths: []string{"nope"}}, "nope: no such file or directory"},
		{"unknown format", scanOptions{FailOn: "info", Formats: []string{"xml"}}, `unknown format "xml"`},
		{"two on stdout", scanOptions{FailOn: "info", Formats: []string{"json", "table"}}, "both write to stdout"},
		{"missing output dir", scanOptions{FailOn: "info", Formats: []string{"json=" + filepath.Join(dir, "no", "x.json")}}, "--format json="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _, _ := testEnv(dir)
			_, err := tt.opts.validate(env)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("want error containing %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("error %q does not contain %q", err, tt.wantErr)
			case err != nil && exitCode(err) != ExitUsage:
				t.Fatalf("exit code %d, want %d", exitCode(err), ExitUsage)
			}
		})
	}
}

func TestScanValidateValues(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, filepath.Join(dir, "infra", "main.tf"), "")
	mustWrite(t, filepath.Join(dir, "vars", "prod.tfvars"), "")
	env, _, _ := testEnv(dir)
	o := scanOptions{Paths: []string{"infra/main.tf", "infra", "./infra/"}, FailOn: "medium",
		VarFiles: []string{"vars/prod.tfvars"}, Rules: []string{"public-access", "mqg001"}}
	cfg, err := o.validate(env)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{fsPath(filepath.Join(dir, "infra", "main.tf")), fsPath(filepath.Join(dir, "infra"))}
	if !reflect.DeepEqual(cfg.Request.Paths, want) {
		t.Errorf("roots = %q, want %q", cfg.Request.Paths, want)
	}
	if want := []terraform.VarArg{{File: fsPath(filepath.Join(dir, "vars", "prod.tfvars"))}}; !reflect.DeepEqual(cfg.Request.TFVars, want) {
		t.Errorf("var files = %q, want %q", cfg.Request.TFVars, want)
	}
	if want := []string{"public-access", "mqg001"}; !reflect.DeepEqual(cfg.Request.Rules, want) {
		t.Errorf("rules = %q, want %q", cfg.Request.Rules, want)
	}
	if cfg.FailOn != rules.Medium {
		t.Errorf("fail-on = %v", cfg.FailOn)
	}
	// The default date is today in UTC, whatever the local zone.
	if want := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC); !cfg.Request.AsOf.Equal(want) {
		t.Errorf("as-of = %v, want %v", cfg.Request.AsOf, want)
	}
	if len(cfg.Outputs) != 1 || cfg.Outputs[0].Format.Name() != "table" || cfg.Outputs[0].Path != "" {
		t.Errorf("default output = %+v, want table on stdout", cfg.Outputs)
	}
}

func TestColor(t *testing.T) {
	tests := []struct {
		name     string
		terminal bool
		noColor  string
		flag     bool
		want     bool
	}{
		{"terminal", true, "", false, true},
		{"pipe", false, "", false, false},
		{"NO_COLOR", true, "1", false, false},
		{"--no-color", true, "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _, _ := testEnv(t.TempDir())
			env.IsTerminal = func(io.Writer) bool { return tt.terminal }
			env.Getenv = func(k string) string {
				if k == "NO_COLOR" {
					return tt.noColor
				}
				return ""
			}
			cfg, err := (&scanOptions{FailOn: "info", NoColor: tt.flag}).validate(env)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Color != tt.want {
				t.Errorf("color = %v, want %v", cfg.Color, tt.want)
			}
		})
	}
}

func TestDisplay(t *testing.T) {
	tests := []struct {
		name   string
		cwd    string
		paths  []string
		fsPath string
		want   string
	}{
		{"relative inside", "/w", []string{"infra"}, "w/infra/mq.tf", "infra/mq.tf"},
		{"relative outside", "/w/infra", []string{"."}, "w/modules/x/main.tf", "../modules/x/main.tf"},
		{"absolute", "/w", []string{"/w/infra"}, "w/infra/mq.tf", "/w/infra/mq.tf"},
		{"mixed shows relative", "/w", []string{"/w/infra", "other"}, "w/infra/mq.tf", "infra/mq.tf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := &scanTarget{cwd: tt.cwd}
			for _, p := range tt.paths {
				if !filepath.IsAbs(p) {
					tg.relative = true
				}
			}
			if got := tg.Display(tt.fsPath); got != tt.want {
				t.Errorf("Display(%q) = %q, want %q", tt.fsPath, got, tt.want)
			}
		})
	}
}

func TestFSPath(t *testing.T) {
	for in, want := range map[string]string{"/": ".", "/a/b": "a/b", "/a/b/": "a/b", "/a/./b/../c": "a/c"} {
		if got := fsPath(in); got != want {
			t.Errorf("fsPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseOutputs(t *testing.T) {
	tests := []struct {
		specs   []string
		want    []string // name=path
		wantErr string
	}{
		{nil, []string{"table="}, ""},
		{[]string{"JSON"}, []string{"json="}, ""},
		{[]string{"json", "sarif=out.sarif"}, []string{"json=", "sarif=out.sarif"}, ""},
		{[]string{"json=-"}, []string{"json="}, ""},
		{[]string{"json=a.json", "json=a.json"}, nil, "named twice"},
		{[]string{"json="}, nil, "empty file name"},
		{[]string{"xml"}, nil, "unknown format"},
		{[]string{"json", "sarif"}, nil, "both write to stdout"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.specs, " "), func(t *testing.T) {
			outs, err := parseOutputs(tt.specs)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range outs {
				got = append(got, o.Format.Name()+"="+o.Path)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRunUsageErrors(t *testing.T) {
	tests := []struct {
		args       []string
		wantStderr string
	}{
		{[]string{"scan", "--format", "xml"}, `unknown format "xml"`},
		{[]string{"scan", "--nope"}, "unknown flag: --nope"},
		{[]string{"scan", "--fail-on"}, "flag needs an argument"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"rules", "MQG999"}, `unknown rule "MQG999"`},
		{[]string{"rules", "a", "b"}, "at most one RULE"},
		{[]string{"rules", "--format", "xml"}, "want table, markdown or json"},
		{[]string{"version", "extra"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			env, stdout, stderr := testEnv(t.TempDir())
			if code := RunEnv(context.Background(), tt.args, env); code != ExitUsage {
				t.Errorf("exit code %d, want %d", code, ExitUsage)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.wantStderr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout not empty: %q", stdout)
			}
		})
	}
}

func TestVarNeverEchoesValue(t *testing.T) {
	for _, v := range []string{"=hunter2-secret", "hunter2-secret"} {
		env, _, stderr := testEnv(t.TempDir())
		if code := RunEnv(context.Background(), []string{"scan", "--var", v}, env); code != ExitUsage {
			t.Errorf("--var %s: exit code %d, want %d", v, code, ExitUsage)
		}
		if strings.Contains(stderr.String(), "hunter2") {
			t.Errorf("stderr shows the value of --var: %q", stderr)
		}
	}
}

func TestRules(t *testing.T) {
	env, stdout, _ := testEnv(t.TempDir())
	if code := RunEnv(context.Background(), []string{"rules"}, env); code != ExitOK {
		t.Fatalf("exit code %d", code)
	}
	for _, r := range rules.All() {
		if !strings.Contains(stdout.String(), r.ID) {
			t.Errorf("rules list lacks %s", r.ID)
		}
	}

	r, _ := rules.Lookup("MQG001")
	env, stdout, _ = testEnv(t.TempDir())
	if code := RunEnv(context.Background(), []string{"rules", "CKV_AWS_69", "--format", "markdown"}, env); code != ExitOK {
		t.Fatalf("exit code %d", code)
	}
	if stdout.String() != rules.Markdown(r) {
		t.Errorf("rules CKV_AWS_69 --format markdown printed %q, want MQG001's documentation", stdout)
	}

	env, stdout, _ = testEnv(t.TempDir())
	if code := RunEnv(context.Background(), []string{"rules", "CKV_AWS_69"}, env); code != ExitOK {
		t.Fatalf("exit code %d", code)
	}
	if want := renderMarkdown(rules.Markdown(r), 100); stdout.String() != want {
		t.Errorf("rules CKV_AWS_69 printed %q, want MQG001's documentation for a terminal", stdout)
	}
}

func TestVersion(t *testing.T) {
	env, stdout, _ := testEnv(t.TempDir())
	if code := RunEnv(context.Background(), []string{"version"}, env); code != ExitOK {
		t.Fatalf("exit code %d", code)
	}
	if got := stdout.String(); !strings.HasPrefix(got, "mqguard ") || !strings.HasSuffix(got, "\n") {
		t.Errorf("version printed %q", got)
	}
	old := buildVersion
	t.Cleanup(func() { buildVersion = old })
	buildVersion = "v9.9.9"
	if got := version(); got != "v9.9.9" {
		t.Errorf("version() = %q, want the link-time version", got)
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
