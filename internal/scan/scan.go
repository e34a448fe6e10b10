// Package scan is mqguard's library entry point: a Request goes in (paths, input kinds,
// variables, live options, rule selection, settings, as-of), a Result comes out (the report,
// findings and diagnostics, and what the exit code is decided from). The command line, tests and
// every command that scans (history, fix, watch) go through Run.
//
// Sources are streamed into the engine part by part: the live inventory first (the engine
// versions AWS offers inform the rules on every broker), then each Terraform root module as its
// worker finishes evaluating it, then CloudFormation templates and plans. A part's syntax trees
// are dropped as soon as it is mapped, and its model as soon as the rules have run on it.
package scan

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/mqguard/mqguard/internal/brokeruri"
	"github.com/mqguard/mqguard/internal/engine"
	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/policy"
	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/source/awsapi"
	"github.com/mqguard/mqguard/internal/source/brokerconf"
	"github.com/mqguard/mqguard/internal/source/cloudformation"
	"github.com/mqguard/mqguard/internal/source/detect"
	"github.com/mqguard/mqguard/internal/source/probe"
	"github.com/mqguard/mqguard/internal/source/terraform"
	"github.com/mqguard/mqguard/internal/source/tfplan"
	"github.com/mqguard/mqguard/internal/suppress"
)

// Request is one scan.
type Request struct {
	// FS is the file system Paths name files of; nil means os.DirFS("/"), where a path is an
	// absolute OS path without its leading "/".
	FS fs.FS
	// Paths are the directories and files to search for inputs, as paths of FS. A path named
	// here that is no input mqguard reads is a *RequestError.
	Paths []string
	// Display maps a path of FS to the path shown in the report; nil shows FS paths.
	Display func(fsPath string) string
	// Kind restricts the search to one input kind (detect.Auto: every kind, by content).
	Kind detect.Kind

	// Terraform inputs: -var and -var-file arguments in command-line order, and the
	// environment TF_VAR_* variables are read from ("KEY=VALUE").
	TFVars []terraform.VarArg
	TFEnv  []string
	// CloudFormation parameters ("KEY=VALUE") and parameter files (paths of FS).
	CFNParams     []string
	CFNParamFiles []string

	// AWS scans live accounts when not nil; Snapshot (an OS directory) scans a snapshot of
	// them instead. At most one of the two.
	AWS      *AWS
	Snapshot string

	// Rules and SkipRules select rules by any name rules.Rule.Matches accepts; an unknown name
	// is a *RequestError.
	Rules, SkipRules []string
	// Settings are the organisation's settings rules read; the zero value means
	// rules.DefaultSettings().
	Settings *rules.Settings
	// AsOf is the day rules and suppression expiry are judged at; zero means today (UTC).
	AsOf time.Time
	// Policy is the organisation's policy file, nil for none: its settings apply over
	// Settings, its rules section disables rules (unless Rules names them: the command line
	// wins) and overrides severities, its exceptions suppress findings. Its fail_on and
	// allow_unknown are the caller's to apply, like its baseline path.
	Policy *policy.Policy
	// Baseline, when set, suppresses the findings it lists (suppression kind "baseline").
	Baseline *suppress.Baseline
	// ShowPassed keeps PASS and N/A results in the report.
	ShowPassed bool
	// Version is the tool version written in the report.
	Version string

	// RequireModules makes a Terraform module call whose module is not installed (or not
	// found) an error: the scan is incomplete, since the module may declare brokers.
	RequireModules bool

	// CacheDir keeps the evaluated model of each Terraform root module between scans, reused
	// while none of its inputs changed; "" disables the cache.
	CacheDir string

	// Logger receives debug and progress messages; nil discards them.
	Logger *slog.Logger
	// OnPart, when set, is called with every part of the inventory as it is loaded, before
	// the rules run on it: the inventory stream. It may be called from several goroutines at
	// once and must not modify the part.
	OnPart func(*model.Inventory)

	// Brokers are the running brokers to inspect (--broker URL, brokers: in the policy file):
	// each becomes a broker of source probe, and one that cannot be inspected an error entry.
	// A URL brokeruri.CheckTarget refuses is a *RequestError. Probes connect to these
	// addresses only.
	Brokers []probe.Target
	// ProbeAWS probes the endpoints of the Amazon MQ brokers the live scan (AWS) finds
	// (Broker.InstanceEndpoints); it requires AWS. Nothing answering on the endpoint of a
	// private broker is a note, not an error: only the broker's VPC (or a network joined to
	// it) reaches it.
	ProbeAWS bool
	// Probe are the options of both kinds of probe (timeouts, concurrency, certificate
	// verification, default credentials).
	Probe probe.Options
}

// AWS is the live part of a scan: a loaded AWS configuration (credentials checked) and the
// live source's options.
type AWS struct {
	Config  aws.Config
	Options awsapi.Options
}

// RequestError is a request that cannot be scanned (an unknown rule, a named file that is no
// input): nothing was scanned.
type RequestError struct{ Err error }

func (e *RequestError) Error() string { return e.Err.Error() }
func (e *RequestError) Unwrap() error { return e.Err }

// Result is a finished scan.
type Result struct {
	Report *finding.Report
	// Inputs are the inputs found under the paths, by kind.
	Inputs detect.Inputs
	// Rules are the rules that ran.
	Rules []*rules.Rule
	// WorstFail and WorstUnknown are the highest severities of an unsuppressed FAIL and
	// UNKNOWN finding; HasFail and HasUnknown say whether there is any.
	WorstFail, WorstUnknown rules.Severity
	HasFail, HasUnknown     bool
	// TerraformRoots counts the Terraform root modules scanned, CacheHits those whose model
	// came from the cache.
	TerraformRoots, CacheHits int

	live   bool
	probed bool
}

// Empty reports whether the scan found nothing to scan: no Terraform root module,
// CloudFormation template, plan or broker configuration under the paths, no live part and no
// broker to probe.
func (r *Result) Empty() bool {
	return !r.live && !r.probed && r.TerraformRoots == 0 && len(r.Inputs.CloudFormation) == 0 && len(r.Inputs.Plans) == 0 &&
		len(r.Inputs.BrokerConf) == 0
}

// Incomplete reports whether part of the input could not be scanned: the result cannot be
// trusted.
func (r *Result) Incomplete() bool { return len(r.Report.Errors) > 0 }

// Fails reports whether an unsuppressed FAIL finding (or UNKNOWN, unless allowUnknown) is at
// or above failOn.
func (r *Result) Fails(failOn rules.Severity, allowUnknown bool) bool {
	return (r.HasFail && r.WorstFail >= failOn) || (!allowUnknown && r.HasUnknown && r.WorstUnknown >= failOn)
}

func plural(n int64) string {
	if n == 1 {
		return "1 module call names"
	}
	return fmt.Sprintf("%d module calls name", n)
}

// Run runs a scan. The error is a *RequestError for a request that cannot be scanned, or the
// context's error when the scan was interrupted; everything else that goes wrong (a file, an
// account, a region) is an error entry in the report.
func Run(ctx context.Context, req Request) (*Result, error) {
	settings := rules.DefaultSettings()
	if req.Settings != nil {
		settings = *req.Settings
	}
	opts := engine.Options{
		AsOf:       req.AsOf,
		Settings:   settings,
		Only:       req.Rules,
		Skip:       req.SkipRules,
		ShowPassed: req.ShowPassed,
		Version:    req.Version,
		Baseline:   req.Baseline,
	}
	if pol := req.Policy; pol != nil {
		if err := applyPolicy(&opts, pol); err != nil {
			return nil, &RequestError{err}
		}
	}
	eng, err := engine.New(rules.All(), opts)
	if err != nil {
		return nil, &RequestError{err}
	}
	if req.AWS != nil && req.Snapshot != "" {
		return nil, &RequestError{errors.New("a live scan and a snapshot exclude each other")}
	}
	if req.ProbeAWS && req.AWS == nil {
		return nil, &RequestError{errors.New("probing the endpoints of Amazon MQ brokers requires a live AWS scan")}
	}
	targets, err := checkTargets(req.Brokers)
	if err != nil {
		return nil, &RequestError{err}
	}
	fsys := req.FS
	if fsys == nil {
		fsys = os.DirFS("/")
	}
	display := req.Display
	if display == nil {
		display = func(p string) string { return p }
	}
	log := req.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	res := &Result{Rules: eng.Selected(), live: req.AWS != nil || req.Snapshot != "", probed: len(targets) > 0}
	var missingModules atomic.Int64
	add := func(part *model.Inventory, diags []model.Diagnostic) {
		if part != nil && req.OnPart != nil {
			req.OnPart(part)
		}
		for _, d := range diags {
			if d.Kind == model.DiagModuleMissing && d.Severity == model.DiagNote {
				missingModules.Add(1)
			}
		}
		eng.Add(part, diags)
	}

	// Inputs are found first: a named file that is no input is a request error.
	var findDiags []model.Diagnostic
	if len(req.Paths) > 0 {
		var found []model.Diagnostic
		res.Inputs, found = detect.Find(fsys, req.Paths, req.Kind)
		for _, d := range found {
			if slices.Contains(req.Paths, d.At.File) {
				return nil, &RequestError{fmt.Errorf("%s: %s", display(d.At.File), d.Message)}
			}
			d.At.File = display(d.At.File)
			findDiags = append(findDiags, d)
		}
	}
	add(nil, findDiags)

	start := time.Now()
	// The brokers named are probed while the other sources load: the probe waits on the
	// network, the others on the disk and the processors.
	probed := make(chan struct{})
	probeCtx, stopProbe := context.WithCancel(ctx)
	// A scan that stops early (a request error found late) does not leave the probe running.
	defer func() { stopProbe(); <-probed }()
	go func() {
		defer close(probed)
		if len(targets) > 0 {
			add(probeScan(probeCtx, targets, req.Probe))
		}
	}()
	switch {
	case req.AWS != nil:
		inv, diags := awsapi.Scan(ctx, req.AWS.Config, req.AWS.Options)
		if req.ProbeAWS {
			// After the named brokers' probe: together they would open twice the connections
			// the options allow.
			<-probed
			diags = append(diags, probeAmazonMQ(ctx, inv, req.Probe)...)
		}
		add(inv, diags)
	case req.Snapshot != "":
		add(awsapi.LoadSnapshot(ctx, os.DirFS(req.Snapshot), "."))
	}
	if in := res.Inputs.Terraform; len(in) > 0 {
		var stats terraform.Stats
		terraform.Stream(ctx, fsys, in, terraform.Options{
			Vars:           req.TFVars,
			Env:            req.TFEnv,
			Display:        display,
			CacheDir:       req.CacheDir,
			Version:        req.Version,
			RequireModules: req.RequireModules,
			Stats:          &stats,
		}, add)
		res.TerraformRoots, res.CacheHits = int(stats.Roots.Load()), int(stats.CacheHits.Load())
		// A value given for a variable that cannot be used is the user's to fix: nothing the
		// scan says could be trusted.
		if errs := stats.VarErrors(); len(errs) > 0 {
			return nil, &RequestError{errors.New(strings.Join(errs, "; "))}
		}
	}
	if in := res.Inputs.CloudFormation; len(in) > 0 {
		add(cloudformation.Load(ctx, fsys, in, cloudformation.Options{
			Params:     req.CFNParams,
			ParamFiles: req.CFNParamFiles,
			Display:    display,
			// Templates the user named are always parsed; those found in directories only
			// when they can hold a broker.
			SkipUnrelated: func(p string) bool { return !slices.Contains(req.Paths, p) },
		}))
	}
	if in := res.Inputs.Plans; len(in) > 0 {
		add(tfplan.Load(ctx, fsys, in, tfplan.Options{Display: display}))
	}
	if in := res.Inputs.BrokerConf; len(in) > 0 {
		add(brokerconf.Load(ctx, fsys, in, brokerconf.Options{Display: display}))
	}
	<-probed
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scan interrupted: %w", err)
	}
	log.Debug("sources loaded and evaluated", "paths", len(req.Paths), "terraform_roots", res.TerraformRoots,
		"cache_hits", res.CacheHits, "elapsed", time.Since(start).Round(time.Millisecond))
	if n := missingModules.Load(); n > 0 {
		// Said once for the scan, beside each module's own note: brokers may be missing.
		eng.Add(nil, []model.Diagnostic{{Severity: model.DiagNote, Source: model.SourceTerraform, Kind: model.DiagModuleMissing,
			Message: fmt.Sprintf("brokers may be missing: %s a module that is not installed or not found, and the brokers it declares are not scanned (run terraform init first; --require-modules makes this an error)", plural(n))}})
	}
	out := eng.Report()
	res.Report = out.Report
	res.WorstFail, res.WorstUnknown, res.HasFail, res.HasUnknown = out.WorstFail, out.WorstUnknown, out.HasFail, out.HasUnknown
	return res, nil
}

// The probe package's entry points; tests replace them.
var (
	probeScan      = probe.Scan
	probeEndpoints = probe.Endpoints
)

// checkTargets checks the URLs of the brokers to probe and returns the targets with their URLs
// as brokeruri.CheckTarget gives them. A URL given twice is probed once; with two different
// settings it is an error.
func checkTargets(in []probe.Target) ([]probe.Target, error) {
	var out []probe.Target
	seen := map[string]int{}
	for _, t := range in {
		u, err := brokeruri.CheckTarget(t.URL)
		if err != nil {
			return nil, fmt.Errorf("broker %w", err)
		}
		t.URL = u
		if i, ok := seen[u]; ok {
			if out[i] != t {
				return nil, fmt.Errorf("broker %s is given twice, with different settings", u)
			}
			continue
		}
		seen[u] = len(out)
		out = append(out, t)
	}
	return out, nil
}

// unreachablePrivate is added to the note that says nothing answered on a private broker's
// endpoint.
const unreachablePrivate = "; the broker is private (not publicly accessible): only its VPC, or a network joined to it, reaches it, so this is no error — run the scan from there to probe it"

// probeAmazonMQ probes the endpoints of the Amazon MQ brokers of a live inventory (scan --aws
// --probe). Public brokers' and private brokers' endpoints are probed alike, at the same time,
// each group within its share of the concurrency (one after the other when it is 1); nothing
// answering on a private broker's endpoint (model.DiagUnreachable) is a note, since only its
// VPC reaches it. A broker whose publicity is unknown counts as public: its errors stay errors.
// A broker whose endpoints could not be read has an error entry of its own already.
func probeAmazonMQ(ctx context.Context, inv *model.Inventory, opts probe.Options) []model.Diagnostic {
	if inv == nil {
		return nil
	}
	type group struct {
		brokers   []*model.Broker
		endpoints map[*model.Broker][]string
		diags     []model.Diagnostic
	}
	public, private := &group{endpoints: map[*model.Broker][]string{}}, &group{endpoints: map[*model.Broker][]string{}}
	for _, b := range inv.Brokers {
		if !b.InstanceEndpoints.Known() || len(b.InstanceEndpoints.V) == 0 {
			continue
		}
		g := public
		if b.PubliclyAccessible.Known() && !b.PubliclyAccessible.V {
			g = private
		}
		g.brokers = append(g.brokers, b)
		g.endpoints[b] = slices.Clone(b.InstanceEndpoints.V)
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = probe.DefaultConcurrency
	}
	switch {
	case len(public.brokers) > 0 && len(private.brokers) > 0 && conc >= 2:
		// Together, within the bound: each half its share.
		var wg sync.WaitGroup
		pubOpts, privOpts := opts, opts
		pubOpts.Concurrency, privOpts.Concurrency = conc-conc/2, conc/2
		wg.Go(func() { public.diags = probeEndpoints(ctx, public.brokers, public.endpoints, pubOpts) })
		wg.Go(func() { private.diags = probeEndpoints(ctx, private.brokers, private.endpoints, privOpts) })
		wg.Wait()
	default:
		for _, g := range []*group{public, private} {
			if len(g.brokers) > 0 {
				g.diags = probeEndpoints(ctx, g.brokers, g.endpoints, opts)
			}
		}
	}
	diags := public.diags
	for _, d := range private.diags {
		if d.Severity == model.DiagError && d.Kind == model.DiagUnreachable {
			d.Severity = model.DiagNote
			d.Message += unreachablePrivate
		}
		diags = append(diags, d)
	}
	return diags
}

// applyPolicy adds the policy file's settings, rule overrides and exceptions to the engine's
// options.
func applyPolicy(opts *engine.Options, pol *policy.Policy) error {
	asOf := opts.AsOf
	if asOf.IsZero() {
		asOf = time.Now().UTC()
	}
	if err := pol.CheckExpiry(asOf); err != nil {
		return err
	}
	opts.Settings = pol.Settings(opts.Settings)
	opts.Exceptions, opts.PolicyFile = pol.Exceptions, pol.Path
	named, err := rules.Resolve(rules.All(), opts.Only)
	if err != nil {
		return err
	}
	for _, o := range pol.Rules {
		if o.Enabled != nil && !*o.Enabled && !slices.Contains(named, o.Rule) {
			opts.Skip = append(slices.Clip(opts.Skip), o.Rule.ID)
		}
		if o.Severity != nil {
			if opts.Severity == nil {
				opts.Severity = map[string]rules.Severity{}
			}
			opts.Severity[o.Rule.ID] = *o.Severity
		}
	}
	return nil
}
