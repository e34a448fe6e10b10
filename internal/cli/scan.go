package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mqguard/mqguard/internal/engine"
	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/report"
	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/source/cloudformation"
	"github.com/mqguard/mqguard/internal/source/detect"
	"github.com/mqguard/mqguard/internal/source/terraform"
	"github.com/mqguard/mqguard/internal/source/tfplan"
)

// asOfLayout is the format of --as-of.
const asOfLayout = "2006-01-02"

// scanOptions are the raw flags and arguments of `mqguard scan`.
type scanOptions struct {
	Paths        []string
	Formats      []string
	FailOn       string
	AllowUnknown bool
	AsOf         string
	Vars         []string
	VarFiles     []string
	InputType    string
	CFNParams    []string
	CFNParamFile []string
	Rules        []string
	SkipRules    []string
	ShowPassed   bool
	NoColor      bool
	Quiet        bool
	Verbose      bool
	// varOrder records, for each --var (false) and --var-file (true) in command-line order,
	// which flag it was: Terraform applies them in that order. Empty when the options were
	// not parsed from flags: then var files apply first.
	varOrder []bool
	// AWS selects live accounts and regions (--aws and friends); Snapshot is --snapshot DIR.
	AWS      awsOptions
	Snapshot string
}

// scanConfig is a validated scanOptions.
type scanConfig struct {
	Target       *scanTarget
	Outputs      []output
	FailOn       rules.Severity
	AllowUnknown bool
	AsOf         time.Time
	// TFVars are the --var and --var-file arguments in command-line order (files as FS paths).
	TFVars []terraform.VarArg
	// Inputs are the inputs found under Target, by kind.
	Inputs       detect.Inputs
	CFNParams    []string
	CFNParamFile []string // FS paths
	Only, Skip   []string
	ShowPassed   bool
	Color        bool
	Verbose      bool
	Quiet        bool
	// FindDiags are the directories and files that could not be searched.
	FindDiags []model.Diagnostic
	// Live is the live part of the scan, nil when there is none.
	Live *liveConfig
}

func newScanCmd(env *Env, runF func(context.Context, *Env, *scanOptions) error) *cobra.Command {
	opts := &scanOptions{}
	cmd := &cobra.Command{
		Use:   "scan [PATH...]",
		Short: "Scan Terraform, CloudFormation, plans and live AWS for broker weaknesses",
		Long: `Scan Terraform root modules, CloudFormation templates (CDK cloud assemblies included) and
Terraform plan JSON files for message broker weaknesses.

Each PATH is a directory searched recursively for Terraform root modules (default ".");
directories that another one calls as a local module are evaluated through that call, not on
their own. A PATH naming a .tf or .tf.json file scans that file's directory as the root module
(Terraform evaluates a module as a whole, so the directory's other files are read too; its
subdirectories are not searched). Local modules are followed wherever they live.
CloudFormation templates (YAML or JSON, SAM included) and plans ('terraform show -json' output)
are recognised by their content wherever they are under a PATH; a cdk.out directory is read
through its manifest.json. --input-type forces one kind. Paths in the report are relative to
the current directory when a relative PATH was given, absolute otherwise.

With --aws, the Amazon MQ brokers of live AWS accounts are scanned too (read-only), and PATHs
become optional: without one, only AWS is scanned. --snapshot DIR scans the API responses that
'mqguard snapshot' saved instead, with the same results. A broker, region or account that could
not be read is an error entry (exit code 3) and the rules that needed it are UNKNOWN.

Formats (--format F or F=FILE, repeatable; at most one without a file, written to stdout):` + formatHelp(),
		Example: `  mqguard scan
  mqguard scan infra/ --fail-on high
  mqguard scan --format table --format sarif=mqguard.sarif --var env=prod --var-file prod.tfvars
  mqguard scan --aws --regions eu-west-1,eu-central-1
  mqguard scan --aws --org --org-role OrganizationAccountAccessRole --format json
  mqguard scan --snapshot evidence/2026-11-22`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			return runF(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Formats, "format", nil, "report `F[=FILE]`, written to FILE or stdout: "+strings.Join(formatNames(), ", ")+" (default table)")
	f.StringVar(&opts.FailOn, "fail-on", "info", "lowest `SEVERITY` that fails the scan: info, low, medium, high, critical")
	f.BoolVar(&opts.AllowUnknown, "allow-unknown", false, "do not fail on UNKNOWN findings (values that could not be decided)")
	f.StringVar(&opts.AsOf, "as-of", "", "judge dates (end of support, suppression expiry) at `YYYY-MM-DD` (default today, UTC)")
	f.Var(&orderedArgs{list: &opts.Vars, order: &opts.varOrder}, "var", "set a Terraform input variable, `NAME=VALUE` (repeatable; --var and --var-file apply in command-line order)")
	f.Var(&orderedArgs{list: &opts.VarFiles, order: &opts.varOrder, file: true}, "var-file", "read Terraform input variables from `FILE` (repeatable)")
	f.StringVar(&opts.InputType, "input-type", "", "read only inputs of this `KIND`: terraform, cloudformation or tfplan (default: every kind, recognised by content)")
	f.StringArrayVar(&opts.CFNParams, "cfn-param", nil, "set a CloudFormation parameter, `KEY=VALUE` (repeatable)")
	f.StringArrayVar(&opts.CFNParamFile, "cfn-param-file", nil, "read CloudFormation parameters from `FILE` in the AWS CLI JSON format (repeatable; applied before --cfn-param)")
	f.StringSliceVar(&opts.Rules, "rules", nil, "run only these `RULES` (comma-separated IDs, slugs or other tools' IDs)")
	f.StringSliceVar(&opts.SkipRules, "skip-rules", nil, "do not run these `RULES` (comma-separated IDs, slugs or other tools' IDs)")
	f.BoolVar(&opts.ShowPassed, "show-passed", false, "also report PASS and N/A results")
	f.BoolVar(&opts.NoColor, "no-color", false, "never colour the output (also: NO_COLOR environment variable)")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "log only errors")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "log debug messages and show more detail in the table")
	f.StringVar(&opts.Snapshot, "snapshot", "", "also scan the AWS snapshot in `DIR` (written by 'mqguard snapshot')")
	opts.AWS.addFlags(f)
	cmd.MarkFlagsMutuallyExclusive("quiet", "verbose")
	cmd.MarkFlagsMutuallyExclusive("aws", "snapshot")
	return cmd
}

// validate checks every option before anything is scanned. Every error is a usage error.
func (o *scanOptions) validate(env *Env) (*scanConfig, error) {
	cfg := &scanConfig{
		AllowUnknown: o.AllowUnknown,
		ShowPassed:   o.ShowPassed,
		Quiet:        o.Quiet,
		Verbose:      o.Verbose,
	}
	var err error
	if cfg.Outputs, err = parseOutputs(o.Formats); err != nil {
		return nil, err
	}
	sev, ok := rules.ParseSeverity(strings.TrimSpace(o.FailOn))
	if !ok {
		return nil, usagef("--fail-on %q: want info, low, medium, high or critical", o.FailOn)
	}
	cfg.FailOn = sev
	if cfg.AsOf, err = parseAsOf(o.AsOf, env.Now()); err != nil {
		return nil, err
	}
	var assigns []terraform.VarArg
	for _, v := range o.Vars {
		// The value may be a secret: errors show the name only.
		name, _, ok := strings.Cut(v, "=")
		switch {
		case !ok:
			return nil, usagef("--var: want NAME=VALUE, got no '='")
		case strings.TrimSpace(name) == "":
			return nil, usagef("--var %q: want NAME=VALUE, got an empty NAME", "=...")
		}
		assigns = append(assigns, terraform.VarArg{Assign: v})
	}
	if cfg.Only, err = resolveRules("--rules", o.Rules); err != nil {
		return nil, err
	}
	if cfg.Skip, err = resolveRules("--skip-rules", o.SkipRules); err != nil {
		return nil, err
	}
	cwd, err := env.Getwd()
	if err != nil {
		return nil, usagef("current directory: %v", err)
	}
	var files []terraform.VarArg
	for _, vf := range o.VarFiles {
		p, err := checkInputFile("--var-file", cwd, vf)
		if err != nil {
			return nil, err
		}
		files = append(files, terraform.VarArg{File: p})
	}
	cfg.TFVars = inOrder(o.varOrder, assigns, files)
	for _, pf := range o.CFNParamFile {
		p, err := checkInputFile("--cfn-param-file", cwd, pf)
		if err != nil {
			return nil, err
		}
		cfg.CFNParamFile = append(cfg.CFNParamFile, p)
	}
	for _, v := range o.CFNParams {
		// The value may be a secret: errors show the key only.
		key, _, ok := strings.Cut(v, "=")
		if !ok || strings.TrimSpace(key) == "" {
			return nil, usagef("--cfn-param: want KEY=VALUE")
		}
		cfg.CFNParams = append(cfg.CFNParams, v)
	}
	kind := detect.Kind(strings.ToLower(strings.TrimSpace(o.InputType)))
	if kind != detect.Auto && !slices.Contains(detect.Kinds(), kind) {
		return nil, usagef("--input-type %q: want terraform, cloudformation or tfplan", o.InputType)
	}
	if cfg.Live, err = validateLive(cwd, &o.AWS, o.Snapshot); err != nil {
		return nil, err
	}
	paths := o.Paths
	if len(paths) == 0 && cfg.Live == nil {
		paths = []string{"."}
	}
	if cfg.Target, err = resolvePaths(cwd, paths); err != nil {
		return nil, err
	}
	var findDiags []model.Diagnostic
	cfg.Inputs, findDiags = detect.Find(os.DirFS("/"), cfg.Target.Roots, kind)
	for _, d := range findDiags {
		if slices.Contains(cfg.Target.Roots, d.At.File) {
			// A file the user named that is no input mqguard reads.
			return nil, usagef("%s: %s", cfg.Target.Display(d.At.File), d.Message)
		}
		cfg.FindDiags = append(cfg.FindDiags, model.Diagnostic{Severity: d.Severity, Source: d.Source,
			At: model.Range{File: cfg.Target.Display(d.At.File)}, Message: d.Message})
	}
	cfg.Color = !o.NoColor && env.Getenv("NO_COLOR") == "" && env.IsTerminal(env.Stdout)
	return cfg, nil
}

// parseAsOf reads --as-of; empty means today (UTC).
func parseAsOf(s string, now time.Time) (time.Time, error) {
	if s == "" {
		y, m, d := now.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	}
	t, err := time.Parse(asOfLayout, s)
	if err != nil {
		return time.Time{}, usagef("--as-of %q: want a date YYYY-MM-DD", s)
	}
	return t, nil
}

// resolveRules turns rule IDs, slugs or other tools' IDs into rule IDs.
func resolveRules(flag string, names []string) ([]string, error) {
	var ids []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		r, ok := rules.Lookup(n)
		if !ok {
			return nil, usagef("%s: unknown rule %q (see 'mqguard rules')", flag, n)
		}
		ids = append(ids, r.ID)
	}
	return ids, nil
}

// checkInputFile checks that a file named by flag can be read and returns its FS path.
func checkInputFile(flag, cwd, name string) (string, error) {
	abs := name
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(cwd, abs)
	}
	f, err := os.Open(abs)
	if err != nil {
		return "", usagef("%s %s: %v", flag, name, unwrapPathError(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return "", usagef("%s %s: %v", flag, name, unwrapPathError(err))
	}
	if st.IsDir() {
		return "", usagef("%s %s: is a directory", flag, name)
	}
	return fsPath(abs), nil
}

// runScan is `mqguard scan`.
func runScan(ctx context.Context, env *Env, opts *scanOptions) error {
	cfg, err := opts.validate(env)
	if err != nil {
		return err
	}
	live, err := cfg.Live.prepare(ctx)
	if err != nil {
		return err
	}
	bar, logw := liveProgress{}, env.Stderr
	if cfg.Live != nil && cfg.Live.AWS != nil {
		bar, logw = progressFor(env, cfg.Quiet)
	}
	log := newLogger(logw, cfg.Quiet, cfg.Verbose)
	start := time.Now()
	inv, diags := loadIaC(ctx, env, cfg)
	if live != nil {
		if inv == nil {
			inv = &model.Inventory{}
		}
		linv, ldiags := live.load(ctx, log, bar.update)
		bar.clear()
		inv.Merge(linv)
		diags = append(diags, ldiags...)
	}
	if err := ctx.Err(); err != nil {
		return &reportError{fmt.Errorf("scan interrupted: %w", err)}
	}
	log.Debug("sources loaded", "roots", len(cfg.Target.Roots), "brokers", len(inv.Brokers),
		"diagnostics", len(diags), "elapsed", time.Since(start).Round(time.Millisecond))
	rep, err := engine.Run(inv, diags, rules.All(), engine.Options{
		AsOf:       cfg.AsOf,
		Settings:   rules.DefaultSettings(),
		Only:       cfg.Only,
		Skip:       cfg.Skip,
		ShowPassed: cfg.ShowPassed,
		Version:    version(),
	})
	if err != nil {
		return &reportError{fmt.Errorf("evaluating rules: %w", err)}
	}
	logReport(log, rep)
	if err := writeOutputs(cfg.Outputs, rep, env.Stdout, report.Options{Color: cfg.Color, Verbose: cfg.Verbose}); err != nil {
		return err
	}
	return outcome(rep, cfg.FailOn, cfg.AllowUnknown)
}

// loadIaC loads every infrastructure-as-code input found under the PATHs.
func loadIaC(ctx context.Context, env *Env, cfg *scanConfig) (*model.Inventory, []model.Diagnostic) {
	fsys := os.DirFS("/")
	inv := &model.Inventory{}
	diags := append([]model.Diagnostic(nil), cfg.FindDiags...)
	add := func(i *model.Inventory, d []model.Diagnostic) {
		inv.Merge(i)
		diags = append(diags, d...)
	}
	if in := cfg.Inputs.Terraform; len(in) > 0 {
		add(terraform.Load(ctx, fsys, in, terraform.Options{
			Vars:    cfg.TFVars,
			Env:     terraformEnv(env.Environ()),
			Display: cfg.Target.Display,
		}))
	}
	if in := cfg.Inputs.CloudFormation; len(in) > 0 {
		add(cloudformation.Load(ctx, fsys, in, cloudformation.Options{
			Params:     cfg.CFNParams,
			ParamFiles: cfg.CFNParamFile,
			Display:    cfg.Target.Display,
			// Templates the user named are always parsed; those found in directories only
			// when they can hold a broker.
			SkipUnrelated: func(p string) bool { return !slices.Contains(cfg.Target.Roots, p) },
		}))
	}
	if in := cfg.Inputs.Plans; len(in) > 0 {
		add(tfplan.Load(ctx, fsys, in, tfplan.Options{Display: cfg.Target.Display}))
	}
	return inv, diags
}

// terraformEnv keeps the environment variables Terraform reads input variables from.
func terraformEnv(environ []string) []string {
	var out []string
	for _, kv := range environ {
		if strings.HasPrefix(kv, "TF_VAR_") {
			out = append(out, kv)
		}
	}
	return out
}

// logReport logs what the user should see on stderr whatever the format.
func logReport(log *slog.Logger, rep *finding.Report) {
	for _, e := range rep.Errors {
		attrs := []any{"source", e.Source}
		if e.Path != "" {
			attrs = append(attrs, "path", e.Path, "line", e.Line)
		}
		log.Warn("not scanned: "+e.Message, attrs...)
	}
	log.Info("scan complete", "brokers", rep.Summary.Brokers, "fail", rep.Summary.Fail,
		"unknown", rep.Summary.Unknown, "suppressed", rep.Summary.Suppressed, "errors", len(rep.Errors))
}

// outcome decides the scan's result from the report: errIncomplete when part of the input could
// not be scanned (it wins: the result cannot be trusted), errFindings when an unsuppressed FAIL
// (or UNKNOWN, unless allowUnknown) is at or above failOn, nil otherwise.
func outcome(rep *finding.Report, failOn rules.Severity, allowUnknown bool) error {
	if len(rep.Errors) > 0 {
		return errIncomplete
	}
	for _, f := range rep.Findings {
		switch {
		case f.Status == finding.StatusFail:
		case f.Status == finding.StatusUnknown && !allowUnknown:
		default:
			continue
		}
		sev, ok := rules.ParseSeverity(f.Severity)
		if !ok || sev >= failOn {
			// An unreadable severity fails rather than passes.
			return errFindings
		}
	}
	return nil
}

// orderedArgs is a repeatable string flag that also records its place among the flags sharing
// order (--var and --var-file).
type orderedArgs struct {
	list  *[]string
	order *[]bool
	file  bool
}

func (a *orderedArgs) Set(s string) error {
	*a.list = append(*a.list, s)
	*a.order = append(*a.order, a.file)
	return nil
}

func (a *orderedArgs) String() string { return "" }

func (a *orderedArgs) Type() string { return "stringArray" }

// inOrder merges --var and --var-file arguments in command-line order; without a recorded
// order, var files come first.
func inOrder(order []bool, assigns, files []terraform.VarArg) []terraform.VarArg {
	if len(order) != len(assigns)+len(files) {
		return append(append([]terraform.VarArg(nil), files...), assigns...)
	}
	out := make([]terraform.VarArg, 0, len(order))
	for _, isFile := range order {
		if isFile {
			out, files = append(out, files[0]), files[1:]
		} else {
			out, assigns = append(out, assigns[0]), assigns[1:]
		}
	}
	return out
}
