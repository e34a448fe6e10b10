// Package history records scans in a database, so that findings can be followed over time:
// when each was first and last seen, when it was resolved and whether it came back, and which
// brokers existed. The store is an embedded SQLite file (pure Go) or a PostgreSQL database that
// several scanners share.
//
// Resolution is decided by scope. A scan covers the rules that ran and, for inputs, the paths it
// was given; for live data, the accounts and regions it read. A finding outside that scope is
// never resolved by it. An incomplete scan (one with error entries) records what it saw
// (findings it shows are updated, new or reopened, since the part that showed them was read)
// but resolves nothing by absence: mqguard cannot tell which findings the failed part would
// have shown, so a scan with any error entry is treated as having failed everywhere for the
// purpose of resolution.
package history

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/mqguard/mqguard/internal/finding"
)

// Scan is one scan to record.
type Scan struct {
	// At is when the scan happened (--as-of back-fills history); it is kept to the second, UTC.
	At time.Time
	// Scope is what the scan covered.
	Scope Scope
	// Version is the mqguard version that scanned.
	Version string
	// Report is the scan's report: its findings, and its errors (any makes the scan incomplete).
	Report *finding.Report
	// Brokers are the brokers the scan saw (see Collector).
	Brokers []Broker
}

// Scope is what a scan covered.
type Scope struct {
	// Paths are the input paths as the report displays them ("." covers every relative path).
	Paths []string
	// Accounts and Regions are the live accounts and regions read: a live finding is in scope
	// when both its account and its region are listed.
	Accounts, Regions []string
	// Rules are the IDs of the rules that ran.
	Rules []string
}

// Complete reports whether the scan had no error entry.
func (s *Scan) Complete() bool { return s.Report == nil || len(s.Report.Errors) == 0 }

// covers reports whether a finding recorded as f falls within the scope.
func (sc *Scope) covers(f *Finding) bool {
	if !slices.Contains(sc.Rules, f.RuleID) {
		return false
	}
	if f.Source == "aws" {
		return slices.Contains(sc.Accounts, f.Account) && slices.Contains(sc.Regions, f.Region)
	}
	for _, p := range sc.Paths {
		if underPath(f.Path, p) {
			return true
		}
	}
	return false
}

// underPath reports whether file is dir itself or inside it, both cleaned slash paths.
func underPath(file, dir string) bool {
	if file == "" {
		return false
	}
	file, dir = path.Clean(file), path.Clean(dir)
	if dir == "." {
		return !path.IsAbs(file) && file != ".." && !strings.HasPrefix(file, "../")
	}
	return file == dir || strings.HasPrefix(file, strings.TrimSuffix(dir, "/")+"/")
}

// Finding is a finding as recorded: the latest state of one fingerprint.
type Finding struct {
	Fingerprint string
	RuleID      string
	Severity    string
	Status      string
	Source      string
	Address     string
	ARN         string
	Account     string
	Region      string
	Path        string
	Message     string
	FirstSeen   time.Time
	LastSeen    time.Time
	// ResolvedAt is the first complete scan of its scope that no longer showed it open (nil
	// while open); ReopenedAt is the last time it came back after being resolved.
	ResolvedAt  *time.Time
	ReopenedAt  *time.Time
	ReopenCount int
}

// Finding returns the recorded finding as the report's type, with what history keeps of it (the
// rule's title, remediation and links are the catalog's, not recorded).
func (f *Finding) Finding() finding.Finding {
	return finding.Finding{
		RuleID: f.RuleID, Severity: f.Severity, Status: f.Status, Message: f.Message, Fingerprint: f.Fingerprint,
		Resource: finding.Resource{Address: f.Address, ARN: f.ARN, Account: f.Account, Region: f.Region, Source: f.Source},
		Location: finding.Location{Path: f.Path},
	}
}

// Open reports whether the finding is open: FAIL, UNKNOWN or SUPPRESSED, and not resolved.
func (f *Finding) Open() bool { return isOpen(f.Status) && f.ResolvedAt == nil }

// isOpen reports whether a status is one a finding is followed for until it is resolved.
func isOpen(status string) bool {
	switch status {
	case finding.StatusFail, finding.StatusUnknown, finding.StatusSuppressed:
		return true
	}
	return false
}

// Event kinds of the finding log.
const (
	EventNew      = "new"
	EventChanged  = "changed"
	EventResolved = "resolved"
	EventReopened = "reopened"
)

// Event is one change of a finding, in the order scans were recorded.
type Event struct {
	ScanID      int64
	Fingerprint string
	At          time.Time
	Kind        string
	Status      string
	Severity    string
}

// ScanRecord is a recorded scan.
type ScanRecord struct {
	ID       int64
	At       time.Time
	Complete bool
	Version  string
	Scope    Scope
	Findings int
	Errors   int
}

// Store is a history database.
type Store interface {
	// Record records a scan in one transaction and returns its id.
	Record(ctx context.Context, s *Scan) (int64, error)
	// Scans lists the recorded scans, oldest first.
	Scans(ctx context.Context) ([]ScanRecord, error)
	// Findings lists every recorded finding, by fingerprint.
	Findings(ctx context.Context) ([]Finding, error)
	// Events lists the finding log, in recording order.
	Events(ctx context.Context) ([]Event, error)
	// Brokers lists every broker seen, by key.
	Brokers(ctx context.Context) ([]Broker, error)
	Close() error
}

// OpenError is a database that cannot be used: it cannot be opened, is not an mqguard
// database, or has a schema newer than this mqguard knows. Nothing was written to it.
type OpenError struct {
	DB  string
	Err error
}

func (e *OpenError) Error() string { return fmt.Sprintf("history database %s: %v", e.DB, e.Err) }
func (e *OpenError) Unwrap() error { return e.Err }

// ErrNotMQGuard is a database that holds tables but not mqguard's.
var ErrNotMQGuard = errors.New("not an mqguard history database (it has tables but no schema_version)")

// IsPostgres reports whether dsn names a PostgreSQL database rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens (creating or migrating when needed) the history database dsn: a postgres:// URL,
// or the path of a SQLite file. A database it cannot use is an *OpenError.
func Open(ctx context.Context, dsn string) (Store, error) {
	if IsPostgres(dsn) {
		return OpenPostgres(ctx, dsn)
	}
	return OpenSQLite(ctx, dsn)
}
