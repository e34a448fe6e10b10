package cli

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestAWSOptionsValidate(t *testing.T) {
	on := func(o awsOptions) awsOptions { o.Enabled = true; return o }
	tests := []struct {
		name    string
		opts    awsOptions
		wantErr string // "" for success
		check   func(t *testing.T, c *awsConfig)
	}{
		{name: "off", opts: awsOptions{Concurrency: defaultConcurrency, Rate: defaultRate},
			check: func(t *testing.T, c *awsConfig) {
				if c != nil {
					t.Errorf("config without --aws: %+v", c)
				}
			}},
		{name: "regions without aws", opts: awsOptions{Regions: []string{"eu-west-1"}}, wantErr: "--regions requires --aws"},
		{name: "org without aws", opts: awsOptions{Org: true, OrgRole: "R"}, wantErr: "--org requires --aws"},
		{name: "endpoint without aws", opts: awsOptions{EndpointURL: "http://x"}, wantErr: "--endpoint-url requires --aws"},
		{name: "rate without aws", opts: awsOptions{Rate: 3}, wantErr: "--rate requires --aws"},
		{name: "defaults", opts: on(awsOptions{}),
			check: func(t *testing.T, c *awsConfig) {
				if c.Options.Concurrency != defaultConcurrency || c.Options.RatePerRegion != defaultRate || c.Options.Regions != nil || c.Options.Org {
					t.Errorf("defaults not applied: %+v", c.Options)
				}
			}},
		{name: "regions trimmed and deduplicated", opts: on(awsOptions{Regions: []string{" eu-west-1", "us-gov-west-1", "eu-west-1", ""}}),
			check: func(t *testing.T, c *awsConfig) {
				if want := []string{"eu-west-1", "us-gov-west-1"}; !reflect.DeepEqual(c.Options.Regions, want) {
					t.Errorf("regions = %v, want %v", c.Options.Regions, want)
				}
			}},
		{name: "bad region", opts: on(awsOptions{Regions: []string{"Europe"}}), wantErr: `"Europe" is not a region name`},
		{name: "empty regions", opts: on(awsOptions{Regions: []string{" "}}), wantErr: "--regions: no region given"},
		{name: "org without role", opts: on(awsOptions{Org: true}), wantErr: "--org requires --org-role"},
		{name: "role without org", opts: on(awsOptions{OrgRole: "Audit"}), wantErr: "--org-role requires --org"},
		{name: "external id without role", opts: on(awsOptions{ExternalID: "abc123"}), wantErr: "--external-id requires --org and --org-role"},
		{name: "external id with org but no role", opts: on(awsOptions{Org: true, ExternalID: "abc123"}), wantErr: "--org requires --org-role"},
		{name: "org with role and external id", opts: on(awsOptions{Org: true, OrgRole: " OrganizationAccountAccessRole ", ExternalID: "4f1c-9e"}),
			check: func(t *testing.T, c *awsConfig) {
				if !c.Options.Org || c.Options.OrgRole != "OrganizationAccountAccessRole" || c.Options.ExternalID != "4f1c-9e" {
					t.Errorf("org options = %+v", c.Options)
				}
			}},
		{name: "role arn", opts: on(awsOptions{Org: true, OrgRole: "arn:aws:iam::{account}:role/audit/MqguardScan"})},
		{name: "bad role", opts: on(awsOptions{Org: true, OrgRole: "two words"}), wantErr: `--org-role "two words"`},
		{name: "bad role arn", opts: on(awsOptions{Org: true, OrgRole: "arn:aws:s3:::bucket"}), wantErr: "--org-role"},
		{name: "bad external id is not echoed", opts: on(awsOptions{Org: true, OrgRole: "R", ExternalID: "s3cr3t value"}), wantErr: "--external-id: want"},
		{name: "endpoint", opts: on(awsOptions{EndpointURL: "http://127.0.0.1:4566"}),
			check: func(t *testing.T, c *awsConfig) {
				if c.Options.EndpointURL != "http://127.0.0.1:4566" {
					t.Errorf("endpoint = %q", c.Options.EndpointURL)
				}
			}},
		{name: "endpoint without scheme", opts: on(awsOptions{EndpointURL: "localhost:4566"}), wantErr: "want an http or https URL"},
		{name: "endpoint ftp", opts: on(awsOptions{EndpointURL: "ftp://h"}), wantErr: "want an http or https URL"},
		{name: "negative concurrency", opts: on(awsOptions{Concurrency: -1}), wantErr: "--concurrency -1"},
		{name: "huge concurrency", opts: on(awsOptions{Concurrency: 5000}), wantErr: "--concurrency 5000"},
		{name: "negative rate", opts: on(awsOptions{Rate: -2}), wantErr: "--rate -2"},
		{name: "profile trimmed", opts: on(awsOptions{Profile: " audit "}),
			check: func(t *testing.T, c *awsConfig) {
				if c.Profile != "audit" {
					t.Errorf("profile = %q", c.Profile)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.opts.validate()
			if tt.wantErr != "" {
				var uerr *usageError
				if !errors.As(err, &uerr) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a usage error containing %q", err, tt.wantErr)
				}
				if tt.opts.ExternalID != "" && strings.Contains(err.Error(), tt.opts.ExternalID) {
					t.Errorf("error shows the external ID: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestValidateLive(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "snap"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		aws      awsOptions
		snapshot string
		wantErr  string
		want     *liveConfig
	}{
		{name: "none"},
		{name: "snapshot relative", snapshot: "snap", want: &liveConfig{Snapshot: filepath.Join(dir, "snap")}},
		{name: "snapshot missing", snapshot: "nope", wantErr: "--snapshot nope: no such file or directory"},
		{name: "snapshot is a file", snapshot: "file", wantErr: "--snapshot file: not a directory"},
		{name: "both", aws: awsOptions{Enabled: true}, snapshot: "snap", wantErr: "exclude each other"},
		{name: "aws flag error", aws: awsOptions{Enabled: true, Org: true}, wantErr: "--org requires --org-role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := validateLive(dir, &tt.aws, tt.snapshot)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || exitCode(err) != ExitUsage {
					t.Fatalf("err = %v, want a usage error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestScanValidateLiveWithoutPaths(t *testing.T) {
	dir := t.TempDir()
	env, _, _ := testEnv(dir)
	// With --aws and no PATH, the current directory is not scanned for Terraform.
	o := &scanOptions{FailOn: "info", AWS: awsOptions{Enabled: true}}
	cfg, err := o.validate(env)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Live == nil || cfg.Live.AWS == nil || len(cfg.Request.Paths) != 0 {
		t.Errorf("live = %+v, roots = %v; want AWS only", cfg.Live, cfg.Request.Paths)
	}
	// Without it, "." is the default PATH.
	o = &scanOptions{FailOn: "info"}
	if cfg, err = o.validate(env); err != nil {
		t.Fatal(err)
	}
	if cfg.Live != nil || len(cfg.Request.Paths) != 1 {
		t.Errorf("live = %+v, roots = %v; want Terraform in .", cfg.Live, cfg.Request.Paths)
	}
}

func TestSnapshotValidate(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"full/x", "empty"} {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env, _, _ := testEnv(dir)
	tests := []struct {
		name    string
		opts    snapshotOptions
		wantErr string
	}{
		{"no source", snapshotOptions{Out: "new"}, "needs a source: --aws"},
		{"no out", snapshotOptions{AWS: awsOptions{Enabled: true}}, "--out DIR is required"},
		{"new dir", snapshotOptions{AWS: awsOptions{Enabled: true}, Out: "new"}, ""},
		{"empty dir", snapshotOptions{AWS: awsOptions{Enabled: true}, Out: "empty"}, ""},
		{"full dir", snapshotOptions{AWS: awsOptions{Enabled: true}, Out: "full"}, "--out full: not empty"},
		{"missing parent", snapshotOptions{AWS: awsOptions{Enabled: true}, Out: "a/b"}, "--out a/b: no such file or directory"},
		{"aws flag error", snapshotOptions{AWS: awsOptions{Enabled: true, ExternalID: "xy"}, Out: "new"}, "--external-id requires"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := tt.opts.validate(env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || exitCode(err) != ExitUsage {
					t.Fatalf("err = %v, want a usage error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.OutAbs != filepath.Join(dir, tt.opts.Out) {
				t.Errorf("OutAbs = %q", cfg.OutAbs)
			}
		})
	}
}

func TestManifestCounts(t *testing.T) {
	dir := t.TempDir()
	if a, r := manifestCounts(dir); a != 0 || r != 0 {
		t.Errorf("missing manifest: %d, %d", a, r)
	}
	manifest := `{"Schema":"mqguard-snapshot/v1","Accounts":[{"Id":"1","Regions":["eu-west-1","us-east-1"]},{"Id":"2","Regions":["eu-west-1"]}]}`
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if a, r := manifestCounts(dir); a != 2 || r != 3 {
		t.Errorf("manifestCounts = %d, %d; want 2, 3", a, r)
	}
}

func TestAWSFlags(t *testing.T) {
	env, _, _ := testEnv(t.TempDir())
	got, err := parseScan(t, env, []string{
		"--aws", "--regions", "eu-west-1,us-east-1", "--org", "--org-role", "Audit", "--external-id", "x1",
		"--endpoint-url", "http://127.0.0.1:4566", "--profile", "p", "--concurrency", "4", "--rate", "2.5",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := awsOptions{
		Enabled: true, Regions: []string{"eu-west-1", "us-east-1"}, Org: true, OrgRole: "Audit", ExternalID: "x1",
		EndpointURL: "http://127.0.0.1:4566", Profile: "p", Concurrency: 4, Rate: 2.5,
	}
	if !reflect.DeepEqual(got.AWS, want) {
		t.Errorf("AWS options:\n got %+v\nwant %+v", got.AWS, want)
	}
	if _, err := parseScan(t, env, []string{"--aws", "--snapshot", "dir"}); err == nil {
		t.Error("--aws with --snapshot: want an error")
	}
	got, err = parseScan(t, env, []string{"--snapshot", "dir"})
	if err != nil || got.Snapshot != "dir" {
		t.Errorf("--snapshot dir: %+v, %v", got, err)
	}
}
