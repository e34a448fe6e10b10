package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/awsapi"
)

// snapshotOptions are the raw flags of `mqguard snapshot`.
type snapshotOptions struct {
	AWS     awsOptions
	Out     string
	Quiet   bool
	Verbose bool
}

// snapshotConfig is a validated snapshotOptions.
type snapshotConfig struct {
	AWS *awsConfig
	// Out is the directory as the user named it (for messages) and as an absolute OS path.
	Out, OutAbs string
	Quiet       bool
	Verbose     bool
}

func newSnapshotCmd(env *Env, runF func(context.Context, *Env, *snapshotOptions) error) *cobra.Command {
	opts := &snapshotOptions{}
	cmd := &cobra.Command{
		Use:   "snapshot --aws --out DIR",
		Short: "Save the raw AWS API responses a live scan reads",
		Long: `Read live AWS like 'mqguard scan --aws' and save every raw API response under DIR, one
JSON file per response as the AWS CLI prints it (a failed call as <file>.error.json), for
auditors' evidence and for offline scans: 'mqguard scan --snapshot DIR' reports exactly what the
live scan would have reported. DIR must not exist or be empty.

Nothing is written to stdout; a one-line summary goes to stderr. The exit code is 3 when some
calls failed (they are recorded in DIR), 2 on a usage or configuration error, 0 otherwise.`,
		Example: `  mqguard snapshot --aws --regions eu-west-1,eu-central-1 --out evidence/2026-11-22
  mqguard snapshot --aws --org --org-role OrganizationAccountAccessRole --out evidence/org
  mqguard scan --snapshot evidence/2026-11-22 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runF(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	opts.AWS.addFlags(f)
	f.StringVar(&opts.Out, "out", "", "write the snapshot to `DIR` (must not exist or be empty)")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "log only errors")
	f.BoolVarP(&opts.Verbose, "verbose", "v", false, "log debug messages")
	cmd.MarkFlagsMutuallyExclusive("quiet", "verbose")
	return cmd
}

// validate checks every option before anything is read. Every error is a usage error.
func (o *snapshotOptions) validate(env *Env) (*snapshotConfig, error) {
	if !o.AWS.Enabled {
		return nil, usagef("snapshot needs a source: --aws")
	}
	awsCfg, err := o.AWS.validate()
	if err != nil {
		return nil, err
	}
	if o.Out == "" {
		return nil, usagef("--out DIR is required")
	}
	cwd, err := env.Getwd()
	if err != nil {
		return nil, usagef("current directory: %v", err)
	}
	abs := o.Out
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(cwd, abs)
	}
	abs = filepath.Clean(abs)
	if err := checkEmptyDir(abs); err != nil {
		return nil, usagef("--out %s: %v", o.Out, err)
	}
	return &snapshotConfig{AWS: awsCfg, Out: o.Out, OutAbs: abs, Quiet: o.Quiet, Verbose: o.Verbose}, nil
}

// checkEmptyDir accepts a directory that does not exist yet (its parent must) or is empty, so
// a snapshot never mixes with an older one.
func checkEmptyDir(path string) error {
	entries, err := os.ReadDir(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return checkWritableDir(path)
	case err != nil:
		return unwrapPathError(err)
	case len(entries) > 0:
		return errors.New("not empty; choose a new directory")
	}
	return nil
}

// runSnapshot is `mqguard snapshot`.
func runSnapshot(ctx context.Context, env *Env, opts *snapshotOptions) error {
	cfg, err := opts.validate(env)
	if err != nil {
		return err
	}
	awsCfg, err := cfg.AWS.load(ctx)
	if err != nil {
		return err
	}
	// The snapshot may hold broker configurations: only the user may read it.
	if err := os.MkdirAll(cfg.OutAbs, 0o700); err != nil {
		return usagef("--out %s: %v", cfg.Out, unwrapPathError(err))
	}
	bar, logw := progressFor(env, cfg.Quiet)
	log := newLogger(logw, cfg.Quiet, cfg.Verbose)
	inv, diags := awsapi.Scan(ctx, awsCfg, cfg.AWS.sourceOptions(log, bar.update, cfg.OutAbs))
	bar.clear()
	if err := ctx.Err(); err != nil {
		return &reportError{fmt.Errorf("snapshot interrupted: %w", err)}
	}
	failed := logDiagnostics(log, diags)
	accounts, regions := manifestCounts(cfg.OutAbs)
	fmt.Fprintf(env.Stderr, "mqguard: snapshot of %s, %s and %s written to %s%s\n",
		plural(accounts, "account"), plural(regions, "region"), plural(len(inv.Brokers), "broker"),
		cfg.Out, failedSuffix(failed))
	if failed > 0 {
		return errIncomplete
	}
	return nil
}

// logDiagnostics logs the errors and notes of a source and returns the number of errors.
func logDiagnostics(log *slog.Logger, diags []model.Diagnostic) int {
	failed := 0
	for _, d := range diags {
		if d.Severity == model.DiagError {
			failed++
			log.Warn("not read: "+d.Error(), "source", string(d.Source))
			continue
		}
		log.Info(d.Error(), "source", string(d.Source))
	}
	return failed
}

func failedSuffix(failed int) string {
	if failed == 0 {
		return ""
	}
	return fmt.Sprintf("; %s (recorded as .error.json files)", plural(failed, "error"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// manifestCounts reads the number of accounts and account-regions a snapshot's manifest lists
// (0, 0 when it cannot be read: the source has reported why).
func manifestCounts(dir string) (accounts, regions int) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return 0, 0
	}
	var m struct {
		Accounts []struct{ Regions []string }
	}
	if json.Unmarshal(data, &m) != nil {
		return 0, 0
	}
	for _, a := range m.Accounts {
		regions += len(a.Regions)
	}
	return len(m.Accounts), regions
}

// liveProgress is the progress display of a live scan: a progressBar on a terminal, nothing
// otherwise. Its methods accept a nil receiver.
type liveProgress struct{ bar *progressBar }

func (p liveProgress) update(pr awsapi.Progress) {
	if p.bar != nil {
		p.bar.Update(pr)
	}
}

func (p liveProgress) clear() {
	if p.bar != nil {
		p.bar.Clear()
	}
}

// progressFor returns the progress display and the writer logs go to: a progress line on
// stderr when it is a terminal and the user did not ask for quiet, and logs written above it.
func progressFor(env *Env, quiet bool) (liveProgress, io.Writer) {
	if quiet || !env.IsTerminal(env.Stderr) {
		return liveProgress{}, env.Stderr
	}
	bar := newProgressBar(env.Stderr, env.Now)
	return liveProgress{bar}, bar
}
