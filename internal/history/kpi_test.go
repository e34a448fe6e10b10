package history

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mqguard/mqguard/internal/finding"
)

const kpiAcct = "111111111111"

func kpiARN(name string) string { return "arn:aws:mq:us-east-1:" + kpiAcct + ":broker:" + name }

// kpiFinding is a live finding of broker name under rule.
func kpiFinding(name, rule, sev, status string) finding.Finding {
	return finding.Finding{Fingerprint: name + "/" + rule, RuleID: rule, Severity: sev, Status: status,
		Resource: finding.Resource{Source: "aws", Account: kpiAcct, Region: "us-east-1", ARN: kpiARN(name), Address: kpiARN(name)}}
}

// scriptedMonth is thirty daily scans, from Monday 2026-11-02 (2026-W45) to Tuesday
// 2026-12-01 (2026-W49), of one account:
//
//	a  created public on day 0, fixed on day 10
//	b  created public on day 0, fixed on day 3, public again on day 15, fixed on day 24
//	c  created private on day 5 (no MQG001 finding: PASS is not recorded), with an MQG002
//	   MEDIUM finding that stays open
//	d  created public on day 8 and left so; its MQG012 HIGH finding is fixed on day 18
//	e  created private on day 12, its MQG001 PASS recorded (--show-passed)
//	f  created private on day 16, made public on day 22
//
// The scan of day 14 is incomplete and misses c and d: it resolves nothing.
func scriptedMonth() []*Scan {
	yes, no := true, false
	sc := Scope{Accounts: []string{kpiAcct}, Regions: []string{"us-east-1"}, Rules: []string{"MQG001", "MQG002", "MQG012"}}
	var out []*Scan
	for d := range 30 {
		s := &Scan{At: day(d), Scope: sc, Report: &finding.Report{}}
		broker := func(name string, public *bool, fs ...finding.Finding) {
			s.Brokers = append(s.Brokers, Broker{Key: kpiARN(name), Source: "aws", ARN: kpiARN(name), Address: kpiARN(name),
				Account: kpiAcct, Region: "us-east-1", Engine: "RabbitMQ", Public: public})
			s.Report.Findings = append(s.Report.Findings, fs...)
		}
		if d < 10 {
			broker("a", &yes, kpiFinding("a", "MQG001", "CRITICAL", "FAIL"))
		} else {
			broker("a", &no)
		}
		if d < 3 || (d >= 15 && d < 24) {
			broker("b", &yes, kpiFinding("b", "MQG001", "CRITICAL", "FAIL"))
		} else {
			broker("b", &no)
		}
		if d == 14 {
			s.Report.Errors = []finding.Error{{Source: "aws", Message: "throttled"}}
		}
		if d >= 5 && d != 14 {
			broker("c", &no, kpiFinding("c", "MQG002", "MEDIUM", "FAIL"))
		}
		if d >= 8 && d != 14 {
			fs := []finding.Finding{kpiFinding("d", "MQG001", "CRITICAL", "FAIL")}
			if d < 18 {
				fs = append(fs, kpiFinding("d", "MQG012", "HIGH", "FAIL"))
			}
			broker("d", &yes, fs...)
		}
		if d >= 12 {
			broker("e", &no, kpiFinding("e", "MQG001", "CRITICAL", "PASS"))
		}
		if d >= 22 {
			broker("f", &yes, kpiFinding("f", "MQG001", "CRITICAL", "FAIL"))
		} else if d >= 16 {
			broker("f", &no)
		}
		out = append(out, s)
	}
	return out
}

func TestKPIsScriptedMonth(t *testing.T) {
	exposure := func(n001, n012 int) map[string]int {
		return map[string]int{"MQG001": n001, "MQG012": n012, "MQG020": 0}
	}
	want := &KPIs{
		Schema: KPISchema, Since: "2026-11-02", Until: "2026-12-01", AsOf: "2026-12-01T00:00:00Z", Scans: 30,
		Weeks: []WeekKPI{
			// a and b public; a, b and c new, c private by its inventory (no MQG001 finding).
			{Week: "2026-W45", Start: "2026-11-02", PublicBrokers: 2, NewPublicBrokers: 2, NewBrokers: 3, NewBrokersPrivate: 1,
				OpenBySeverity: map[string]int{"CRITICAL": 1, "MEDIUM": 1}, NetworkExposure: exposure(1, 0)},
			// a (until day 10) and d public, d new; d and e new, e private by its PASS.
			{Week: "2026-W46", Start: "2026-11-09", PublicBrokers: 2, NewPublicBrokers: 1, NewBrokers: 2, NewBrokersPrivate: 1,
				OpenBySeverity: map[string]int{"CRITICAL": 1, "HIGH": 1, "MEDIUM": 1}, NetworkExposure: exposure(1, 1)},
			// b reopened and d public; f new and private (its MQG001 FAIL comes later).
			{Week: "2026-W47", Start: "2026-11-16", PublicBrokers: 2, NewBrokers: 1, NewBrokersPrivate: 1,
				OpenBySeverity: map[string]int{"CRITICAL": 2, "MEDIUM": 1}, NetworkExposure: exposure(2, 0)},
			// b (until day 24), d and f public, f newly.
			{Week: "2026-W48", Start: "2026-11-23", PublicBrokers: 3, NewPublicBrokers: 1,
				OpenBySeverity: map[string]int{"CRITICAL": 2, "MEDIUM": 1}, NetworkExposure: exposure(2, 0)},
			{Week: "2026-W49", Start: "2026-11-30", PublicBrokers: 2,
				OpenBySeverity: map[string]int{"CRITICAL": 2, "MEDIUM": 1}, NetworkExposure: exposure(2, 0)},
		},
		NewBrokers: 6, NewBrokersPrivate: 3,
		MTTR: MTTRs{
			// b: 3 and 9 days, a: 10 days; d's MQG012: 10 days.
			ByRule: map[string]MTTR{
				"MQG001": {Resolved: 3, MeanHours: 176, MedianHours: 216, MeanDays: 7.33, MedianDays: 9},
				"MQG012": {Resolved: 1, MeanHours: 240, MedianHours: 240, MeanDays: 10, MedianDays: 10},
			},
			BySeverity: map[string]MTTR{
				"CRITICAL": {Resolved: 3, MeanHours: 176, MedianHours: 216, MeanDays: 7.33, MedianDays: 9},
				"HIGH":     {Resolved: 1, MeanHours: 240, MedianHours: 240, MeanDays: 10, MedianDays: 10},
			},
		},
		OldestOpen: []Opened{
			{Fingerprint: "c/MQG002", RuleID: "MQG002", Severity: "MEDIUM", Status: "FAIL", Resource: kpiARN("c"),
				OpenSince: "2026-11-07T00:00:00Z", AgeHours: 576, AgeDays: 24},
			{Fingerprint: "d/MQG001", RuleID: "MQG001", Severity: "CRITICAL", Status: "FAIL", Resource: kpiARN("d"),
				OpenSince: "2026-11-10T00:00:00Z", AgeHours: 504, AgeDays: 21},
			{Fingerprint: "f/MQG001", RuleID: "MQG001", Severity: "CRITICAL", Status: "FAIL", Resource: kpiARN("f"),
				OpenSince: "2026-11-24T00:00:00Z", AgeHours: 168, AgeDays: 7},
		},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			s, _ := k.open(t, migrations)
			defer func() { _ = s.Close() }()
			ctx := context.Background()
			for _, sc := range scriptedMonth() {
				if _, err := s.Record(ctx, sc); err != nil {
					t.Fatal(err)
				}
			}
			got, err := ComputeKPIs(ctx, s, Period{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := diffJSON(want, got); diff != "" {
				t.Errorf("KPIs :\n%s", diff)
			}
		})
	}
}

// TestKPIsPeriod checks that --since and --until clip the weeks and the resolutions counted.
func TestKPIsPeriod(t *testing.T) {
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	ctx := context.Background()
	for _, sc := range scriptedMonth() {
		if _, err := s.Record(ctx, sc); err != nil {
			t.Fatal(err)
		}
	}
	// Days 9 to 17: W46 and W47 only; a is resolved on day 10, d's MQG012 on day 18, outside ...
	got, err := ComputeKPIs(ctx, s, Period{Since: day(9), Until: day(17)})
	if err != nil {
		t.Fatal(err)
	}
	var weeks []string
	for _, w := range got.Weeks {
		weeks = append(weeks, w.Week)
	}
	if diff := diffJSON([]string{"2026-W46", "2026-W47"}, weeks); diff != "" {
		t.Errorf("weeks :\n%s", diff)
	}
	// ... so only a's resolution counts.
	wantMTTR := map[string]MTTR{"MQG001": {Resolved: 1, MeanHours: 240, MedianHours: 240, MeanDays: 10, MedianDays: 10}}
	if diff := diffJSON(wantMTTR, got.MTTR.ByRule); diff != "" {
		t.Errorf("MTTR :\n%s", diff)
	}
	// e (day 12) and f (day 16) were first seen in the period, d (day 8) before it.
	if got.NewBrokers != 2 || got.NewBrokersPrivate != 2 {
		t.Errorf("new brokers = %d, private %d; want 2, 2", got.NewBrokers, got.NewBrokersPrivate)
	}
	if got.AsOf != "2026-11-19T00:00:00Z" || got.Scans != 9 {
		t.Errorf("as of %s over %d scans; want 2026-11-19T00:00:00Z over 9", got.AsOf, got.Scans)
	}
}

func TestKPIsEmpty(t *testing.T) {
	s, err := OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	got, err := ComputeKPIs(context.Background(), s, Period{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if want := `{"schema":"mqguard-kpi/v1","since":"","until":"","as_of":"","scans":0,"weeks":[],"new_brokers":0,"new_brokers_private":0,"mttr":{"by_rule":{},"by_severity":{}},"oldest_open":[]}`; string(b) != want {
		t.Errorf("empty KPIs:\n%s\nwant\n%s", b, want)
	}
}

// diffJSON is empty when want and got are equal, else both as indented JSON.
func diffJSON(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	w, _ := json.MarshalIndent(want, "", "  ")
	g, _ := json.MarshalIndent(got, "", "  ")
	return "want:\n" + string(w) + "\ngot:\n" + string(g)
}
