package history

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mqguard/mqguard/internal/finding"
)

// KPISchema identifies the KPI document; fields may be added, never renamed or removed.
const KPISchema = "mqguard-kpi/v1"

// ruleIsPublic is the rule whose FAIL makes a broker publicly accessible.
const ruleIsPublic = "MQG001"

// NetworkExposureRules are the rules whose open findings make the network-exposure trend.
var NetworkExposureRules = []string{"MQG001", "MQG012", "MQG020"}

// Severities in the order reports list them.
var Severities = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"}

// OldestOpenLimit is how many of the oldest open findings the KPIs list.
const OldestOpenLimit = 20

// Period is the days the KPIs cover: Since and Until are dates (midnight UTC), both included.
// A zero Since is the day of the first recorded scan, a zero Until that of the last.
type Period struct {
	Since, Until time.Time
}

// KPIs are the remediation indicators of a history store over a period.
type KPIs struct {
	Schema string `json:"schema"`
	Since  string `json:"since"`
	Until  string `json:"until"`
	// AsOf is the last scan recorded in the period: ages are measured to it.
	AsOf  string    `json:"as_of"`
	Scans int       `json:"scans"`
	Weeks []WeekKPI `json:"weeks"`
	// NewBrokers and NewBrokersPrivate are over the whole period.
	NewBrokers        int      `json:"new_brokers"`
	NewBrokersPrivate int      `json:"new_brokers_private"`
	MTTR              MTTRs    `json:"mttr"`
	OldestOpen        []Opened `json:"oldest_open"`
}

// WeekKPI are one ISO week's figures (the week clipped to the period).
type WeekKPI struct {
	// Week is the ISO week, as 2026-W48; Start is its Monday.
	Week  string `json:"week"`
	Start string `json:"start"`
	// PublicBrokers are the distinct brokers with an MQG001 FAIL seen that week;
	// NewPublicBrokers those of them whose first MQG001 FAIL was that week.
	PublicBrokers    int `json:"public_brokers"`
	NewPublicBrokers int `json:"new_public_brokers"`
	// NewBrokers are the brokers first seen that week; NewBrokersPrivate those of them that
	// were private when first seen.
	NewBrokers        int `json:"new_brokers"`
	NewBrokersPrivate int `json:"new_brokers_private"`
	// OpenBySeverity and NetworkExposure count the open findings at the end of the week, by
	// severity and by network-exposure rule.
	OpenBySeverity  map[string]int `json:"open_by_severity"`
	NetworkExposure map[string]int `json:"network_exposure"`
}

// MTTRs are the times to remediate of the findings resolved in the period.
type MTTRs struct {
	ByRule     map[string]MTTR `json:"by_rule"`
	BySeverity map[string]MTTR `json:"by_severity"`
}

// MTTR is the time to remediate of Resolved resolutions.
type MTTR struct {
	Resolved    int     `json:"resolved"`
	MeanHours   float64 `json:"mean_hours"`
	MedianHours float64 `json:"median_hours"`
	MeanDays    float64 `json:"mean_days"`
	MedianDays  float64 `json:"median_days"`
}

// Opened is an open finding and how long it has been open.
type Opened struct {
	Fingerprint string  `json:"fingerprint"`
	RuleID      string  `json:"rule_id"`
	Severity    string  `json:"severity"`
	Status      string  `json:"status"`
	Resource    string  `json:"resource"`
	OpenSince   string  `json:"open_since"`
	AgeHours    float64 `json:"age_hours"`
	AgeDays     float64 `json:"age_days"`
}

// brokerFirstSeen is implemented by the SQL stores: when each broker was first seen.
type brokerFirstSeen interface {
	brokersFirstSeen(ctx context.Context) (map[string]time.Time, error)
}

func (s *sqlStore) brokersFirstSeen(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT broker_key, first_seen FROM brokers`)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	out := map[string]time.Time{}
	for rows.Next() {
		var k, at string
		if err := rows.Scan(&k, &at); err != nil {
			return nil, err
		}
		out[k] = parseTime(at)
	}
	return out, rows.Err()
}

// span is a stretch of time during which a finding kept one state: from At until the next
// event (End), or, for the last, until it was last seen (inclusive).
type span struct {
	At, End  time.Time
	last     bool
	Status   string
	Severity string
	Open     bool
}

func (s span) overlaps(from, to time.Time) bool {
	if s.last {
		return s.At.Before(to) && !s.End.Before(from)
	}
	return s.At.Before(to) && s.End.After(from)
}

// timeline is the history of one finding, rebuilt from its events.
type timeline struct {
	f     *Finding
	spans []span
}

// at is the span in force at t (events before t), false before the finding was first seen.
func (tl *timeline) at(t time.Time) (span, bool) {
	i, _ := slices.BinarySearchFunc(tl.spans, t, func(s span, t time.Time) int { return s.At.Compare(t) })
	if i == 0 {
		return span{}, false
	}
	return tl.spans[i-1], true
}

// atOrBefore is the span in force at t, t included.
func (tl *timeline) atOrBefore(t time.Time) (span, bool) { return tl.at(t.Add(time.Nanosecond)) }

// ComputeKPIs computes the KPIs of the store over the period.
//
// A finding's state between scans is rebuilt from its events (new, changed, resolved,
// reopened): it is open from the event that made it FAIL, UNKNOWN or SUPPRESSED until the one
// that resolved it, and the last state lasts until it was last seen. Time to remediate is
// counted per resolution, from the start of the open stretch it ends, so a finding resolved,
// reopened and resolved again counts twice.
//
// A broker was private when first seen when its MQG001 finding was PASS at that scan. Scans
// record PASS findings only with --show-passed, so a broker with no MQG001 finding at its
// first scan is judged by the inventory: private when its recorded public access is false,
// or when it is true but its MQG001 FAIL came later (it became public after it was first
// seen). A broker whose public access is unknown and has no MQG001 finding is not counted as
// private: unknown is never compliant.
func ComputeKPIs(ctx context.Context, s Store, p Period) (*KPIs, error) {
	scans, err := s.Scans(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading scans: %w", err)
	}
	findings, err := s.Findings(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading findings: %w", err)
	}
	events, err := s.Events(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading finding events: %w", err)
	}
	brokers, err := s.Brokers(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading brokers: %w", err)
	}
	var firstSeen map[string]time.Time
	if bf, ok := s.(brokerFirstSeen); ok {
		if firstSeen, err = bf.brokersFirstSeen(ctx); err != nil {
			return nil, fmt.Errorf("reading brokers: %w", err)
		}
	}

	out := &KPIs{Schema: KPISchema, Weeks: []WeekKPI{}, OldestOpen: []Opened{},
		MTTR: MTTRs{ByRule: map[string]MTTR{}, BySeverity: map[string]MTTR{}}}
	since, until := p.Since, p.Until
	if len(scans) > 0 {
		first, last := scans[0].At, scans[0].At
		for _, sc := range scans {
			first, last = minTime(first, sc.At), maxTime(last, sc.At)
		}
		if since.IsZero() {
			since = midnight(first)
		}
		if until.IsZero() {
			until = midnight(last)
		}
	}
	if since.IsZero() || until.IsZero() || until.Before(since) {
		if !since.IsZero() {
			out.Since = since.Format(time.DateOnly)
		}
		if !until.IsZero() {
			out.Until = until.Format(time.DateOnly)
		}
		return out, nil
	}
	end := until.AddDate(0, 0, 1) // exclusive
	out.Since, out.Until = since.Format(time.DateOnly), until.Format(time.DateOnly)
	var asOf time.Time
	for _, sc := range scans {
		if !sc.At.Before(since) && sc.At.Before(end) {
			out.Scans++
			asOf = maxTime(asOf, sc.At)
		}
	}
	if !asOf.IsZero() {
		out.AsOf = asOf.Format(time.RFC3339)
	}

	tls := timelines(findings, events)
	keyOf := brokerKeys(brokers)

	// Weeks, Monday to Monday, clipped to the period.
	type week struct {
		from, to time.Time
		kpi      *WeekKPI
	}
	var weeks []week
	for ws := monday(since); ws.Before(end); ws = ws.AddDate(0, 0, 7) {
		y, w := ws.ISOWeek()
		k := WeekKPI{Week: fmt.Sprintf("%04d-W%02d", y, w), Start: ws.Format(time.DateOnly),
			OpenBySeverity: map[string]int{}, NetworkExposure: map[string]int{}}
		for _, r := range NetworkExposureRules {
			k.NetworkExposure[r] = 0
		}
		out.Weeks = append(out.Weeks, k)
		weeks = append(weeks, week{from: maxTime(ws, since), to: minTime(ws.AddDate(0, 0, 7), end)})
	}
	for i := range weeks {
		weeks[i].kpi = &out.Weeks[i]
	}
	weekOf := func(t time.Time) *WeekKPI {
		for _, w := range weeks {
			if !t.Before(w.from) && t.Before(w.to) {
				return w.kpi
			}
		}
		return nil
	}

	// Public brokers: the MQG001 FAIL stretches of each broker.
	publicIn := make([]map[string]bool, len(weeks))
	for i := range publicIn {
		publicIn[i] = map[string]bool{}
	}
	firstFail := map[string]time.Time{}
	mqg001 := map[string][]*timeline{}
	for _, tl := range tls {
		if tl.f.RuleID != ruleIsPublic {
			continue
		}
		key := keyOf(tl.f)
		mqg001[key] = append(mqg001[key], tl)
		for _, sp := range tl.spans {
			if sp.Status != finding.StatusFail || !sp.Open {
				continue
			}
			if t, ok := firstFail[key]; !ok || sp.At.Before(t) {
				firstFail[key] = sp.At
			}
			for i, w := range weeks {
				if sp.overlaps(w.from, w.to) {
					publicIn[i][key] = true
				}
			}
		}
	}
	for i, w := range weeks {
		w.kpi.PublicBrokers = len(publicIn[i])
	}
	for _, t := range firstFail {
		if w := weekOf(t); w != nil {
			w.NewPublicBrokers++
		}
	}

	// New brokers and whether they were private when first seen.
	for _, b := range brokers {
		t, ok := firstSeen[b.Key]
		if !ok {
			continue
		}
		w := weekOf(t)
		if w == nil {
			continue
		}
		w.NewBrokers++
		out.NewBrokers++
		if privateAtFirstSight(&b, t, mqg001[b.Key]) {
			w.NewBrokersPrivate++
			out.NewBrokersPrivate++
		}
	}

	// Open findings at the end of each week.
	for _, w := range weeks {
		for _, tl := range tls {
			sp, ok := tl.at(w.to)
			if !ok || !sp.Open {
				continue
			}
			w.kpi.OpenBySeverity[sp.Severity]++
			if slices.Contains(NetworkExposureRules, tl.f.RuleID) {
				w.kpi.NetworkExposure[tl.f.RuleID]++
			}
		}
	}

	// Time to remediate of the resolutions in the period.
	byRule, bySev := map[string][]float64{}, map[string][]float64{}
	for _, tl := range tls {
		var openedAt time.Time
		for i, sp := range tl.spans {
			if sp.Open {
				if i == 0 || !tl.spans[i-1].Open {
					openedAt = sp.At
				}
				continue
			}
			if i == 0 || !tl.spans[i-1].Open || sp.At.Before(since) || !sp.At.Before(end) {
				continue
			}
			h := sp.At.Sub(openedAt).Hours()
			byRule[tl.f.RuleID] = append(byRule[tl.f.RuleID], h)
			bySev[tl.spans[i-1].Severity] = append(bySev[tl.spans[i-1].Severity], h)
		}
	}
	for k, hs := range byRule {
		out.MTTR.ByRule[k] = mttrOf(hs)
	}
	for k, hs := range bySev {
		out.MTTR.BySeverity[k] = mttrOf(hs)
	}

	// The oldest findings open at the last scan of the period.
	if !asOf.IsZero() {
		for _, tl := range tls {
			sp, ok := tl.atOrBefore(asOf)
			if !ok || !sp.Open {
				continue
			}
			// The open stretch began at the first of the open spans that lead to it.
			i, _ := slices.BinarySearchFunc(tl.spans, asOf.Add(time.Nanosecond), func(s span, t time.Time) int { return s.At.Compare(t) })
			start := i - 1
			for start > 0 && tl.spans[start-1].Open {
				start--
			}
			opened := tl.spans[start].At
			age := asOf.Sub(opened)
			out.OldestOpen = append(out.OldestOpen, Opened{
				Fingerprint: tl.f.Fingerprint, RuleID: tl.f.RuleID, Severity: sp.Severity, Status: sp.Status,
				Resource: resourceOf(tl.f), OpenSince: opened.Format(time.RFC3339),
				AgeHours: round2(age.Hours()), AgeDays: round2(age.Hours() / 24),
			})
		}
		slices.SortFunc(out.OldestOpen, func(a, b Opened) int {
			return cmp.Or(cmp.Compare(b.AgeHours, a.AgeHours), cmp.Compare(a.Fingerprint, b.Fingerprint))
		})
		if len(out.OldestOpen) > OldestOpenLimit {
			out.OldestOpen = out.OldestOpen[:OldestOpenLimit]
		}
	}
	return out, nil
}

// privateAtFirstSight reports whether broker b, first seen at t, was then compliant with the
// private-only policy (see ComputeKPIs).
func privateAtFirstSight(b *Broker, t time.Time, mqg001 []*timeline) bool {
	later := false
	for _, tl := range mqg001 {
		if sp, ok := tl.atOrBefore(t); ok {
			return sp.Status == finding.StatusPass
		}
		later = true
	}
	if b.Public == nil {
		return false
	}
	return !*b.Public || later
}

// timelines rebuilds each finding's spans from its events.
func timelines(findings []Finding, events []Event) []*timeline {
	byFP := make(map[string]*timeline, len(findings))
	out := make([]*timeline, 0, len(findings))
	for i := range findings {
		tl := &timeline{f: &findings[i]}
		byFP[findings[i].Fingerprint] = tl
		out = append(out, tl)
	}
	for _, e := range events {
		tl, ok := byFP[e.Fingerprint]
		if !ok {
			continue
		}
		tl.spans = append(tl.spans, span{At: e.At, Status: e.Status, Severity: e.Severity,
			Open: e.Kind != EventResolved && isOpen(e.Status)})
	}
	for _, tl := range out {
		// Back-filled scans can record events out of time order.
		slices.SortStableFunc(tl.spans, func(a, b span) int { return a.At.Compare(b.At) })
		for i := range tl.spans {
			if i+1 < len(tl.spans) {
				tl.spans[i].End = tl.spans[i+1].At
			} else {
				tl.spans[i].End, tl.spans[i].last = tl.f.LastSeen, true
				if tl.f.ResolvedAt != nil && tl.spans[i].Open {
					// Defensive: a resolution without its event ends the stretch.
					tl.spans[i].End, tl.spans[i].last = *tl.f.ResolvedAt, false
				}
			}
		}
	}
	return out
}

// brokerKeys returns the function that names the broker a finding is about: its ARN for live
// findings, else the broker of the same address whose scope directory holds the finding's
// file; a finding of no recorded broker is named by its address and file.
func brokerKeys(brokers []Broker) func(f *Finding) string {
	byARN := map[string]string{}
	byAddr := map[string][]string{}
	for _, b := range brokers {
		if b.ARN != "" {
			byARN[b.ARN] = b.Key
		}
		byAddr[b.Address] = append(byAddr[b.Address], b.Key)
	}
	return func(f *Finding) string {
		if f.ARN != "" {
			if k, ok := byARN[f.ARN]; ok {
				return k
			}
			return f.ARN
		}
		for _, k := range byAddr[f.Address] {
			if i := strings.LastIndex(k, "#"); i >= 0 && underPath(f.Path, k[:i]) {
				return k
			}
		}
		return f.Address + "@" + f.Path
	}
}

func resourceOf(f *Finding) string {
	if f.ARN != "" {
		return f.ARN
	}
	if f.Path != "" {
		return f.Address + " (" + f.Path + ")"
	}
	return f.Address
}

func mttrOf(hours []float64) MTTR {
	slices.Sort(hours)
	sum := 0.0
	for _, h := range hours {
		sum += h
	}
	n := len(hours)
	median := hours[n/2]
	if n%2 == 0 {
		median = (hours[n/2-1] + hours[n/2]) / 2
	}
	mean := sum / float64(n)
	return MTTR{Resolved: n, MeanHours: round2(mean), MedianHours: round2(median),
		MeanDays: round2(mean / 24), MedianDays: round2(median / 24)}
}

func round2(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }

func midnight(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// monday is the Monday of t's ISO week.
func monday(t time.Time) time.Time {
	t = midnight(t)
	return t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
