package history

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkKPIYearSQLite computes the KPIs of a year of daily scans of 1,000 brokers with 5
// findings each (the history of BenchmarkYearSQLite), opening the SQLite file as `mqguard kpi`
// does; the target is under a second.
func BenchmarkKPIYearSQLite(b *testing.B) {
	const brokers, perBroker, days = 1000, 5, 365
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "h.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	recordYear(b, s, brokers, perBroker, days)
	_ = s.Close()
	for b.Loop() {
		s, err := OpenSQLite(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		k, err := ComputeKPIs(ctx, s, Period{})
		if err != nil {
			b.Fatal(err)
		}
		if len(k.Weeks) != 53 || k.Scans != days {
			b.Fatalf("%d weeks over %d scans", len(k.Weeks), k.Scans)
		}
		_ = s.Close()
	}
}
