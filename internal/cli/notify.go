package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/history"
	"github.com/mqguard/mqguard/internal/notify"
	"github.com/mqguard/mqguard/internal/scan"
)

// notifyBackoff replaces the delivery backoff in tests; nil keeps the library's.
var notifyBackoff func(retry int) time.Duration

// announce sends, after the scan was recorded as scanID, the findings that scan made new or
// reopened (and, with --notify-resolved, those it resolved) to every --notify destination. The
// scan's report is already written and recorded: a failed delivery is a report error (exit 3).
func announce(ctx context.Context, cfg *scanConfig, scanID int64, res *scan.Result, live *liveScan, log *slog.Logger) error {
	if len(cfg.Notify) == 0 || cfg.History == nil || scanID == 0 {
		return nil
	}
	events, err := cfg.History.Events(ctx)
	if err != nil {
		return &reportError{fmt.Errorf("--notify: reading the history: %w", err)}
	}
	fresh, resolved := map[string]bool{}, map[string]bool{}
	for _, e := range events {
		if e.ScanID != scanID {
			continue
		}
		switch e.Kind {
		case history.EventNew, history.EventReopened:
			fresh[e.Fingerprint] = true
		case history.EventResolved:
			resolved[e.Fingerprint] = true
		}
	}
	var newFindings []finding.Finding
	for _, f := range res.Report.Findings {
		if fresh[f.Fingerprint] {
			newFindings = append(newFindings, f)
		}
	}
	scope := strings.Join(historyScope(cfg, res, nil).Paths, ", ")
	messages := []*notify.Message{}
	m, err := notify.Build(newFindings, notify.Options{Event: notify.EventNew, MinSeverity: cfg.NotifyMinSeverity, Scope: scope})
	if err != nil {
		return &reportError{fmt.Errorf("--notify: %w", err)}
	}
	messages = append(messages, m)
	if cfg.NotifyResolved && len(resolved) > 0 {
		gone, err := resolvedFindings(ctx, cfg.History, resolved)
		if err != nil {
			return err
		}
		m, err := notify.Build(gone, notify.Options{Event: notify.EventResolved, MinSeverity: cfg.NotifyMinSeverity, Scope: scope})
		if err != nil {
			return &reportError{fmt.Errorf("--notify: %w", err)}
		}
		messages = append(messages, m)
	}
	sender := &notify.Sender{Backoff: notifyBackoff}
	var errs []error
	for _, d := range cfg.Notify {
		if d.Kind == notify.KindSNS && sender.AWS == nil {
			if live != nil && live.cfg.AWS != nil {
				sender.AWS = &live.awsCfg
			} else if awsCfg, err := config.LoadDefaultConfig(ctx); err == nil {
				sender.AWS = &awsCfg
			}
		}
		for _, m := range messages {
			if m == nil {
				continue // nothing at or above the threshold
			}
			if err := sender.Send(ctx, d, m); err != nil {
				errs = append(errs, err)
				continue
			}
			log.Info("notified", "destination", d.String(), "findings", len(m.Findings))
		}
	}
	if len(errs) > 0 {
		return &reportError{fmt.Errorf("--notify: %w", errors.Join(errs...))}
	}
	return nil
}

// resolvedFindings reads from the history what the resolved findings were: they are no longer
// in the report.
func resolvedFindings(ctx context.Context, store history.Store, fingerprints map[string]bool) ([]finding.Finding, error) {
	all, err := store.Findings(ctx)
	if err != nil {
		return nil, &reportError{fmt.Errorf("--notify: reading the history: %w", err)}
	}
	var out []finding.Finding
	for i := range all {
		if fingerprints[all[i].Fingerprint] {
			out = append(out, all[i].Finding())
		}
	}
	return out, nil
}
