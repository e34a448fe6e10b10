package cli

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/mqguard/mqguard/internal/brokeruri"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/policy"
	"github.com/mqguard/mqguard/internal/source/probe"
)

// Defaults of the probe flags: what probe.Options' zero values mean.
const (
	defaultProbeTimeout     = probe.DefaultTimeout
	defaultProbeConcurrency = probe.DefaultConcurrency
	// maxProbeTimeout bounds --probe-timeout: a probe that waits longer is a hang.
	maxProbeTimeout = 10 * time.Minute
	// maxCAFileSize bounds the --probe-ca file read.
	maxCAFileSize = 4 << 20
)

// The environment variables the brokers' credentials are read from. They are never taken from
// the command line, where other users of the machine and the shell history see them.
const (
	envBrokerUser     = "MQGUARD_BROKER_USER"
	envBrokerPassword = "MQGUARD_BROKER_PASSWORD" //nolint:gosec // the name of the variable, not a credential
)

// probeOptions are the raw flags of live broker inspection.
type probeOptions struct {
	Brokers          []string
	Engine           string
	Probe            bool
	InsecureSkip     bool
	CAFile           string
	Timeout          time.Duration
	Concurrency      int
	DefaultPasswords bool
}

// probeConfig is a validated probeOptions: the targets with their credentials, whether the
// Amazon MQ endpoints are probed, and the probes' options.
type probeConfig struct {
	Targets  []probe.Target
	ProbeAWS bool
	Options  probe.Options
}

// addFlags declares the probe flags on f.
func (o *probeOptions) addFlags(f *pflag.FlagSet) {
	f.StringArrayVar(&o.Brokers, "broker", nil, "inspect the running broker at `URL` (repeatable; replaces the policy file's brokers): https or http (RabbitMQ management API, ActiveMQ console), "+
		"amqps, ssl, stomp+ssl, mqtt+ssl, wss (TLS probe), amqp, tcp, stomp, mqtt (plaintext probe); credentials from "+envBrokerUser+"/"+envBrokerPassword+" or broker_secrets, never in the URL")
	f.StringVar(&o.Engine, "broker-engine", "", "the `ENGINE` of the --broker brokers, activemq or rabbitmq (default: told by what the endpoint answers)")
	f.BoolVar(&o.Probe, "probe", false, "inspect the running brokers the policy file lists (brokers:); with --aws, also probe the endpoints of the Amazon MQ brokers found")
	f.BoolVar(&o.InsecureSkip, "insecure-skip-verify", false, "send credentials to brokers whose certificate does not verify (the TLS findings still report it)")
	f.StringVar(&o.CAFile, "probe-ca", "", "verify the brokers' certificates against the PEM certificates in `FILE` (default: the system's roots)")
	f.DurationVar(&o.Timeout, "probe-timeout", defaultProbeTimeout, "give up on a broker connection (connect, handshake, request) after `DURATION`")
	f.IntVar(&o.Concurrency, "probe-concurrency", defaultProbeConcurrency, "`N` broker connections open at once")
	f.BoolVar(&o.DefaultPasswords, "probe-default-credentials", false, "also try the products' shipped credentials (admin:admin, user:user, guest:guest) on consoles and management APIs")
}

// setFlags names the probe flags, other than --broker and --probe, given a value other than
// their default.
func (o *probeOptions) setFlags() []string {
	var names []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"broker-engine", o.Engine != ""},
		{"insecure-skip-verify", o.InsecureSkip},
		{"probe-ca", o.CAFile != ""},
		{"probe-timeout", o.Timeout != 0 && o.Timeout != defaultProbeTimeout},
		{"probe-concurrency", o.Concurrency != 0 && o.Concurrency != defaultProbeConcurrency},
		{"probe-default-credentials", o.DefaultPasswords},
	} {
		if f.set {
			names = append(names, f.name)
		}
	}
	return names
}

// validate checks the probe flags against the policy file and the live part of the scan (aws:
// --aws is given) and reads the credentials and the CA file. It returns nil when nothing is
// probed. Every error is a usage error, and none shows a password.
func (o *probeOptions) validate(env *Env, cwd string, pol *policy.Policy, aws bool) (*probeConfig, error) {
	engine := ""
	if o.Engine != "" {
		switch e := model.NormalizeEngine(o.Engine); e {
		case model.EngineActiveMQ, model.EngineRabbitMQ:
			engine = e
		default:
			return nil, usagef("--broker-engine %q: want activemq or rabbitmq", o.Engine)
		}
		if len(o.Brokers) == 0 {
			return nil, usagef("--broker-engine requires --broker")
		}
	}
	var fromPolicy map[string]policy.Broker
	if pol != nil {
		fromPolicy = map[string]policy.Broker{}
		for _, b := range pol.Brokers {
			fromPolicy[b.URL] = b
		}
	}
	// Each target keeps the policy entry that describes it, for its name, engine and
	// credentials key.
	type target struct {
		probe.Target
		entry *policy.Broker
	}
	var targets []target
	for _, raw := range o.Brokers {
		u, err := brokeruri.CheckTarget(raw)
		if err != nil {
			return nil, usagef("--broker: %v", err)
		}
		t := target{Target: probe.Target{URL: u, Engine: engine}}
		if b, ok := fromPolicy[u]; ok {
			t.entry = &b
			t.Name = b.Name
			if t.Engine == "" {
				t.Engine = b.Engine
			}
		}
		targets = append(targets, t)
	}
	if len(o.Brokers) == 0 && o.Probe && pol != nil {
		for _, b := range pol.Brokers {
			targets = append(targets, target{Target: probe.Target{URL: b.URL, Engine: b.Engine, Name: b.Name}, entry: &b})
		}
	}
	probeAWS := o.Probe && aws
	switch {
	case o.Probe && len(targets) == 0 && !aws:
		return nil, usagef("--probe: nothing to probe: the policy file lists no brokers (brokers:); give --broker URL, or --aws to probe the Amazon MQ brokers' endpoints")
	case len(targets) == 0 && !probeAWS:
		if set := o.setFlags(); len(set) > 0 {
			return nil, usagef("--%s requires --broker or --probe", set[0])
		}
		return nil, nil
	}
	cfg := &probeConfig{ProbeAWS: probeAWS, Options: probe.Options{
		Timeout:            o.Timeout,
		Concurrency:        o.Concurrency,
		InsecureSkipVerify: o.InsecureSkip,
		DefaultCredentials: o.DefaultPasswords,
		Now:                env.Now,
	}}
	if cfg.Options.Timeout == 0 {
		cfg.Options.Timeout = defaultProbeTimeout
	}
	if cfg.Options.Concurrency == 0 {
		cfg.Options.Concurrency = defaultProbeConcurrency
	}
	if t := cfg.Options.Timeout; t < 0 || t > maxProbeTimeout {
		return nil, usagef("--probe-timeout %v: want a duration above 0 and at most %v", o.Timeout, maxProbeTimeout)
	}
	if n := cfg.Options.Concurrency; n < 1 || n > 1024 {
		return nil, usagef("--probe-concurrency %d: want 1 to 1024", o.Concurrency)
	}
	if o.CAFile != "" {
		pool, err := readCAFile(cwd, o.CAFile)
		if err != nil {
			return nil, err
		}
		cfg.Options.RootCAs = pool
	}
	user, password := env.Getenv(envBrokerUser), env.Getenv(envBrokerPassword)
	if user == "" && password != "" {
		return nil, usagef("%s is set without %s", envBrokerPassword, envBrokerUser)
	}
	var secrets policy.BrokerSecrets
	var secretsShown string
	if pol != nil && pol.BrokerSecrets != "" && len(targets) > 0 {
		secretsShown = pol.BrokerSecretsPath()
		path := secretsShown
		if !filepath.IsAbs(path) {
			path = filepath.Join(cwd, path)
		}
		var err error
		if secrets, err = policy.LoadBrokerSecrets(path, secretsShown); err != nil {
			return nil, usagef("%s:%d: broker_secrets: %v", pol.Path, pol.BrokerSecretsLine, err)
		}
	}
	for _, t := range targets {
		c, found, err := credentialsOf(t.Target, t.entry, secrets, secretsShown, pol)
		if err != nil {
			return nil, err
		}
		if !found {
			c = policy.Credential{User: user, Password: password}
		}
		t.User, t.Password = c.User, c.Password
		cfg.Targets = append(cfg.Targets, t.Target)
	}
	return cfg, nil
}

// credentialsOf looks a target's credentials up in the secrets file: under the policy entry's
// credentials key (which must be there), else under its name, else under its URL. found is false
// when the file has none for it: the environment's apply.
func credentialsOf(t probe.Target, entry *policy.Broker, secrets policy.BrokerSecrets, shown string, pol *policy.Policy) (policy.Credential, bool, error) {
	if entry != nil && entry.Credentials != "" {
		if secrets == nil {
			return policy.Credential{}, false, usagef("%s:%d: brokers: %s names credentials %q, and the policy file names no broker_secrets file", pol.Path, entry.Line, entry.URL, entry.Credentials)
		}
		c, ok := secrets[entry.Credentials]
		if !ok {
			return policy.Credential{}, false, usagef("%s:%d: brokers: %s names credentials %q, which %s does not hold", pol.Path, entry.Line, entry.URL, entry.Credentials, shown)
		}
		return c, true, nil
	}
	for _, key := range []string{t.Name, t.URL} {
		if c, ok := secrets[key]; ok && key != "" {
			return c, true, nil
		}
	}
	return policy.Credential{}, false, nil
}

// readCAFile reads the PEM certificates of --probe-ca.
func readCAFile(cwd, name string) (*x509.CertPool, error) {
	abs := name
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(cwd, abs)
	}
	st, err := os.Stat(abs)
	switch {
	case err != nil:
		return nil, usagef("--probe-ca %s: %v", name, unwrapPathError(err))
	case !st.Mode().IsRegular():
		return nil, usagef("--probe-ca %s: not a regular file", name)
	case st.Size() > maxCAFileSize:
		return nil, usagef("--probe-ca %s: larger than %d MiB: not a certificate file", name, maxCAFileSize>>20)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, usagef("--probe-ca %s: %v", name, unwrapPathError(err))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, usagef("--probe-ca %s: no PEM certificate (-----BEGIN CERTIFICATE-----) in the file", name)
	}
	return pool, nil
}
