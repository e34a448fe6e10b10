package cli

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/mqguard/mqguard/internal/history"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/scan"
)

// openHistory opens the --db store before the scan runs: a database that cannot be used is a
// usage error (exit 2) and nothing is scanned or written.
func openHistory(ctx context.Context, dsn string) (history.Store, error) {
	s, err := history.Open(ctx, dsn)
	if err != nil {
		return nil, usagef("--db: %v", err)
	}
	return s, nil
}

// recordScan records a finished scan in the store; a failure is a report error (exit 3).
// The scan time is --as-of (midnight UTC) when given, so that history can be back-filled,
// else now.
func recordScan(ctx context.Context, store history.Store, cfg *scanConfig, asOf string, now time.Time, res *scan.Result, brokers []history.Broker) (int64, error) {
	at := now
	if asOf != "" {
		at = cfg.Request.AsOf
	}
	sc := &history.Scan{
		At:      at,
		Scope:   historyScope(cfg, res, brokers),
		Version: cfg.Request.Version,
		Report:  res.Report,
		Brokers: brokers,
	}
	id, err := store.Record(ctx, sc)
	if err != nil {
		return 0, &reportError{fmt.Errorf("--db: recording the scan: %w", err)}
	}
	return id, nil
}

// historyScope is what the scan covered. Inputs: the paths scanned, as the report displays
// them. Live data: the accounts whose brokers were read and the regions asked for (or, when
// every region was scanned, those brokers were in). An account or region with no broker left
// is not known to have been read, so its findings are left open rather than resolved: a
// finding is never resolved outside what the scan is known to have covered.
func historyScope(cfg *scanConfig, res *scan.Result, brokers []history.Broker) history.Scope {
	var sc history.Scope
	for _, p := range cfg.Request.Paths {
		sc.Paths = append(sc.Paths, cfg.Request.Display(p))
	}
	for _, r := range res.Rules {
		sc.Rules = append(sc.Rules, r.ID)
	}
	var asked []string
	if cfg.Live != nil && cfg.Live.AWS != nil {
		asked = cfg.Live.AWS.Options.Regions
	}
	for _, b := range brokers {
		if b.Source != string(model.SourceAWS) {
			continue
		}
		if b.Account != "" && !slices.Contains(sc.Accounts, b.Account) {
			sc.Accounts = append(sc.Accounts, b.Account)
		}
		if len(asked) == 0 && b.Region != "" && !slices.Contains(sc.Regions, b.Region) {
			sc.Regions = append(sc.Regions, b.Region)
		}
	}
	if len(sc.Accounts) > 0 && len(asked) > 0 {
		sc.Regions = append(sc.Regions, asked...)
	}
	slices.Sort(sc.Accounts)
	slices.Sort(sc.Regions)
	return sc
}
