package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/rules"
)

// minWatchInterval is the shortest --interval: a live scan calls the AWS APIs of every account
// and region, and scanning more often than this only spends API quota.
const minWatchInterval = time.Minute

// watchOptions are the flags of `mqguard watch` beyond those of `mqguard scan`.
type watchOptions struct {
	Scan      *scanOptions
	Interval  time.Duration
	Once      bool
	Listen    string
	LogFormat string
	// minInterval replaces minWatchInterval when set (tests); beforeScan is called before each
	// scan starts, afterScan after it, once the metrics show it.
	minInterval           time.Duration
	beforeScan, afterScan func(n int)
}

// newWatchCmd is `mqguard watch`: the scan command's flags plus the schedule's.
func newWatchCmd(env *Env, runF func(context.Context, *Env, *watchOptions) error) *cobra.Command {
	wopts := &watchOptions{}
	cmd := newScanCmd(env, func(ctx context.Context, env *Env, opts *scanOptions) error {
		wopts.Scan = opts
		return runF(ctx, env, wopts)
	})
	cmd.Use = "watch [PATH...]"
	cmd.Short = "Scan on a schedule in one long-lived process, with health and metrics"
	cmd.Long = `Run the scan of 'mqguard scan' (same PATHs and flags) every --interval in one long-lived
process, for a container or a service. Each run is one full scan: its reports, its record in
--db and its --notify announcements, as 'mqguard scan' makes them.

Reports go to files only (--format F=FILE), rewritten by every run; without --format no report
is written. With --once, a single scan runs and its exit code is the command's, as with
'mqguard scan' (stdout formats allowed): the form for cron and scheduled tasks.

The next scan starts --interval after the previous one started (at once when a scan took
longer). Logs go to stderr, as JSON lines with --log-format json. SIGTERM or SIGINT stops the
watch after the scan in progress (a second one kills the process); the exit code is then 0.
A usage error in the first scan stops the watch with exit code 2; later failures are logged,
counted in the metrics, and the watch goes on.

--listen ADDR serves, without authentication (keep it on loopback or behind a proxy):
  /healthz  200 once a scan completed (exit code 0 or 1); 503 before the first one and while the
            last scan was incomplete or failed
  /metrics  Prometheus text format: mqguard_scans_total{result="ok|findings|incomplete|error"},
            mqguard_last_scan_duration_seconds, mqguard_last_scan_timestamp_seconds,
            mqguard_last_scan_findings{severity,status} (of the last scan that produced a
            report), mqguard_errors_total (error entries of the scans plus failed scans)`
	cmd.Example = `  mqguard watch --aws --org --interval 15m --db mqguard.db --notify https://hooks.slack.com/services/... \
      --log-format json --listen 127.0.0.1:9107
  mqguard watch --once --aws --regions eu-west-1 --db mqguard.db --format json=/reports/latest.json`
	f := cmd.Flags()
	f.DurationVar(&wopts.Interval, "interval", 15*time.Minute, "time between the starts of two scans (at least 1m)")
	f.BoolVar(&wopts.Once, "once", false, "run one scan and exit with its exit code")
	f.StringVar(&wopts.Listen, "listen", "", "serve /healthz and /metrics on `ADDR` (host:port; no authentication)")
	f.StringVar(&wopts.LogFormat, "log-format", "text", "log `FORMAT` on stderr: text or json")
	return cmd
}

// validate checks the watch flags. Every error is a usage error.
func (o *watchOptions) validate() error {
	switch o.LogFormat {
	case "text", "json":
	default:
		return usagef("--log-format %q: want text or json", o.LogFormat)
	}
	minimum := minWatchInterval
	if o.minInterval > 0 {
		minimum = o.minInterval
	}
	if o.Interval < minimum {
		return usagef("--interval %s: want at least %s", o.Interval, minimum)
	}
	if o.Listen != "" {
		if _, _, err := net.SplitHostPort(o.Listen); err != nil {
			return usagef("--listen %q: want HOST:PORT, such as 127.0.0.1:9107", o.Listen)
		}
	}
	if !o.Once {
		// A report on stdout every run would interleave documents no reader can tell apart.
		for _, spec := range o.Scan.Formats {
			if name, path, ok := strings.Cut(spec, "="); !ok || path == "" || path == "-" {
				return usagef("--format %s: watch writes reports to files only, give it one (%s=FILE), or use --once", spec, strings.TrimSpace(name))
			}
		}
	}
	return nil
}

// logHandler makes the loggers of a watch: text or JSON on w.
func (o *watchOptions) logHandler(w io.Writer, level slog.Level) slog.Handler {
	hopts := &slog.HandlerOptions{Level: level}
	if o.LogFormat == "json" {
		return slog.NewJSONHandler(w, hopts)
	}
	return slog.NewTextHandler(w, hopts)
}

// runWatch is `mqguard watch`.
func runWatch(ctx context.Context, env *Env, o *watchOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	// The scan's own checks run before anything listens or waits: a bad flag is a usage
	// error at once, not after the first interval.
	if _, err := o.Scan.validate(env); err != nil {
		return err
	}
	// SIGTERM is how containers and service managers stop a process; SIGINT already cancels ctx.
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second SIGTERM kills the process as usual
	}()
	level := slog.LevelInfo
	switch {
	case o.Scan.Quiet:
		level = slog.LevelError
	case o.Scan.Verbose:
		level = slog.LevelDebug
	}
	log := slog.New(o.logHandler(env.Stderr, level))
	m := &watchMetrics{}
	scanOpts := *o.Scan
	scanOpts.logger = func(w io.Writer, quiet, verbose bool) *slog.Logger {
		// The scan logs at its usual level (warnings by default), in the watch's format.
		lvl := slog.LevelWarn
		switch {
		case quiet:
			lvl = slog.LevelError
		case verbose:
			lvl = slog.LevelDebug
		}
		return slog.New(o.logHandler(w, lvl))
	}
	scanEnv := *env
	if !o.Once {
		// Without --format the default table would go to stdout every run: nothing is written.
		scanEnv.Stdout = io.Discard
	}
	if o.Listen != "" {
		ln, err := net.Listen("tcp", o.Listen)
		if err != nil {
			return usagef("--listen %s: %v", o.Listen, err)
		}
		srv := &http.Server{Handler: m.handler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
		}()
		log.Info("serving /healthz and /metrics", "addr", ln.Addr().String())
	}
	for n := 1; ; n++ {
		if o.beforeScan != nil {
			o.beforeScan(n)
		}
		start := env.Now()
		log.Info("scan started", "run", n)
		var rep *finding.Report
		scanOpts.onReport = func(r *finding.Report) { rep = r }
		// A scan in progress finishes: the stop request is honoured between scans.
		err := runScan(context.WithoutCancel(ctx), &scanEnv, &scanOpts)
		elapsed := env.Now().Sub(start)
		result := m.record(err, rep, elapsed, env.Now())
		attrs := []any{"run", n, "result", result, "exit_code", exitCode(err), "duration", elapsed.Round(time.Millisecond).String()}
		if rep != nil {
			attrs = append(attrs, "brokers", rep.Summary.Brokers, "fail", rep.Summary.Fail, "unknown", rep.Summary.Unknown, "errors", len(rep.Errors))
		}
		if err != nil && !errors.Is(err, errFindings) && !errors.Is(err, errIncomplete) {
			attrs = append(attrs, "error", err.Error())
		}
		log.Info("scan finished", attrs...)
		if o.afterScan != nil {
			o.afterScan(n)
		}
		if o.Once {
			return err
		}
		var uerr *usageError
		if n == 1 && errors.As(err, &uerr) {
			// The configuration is wrong; running it again would fail the same way.
			return err
		}
		wait := o.Interval - env.Now().Sub(start)
		timer := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			timer.Stop()
			log.Info("stopped", "scans", n)
			return nil
		case <-timer.C:
		}
	}
}

// Results of a scan in the metrics.
const (
	resultOK         = "ok"
	resultFindings   = "findings"
	resultIncomplete = "incomplete"
	resultError      = "error"
)

var watchResults = []string{resultOK, resultFindings, resultIncomplete, resultError}

// watchStatuses are the statuses of the findings gauge, in the document's spelling.
var watchStatuses = []string{finding.StatusFail, finding.StatusUnknown, finding.StatusSuppressed, finding.StatusPass, finding.StatusNA}

// watchMetrics are the counters and gauges of a watch, served on /metrics.
type watchMetrics struct {
	mu       sync.Mutex
	scans    map[string]int
	errors   int
	healthy  bool
	duration float64
	lastEnd  time.Time
	// findings counts the last report's findings by severity, then status.
	findings map[string]map[string]int
}

// record adds a finished scan and returns its result.
func (m *watchMetrics) record(err error, rep *finding.Report, elapsed time.Duration, end time.Time) string {
	var result string
	switch code := exitCode(err); {
	case code == ExitOK:
		result = resultOK
	case code == ExitFindings:
		result = resultFindings
	case errors.Is(err, errIncomplete):
		result = resultIncomplete
	default:
		result = resultError
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.scans == nil {
		m.scans = map[string]int{}
	}
	m.scans[result]++
	if result == resultError {
		m.errors++
	}
	m.healthy = result == resultOK || result == resultFindings
	m.duration, m.lastEnd = elapsed.Seconds(), end
	if rep != nil {
		m.errors += len(rep.Errors)
		m.findings = map[string]map[string]int{}
		for _, f := range rep.Findings {
			if m.findings[f.Severity] == nil {
				m.findings[f.Severity] = map[string]int{}
			}
			m.findings[f.Severity][f.Status]++
		}
	}
	return result
}

func (m *watchMetrics) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		m.mu.Lock()
		healthy := m.healthy
		m.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !healthy {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "no completed scan\n")
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = io.WriteString(w, m.text())
	})
	return mux
}

// text renders the metrics in the Prometheus text exposition format. Every series is present
// from the start, at zero, so that rate() and alerts see a series before its first increment.
func (m *watchMetrics) text() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	b.WriteString("# HELP mqguard_scans_total Scans run by this process, by result.\n# TYPE mqguard_scans_total counter\n")
	for _, r := range watchResults {
		fmt.Fprintf(&b, "mqguard_scans_total{result=%q} %d\n", r, m.scans[r])
	}
	b.WriteString("# HELP mqguard_errors_total Error entries of the scans (inputs not scanned) plus scans that failed.\n# TYPE mqguard_errors_total counter\n")
	fmt.Fprintf(&b, "mqguard_errors_total %d\n", m.errors)
	b.WriteString("# HELP mqguard_last_scan_duration_seconds Duration of the last scan, reports and notifications included.\n# TYPE mqguard_last_scan_duration_seconds gauge\n")
	fmt.Fprintf(&b, "mqguard_last_scan_duration_seconds %g\n", m.duration)
	b.WriteString("# HELP mqguard_last_scan_timestamp_seconds When the last scan ended (Unix time; 0 before the first).\n# TYPE mqguard_last_scan_timestamp_seconds gauge\n")
	var ts int64
	if !m.lastEnd.IsZero() {
		ts = m.lastEnd.Unix()
	}
	fmt.Fprintf(&b, "mqguard_last_scan_timestamp_seconds %d\n", ts)
	b.WriteString("# HELP mqguard_last_scan_findings Findings of the last scan that produced a report, by severity and status.\n# TYPE mqguard_last_scan_findings gauge\n")
	for s := rules.Info; s <= rules.Critical; s++ {
		for _, st := range watchStatuses {
			fmt.Fprintf(&b, "mqguard_last_scan_findings{severity=%q,status=%q} %d\n", s.String(), st, m.findings[s.String()][st])
		}
	}
	return b.String()
}
