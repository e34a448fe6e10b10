package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/history"
	"github.com/mqguard/mqguard/internal/notify"
	"github.com/mqguard/mqguard/internal/policy"
	"github.com/mqguard/mqguard/internal/report"
	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/scan"
	"github.com/mqguard/mqguard/internal/source/detect"
	"github.com/mqguard/mqguard/internal/source/terraform"
	"github.com/mqguard/mqguard/internal/suppress"
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
	// Probe are the flags of live broker inspection (--broker, --probe and friends).
	Probe probeOptions
	// CacheDir and NoCache choose the Terraform cache (--cache-dir, --no-cache).
	CacheDir string
	NoCache  bool
	// FailOnEmpty makes a scan that found nothing to scan a usage error.
	FailOnEmpty bool
	// RequireModules makes a module that is not installed an error (--require-modules).
	RequireModules bool
	// ASFFProductARN is --asff-product-arn.
	ASFFProductARN string
	// Config is --config: a policy file, "none" for no policy, "" to discover .mqguard.yaml
	// in the current directory.
	Config string
	// Baseline is --baseline, WriteBaseline --write-baseline.
	Baseline, WriteBaseline string
	// FailOnExpired makes an expired policy exception fail the scan.
	FailOnExpired bool
	// DB is --db: the history store the scan is recorded in (a SQLite path or postgres:// URL).
	DB string
	// Notify are the --notify destinations; NotifyMinSeverity and NotifyResolved choose what
	// they are told.
	Notify            []string
	NotifyMinSeverity string
	NotifyResolved    bool
	// failOnSet and allowUnknownSet say whether the flags were given: flags override the
	// policy file.
	failOnSet, allowUnknownSet bool
	// logger and onReport are set by `mqguard watch`: how the scan's logger is made (nil:
	// newLogger) and a function told every report the scan produced.
	logger   func(w io.Writer, quiet, verbose bool) *slog.Logger
	onReport func(*finding.Report)
}

// scanConfig is a validated scanOptions: the scan request, and what the command does with its
// result.
type scanConfig struct {
	Request      scan.Request
	Outputs      []output
	FailOn       rules.Severity
	AllowUnknown bool
	Color        bool
	Verbose      bool
	Quiet        bool
	// Live is the live part of the scan, nil when there is none; prepare fills Request.AWS.
	Live        *liveConfig
	FailOnEmpty bool
	// Named are the PATHs as the user wrote them, for messages.
	Named []string
	// Report holds the options of the machine formats (ASFF product, time stamp).
	Report report.Options
	// WriteBaseline is the OS path the baseline is written to after the scan ("" for none),
	// WriteBaselineShown as the user named it; PruneBaseline keeps only the previous
	// baseline's findings still present.
	WriteBaseline, WriteBaselineShown string
	PruneBaseline                     bool
	FailOnExpired                     bool
	// History is the open --db store, nil without --db.
	History history.Store
	// Notify is where the findings new since the previous scan (and, with NotifyResolved,
	// those resolved) are announced.
	Notify            []notify.Destination
	NotifyMinSeverity string
	NotifyResolved    bool
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
through its manifest.json. The configuration files of self-managed brokers (activemq.xml with
the properties files beside it, rabbitmq.conf, rabbitmq.config and advanced.config, definitions
exports, Kubernetes and Helm files that embed them) are recognised by content too; each
directory of them is one broker. --input-type forces one kind. Paths in the report are relative to
the current directory when a relative PATH was given, absolute otherwise.

With --aws, the Amazon MQ brokers of live AWS accounts are scanned too (read-only), and PATHs
become optional: without one, only AWS is scanned. --snapshot DIR scans the API responses that
'mqguard snapshot' saved instead, with the same results. A broker, region or account that could
not be read is an error entry (exit code 3) and the rules that needed it are UNKNOWN. --aws
--probe also probes the endpoints Amazon MQ reports for each broker found (TLS versions, suites,
certificate); nothing answering on a private broker's endpoint is a note, not an error, since
only its VPC reaches it.

--broker URL (repeatable) inspects a running broker: https://HOST:15671 or http://HOST:15672
reads the RabbitMQ management API (or the ActiveMQ console), amqps, ssl, stomp+ssl, mqtt+ssl and
wss URLs get a TLS probe, amqp, tcp, stomp and mqtt URLs a plaintext-protocol probe. --probe
inspects the brokers the policy file lists (brokers:) instead. Only the addresses named are
contacted, each connection is bounded by --probe-timeout, and credentials are sent only once the
server's certificate verifies (unless --insecure-skip-verify). Credentials come from
MQGUARD_BROKER_USER and MQGUARD_BROKER_PASSWORD, or per broker from the policy file's
broker_secrets file; a URL with user:password@ is refused. A broker that does not answer,
refuses the credentials or speaks another protocol is an error entry (exit code 3). With
--broker and no PATH, no file is scanned.

Formats (--format F or F=FILE, repeatable; at most one without a file, written to stdout):` + formatHelp(),
		Example: `  mqguard scan
  mqguard scan infra/ --fail-on high
  mqguard scan --format table --format sarif=mqguard.sarif --var env=prod --var-file prod.tfvars
  mqguard scan --aws --regions eu-west-1,eu-central-1
  mqguard scan --aws --org --org-role OrganizationAccountAccessRole --format json
  mqguard scan --snapshot evidence/2026-11-22
  mqguard scan ./rabbitmq/ ./activemq/conf
  MQGUARD_BROKER_USER=audit MQGUARD_BROKER_PASSWORD=... mqguard scan --broker https://rabbit.internal:15671
  mqguard scan --broker amqps://b-1234.mq.eu-west-1.amazonaws.com:5671 --broker ssl://activemq.internal:61617
  mqguard scan --aws --probe`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			opts.failOnSet = cmd.Flags().Changed("fail-on")
			opts.allowUnknownSet = cmd.Flags().Changed("allow-unknown")
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
	f.StringVar(&opts.InputType, "input-type", "", "read only inputs of this `KIND`: terraform, cloudformation, tfplan or brokerconf (default: every kind, recognised by content)")
	f.StringArrayVar(&opts.CFNParams, "cfn-param", nil, "set a CloudFormation parameter, `KEY=VALUE` (repeatable)")
	f.StringArrayVar(&opts.CFNParamFile, "cfn-param-file", nil, "read CloudFormation parameters from `FILE` in the AWS CLI JSON format (repeatable; applied before --cfn-param)")
	f.StringSliceVar(&opts.Rules, "rules", nil, "run only these `RULES` (comma-separated IDs, slugs or other tools' IDs)")
	f.StringSliceVar(&opts.SkipRules, "skip-rules", nil, "do not run these `RULES` (comma-separated IDs, slugs or other tools' IDs)")
	f.BoolVar(&opts.ShowPassed, "show-passed", false, "also report PASS and N/A results")
	f.BoolVar(&opts.NoColor, "no-color", false, "never colour the output (also: NO_COLOR environment variable)")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "log only errors")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "log debug messages and show more detail in the table")
	f.StringVar(&opts.CacheDir, "cache-dir", "", "keep evaluated Terraform root modules in `DIR` and reuse them while their inputs are unchanged (default: MQGUARD_CACHE_DIR, else mqguard/ in the user's cache directory)")
	f.BoolVar(&opts.NoCache, "no-cache", false, "neither read nor write the Terraform cache")
	f.BoolVar(&opts.RequireModules, "require-modules", false, "fail the scan (exit 3) when a Terraform module call names a module that is not installed or not found")
	f.BoolVar(&opts.FailOnEmpty, "fail-on-empty", false, "exit with code 2 when no Terraform, CloudFormation, plan or AWS input is found")
	f.StringVar(&opts.Snapshot, "snapshot", "", "also scan the AWS snapshot in `DIR` (written by 'mqguard snapshot')")
	f.StringVar(&opts.Config, "config", "", "read the policy file `FILE` (rules, settings, exceptions, baseline); 'none' reads none (default: "+policy.FileName+" in the current directory, when present)")
	f.StringVar(&opts.Baseline, "baseline", "", "suppress the findings listed in the baseline `FILE`: only new findings fail (default: the policy file's baseline)")
	f.StringVar(&opts.WriteBaseline, "write-baseline", "", "write the current FAIL and UNKNOWN findings to the baseline `FILE`; with a baseline, keep only its findings still present")
	f.BoolVar(&opts.FailOnExpired, "fail-on-expired-exceptions", false, "exit with code 1 when a policy exception has expired")
	f.StringVar(&opts.ASFFProductARN, "asff-product-arn", "", "Security Hub product `ARN` of the asff findings (default: the account's own, arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default; required for IaC findings, which have no account)")
	f.StringArrayVar(&opts.Notify, "notify", nil, "after a scan recorded with --db, announce its new findings to `DEST`: an https webhook (Slack-compatible) or sns:TOPIC_ARN (repeatable)")
	f.StringVar(&opts.NotifyMinSeverity, "notify-min-severity", "high", "lowest `SEVERITY` announced with --notify")
	f.BoolVar(&opts.NotifyResolved, "notify-resolved", false, "also announce the findings the scan resolved")
	f.StringVar(&opts.DB, "db", "", "record the scan in the history `DB`: a SQLite file (created when missing) or a postgres:// URL")
	opts.AWS.addFlags(f)
	opts.Probe.addFlags(f)
	cmd.MarkFlagsMutuallyExclusive("quiet", "verbose")
	cmd.MarkFlagsMutuallyExclusive("aws", "snapshot")
	return cmd
}

// validate checks every option before anything is scanned. Every error is a usage error.
func (o *scanOptions) validate(env *Env) (*scanConfig, error) {
	cfg := &scanConfig{
		AllowUnknown: o.AllowUnknown,
		Quiet:        o.Quiet,
		Verbose:      o.Verbose,
		FailOnEmpty:  o.FailOnEmpty,
	}
	req := &cfg.Request
	req.ShowPassed = o.ShowPassed
	req.RequireModules = o.RequireModules
	req.Version = version()
	var err error
	if cfg.Outputs, err = parseOutputs(o.Formats); err != nil {
		return nil, err
	}
	sev, ok := rules.ParseSeverity(strings.TrimSpace(o.FailOn))
	if !ok {
		return nil, usagef("--fail-on %q: want info, low, medium, high or critical", o.FailOn)
	}
	cfg.FailOn = sev
	now := env.Now()
	if req.AsOf, err = parseAsOf(o.AsOf, now); err != nil {
		return nil, err
	}
	if o.ASFFProductARN != "" {
		if err := report.CheckProductARN(o.ASFFProductARN); err != nil {
			return nil, usagef("--asff-product-arn: %v", err)
		}
	}
	// Security Hub tells a finding's versions apart by UpdatedAt: the findings carry the time of
	// the scan, not the --as-of date, so that the next scan's import updates them.
	cfg.Report = report.Options{ASFFProductARN: o.ASFFProductARN, Time: now.UTC().Truncate(time.Second)}
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
	catalog := rules.All()
	if _, err := rules.Resolve(catalog, o.Rules); err != nil {
		return nil, usagef("--rules: %v (see 'mqguard rules')", err)
	}
	if _, err := rules.Resolve(catalog, o.SkipRules); err != nil {
		return nil, usagef("--skip-rules: %v (see 'mqguard rules')", err)
	}
	req.Rules, req.SkipRules = o.Rules, o.SkipRules
	cwd, err := env.Getwd()
	if err != nil {
		return nil, usagef("current directory: %v", err)
	}
	if err := o.applyPolicy(cfg, cwd); err != nil {
		return nil, err
	}
	var files []terraform.VarArg
	for _, vf := range o.VarFiles {
		p, err := checkInputFile("--var-file", cwd, vf)
		if err != nil {
			return nil, err
		}
		files = append(files, terraform.VarArg{File: p})
	}
	req.TFVars = inOrder(o.varOrder, assigns, files)
	req.TFEnv = terraformEnv(env.Environ())
	for _, pf := range o.CFNParamFile {
		p, err := checkInputFile("--cfn-param-file", cwd, pf)
		if err != nil {
			return nil, err
		}
		req.CFNParamFiles = append(req.CFNParamFiles, p)
	}
	for _, v := range o.CFNParams {
		// The value may be a secret: errors show the key only.
		key, _, ok := strings.Cut(v, "=")
		if !ok || strings.TrimSpace(key) == "" {
			return nil, usagef("--cfn-param: want KEY=VALUE")
		}
		req.CFNParams = append(req.CFNParams, v)
	}
	kind := detect.Kind(strings.ToLower(strings.TrimSpace(o.InputType)))
	if kind != detect.Auto && !slices.Contains(detect.Kinds(), kind) {
		return nil, usagef("--input-type %q: want terraform, cloudformation, tfplan or brokerconf", o.InputType)
	}
	req.Kind = kind
	if cfg.Live, err = validateLive(cwd, &o.AWS, o.Snapshot); err != nil {
		return nil, err
	}
	if cfg.Live != nil {
		req.Snapshot = cfg.Live.Snapshot
	}
	probeCfg, err := o.Probe.validate(env, cwd, req.Policy, cfg.Live != nil && cfg.Live.AWS != nil)
	if err != nil {
		return nil, err
	}
	if probeCfg != nil {
		req.Brokers, req.ProbeAWS, req.Probe = probeCfg.Targets, probeCfg.ProbeAWS, probeCfg.Options
	}
	if req.CacheDir, err = cacheDir(env, cwd, o.CacheDir, o.NoCache); err != nil {
		return nil, err
	}
	paths := o.Paths
	// Without a PATH, the current directory is scanned unless AWS or running brokers are.
	if len(paths) == 0 && cfg.Live == nil && len(req.Brokers) == 0 {
		paths = []string{"."}
	}
	target, err := resolvePaths(cwd, paths)
	if err != nil {
		return nil, err
	}
	cfg.Named = paths
	req.Paths, req.Display = target.Roots, target.Display
	if err := o.validateNotify(cfg); err != nil {
		return nil, err
	}
	cfg.Color = !o.NoColor && env.Getenv("NO_COLOR") == "" && env.IsTerminal(env.Stdout)
	return cfg, nil
}

// cacheDir decides where the Terraform cache lives: --cache-dir, else MQGUARD_CACHE_DIR, else
// mqguard/ under the user's cache directory; "" with --no-cache or when the user has no cache
// directory (the scan then runs without a cache).
func cacheDir(env *Env, cwd, flag string, off bool) (string, error) {
	switch {
	case off && flag != "":
		return "", usagef("--cache-dir and --no-cache exclude each other")
	case off:
		return "", nil
	case flag == "":
		flag = env.Getenv("MQGUARD_CACHE_DIR")
	}
	if flag == "" {
		if env.UserCacheDir == nil {
			return "", nil
		}
		base, err := env.UserCacheDir()
		if err != nil || base == "" {
			return "", nil
		}
		return filepath.Join(base, "mqguard"), nil
	}
	if !filepath.IsAbs(flag) {
		flag = filepath.Join(cwd, flag)
	}
	if st, err := os.Stat(flag); err == nil && !st.IsDir() {
		return "", usagef("--cache-dir %s: not a directory", flag)
	}
	return filepath.Clean(flag), nil
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

// checkInputFile checks that a file named by flag can be read and returns its FS path.
func checkInputFile(flag, cwd, name string) (string, error) {
	abs := name
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(cwd, abs)
	}
	// Stat, not Open: opening a named pipe nobody writes to would block before the scan
	// starts (a pipe the shell hands over, --var-file <(...), is read by the source).
	st, err := os.Stat(abs)
	if err != nil {
		return "", usagef("%s %s: %v", flag, name, unwrapPathError(err))
	}
	if st.IsDir() {
		return "", usagef("%s %s: is a directory", flag, name)
	}
	return fsPath(abs), nil
}

// runScan is `mqguard scan`: flags to a request, the scan, its report to the outputs, its
// outcome to the exit code.
func runScan(ctx context.Context, env *Env, opts *scanOptions) error {
	cfg, err := opts.validate(env)
	if err != nil {
		return err
	}
	// The history store is checked first: a database it cannot use stops the command before
	// any AWS call or scan.
	if opts.DB != "" {
		store, err := openHistory(ctx, opts.DB)
		if err != nil {
			return err
		}
		defer func() { _ = store.Close() }()
		cfg.History = store
	}
	live, err := cfg.Live.prepare(ctx)
	if err != nil {
		return err
	}
	bar, logw := liveProgress{}, env.Stderr
	if cfg.Live != nil && cfg.Live.AWS != nil {
		bar, logw = progressFor(env, cfg.Quiet)
	}
	mkLogger := newLogger
	if opts.logger != nil {
		mkLogger = opts.logger
	}
	log := mkLogger(logw, cfg.Quiet, cfg.Verbose)
	req := cfg.Request
	req.Logger = log
	var brokers history.Collector
	if cfg.History != nil {
		req.OnPart = brokers.OnPart
	}
	if live != nil && live.cfg.AWS != nil {
		req.AWS = &scan.AWS{Config: live.awsCfg, Options: live.cfg.AWS.sourceOptions(log, bar.update, "")}
	}
	res, err := scan.Run(ctx, req)
	bar.clear()
	var rerr *scan.RequestError
	switch {
	case errors.As(err, &rerr):
		return usagef("%v", rerr.Err)
	case err != nil:
		return &reportError{err}
	}
	if res.Empty() {
		// Said whatever the log level: a pipeline that scans nothing should not look green.
		fmt.Fprintf(env.Stderr, "mqguard: nothing to scan: no Terraform, CloudFormation, plan or AWS input found under %s\n", strings.Join(cfg.Named, ", "))
		if cfg.FailOnEmpty {
			return usagef("--fail-on-empty: nothing was scanned")
		}
	}
	logReport(log, res.Report)
	if opts.onReport != nil {
		opts.onReport(res.Report)
	}
	var recordErr error
	var scanID int64
	if cfg.History != nil {
		scanID, recordErr = recordScan(ctx, cfg.History, cfg, opts.AsOf, env.Now(), res, brokers.Brokers())
	}
	if err := writeOutputs(cfg.Outputs, res.Report, env.Stdout, withTerminal(cfg.Report, cfg.Color, cfg.Verbose, terminalWidth(env))); err != nil {
		return err
	}
	if cfg.WriteBaseline != "" {
		if err := writeBaseline(cfg.WriteBaseline, suppress.BaselineOf(res.Report, cfg.PruneBaseline)); err != nil {
			return &reportError{fmt.Errorf("--write-baseline %s: %w", cfg.WriteBaselineShown, unwrapPathError(err))}
		}
	}
	if recordErr != nil {
		return recordErr
	}
	if err := announce(ctx, cfg, scanID, res, live, log); err != nil {
		return err
	}
	if err := outcome(res, cfg.FailOn, cfg.AllowUnknown); err != nil {
		return err
	}
	if cfg.FailOnExpired {
		var expired []string
		for _, e := range res.Report.Exceptions {
			if e.Status == finding.ExceptionExpired {
				expired = append(expired, fmt.Sprintf("%s:%d (%s, expired %s)", e.Location.Path, e.Location.StartLine, strings.Join(e.Rule, ","), e.Expires))
			}
		}
		if len(expired) > 0 {
			fmt.Fprintf(env.Stderr, "mqguard: expired policy exceptions: %s\n", strings.Join(expired, "; "))
			return errExpiredExceptions
		}
	}
	return nil
}

// writeBaseline writes the baseline file through a temporary file, so that a failed write
// never leaves half a baseline (which would make every finding new).
func writeBaseline(path string, fingerprints []string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".mqguard-baseline-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := suppress.WriteBaseline(tmp, fingerprints); err != nil {
		_ = tmp.Close() // the write error is the one to report
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// applyPolicy reads the policy file (--config, or .mqguard.yaml in the current directory),
// applies its fail_on and allow_unknown unless the flags were given, and loads the baseline
// (--baseline, else the policy's). Every error is a usage error: nothing was scanned.
func (o *scanOptions) applyPolicy(cfg *scanConfig, cwd string) error {
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(cwd, p)
	}
	var pol *policy.Policy
	switch o.Config {
	case "none":
	case "":
		// Discovery: a .mqguard.yaml that is there is read; one that is not is no error.
		if _, err := os.Lstat(filepath.Join(cwd, policy.FileName)); err == nil {
			p, err := policy.Load(filepath.Join(cwd, policy.FileName), policy.FileName)
			if err != nil {
				return &usageError{err}
			}
			pol = p
		}
	default:
		p, err := policy.Load(abs(o.Config), o.Config)
		if err != nil {
			return &usageError{fmt.Errorf("--config: %w", err)}
		}
		pol = p
	}
	cfg.Request.Policy = pol
	if pol != nil {
		if pol.FailOn != nil && !o.failOnSet {
			cfg.FailOn = *pol.FailOn
		}
		if pol.AllowUnknown != nil && !o.allowUnknownSet {
			cfg.AllowUnknown = *pol.AllowUnknown
		}
	}
	cfg.FailOnExpired = o.FailOnExpired
	if o.WriteBaseline != "" {
		cfg.WriteBaseline, cfg.WriteBaselineShown = abs(o.WriteBaseline), o.WriteBaseline
		if st, err := os.Stat(cfg.WriteBaseline); err == nil && !st.Mode().IsRegular() {
			return usagef("--write-baseline %s: not a regular file", o.WriteBaseline)
		}
		// Checked before the scan, which may take minutes: the file goes in an existing
		// directory.
		if st, err := os.Stat(filepath.Dir(cfg.WriteBaseline)); err != nil || !st.IsDir() {
			return usagef("--write-baseline %s: no such directory", o.WriteBaseline)
		}
	}
	shown, flag := o.Baseline, "--baseline"
	if shown == "" && pol != nil && pol.Baseline != "" {
		shown, flag = pol.BaselinePath(), fmt.Sprintf("%s:%d: baseline", pol.Path, pol.BaselineLine)
	}
	if shown == "" {
		return nil
	}
	path := abs(shown)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && filepath.Clean(path) == filepath.Clean(cfg.WriteBaseline) {
		// The first run writes the baseline the policy names: there is none to read yet.
		return nil
	}
	b, err := suppress.LoadBaseline(path, shown)
	if err != nil {
		return usagef("%s: %v", flag, err)
	}
	cfg.Request.Baseline = b
	cfg.PruneBaseline = true
	return nil
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

// outcome decides the scan's result: errIncomplete when part of the input could not be scanned
// (it wins: the result cannot be trusted), errFindings when an unsuppressed FAIL (or UNKNOWN,
// unless allowUnknown) is at or above failOn, nil otherwise.
func outcome(res *scan.Result, failOn rules.Severity, allowUnknown bool) error {
	switch {
	case res.Incomplete():
		return errIncomplete
	case res.Fails(failOn, allowUnknown):
		return errFindings
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

// validateNotify checks the --notify flags. Destinations are never echoed whole in errors: a
// webhook URL is a secret.
func (o *scanOptions) validateNotify(cfg *scanConfig) error {
	if len(o.Notify) == 0 {
		if o.NotifyResolved {
			return usagef("--notify-resolved requires --notify")
		}
		return nil
	}
	if o.DB == "" {
		return usagef("--notify requires --db: what is new is known from the previous scan recorded there")
	}
	dests, err := notify.ParseDestinations(o.Notify)
	if err != nil {
		return usagef("--notify: %v", err)
	}
	if !notify.ValidSeverity(o.NotifyMinSeverity) {
		return usagef("--notify-min-severity %q: want info, low, medium, high or critical", o.NotifyMinSeverity)
	}
	cfg.Notify, cfg.NotifyMinSeverity, cfg.NotifyResolved = dests, strings.ToUpper(o.NotifyMinSeverity), o.NotifyResolved
	return nil
}
