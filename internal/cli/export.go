package cli

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/spf13/cobra"

	"github.com/mqguard/mqguard/internal/export"
	"github.com/mqguard/mqguard/internal/history"
	"github.com/mqguard/mqguard/internal/report"
)

// exportSecurityHubOptions are the raw flags of `mqguard export securityhub`.
type exportSecurityHubOptions struct {
	From        string
	DB          string
	Since       string
	ProductARN  string
	Region      string
	EndpointURL string
	Profile     string
}

func newExportCmd(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Send scan results to other systems",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newExportSecurityHubCmd(env, runExportSecurityHub))
	return cmd
}

func newExportSecurityHubCmd(env *Env, runF func(context.Context, *Env, *exportSecurityHubOptions) error) *cobra.Command {
	opts := &exportSecurityHubOptions{}
	cmd := &cobra.Command{
		Use:   "securityhub (--from REPORT.json | --db DB)",
		Short: "Import the findings of a scan into AWS Security Hub",
		Long: `Import the findings of an mqguard/v1 JSON report (mqguard scan --format json) into AWS
Security Hub with BatchImportFindings, as the asff format writes them, in batches of at most
100. A finding's Id comes from its fingerprint, so exporting the next scan updates the findings
instead of adding copies. Each finding is sent to the region of its product ARN (--region
overrides it). Throttled calls are retried with backoff.

With --db, the findings of the latest scan recorded in the history database are sent, with
FirstObservedAt and LastObservedAt from history (first and last seen), and the findings
resolved at or after --since (every resolved one without it) are sent as RecordState ARCHIVED,
Workflow.Status RESOLVED. History resolves a finding only by a complete scan that covered it,
so nothing outside the scanned scope is archived.

Credentials come from the default AWS chain (environment, shared config, SSO, instance role).

The exit code is 3 when Security Hub refused findings (their Ids and error codes are printed)
or a call failed, 2 on a usage or configuration error (nothing was sent), 0 otherwise.`,
		Example: `  mqguard scan --aws --format json=report.json
  mqguard export securityhub --from report.json
  mqguard export securityhub --db mqguard.db --since 2026-11-30
  mqguard export securityhub --from iac.json --asff-product-arn arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runF(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.From, "from", "", "the mqguard/v1 JSON `REPORT` to export")
	f.StringVar(&opts.DB, "db", "", "export the latest scan recorded in the history database `DB` (a SQLite file or a postgres:// URL)")
	f.StringVar(&opts.Since, "since", "", "with --db, archive the findings resolved at or after `TIME` (YYYY-MM-DD or RFC 3339; default: every resolved finding)")
	f.StringVar(&opts.ProductARN, "asff-product-arn", "", "Security Hub product `ARN` of the findings (default: the account's own; required for IaC findings, which have no account)")
	f.StringVar(&opts.Region, "region", "", "send every finding to Security Hub in `REGION` (default: the region of its product ARN)")
	f.StringVar(&opts.EndpointURL, "endpoint-url", "", "send the Security Hub calls to `URL` (emulators, private endpoints)")
	f.StringVar(&opts.Profile, "profile", "", "AWS shared config `PROFILE`")
	return cmd
}

func runExportSecurityHub(ctx context.Context, env *Env, o *exportSecurityHubOptions) error {
	switch {
	case o.From == "" && o.DB == "":
		return usagef("export securityhub: --from REPORT.json or --db DB is required")
	case o.From != "" && o.DB != "":
		return usagef("export securityhub: give --from or --db, not both")
	case o.Since != "" && o.DB == "":
		return usagef("--since requires --db")
	}
	var since time.Time
	if o.Since != "" {
		t, err := parseSince(o.Since)
		if err != nil {
			return usagef("--since %q: want YYYY-MM-DD or an RFC 3339 time", o.Since)
		}
		since = t
	}
	if o.ProductARN != "" {
		if err := report.CheckProductARN(o.ProductARN); err != nil {
			return usagef("--asff-product-arn: %v", err)
		}
	}
	if o.EndpointURL != "" {
		u, err := url.Parse(o.EndpointURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("--endpoint-url %q: want an http or https URL", o.EndpointURL)
		}
	}
	cwd, err := env.Getwd()
	if err != nil {
		return usagef("working directory: %v", err)
	}
	var findings []shtypes.AwsSecurityFinding
	if o.DB != "" {
		findings, err = historyFindings(ctx, cwd, o, since, env.Now())
	} else {
		findings, err = reportFindings(cwd, o, env.Now())
	}
	if err != nil {
		return err
	}
	var loadOpts []func(*config.LoadOptions) error
	if o.Profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(o.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return usagef("AWS configuration: %v", err)
	}
	if cfg.Credentials == nil {
		return usagef("no AWS credentials: configure a profile, SSO, environment variables or an instance role")
	}
	if o.EndpointURL != "" {
		cfg.BaseEndpoint = aws.String(o.EndpointURL)
	}
	// The exporter retries throttling itself, with its own backoff; the SDK's retries on top
	// would multiply the attempts.
	cfg.RetryMaxAttempts = 1
	ex := &export.Exporter{Client: func(region string) export.Client {
		if o.Region != "" {
			region = o.Region
		}
		return securityhub.NewFromConfig(cfg, func(opt *securityhub.Options) {
			if region != "" {
				opt.Region = region
			}
		})
	}}
	res, err := ex.Send(ctx, findings)
	if err != nil {
		// Refused findings (*export.FailedError) and failed calls alike: exit 3.
		return &reportError{fmt.Errorf("export securityhub: %w", err)}
	}
	fmt.Fprintf(env.Stderr, "mqguard: %d finding(s) imported into Security Hub in %d batch(es)\n", res.Imported, res.Batches)
	return nil
}

// reportFindings are the ASFF findings of the --from report.
func reportFindings(cwd string, o *exportSecurityHubOptions, now time.Time) ([]shtypes.AwsSecurityFinding, error) {
	path := o.From
	if !filepath.IsAbs(path) {
		path = filepath.Join(cwd, path)
	}
	rep, err := export.ReadReport(path, o.From)
	if err != nil {
		return nil, usagef("%v", err)
	}
	findings, err := export.Findings(rep, o.ProductARN, now)
	if err != nil {
		return nil, usagef("%s: %v", o.From, err)
	}
	return findings, nil
}

// historyFindings are the ASFF findings of the latest scan in the --db history database. A
// SQLite file must exist: opening a missing one would create an empty database.
func historyFindings(ctx context.Context, cwd string, o *exportSecurityHubOptions, since, now time.Time) ([]shtypes.AwsSecurityFinding, error) {
	dsn := o.DB
	if !history.IsPostgres(dsn) {
		if !filepath.IsAbs(dsn) {
			dsn = filepath.Join(cwd, dsn)
		}
		if st, err := os.Stat(dsn); err != nil || !st.Mode().IsRegular() {
			return nil, usagef("history database %s: no such file", o.DB)
		}
	}
	st, err := history.Open(ctx, dsn)
	if err != nil {
		return nil, usagef("%v", err)
	}
	defer st.Close()
	findings, err := export.HistoryFindings(ctx, st, o.ProductARN, since, now)
	if err != nil {
		// The name is not repeated: a postgres:// URL may hold a password.
		return nil, usagef("history database: %v", err)
	}
	return findings, nil
}

// parseSince reads a --since date (midnight UTC) or RFC 3339 time.
func parseSince(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}
