package cli

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/policy"
	"github.com/mqguard/mqguard/internal/source/probe"
)

// TestProbeOptionsValidate: the targets, their credentials (the secrets file's entry, by
// credentials key, then name, then URL; else the environment) and the probes' options.
func TestProbeOptionsValidate(t *testing.T) {
	dir := t.TempDir()
	secrets := filepath.Join(dir, "secrets.yaml")
	if err := os.WriteFile(secrets, []byte(`
orders: {user: orders-user, password: Orders-S3cr3t}
https://named.internal:15671: {user: url-user, password: Url-S3cr3t}
events: {user: events-user, password: Events-S3cr3t}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	pol, err := policy.Parse(filepath.Join(dir, ".mqguard.yaml"), []byte(`
brokers:
  - url: ssl://activemq.internal:61617
    credentials: orders
  - url: https://named.internal:15671
    engine: RabbitMQ
  - url: https://events.internal:15671
    name: events
  - url: amqps://plain.internal:5671
broker_secrets: secrets.yaml
`))
	if err != nil {
		t.Fatal(err)
	}
	envWith := func(vars map[string]string) *Env {
		env, _, _ := testEnv(dir)
		env.Getenv = func(k string) string { return vars[k] }
		return env
	}
	fromEnv := map[string]string{envBrokerUser: "env-user", envBrokerPassword: "Env-S3cr3t"}
	defaults := probeOptions{Timeout: defaultProbeTimeout, Concurrency: defaultProbeConcurrency}
	with := func(f func(*probeOptions)) probeOptions { o := defaults; f(&o); return o }
	tests := []struct {
		name    string
		opts    probeOptions
		pol     *policy.Policy
		aws     bool
		env     map[string]string
		want    []probe.Target // nil with wantErr or no probe
		probeAW bool
		wantErr string
	}{
		{name: "nothing", opts: defaults, pol: pol},
		{name: "policy brokers need --probe", opts: defaults, pol: pol, aws: true},
		{name: "--probe reads the policy's brokers", opts: with(func(o *probeOptions) { o.Probe = true }), pol: pol, env: fromEnv,
			want: []probe.Target{
				{URL: "ssl://activemq.internal:61617", User: "orders-user", Password: "Orders-S3cr3t"},
				{URL: "https://named.internal:15671", Engine: model.EngineRabbitMQ, User: "url-user", Password: "Url-S3cr3t"},
				{URL: "https://events.internal:15671", Name: "events", User: "events-user", Password: "Events-S3cr3t"},
				{URL: "amqps://plain.internal:5671", User: "env-user", Password: "Env-S3cr3t"},
			}},
		{name: "--broker replaces them, keeping what the policy says of the same URL", pol: pol,
			opts: with(func(o *probeOptions) {
				o.Brokers = []string{"HTTPS://events.internal:15671", "tcp://new.internal:61616"}
				o.Engine = "activemq"
			}),
			want: []probe.Target{
				{URL: "https://events.internal:15671", Name: "events", Engine: model.EngineActiveMQ, User: "events-user", Password: "Events-S3cr3t"},
				{URL: "tcp://new.internal:61616", Engine: model.EngineActiveMQ},
			}},
		{name: "--broker without a policy", opts: with(func(o *probeOptions) { o.Brokers = []string{"mqtt://m:1883"} }), env: fromEnv,
			want: []probe.Target{{URL: "mqtt://m:1883", User: "env-user", Password: "Env-S3cr3t"}}},
		{name: "--aws --probe", opts: with(func(o *probeOptions) { o.Probe = true }), aws: true, probeAW: true},
		{name: "--aws --probe and --broker", opts: with(func(o *probeOptions) { o.Probe = true; o.Brokers = []string{"ssl://a:61617"} }),
			aws: true, probeAW: true, want: []probe.Target{{URL: "ssl://a:61617"}}},
		{name: "--probe without brokers", opts: with(func(o *probeOptions) { o.Probe = true }), wantErr: "--probe: nothing to probe"},
		{name: "--aws alone probes nothing", opts: with(func(o *probeOptions) { o.InsecureSkip = true }), aws: true,
			wantErr: "--insecure-skip-verify requires --broker or --probe"},
		{name: "--probe-timeout alone", opts: with(func(o *probeOptions) { o.Timeout = time.Second }), wantErr: "--probe-timeout requires"},
		{name: "--probe-default-credentials alone", opts: with(func(o *probeOptions) { o.DefaultPasswords = true }), wantErr: "--probe-default-credentials requires"},
		{name: "credentials in the URL", opts: with(func(o *probeOptions) { o.Brokers = []string{"https://u:Hunter2@h:1"} }),
			wantErr: "--broker: https://h:1: credentials in a broker URL"},
		{name: "a password without a user", opts: with(func(o *probeOptions) { o.Brokers = []string{"https://h:1"} }),
			env: map[string]string{envBrokerPassword: "Hunter2"}, wantErr: "MQGUARD_BROKER_PASSWORD is set without MQGUARD_BROKER_USER"},
		{name: "a timeout too long", opts: with(func(o *probeOptions) { o.Brokers = []string{"https://h:1"}; o.Timeout = time.Hour }), wantErr: "--probe-timeout 1h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := tt.opts.validate(envWith(tt.env), dir, tt.pol, tt.aws)
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "Hunter2") {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			case err != nil:
				t.Fatal(err)
			case tt.want == nil && !tt.probeAW:
				if cfg != nil {
					t.Fatalf("config %+v, want none", cfg)
				}
				return
			}
			if !reflect.DeepEqual(cfg.Targets, tt.want) || cfg.ProbeAWS != tt.probeAW {
				t.Errorf("targets %+v, probe AWS %v\nwant %+v, %v", cfg.Targets, cfg.ProbeAWS, tt.want, tt.probeAW)
			}
			if o := cfg.Options; o.Timeout != tt.opts.Timeout || o.Concurrency != tt.opts.Concurrency || o.Now == nil {
				t.Errorf("options %+v", o)
			}
		})
	}
}

func TestProbeCAFile(t *testing.T) {
	dir := t.TempDir()
	cert, err := expiredCertificate(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o644); err != nil {
		t.Fatal(err)
	}
	env, _, _ := testEnv(dir)
	o := probeOptions{Brokers: []string{"ssl://127.0.0.1:61617"}, CAFile: "ca.pem", InsecureSkip: true, DefaultPasswords: true}
	cfg, err := o.validate(env, dir, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	if cfg.Options.RootCAs == nil || !cfg.Options.RootCAs.Equal(func() *x509.CertPool { p := x509.NewCertPool(); p.AddCert(leaf); return p }()) {
		t.Error("the CA file's certificate is not the pool")
	}
	if !cfg.Options.InsecureSkipVerify || !cfg.Options.DefaultCredentials || cfg.Options.Timeout != defaultProbeTimeout || cfg.Options.Concurrency != defaultProbeConcurrency {
		t.Errorf("options %+v", cfg.Options)
	}
	if err := os.WriteFile(filepath.Join(dir, "bad.pem"), []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	o.CAFile = "bad.pem"
	if _, err := o.validate(env, dir, nil, false); err == nil || !strings.Contains(err.Error(), "--probe-ca bad.pem: no PEM certificate") {
		t.Errorf("bad CA file: %v", err)
	}
	o.CAFile = dir
	if _, err := o.validate(env, dir, nil, false); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a directory: %v", err)
	}
}

// TestScanWithoutPathsProbesOnly: --broker without a PATH scans no file of the current
// directory; with a PATH, both.
func TestScanWithoutPathsProbesOnly(t *testing.T) {
	dir := t.TempDir()
	env, _, _ := testEnv(dir)
	o := &scanOptions{FailOn: "info", Config: "none", NoCache: true, Probe: probeOptions{Brokers: []string{"https://rabbit:15671"}}}
	cfg, err := o.validate(env)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Request.Paths) != 0 || len(cfg.Request.Brokers) != 1 || cfg.Request.Brokers[0].URL != "https://rabbit:15671" {
		t.Errorf("paths %v, brokers %+v", cfg.Request.Paths, cfg.Request.Brokers)
	}
	o.Paths = []string{"."}
	if cfg, err = o.validate(env); err != nil || len(cfg.Request.Paths) != 1 {
		t.Errorf("with a PATH: paths %v, %v", cfg.Request.Paths, err)
	}
	o.Paths, o.Probe = nil, probeOptions{}
	if cfg, err = o.validate(env); err != nil || len(cfg.Request.Paths) != 1 || cfg.Request.Brokers != nil {
		t.Errorf("without anything: paths %v, brokers %v, %v", cfg.Request.Paths, cfg.Request.Brokers, err)
	}
}

func TestProbeFlags(t *testing.T) {
	env, _, _ := testEnv(t.TempDir())
	got, err := parseScan(t, env, []string{"--broker", "https://a:15671", "--broker", "ssl://b:61617", "--broker-engine", "rabbitmq",
		"--probe", "--insecure-skip-verify", "--probe-ca", "ca.pem", "--probe-timeout", "3s", "--probe-concurrency", "7",
		"--probe-default-credentials"})
	if err != nil {
		t.Fatal(err)
	}
	want := probeOptions{Brokers: []string{"https://a:15671", "ssl://b:61617"}, Engine: "rabbitmq", Probe: true, InsecureSkip: true,
		CAFile: "ca.pem", Timeout: 3 * time.Second, Concurrency: 7, DefaultPasswords: true}
	if !reflect.DeepEqual(got.Probe, want) {
		t.Errorf("probe options %+v\nwant %+v", got.Probe, want)
	}
}
