package export

import (
	"context"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/history"
)

const otherAccount = "210987654321"

func day(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }

// liveFinding is an MQG001 FAIL of broker name in account.
func liveFinding(account, name string) finding.Finding {
	arn := "arn:aws:mq:" + testRegion + ":" + account + ":broker:" + name + ":b-" + name
	return finding.Finding{
		RuleID: "MQG001", Severity: "HIGH", Status: finding.StatusFail, Fingerprint: name, Message: "publicly_accessible is true",
		Resource: finding.Resource{Address: arn, Source: "aws", Account: account, Region: testRegion, ARN: arn},
	}
}

// historyStore records two scans: on day 1 both accounts, with a1 and a2 in the first and b1 in
// the other; on day 8 only the first account, where a2 is gone. a2 is resolved on day 8; b1 was
// not in the second scan's scope and stays open.
func historyStore(t *testing.T) history.Store {
	t.Helper()
	ctx := context.Background()
	st, err := history.OpenSQLite(ctx, filepath.Join(t.TempDir(), "mqguard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	record := func(at time.Time, accounts []string, fs ...finding.Finding) {
		t.Helper()
		_, err := st.Record(ctx, &history.Scan{
			At:     at,
			Scope:  history.Scope{Accounts: accounts, Regions: []string{testRegion}, Rules: []string{"MQG001"}},
			Report: &finding.Report{Schema: finding.Schema, AsOf: at.Format("2006-01-02"), Findings: fs},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	record(day(1), []string{testAccount, otherAccount}, liveFinding(testAccount, "a1"), liveFinding(testAccount, "a2"), liveFinding(otherAccount, "b1"))
	record(day(8), []string{testAccount}, liveFinding(testAccount, "a1"))
	return st
}

func TestHistoryFindings(t *testing.T) {
	st := historyStore(t)
	now := time.Date(2026, 11, 9, 10, 0, 0, 0, time.UTC)
	type want struct {
		id, first, last, state, workflow string
	}
	a1 := want{"mqguard/a1", "2026-11-01T00:00:00Z", "2026-11-08T00:00:00Z", "ACTIVE", "NEW"}
	a2 := want{"mqguard/a2", "2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z", "ARCHIVED", "RESOLVED"}
	tests := []struct {
		name  string
		since time.Time
		want  []want
	}{
		// b1 is neither in the latest scan nor resolved: the scan of one account does not
		// resolve another's findings.
		{"every resolved finding", time.Time{}, []want{a1, a2}},
		{"resolved since the previous export", day(8), []want{a1, a2}},
		{"resolved before the previous export", day(9), []want{a1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := HistoryFindings(context.Background(), st, "", tt.since, now)
			if err != nil {
				t.Fatal(err)
			}
			var got []want
			for _, f := range fs {
				got = append(got, want{aws.ToString(f.Id), aws.ToString(f.FirstObservedAt), aws.ToString(f.LastObservedAt),
					string(f.RecordState), string(f.Workflow.Status)})
				if aws.ToString(f.CreatedAt) != aws.ToString(f.FirstObservedAt) || aws.ToString(f.UpdatedAt) != "2026-11-09T10:00:00Z" {
					t.Errorf("%s: CreatedAt %q UpdatedAt %q", aws.ToString(f.Id), aws.ToString(f.CreatedAt), aws.ToString(f.UpdatedAt))
				}
				if title := aws.ToString(f.Title); !strings.HasPrefix(title, "MQG001 ") || len(title) < len("MQG001 x") {
					t.Errorf("%s: title %q", aws.ToString(f.Id), aws.ToString(f.Title))
				}
				if len(f.Types) == 0 || f.Types[0] != "Software and Configuration Checks/AWS Security Best Practices/Network Reachability" {
					t.Errorf("%s: types %v, want the rule's category", aws.ToString(f.Id), f.Types)
				}
			}
			sort.Slice(got, func(i, j int) bool { return got[i].id < got[j].id })
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestHistoryFindingsEmpty(t *testing.T) {
	st, err := history.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "empty.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := HistoryFindings(context.Background(), st, "", time.Time{}, time.Now()); err == nil || !strings.Contains(err.Error(), "no scan is recorded") {
		t.Errorf("empty database: %v", err)
	}
}

// TestMotoExportHistory exports the first scan, then the second with --since its time: in
// Security Hub the resolved finding is archived and resolved, the other account's finding is
// left as it was, and nothing is duplicated.
func TestMotoExportHistory(t *testing.T) {
	sh := motoClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ex := &Exporter{Client: func(string) Client { return sh }}

	// The first export, as if it ran after the first scan: a history of that scan alone.
	st1, err := history.OpenSQLite(ctx, filepath.Join(t.TempDir(), "first.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st1.Close()
	if _, err := st1.Record(ctx, &history.Scan{
		At:    day(1),
		Scope: history.Scope{Accounts: []string{testAccount, otherAccount}, Regions: []string{testRegion}, Rules: []string{"MQG001"}},
		Report: &finding.Report{Schema: finding.Schema, AsOf: "2026-11-01",
			Findings: []finding.Finding{liveFinding(testAccount, "a1"), liveFinding(testAccount, "a2"), liveFinding(otherAccount, "b1")}},
	}); err != nil {
		t.Fatal(err)
	}
	fs, err := HistoryFindings(ctx, st1, "", time.Time{}, day(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.Send(ctx, fs); err != nil {
		t.Fatal(err)
	}

	fs, err = HistoryFindings(ctx, historyStore(t), "", day(8), day(9))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.Send(ctx, fs); err != nil {
		t.Fatal(err)
	}
	got := getFindings(ctx, t, sh)
	if len(got) != 3 {
		t.Fatalf("GetFindings returned %d findings, want the 3 of the first export updated", len(got))
	}
	check := func(id string, state shtypes.RecordState, workflow shtypes.WorkflowStatus, last, updated string) {
		t.Helper()
		g := got[id]
		if g.RecordState != state || g.Workflow == nil || g.Workflow.Status != workflow ||
			aws.ToString(g.LastObservedAt) != last || aws.ToString(g.FirstObservedAt) != "2026-11-01T00:00:00Z" || aws.ToString(g.UpdatedAt) != updated {
			t.Errorf("%s: record state %q workflow %+v first %q last %q updated %q", id, g.RecordState, g.Workflow,
				aws.ToString(g.FirstObservedAt), aws.ToString(g.LastObservedAt), aws.ToString(g.UpdatedAt))
		}
	}
	check("mqguard/a1", shtypes.RecordStateActive, shtypes.WorkflowStatusNew, "2026-11-08T00:00:00Z", "2026-11-09T00:00:00Z")
	check("mqguard/a2", shtypes.RecordStateArchived, shtypes.WorkflowStatusResolved, "2026-11-01T00:00:00Z", "2026-11-09T00:00:00Z")
	check("mqguard/b1", shtypes.RecordStateActive, shtypes.WorkflowStatusNew, "2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z")
}
