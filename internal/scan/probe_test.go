package scan

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	mqtypes "github.com/aws/aws-sdk-go-v2/service/mq/types"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/report"
	"github.com/mqguard/mqguard/internal/source/awsapi"
	"github.com/mqguard/mqguard/internal/source/awsapi/awstest"
	"github.com/mqguard/mqguard/internal/source/probe"
)

// fakeProbe replaces the probe package's entry points for one test and records their calls.
type fakeProbe struct {
	mu        sync.Mutex
	targets   []probe.Target
	opts      []probe.Options
	endpoints map[string][]string // broker name -> endpoints asked for
	// scan answers probe.Scan for one target; nil answers a probe broker per target.
	scan func(probe.Target) (*model.Broker, []model.Diagnostic)
	// endpoint answers probe.Endpoints for one endpoint of a broker.
	endpoint func(b *model.Broker, url string) []model.Diagnostic
}

func installFakeProbe(t *testing.T, f *fakeProbe) *fakeProbe {
	t.Helper()
	f.endpoints = map[string][]string{}
	oldScan, oldEndpoints := probeScan, probeEndpoints
	t.Cleanup(func() { probeScan, probeEndpoints = oldScan, oldEndpoints })
	probeScan = func(_ context.Context, targets []probe.Target, opts probe.Options) (*model.Inventory, []model.Diagnostic) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.targets = append(f.targets, targets...)
		f.opts = append(f.opts, opts)
		inv := &model.Inventory{}
		var diags []model.Diagnostic
		for _, tg := range targets {
			b, d := probeBroker(tg), []model.Diagnostic(nil)
			if f.scan != nil {
				b, d = f.scan(tg)
			}
			if b != nil {
				inv.Brokers = append(inv.Brokers, b)
			}
			diags = append(diags, d...)
		}
		return inv, diags
	}
	probeEndpoints = func(_ context.Context, brokers []*model.Broker, eps map[*model.Broker][]string, opts probe.Options) []model.Diagnostic {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.opts = append(f.opts, opts)
		var diags []model.Diagnostic
		for _, b := range brokers {
			f.endpoints[b.Name.V] = eps[b]
			if b.SelfManaged == nil {
				b.SelfManaged = &model.SelfManaged{}
			}
			for _, u := range eps[b] {
				b.SelfManaged.Endpoints = append(b.SelfManaged.Endpoints, model.EndpointProbe{URL: u})
				if f.endpoint != nil {
					diags = append(diags, f.endpoint(b, u)...)
				}
			}
		}
		return diags
	}
	return f
}

// probeBroker is the broker a probe of t reports, as the contract says.
func probeBroker(t probe.Target) *model.Broker {
	at := model.Range{Ref: t.URL}
	return &model.Broker{
		ID:          model.Identity{Source: model.SourceProbe, Address: t.URL, Type: "rabbitmq", At: at},
		Name:        model.ExplicitString(t.Name, at),
		Engine:      model.ExplicitString(model.EngineRabbitMQ, at),
		SelfManaged: &model.SelfManaged{Endpoints: []model.EndpointProbe{{URL: t.URL, Protocol: "https", At: at}}},
	}
}

// TestRunProbesBrokers: the brokers of the request are probed with the request's options, are
// brokers of the report, and make a scan without paths non-empty; a broker that cannot be
// inspected is an error entry (incomplete).
func TestRunProbesBrokers(t *testing.T) {
	f := installFakeProbe(t, &fakeProbe{scan: func(tg probe.Target) (*model.Broker, []model.Diagnostic) {
		if strings.Contains(tg.URL, "down") {
			return nil, []model.Diagnostic{{Severity: model.DiagError, Source: model.SourceProbe, Kind: model.DiagUnreachable,
				At: model.Range{Ref: tg.URL}, Message: "connection refused"}}
		}
		return probeBroker(tg), nil
	}})
	opts := probe.Options{Timeout: 3 * time.Second, Concurrency: 4, InsecureSkipVerify: true, DefaultCredentials: true}
	req := Request{AsOf: asOf, Version: "test", Probe: opts, Brokers: []probe.Target{
		{URL: " HTTPS://rabbit.internal:15671", Name: "events", User: "mqguard", Password: "Probe-S3cr3t"},
		{URL: "https://rabbit.internal:15671", Name: "events", User: "mqguard", Password: "Probe-S3cr3t"},
	}}
	out, res := run(t, req)
	if res.Empty() || res.Incomplete() || res.Report.Summary.Brokers != 1 {
		t.Errorf("empty %v, incomplete %v, %d brokers; want one broker, complete", res.Empty(), res.Incomplete(), res.Report.Summary.Brokers)
	}
	// The URL is probed once, as brokeruri.CheckTarget gives it, with the credentials and the
	// options of the request.
	want := probe.Target{URL: "https://rabbit.internal:15671", Name: "events", User: "mqguard", Password: "Probe-S3cr3t"}
	if len(f.targets) != 1 || f.targets[0] != want || len(f.opts) != 1 || f.opts[0].Timeout != opts.Timeout ||
		f.opts[0].Concurrency != 4 || !f.opts[0].InsecureSkipVerify || !f.opts[0].DefaultCredentials {
		t.Errorf("probed %+v with %+v", f.targets, f.opts)
	}
	if strings.Contains(out, "Probe-S3cr3t") {
		t.Error("the report holds the password")
	}

	req.Brokers = append(req.Brokers, probe.Target{URL: "amqps://down.internal:5671"})
	_, res = run(t, req)
	if !res.Incomplete() || len(res.Report.Errors) != 1 || !strings.Contains(res.Report.Errors[0].Message, "connection refused") {
		t.Errorf("an unreachable broker: errors %+v", res.Report.Errors)
	}

	// No paths and no broker: nothing scanned, nothing probed.
	f.targets = nil
	if _, res := run(t, Request{AsOf: asOf}); !res.Empty() || f.targets != nil {
		t.Errorf("an empty request: empty %v, probed %v", res.Empty(), f.targets)
	}
}

func TestRunProbeRequestErrors(t *testing.T) {
	installFakeProbe(t, &fakeProbe{})
	for _, tt := range []struct {
		name string
		req  Request
		want string
	}{
		{"credentials in the URL", Request{Brokers: []probe.Target{{URL: "https://admin:Probe-S3cr3t@rabbit:15671"}}}, "https://rabbit:15671: credentials in a broker URL"},
		{"unknown scheme", Request{Brokers: []probe.Target{{URL: "gopher://rabbit"}}}, `unknown scheme "gopher"`},
		{"a range", Request{Brokers: []probe.Target{{URL: "tcp://10.0.0.0/24"}}}, "never a range"},
		{"twice, differently", Request{Brokers: []probe.Target{{URL: "https://r:1", Engine: "RabbitMQ"}, {URL: "https://r:1", Engine: "ActiveMQ"}}}, "given twice"},
		{"probe AWS without AWS", Request{ProbeAWS: true}, "requires a live AWS scan"},
		{"probe AWS with a snapshot", Request{ProbeAWS: true, Snapshot: t.TempDir()}, "requires a live AWS scan"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.req)
			var rerr *RequestError
			if !errors.As(err, &rerr) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a request error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "Probe-S3cr3t") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}

// TestRunProbesAmazonMQEndpoints: with ProbeAWS, the endpoints Amazon MQ reports for each
// broker the live scan finds are probed before the rules run on the broker; nothing answering
// on a private broker's endpoint is a note, on a public one an error, and other failures of a
// private one stay errors.
func TestRunProbesAmazonMQEndpoints(t *testing.T) {
	awsapi.QuickRetriesForTesting()
	const acct, region = "111122223333", "eu-west-1"
	w := awstest.NewWorld(acct)
	r := w.Region(acct, region)
	addBroker := func(id, name string, public bool, endpoints ...string) {
		r.AddBroker(mq.DescribeBrokerOutput{
			BrokerId: aws.String(id), BrokerArn: aws.String("arn:aws:mq:" + region + ":" + acct + ":broker:" + name + ":" + id),
			BrokerName: aws.String(name), BrokerState: mqtypes.BrokerStateRunning, EngineType: mqtypes.EngineType("RABBITMQ"),
			EngineVersion: aws.String("3.13"), DeploymentMode: mqtypes.DeploymentModeSingleInstance, HostInstanceType: aws.String("mq.m5.large"),
			PubliclyAccessible: aws.Bool(public), AutoMinorVersionUpgrade: aws.Bool(true),
			BrokerInstances: []mqtypes.BrokerInstance{{Endpoints: endpoints, ConsoleURL: aws.String("https://" + id + ".mq." + region + ".amazonaws.com")}},
		})
	}
	addBroker("b-pub", "public", true, "amqps://b-pub.mq.eu-west-1.amazonaws.com:5671")
	addBroker("b-priv", "private", false, "amqps://b-priv.mq.eu-west-1.amazonaws.com:5671")
	addBroker("b-drop", "dropping", false, "amqps://b-drop.mq.eu-west-1.amazonaws.com:5671")
	srv := awstest.NewServer(w, awstest.Faults{})
	t.Cleanup(srv.Close)

	f := installFakeProbe(t, &fakeProbe{endpoint: func(b *model.Broker, u string) []model.Diagnostic {
		if !strings.HasPrefix(u, "amqps://") {
			return nil
		}
		d := model.Diagnostic{Severity: model.DiagError, Source: model.SourceProbe, Kind: model.DiagUnreachable,
			At: model.Range{Ref: u}, Message: u + ": i/o timeout"}
		if b.Name.V == "dropping" {
			d.Kind, d.Message = "", u+": connection reset during the TLS handshake"
		}
		return []model.Diagnostic{d}
	}})
	var mu sync.Mutex
	var seen []string
	req := Request{AsOf: asOf, Version: "test", ProbeAWS: true, Probe: probe.Options{Concurrency: 8},
		AWS: &AWS{
			Config: aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "test-secret", "")},
			Options: awsapi.Options{EndpointURL: srv.URL(), Regions: []string{region}, CallTimeout: 10 * time.Second,
				RatePerRegion: 1000, Concurrency: 4},
		},
		OnPart: func(inv *model.Inventory) {
			mu.Lock()
			defer mu.Unlock()
			for _, b := range inv.Brokers {
				if b.SelfManaged != nil && len(b.SelfManaged.Endpoints) > 0 {
					seen = append(seen, b.Name.V)
				}
			}
		},
	}
	_, res := run(t, req)
	for name, id := range map[string]string{"public": "b-pub", "private": "b-priv", "dropping": "b-drop"} {
		want := []string{"amqps://" + id + ".mq.eu-west-1.amazonaws.com:5671", "https://" + id + ".mq.eu-west-1.amazonaws.com"}
		if !slices.Equal(f.endpoints[name], want) {
			t.Errorf("%s: probed %v, want %v", name, f.endpoints[name], want)
		}
	}
	// The probes ran before the rules: the part the rules saw has the endpoints.
	slices.Sort(seen)
	if !slices.Equal(seen, []string{"dropping", "private", "public"}) {
		t.Errorf("brokers with probed endpoints when the rules ran: %v", seen)
	}
	// Public and private brokers are probed at the same time, each within half the concurrency.
	if len(f.opts) != 2 || f.opts[0].Concurrency != 4 || f.opts[1].Concurrency != 4 {
		t.Errorf("options %+v", f.opts)
	}
	var errs []string
	for _, e := range res.Report.Errors {
		errs = append(errs, e.Message)
	}
	slices.Sort(errs)
	want := []string{"amqps://b-drop.mq.eu-west-1.amazonaws.com:5671: connection reset during the TLS handshake",
		"amqps://b-pub.mq.eu-west-1.amazonaws.com:5671: i/o timeout"}
	if !slices.Equal(errs, want) {
		t.Errorf("errors %q\nwant %q", errs, want)
	}
	var notes []string
	for _, n := range res.Report.Notes {
		if strings.Contains(n.Message, "b-priv") {
			notes = append(notes, n.Message)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "i/o timeout; the broker is private") {
		t.Errorf("notes %q", notes)
	}
	var buf bytes.Buffer
	fm, _ := report.Lookup("json")
	if err := fm.Write(&buf, res.Report, report.Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "the broker is private") {
		t.Error("the JSON report does not say why the private endpoint is a note")
	}

	// With a concurrency of 1, the groups are probed one after the other, each with the whole
	// bound: never two connections at once.
	f.opts, req.Probe.Concurrency, req.OnPart = nil, 1, nil
	run(t, req)
	if len(f.opts) != 2 || f.opts[0].Concurrency != 1 || f.opts[1].Concurrency != 1 {
		t.Errorf("options with a concurrency of 1: %+v", f.opts)
	}
	f.opts, req.Probe.Concurrency = nil, 7
	run(t, req)
	if len(f.opts) != 2 || f.opts[0].Concurrency+f.opts[1].Concurrency != 7 {
		t.Errorf("options with a concurrency of 7: %+v", f.opts)
	}

	// Without ProbeAWS nothing is probed.
	f.endpoints = map[string][]string{}
	req.ProbeAWS, req.OnPart = false, nil
	if _, res := run(t, req); len(f.endpoints) != 0 || res.Incomplete() {
		t.Errorf("probed %v without ProbeAWS", f.endpoints)
	}
}
