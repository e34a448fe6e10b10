package cli

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/spf13/cobra"

	"github.com/mqguard/mqguard/internal/export"
	"github.com/mqguard/mqguard/internal/report"
)

// exportSecurityHubOptions are the raw flags of `mqguard export securityhub`.
type exportSecurityHubOptions struct {
	From        string
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
		Use:   "securityhub --from REPORT.json",
		Short: "Import the findings of a scan into AWS Security Hub",
		Long: `Import the findings of an mqguard/v1 JSON report (mqguard scan --format json) into AWS
Security Hub with BatchImportFindings, as the asff format writes them, in batches of at most
100. A finding's Id comes from its fingerprint, so exporting the next scan updates the findings
instead of adding copies. Each finding is sent to the region of its product ARN (--region
overrides it). Throttled calls are retried with backoff.

Credentials come from the default AWS chain (environment, shared config, SSO, instance role).

The exit code is 3 when Security Hub refused findings (their Ids and error codes are printed)
or a call failed, 2 on a usage or configuration error (nothing was sent), 0 otherwise.`,
		Example: `  mqguard scan --aws --format json --output report.json
  mqguard export securityhub --from report.json
  mqguard export securityhub --from iac.json --asff-product-arn arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runF(cmd.Context(), env, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.From, "from", "", "the mqguard/v1 JSON `REPORT` to export")
	f.StringVar(&opts.ProductARN, "asff-product-arn", "", "Security Hub product `ARN` of the findings (default: the account's own; required for IaC findings, which have no account)")
	f.StringVar(&opts.Region, "region", "", "send every finding to Security Hub in `REGION` (default: the region of its product ARN)")
	f.StringVar(&opts.EndpointURL, "endpoint-url", "", "send the Security Hub calls to `URL` (emulators, private endpoints)")
	f.StringVar(&opts.Profile, "profile", "", "AWS shared config `PROFILE`")
	return cmd
}

func runExportSecurityHub(ctx context.Context, env *Env, o *exportSecurityHubOptions) error {
	if o.From == "" {
		return usagef("export securityhub: --from REPORT.json is required")
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
	path := o.From
	if !filepath.IsAbs(path) {
		path = filepath.Join(cwd, path)
	}
	rep, err := export.ReadReport(path, o.From)
	if err != nil {
		return usagef("%v", err)
	}
	findings, err := export.Findings(rep, o.ProductARN, env.Now())
	if err != nil {
		return usagef("%s: %v", o.From, err)
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
