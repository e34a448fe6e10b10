package scan

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/report"
	"github.com/mqguard/mqguard/internal/source/probe"
)

// TestNoProbeCredentialInAnyFormat probes a management API that refuses the credentials it is
// sent and quotes them back in its answer, and writes the report in every format: none holds
// the password, in clear or in its Basic form.
func TestNoProbeCredentialInAnyFormat(t *testing.T) {
	const user, password = "audit", "Probe-S3cr3t-4711"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	var sent atomic.Bool
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if ok && u == user && p == password {
			sent.Store(true)
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="RabbitMQ Management", `+r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":"not_authorised","reason":"Login failed for %s:%s (%s)"}`, u, p, r.Header.Get("Authorization"))
	}))
	// The TLS probe's handshakes offering one suite each fail on purpose: not worth a log line.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)

	res, err := Run(t.Context(), Request{AsOf: asOf, Version: "test", ShowPassed: true,
		Brokers: []probe.Target{{URL: srv.URL, Engine: "RabbitMQ", User: user, Password: password}},
		// The test server's certificate is its own: without skipping verification the probe
		// would not send the credentials at all.
		Probe: probe.Options{InsecureSkipVerify: true, Timeout: 10 * time.Second, Concurrency: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if !sent.Load() {
		t.Fatal("the probe did not send the credentials: the test no longer exercises them")
	}
	if res.Report.Summary.Brokers != 1 {
		t.Errorf("%d brokers", res.Report.Summary.Brokers)
	}
	for _, f := range report.Formats() {
		for _, verbose := range []bool{false, true} {
			var buf bytes.Buffer
			opts := report.Options{Verbose: verbose, Color: verbose, Width: 200,
				ASFFProductARN: "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default"}
			if err := f.Write(&buf, res.Report, opts); err != nil {
				t.Fatalf("%s: %v", f.Name(), err)
			}
			for _, s := range []string{password, basic} {
				if bytes.Contains(buf.Bytes(), []byte(s)) {
					t.Errorf("%s (verbose %v) holds %q", f.Name(), verbose, s)
				}
			}
		}
	}
}
