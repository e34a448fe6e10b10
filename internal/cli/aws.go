package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/pflag"

	"github.com/mqguard/mqguard/internal/source/awsapi"
)

// Defaults of the live AWS flags.
const (
	defaultConcurrency = awsapi.DefaultConcurrency
	defaultRate        = float64(awsapi.DefaultRatePerRegion)
	// defaultHomeRegion is where the home account's calls (sts, ec2:DescribeRegions) go when
	// neither the AWS configuration nor --regions names a region.
	defaultHomeRegion = "us-east-1"
	// credentialsTimeout bounds the search of the default credential chain (the instance
	// metadata service may not answer off AWS).
	credentialsTimeout = 30 * time.Second
)

// awsOptions are the raw live AWS flags, shared by `scan` and `snapshot`.
type awsOptions struct {
	Enabled     bool
	Regions     []string
	Org         bool
	OrgRole     string
	ExternalID  string
	EndpointURL string
	Profile     string
	Concurrency int
	Rate        float64
}

// awsConfig is a validated awsOptions: the source options (without the logger, progress and
// snapshot directory, which the command adds) and the shared config profile.
type awsConfig struct {
	Options awsapi.Options
	Profile string
}

// addFlags declares the live AWS flags on f.
func (o *awsOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.Enabled, "aws", false, "scan live AWS: the account of the default credential chain (or, with --org, every account of the organization)")
	f.StringSliceVar(&o.Regions, "regions", nil, "scan only these `REGIONS` (comma-separated; default every enabled region)")
	f.BoolVar(&o.Org, "org", false, "scan every account of the AWS Organization (requires --org-role)")
	f.StringVar(&o.OrgRole, "org-role", "", "`ROLE` name (or ARN) assumed in each member account with --org")
	f.StringVar(&o.ExternalID, "external-id", "", "external `ID` passed when assuming --org-role")
	f.StringVar(&o.EndpointURL, "endpoint-url", "", "send every AWS call to `URL` (emulators, private endpoints)")
	f.StringVar(&o.Profile, "profile", "", "use the shared AWS config `PROFILE` (default: AWS_PROFILE or \"default\")")
	f.IntVar(&o.Concurrency, "concurrency", defaultConcurrency, "`N` account and region scans in flight at once")
	f.Float64Var(&o.Rate, "rate", defaultRate, "at most `R` requests per second per account and region")
}

// regionPattern is the shape of an AWS region name (eu-west-1, us-gov-west-1, cn-north-1).
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// roleNamePattern is what IAM accepts in a role name or path; an ARN is checked apart.
var roleNamePattern = regexp.MustCompile(`^[\w+=,.@/{}-]{1,512}$`)

// externalIDPattern is what STS accepts as an external ID.
var externalIDPattern = regexp.MustCompile(`^[\w+=,.@:/-]+$`)

// setFlags names the live AWS flags given a value other than their default.
func (o *awsOptions) setFlags() []string {
	var names []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"regions", len(o.Regions) > 0},
		{"org", o.Org},
		{"org-role", o.OrgRole != ""},
		{"external-id", o.ExternalID != ""},
		{"endpoint-url", o.EndpointURL != ""},
		{"profile", o.Profile != ""},
		{"concurrency", o.Concurrency != 0 && o.Concurrency != defaultConcurrency},
		{"rate", o.Rate != 0 && o.Rate != defaultRate},
	} {
		if f.set {
			names = append(names, f.name)
		}
	}
	return names
}

// validate checks the live AWS flags. It returns nil when --aws is not set (and no other AWS
// flag is). Every error is a usage error. A zero --concurrency or --rate means the default.
func (o *awsOptions) validate() (*awsConfig, error) {
	if !o.Enabled {
		if set := o.setFlags(); len(set) > 0 {
			return nil, usagef("--%s requires --aws", set[0])
		}
		return nil, nil
	}
	cfg := &awsConfig{Profile: strings.TrimSpace(o.Profile)}
	opts := &cfg.Options
	seen := map[string]bool{}
	for _, r := range o.Regions {
		r = strings.TrimSpace(r)
		switch {
		case r == "":
			continue
		case !regionPattern.MatchString(r):
			return nil, usagef("--regions: %q is not a region name (like eu-west-1)", r)
		case seen[r]:
			continue
		}
		seen[r] = true
		opts.Regions = append(opts.Regions, r)
	}
	if len(o.Regions) > 0 && len(opts.Regions) == 0 {
		return nil, usagef("--regions: no region given")
	}
	role := strings.TrimSpace(o.OrgRole)
	switch {
	case o.Org && role == "":
		return nil, usagef("--org requires --org-role ROLE, the role assumed in each member account")
	case !o.Org && o.OrgRole != "":
		return nil, usagef("--org-role requires --org")
	case o.ExternalID != "" && role == "":
		return nil, usagef("--external-id requires --org and --org-role")
	case role != "" && !validRole(role):
		return nil, usagef("--org-role %q: want a role name (like OrganizationAccountAccessRole) or a role ARN", role)
	}
	// The external ID is a shared secret of sorts: errors never show it.
	if o.ExternalID != "" && (len(o.ExternalID) < 2 || len(o.ExternalID) > 1224 || !externalIDPattern.MatchString(o.ExternalID)) {
		return nil, usagef("--external-id: want 2 to 1224 characters among letters, digits and +=,.@:/-_")
	}
	opts.Org, opts.OrgRole, opts.ExternalID = o.Org, role, o.ExternalID
	if o.EndpointURL != "" {
		u, err := url.Parse(o.EndpointURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, usagef("--endpoint-url %q: want an http or https URL", o.EndpointURL)
		}
		opts.EndpointURL = o.EndpointURL
	}
	opts.Concurrency, opts.RatePerRegion = o.Concurrency, o.Rate
	if opts.Concurrency == 0 {
		opts.Concurrency = defaultConcurrency
	}
	if opts.RatePerRegion == 0 {
		opts.RatePerRegion = defaultRate
	}
	if opts.Concurrency < 0 || opts.Concurrency > 1024 {
		return nil, usagef("--concurrency %d: want 1 to 1024", o.Concurrency)
	}
	if !(opts.RatePerRegion > 0) || opts.RatePerRegion > 1e6 {
		return nil, usagef("--rate %v: want a number of requests per second above 0", o.Rate)
	}
	return cfg, nil
}

// validRole accepts a role name (with an optional path) or an IAM role ARN.
func validRole(role string) bool {
	if strings.HasPrefix(role, "arn:") {
		parts := strings.SplitN(role, ":", 6)
		return len(parts) == 6 && parts[2] == "iam" && strings.HasPrefix(parts[5], "role/") &&
			roleNamePattern.MatchString(strings.TrimPrefix(parts[5], "role/"))
	}
	return roleNamePattern.MatchString(role)
}

// load reads the AWS configuration of the default credential chain (environment, shared
// config and credentials files, SSO, instance role) with the chosen profile, and checks that
// it yields credentials. Missing or unusable credentials are a configuration error: nothing
// was scanned.
func (c *awsConfig) load(ctx context.Context) (aws.Config, error) {
	var loadOpts []func(*config.LoadOptions) error
	if c.Profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(c.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return aws.Config{}, usagef("AWS configuration: %v", err)
	}
	if cfg.Region == "" {
		cfg.Region = defaultHomeRegion
		if len(c.Options.Regions) > 0 {
			cfg.Region = c.Options.Regions[0]
		}
	}
	if cfg.Credentials == nil {
		return aws.Config{}, usagef("no AWS credentials: configure a profile, SSO, environment variables or an instance role")
	}
	rctx, cancel := context.WithTimeout(ctx, credentialsTimeout)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(rctx); err != nil {
		if ctx.Err() != nil {
			return aws.Config{}, &reportError{fmt.Errorf("scan interrupted: %w", ctx.Err())}
		}
		return aws.Config{}, usagef("no usable AWS credentials (configure a profile, SSO, environment variables or an instance role): %v", err)
	}
	return cfg, nil
}

// sourceOptions completes the source options with what the command provides.
func (c *awsConfig) sourceOptions(log *slog.Logger, progress func(awsapi.Progress), snapshotDir string) awsapi.Options {
	opts := c.Options
	opts.Logger = log
	opts.Progress = progress
	opts.SnapshotDir = snapshotDir
	return opts
}

// liveConfig is the live part of a scan: AWS accounts (--aws) or a snapshot of them
// (--snapshot, an absolute OS path).
type liveConfig struct {
	AWS      *awsConfig
	Snapshot string
}

// validateLive checks --aws and its flags, and --snapshot. It returns nil when the scan has no
// live part.
func validateLive(cwd string, o *awsOptions, snapshot string) (*liveConfig, error) {
	awsCfg, err := o.validate()
	if err != nil {
		return nil, err
	}
	switch {
	case awsCfg != nil && snapshot != "":
		return nil, usagef("--aws and --snapshot exclude each other")
	case awsCfg != nil:
		return &liveConfig{AWS: awsCfg}, nil
	case snapshot == "":
		return nil, nil
	}
	abs := snapshot
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(cwd, abs)
	}
	abs = filepath.Clean(abs)
	st, err := os.Stat(abs)
	switch {
	case err != nil:
		return nil, usagef("--snapshot %s: %v", snapshot, unwrapPathError(err))
	case !st.IsDir():
		return nil, usagef("--snapshot %s: not a directory", snapshot)
	}
	return &liveConfig{Snapshot: abs}, nil
}

// liveScan is a liveConfig ready to run: for AWS, with its credentials loaded.
type liveScan struct {
	cfg    *liveConfig
	awsCfg aws.Config
}

// prepare loads the AWS configuration and credentials before anything is scanned, so a
// configuration error stops the scan with a usage error. A nil receiver has no live part.
func (c *liveConfig) prepare(ctx context.Context) (*liveScan, error) {
	if c == nil {
		return nil, nil
	}
	s := &liveScan{cfg: c}
	if c.AWS != nil {
		var err error
		if s.awsCfg, err = c.AWS.load(ctx); err != nil {
			return nil, err
		}
	}
	return s, nil
}
