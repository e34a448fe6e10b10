package history

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mqguard/mqguard/internal/finding"
)

// benchScan is a live scan of n brokers with perBroker findings each; the findings of every
// tenth broker are left out when fixed is set (they are resolved by it).
func benchScan(n, perBroker, d int, fixed bool) *Scan {
	sc := &Scan{At: day(d), Scope: Scope{Accounts: []string{"111111111111"}, Regions: []string{"us-east-1"}}, Report: &finding.Report{}}
	for r := range perBroker {
		sc.Scope.Rules = append(sc.Scope.Rules, fmt.Sprintf("MQG%03d", r+1))
	}
	yes := true
	for b := range n {
		arn := fmt.Sprintf("arn:aws:mq:us-east-1:111111111111:broker:b%05d:b-%05d", b, b)
		sc.Brokers = append(sc.Brokers, Broker{Key: arn, Source: "aws", ARN: arn, Account: "111111111111", Region: "us-east-1",
			Engine: "RabbitMQ", Public: &yes, Tags: map[string]string{"team": "payments", "env": "prod"}})
		if fixed && b%10 == 0 {
			continue
		}
		for r := range perBroker {
			sc.Report.Findings = append(sc.Report.Findings, finding.Finding{
				Fingerprint: fmt.Sprintf("%s/%d", arn, r), RuleID: sc.Scope.Rules[r], Severity: "HIGH", Status: "FAIL",
				Message:  "Broker is publicly accessible: its endpoints resolve to public addresses.",
				Resource: finding.Resource{Source: "aws", ARN: arn, Address: arn, Account: "111111111111", Region: "us-east-1"},
			})
		}
	}
	return sc
}

// BenchmarkRecordSQLite records a scan of 10,000 brokers with 5 findings each (50,000
// findings) into a SQLite file: the first scan (every finding new), then the next day's (every
// finding seen again, a tenth resolved). Each must take under a second.
func BenchmarkRecordSQLite(b *testing.B) {
	const brokers, perBroker = 10000, 5
	first, next := benchScan(brokers, perBroker, 0, false), benchScan(brokers, perBroker, 1, true)
	ctx := context.Background()
	for _, step := range []string{"first", "next"} {
		b.Run(step, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s, err := OpenSQLite(ctx, filepath.Join(b.TempDir(), "h.db"))
				if err != nil {
					b.Fatal(err)
				}
				if step == "next" {
					if _, err := s.Record(ctx, first); err != nil {
						b.Fatal(err)
					}
				}
				sc := first
				if step == "next" {
					sc = next
				}
				b.StartTimer()
				if _, err := s.Record(ctx, sc); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				_ = s.Close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkYearSQLite records a year of daily scans of 1,000 brokers with 5 findings each,
// a hundredth of the brokers fixed and another hundredth broken again each day, and reports
// the database's size (the target: under 200 MB).
func BenchmarkYearSQLite(b *testing.B) {
	const brokers, perBroker, days = 1000, 5, 365
	ctx := context.Background()
	for b.Loop() {
		path := filepath.Join(b.TempDir(), "h.db")
		s, err := OpenSQLite(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		recordYear(b, s, brokers, perBroker, days)
		_ = s.Close()
		st, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(st.Size())/1e6, "MB")
	}
}

// recordYear records days daily scans of brokers brokers with perBroker findings each, a
// hundredth of the brokers fixed and another hundredth broken again each day.
func recordYear(b testing.TB, s Store, brokers, perBroker, days int) {
	b.Helper()
	for d := range days {
		sc := benchScan(brokers, perBroker, d, false)
		kept := sc.Report.Findings[:0]
		for i, f := range sc.Report.Findings {
			// Broker i/perBroker is fixed on days where it falls in that day's hundredth.
			if (i/perBroker+d)%100 != 0 {
				kept = append(kept, f)
			}
		}
		sc.Report.Findings = kept
		if _, err := s.Record(context.Background(), sc); err != nil {
			b.Fatal(err)
		}
	}
}
