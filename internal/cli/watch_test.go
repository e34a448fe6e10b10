package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// runWatchTest runs `mqguard watch ARGS` as RunEnv does, with the watch's test hooks: any
// interval allowed, and afterScan called after each scan.
func runWatchTest(ctx context.Context, env *Env, args []string, afterScan func(n int)) int {
	return runWatchHooks(ctx, env, args, nil, afterScan)
}

func runWatchHooks(ctx context.Context, env *Env, args []string, beforeScan, afterScan func(n int)) int {
	cmd := newWatchCmd(env, func(ctx context.Context, env *Env, o *watchOptions) error {
		o.minInterval = time.Millisecond
		o.beforeScan, o.afterScan = beforeScan, afterScan
		return runWatch(ctx, env, o)
	})
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	return exitCode(cmd.ExecuteContext(ctx))
}

// listenAddr finds the address the watch listens on in its JSON log.
func listenAddr(t *testing.T, stderr *bytes.Buffer) string {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(stderr.Bytes()))
	for sc.Scan() {
		var line struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %q", sc.Text())
		}
		if line.Addr != "" {
			return line.Addr
		}
	}
	t.Fatalf("no listen address in the log:\n%s", stderr)
	return ""
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// TestWatch runs two scans a few milliseconds apart and stops the watch by cancelling its
// context: after the first (a public broker) the metrics count a scan with findings and
// /healthz is 200; after the second (the broker fixed, another module broken) they count an
// incomplete scan, its error entry and no FAIL, and /healthz is 503. The report file is
// rewritten by each run, and the stop is clean (exit 0).
func TestWatch(t *testing.T) {
	dir := t.TempDir()
	writeBroker(t, dir, "true")
	env, stdout, stderr := testEnv(dir)
	env.Now = time.Now
	report := filepath.Join(dir, "r.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type seen struct{ health, metrics, report string }
	var runs []seen
	var code int
	after := func(n int) {
		base := "http://" + listenAddr(t, stderr)
		h, _ := get(t, base+"/healthz")
		_, m := get(t, base+"/metrics")
		rep, err := os.ReadFile(report)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, seen{health: http.StatusText(h), metrics: m, report: string(rep)})
		switch n {
		case 1:
			writeBroker(t, dir, "false")
			mustWrite(t, filepath.Join(dir, "broken", "main.tf"), "locals {\n")
		case 2:
			cancel()
		}
	}
	code = runWatchTest(ctx, env, []string{"--interval", "10ms", "--listen", "127.0.0.1:0", "--log-format", "json",
		"--no-cache", "--rules", "MQG001", "--show-passed", "--format", "json=" + report}, after)
	if code != ExitOK {
		t.Fatalf("exit %d after a clean stop; stderr %s", code, stderr)
	}
	if len(runs) != 2 {
		t.Fatalf("%d scans, want 2", len(runs))
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q: a watch writes reports to files only", stdout)
	}
	wants := []struct {
		health string
		series []string
		report string
	}{
		{http.StatusText(http.StatusOK), []string{
			`mqguard_scans_total{result="ok"} 0`,
			`mqguard_scans_total{result="findings"} 1`,
			`mqguard_scans_total{result="incomplete"} 0`,
			`mqguard_scans_total{result="error"} 0`,
			`mqguard_errors_total 0`,
			`mqguard_last_scan_findings{severity="HIGH",status="FAIL"} 1`,
			`mqguard_last_scan_findings{severity="HIGH",status="PASS"} 0`,
			`mqguard_last_scan_findings{severity="CRITICAL",status="FAIL"} 0`,
		}, `"status": "FAIL"`},
		{http.StatusText(http.StatusServiceUnavailable), []string{
			`mqguard_scans_total{result="findings"} 1`,
			`mqguard_scans_total{result="incomplete"} 1`,
			`mqguard_errors_total 1`,
			`mqguard_last_scan_findings{severity="HIGH",status="FAIL"} 0`,
			`mqguard_last_scan_findings{severity="HIGH",status="PASS"} 1`,
		}, `"status": "PASS"`},
	}
	for i, w := range wants {
		got := runs[i]
		if got.health != w.health {
			t.Errorf("scan %d: /healthz %s, want %s", i+1, got.health, w.health)
		}
		lines := strings.Split(got.metrics, "\n")
		for _, s := range w.series {
			found := false
			for _, l := range lines {
				found = found || l == s
			}
			if !found {
				t.Errorf("scan %d: /metrics lacks %q:\n%s", i+1, s, got.metrics)
			}
		}
		for _, s := range []string{"# TYPE mqguard_scans_total counter", "# TYPE mqguard_last_scan_duration_seconds gauge", "mqguard_last_scan_duration_seconds "} {
			if !strings.Contains(got.metrics, s) {
				t.Errorf("scan %d: /metrics lacks %q", i+1, s)
			}
		}
		if !strings.Contains(got.report, w.report) {
			t.Errorf("scan %d: report lacks %s:\n%s", i+1, w.report, got.report)
		}
	}
	if !strings.Contains(stderr.String(), `"msg":"stopped"`) {
		t.Errorf("no stop logged:\n%s", stderr)
	}
	if strings.Contains(stderr.String(), "Hist0ryS3cretPassw0rd!") {
		t.Error("the log shows the broker's password")
	}
}

// TestWatchStopDuringScan: a stop requested while a scan runs lets that scan finish (its report
// is written, its findings counted) and then ends the watch with exit code 0.
func TestWatchStopDuringScan(t *testing.T) {
	dir := t.TempDir()
	writeBroker(t, dir, "true")
	env, _, stderr := testEnv(dir)
	report := filepath.Join(dir, "r.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	scans := 0
	code := runWatchHooks(ctx, env, []string{"--interval", "1h", "--no-cache", "--rules", "MQG001", "--log-format", "json", "--format", "json=" + report},
		func(int) { cancel() }, func(int) { scans++ })
	if code != ExitOK || scans != 1 {
		t.Fatalf("exit %d after %d scans, want 0 after 1; stderr %s", code, scans, stderr)
	}
	if !strings.Contains(stderr.String(), `"result":"findings"`) {
		t.Errorf("the scan did not finish with its findings:\n%s", stderr)
	}
	if rep, err := os.ReadFile(report); err != nil || !strings.Contains(string(rep), `"status": "FAIL"`) {
		t.Errorf("report %q (%v): want the scan's FAIL", rep, err)
	}
}

// TestWatchOnce: with --once, one scan runs, its exit code is the command's, and a stdout
// format is allowed.
func TestWatchOnce(t *testing.T) {
	tests := []struct {
		name   string
		public string
		want   int
	}{
		{"findings", "true", ExitFindings},
		{"clean", "false", ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeBroker(t, dir, tt.public)
			env, stdout, stderr := testEnv(dir)
			scans := 0
			code := runWatchTest(context.Background(), env, []string{"--once", "--no-cache", "--rules", "MQG001", "--format", "json"}, func(int) { scans++ })
			if code != tt.want || scans != 1 {
				t.Fatalf("exit %d after %d scans, want %d after 1; stderr %s", code, scans, tt.want, stderr)
			}
			if !strings.Contains(stdout.String(), `"schema": "mqguard/v1"`) {
				t.Errorf("stdout %q: want the JSON report", stdout)
			}
			if !strings.Contains(stderr.String(), "scan finished") {
				t.Errorf("stderr %q: want the scan logged", stderr)
			}
		})
	}
}

// TestWatchUsage: bad flags are usage errors, before anything is scanned or listened on.
func TestWatchUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"interval too short", []string{"--interval", "30s"}, "--interval 30s: want at least 1m0s"},
		{"interval not a duration", []string{"--interval", "often"}, "invalid argument"},
		{"log format", []string{"--log-format", "xml"}, `--log-format "xml": want text or json`},
		{"listen", []string{"--listen", "9107"}, `--listen "9107": want HOST:PORT`},
		{"stdout format", []string{"--format", "json"}, "watch writes reports to files only"},
		{"stdout dash", []string{"--format", "json=-"}, "watch writes reports to files only"},
		{"scan flag", []string{"--fail-on", "severe"}, `--fail-on "severe"`},
		{"unknown flag", []string{"--every", "1m"}, "unknown flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, stdout, stderr := testEnv(t.TempDir())
			code := RunEnv(context.Background(), append([]string{"watch", "--no-cache"}, tt.args...), env)
			if code != ExitUsage {
				t.Fatalf("exit %d, want %d; stderr %s", code, ExitUsage, stderr)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr %q, want %q", stderr, tt.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q", stdout)
			}
		})
	}
}

// TestWatchHealthBeforeScan: /healthz is 503 and every series is zero before the first scan.
func TestWatchHealthBeforeScan(t *testing.T) {
	srv := httptest.NewServer((&watchMetrics{}).handler())
	defer srv.Close()
	code, _ := get(t, srv.URL+"/healthz")
	if code != http.StatusServiceUnavailable {
		t.Errorf("/healthz %d before a scan, want 503", code)
	}
	_, m := get(t, srv.URL+"/metrics")
	for _, s := range []string{`mqguard_scans_total{result="ok"} 0`, "mqguard_errors_total 0", "mqguard_last_scan_timestamp_seconds 0", `mqguard_last_scan_findings{severity="INFO",status="N/A"} 0`} {
		if !strings.Contains(m, s+"\n") {
			t.Errorf("/metrics lacks %q:\n%s", s, m)
		}
	}
}

// TestWatchMetricsRecord maps each outcome to its result and health.
func TestWatchMetricsRecord(t *testing.T) {
	tests := []struct {
		err     error
		result  string
		healthy bool
	}{
		{nil, resultOK, true},
		{errFindings, resultFindings, true},
		{errIncomplete, resultIncomplete, false},
		{&reportError{io.ErrShortWrite}, resultError, false},
		{usagef("bad"), resultError, false},
	}
	for _, tt := range tests {
		m := &watchMetrics{}
		if got := m.record(tt.err, nil, time.Second, time.Unix(100, 0)); got != tt.result || m.healthy != tt.healthy {
			t.Errorf("%v: result %s healthy %v, want %s %v", tt.err, got, m.healthy, tt.result, tt.healthy)
		}
	}
}
