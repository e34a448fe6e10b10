package suppress

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/policy"
	"github.com/mqguard/mqguard/internal/rules"
)

// Suppressor is what the engine asks about findings. It owns every suppression layer: inline
// directives, policy-file exceptions and the baseline. Its methods may be called from several
// goroutines at once, except Finish, called once, last.
type Suppressor interface {
	// Inline parses the directives of a broker or configuration. key identifies a
	// configuration shared by brokers (its directives are parsed once); "" for a broker. The
	// notes are the malformed directives.
	Inline(key string, id model.Identity, ds []model.Directive) (*Inline, []finding.Note)
	// Suppressed says whether a FAIL or UNKNOWN finding is suppressed, and by what.
	Suppressed(c *Candidate) Verdict
	// Finish returns what the scan says about the suppressions themselves: notes on expired,
	// unused and unknown inline ignores and unused baseline entries, and each exception's
	// outcome.
	Finish() Outcome
}

// Candidate is a FAIL or UNKNOWN finding.
type Candidate struct {
	Rule        *rules.Rule
	Status      string
	ID          model.Identity
	Tags        model.Tags
	Fingerprint string
	// Inline holds the resource's own directives and its configuration's; nil for none.
	Inline []*Inline
}

// Verdict is the answer for one finding.
type Verdict struct {
	// Suppression is nil when the finding is not suppressed.
	Suppression *finding.Suppression
	// Expired, when the finding is not suppressed, says that an exception would have
	// suppressed it but expired: a sentence added to the finding's message.
	Expired string
}

// Outcome is what Finish reports.
type Outcome struct {
	Notes      []finding.Note
	Exceptions []finding.Exception
	// Baselined counts the findings the baseline suppressed.
	Baselined int
}

// Options configure the layers.
type Options struct {
	// Catalog is every rule (to tell a directive naming an unknown rule), Selected those that
	// run (an ignore of a rule that does not run is not "unused").
	Catalog, Selected []*rules.Rule
	// AsOf is the day expiry is judged at.
	AsOf       time.Time
	Exceptions []policy.Exception
	// PolicyFile is the exceptions' file, for their locations.
	PolicyFile string
	Baseline   *Baseline
}

// New returns the suppressor of a scan.
func New(opts Options) *Layers {
	l := &Layers{opts: opts, asOf: utcDay(opts.AsOf)}
	for i := range opts.Exceptions {
		l.exceptions = append(l.exceptions, &exceptionState{ex: &opts.Exceptions[i]})
	}
	if opts.Baseline != nil {
		l.baseline = map[string]int{}
		for i, fp := range opts.Baseline.Fingerprints {
			l.baseline[fp] = i
		}
		l.baselineUsed = make([]atomic.Bool, len(opts.Baseline.Fingerprints))
	}
	return l
}

// Layers is the Suppressor of a scan.
type Layers struct {
	opts Options
	asOf time.Time

	mu sync.Mutex
	// configs holds the parsed directives of each shared configuration, keyed by identity
	// (not pointer, which would keep every part's model alive).
	configs map[string]*Inline
	// owners is every Inline, in the order parsed, for the notes.
	owners []*Inline

	exceptions []*exceptionState
	// baseline maps a fingerprint to its index in the baseline file; nil without a baseline.
	baseline     map[string]int
	baselineUsed []atomic.Bool
	baselined    atomic.Int64
}

// Inline is the parsed directives of one broker or configuration.
type Inline struct {
	address string
	source  model.SourceKind
	ignores []*ignoreState
}

// ignoreState tracks one ignore through the run.
type ignoreState struct {
	ig Ignore
	// used is set by the workers checking brokers that share a configuration.
	used atomic.Bool
	// relevant: the ignore names a selected rule, so it is expected to suppress something.
	relevant bool
}

type exceptionState struct {
	ex                       *policy.Exception
	matchedFail, matchedUnkn atomic.Int64
}

// Inline implements Suppressor.
func (l *Layers) Inline(key string, id model.Identity, ds []model.Directive) (*Inline, []finding.Note) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if in, ok := l.configs[key]; ok && key != "" {
		return in, nil
	}
	in := &Inline{address: id.Address, source: id.Source}
	if key != "" {
		if l.configs == nil {
			l.configs = map[string]*Inline{}
		}
		l.configs[key] = in
	}
	l.owners = append(l.owners, in)
	var notes []finding.Note
	for _, d := range ds {
		igs, err := Parse(d)
		for _, perr := range splitErrors(err) {
			msg := perr.Error()
			var se *SyntaxError
			if errors.As(perr, &se) {
				msg = se.Msg
			}
			notes = append(notes, finding.Note{
				Source:  string(id.Source),
				Message: msg + " (the directive is ignored)",
				Path:    d.At.File,
				Line:    d.At.StartLine,
			})
		}
		for _, ig := range igs {
			in.ignores = append(in.ignores, &ignoreState{ig: ig, relevant: names(ig, l.opts.Selected) != ""})
		}
	}
	return in, notes
}

// Suppressed implements Suppressor. The layers are asked in order: inline directives (the
// resource owner's word), then exceptions (the approver's), then the baseline. Every layer
// that matches records it, so that "unused" means unused.
func (l *Layers) Suppressed(c *Candidate) Verdict {
	var v Verdict
	if sup := l.inline(c); sup != nil {
		v.Suppression = sup
	}
	exSup, expired := l.exception(c)
	if v.Suppression == nil && exSup != nil {
		v.Suppression = exSup
	}
	// An expired exception is not overridden by the baseline: the approval ran out, and a
	// baseline written meanwhile must not extend it.
	if v.Suppression == nil && expired != nil {
		ex := expired.ex
		v.Expired = fmt.Sprintf("The exception for %s at %s, approved by %s, expired on %s: it no longer suppresses this finding.",
			c.Rule.ID, location(l.opts.PolicyFile, ex.Line), ex.ApprovedBy, ex.Expires.Format(time.DateOnly))
		return v
	}
	if l.baseline != nil {
		if i, ok := l.baseline[c.Fingerprint]; ok {
			l.baselineUsed[i].Store(true)
			if v.Suppression == nil {
				l.baselined.Add(1)
				v.Suppression = &finding.Suppression{
					Kind:   finding.SuppressionBaseline,
					Reason: "present in the baseline " + l.opts.Baseline.Path,
				}
			}
		}
	}
	if v.Suppression != nil {
		v.Suppression.OriginalStatus = c.Status
	}
	return v
}

// inline returns the first unexpired ignore naming the rule, marking every matching
// unexpired ignore used.
func (l *Layers) inline(c *Candidate) *finding.Suppression {
	var sup *finding.Suppression
	for _, in := range c.Inline {
		if in == nil {
			continue
		}
		for _, st := range in.ignores {
			if !st.ig.Matches(c.Rule) || st.ig.Expired(l.asOf) {
				continue
			}
			st.used.Store(true)
			if sup != nil {
				continue
			}
			loc := findingLocation(st.ig.At)
			sup = &finding.Suppression{
				Kind:       st.ig.Kind(),
				Tool:       st.ig.Tool,
				Reason:     st.ig.Reason,
				Approver:   st.ig.Approver,
				ApprovedBy: st.ig.Approver,
				Location:   &loc,
			}
			if !st.ig.Until.IsZero() {
				sup.Expires = st.ig.Until.Format(time.DateOnly)
			}
		}
	}
	return sup
}

// exception returns the suppression of the first unexpired exception matching c, and the
// first expired one, counting the finding on every exception that matches.
func (l *Layers) exception(c *Candidate) (*finding.Suppression, *exceptionState) {
	var (
		sup     *finding.Suppression
		expired *exceptionState
	)
	for _, st := range l.exceptions {
		if !st.matches(c) {
			continue
		}
		if c.Status == finding.StatusUnknown {
			st.matchedUnkn.Add(1)
		} else {
			st.matchedFail.Add(1)
		}
		ex := st.ex
		if l.asOf.After(ex.Expires) {
			if expired == nil {
				expired = st
			}
			continue
		}
		if sup == nil {
			loc := finding.Location{Path: l.opts.PolicyFile, StartLine: ex.Line, EndLine: ex.Line}
			sup = &finding.Suppression{
				Kind:       finding.SuppressionException,
				Reason:     ex.Reason,
				Approver:   ex.ApprovedBy,
				ApprovedBy: ex.ApprovedBy,
				Ticket:     ex.Ticket,
				Expires:    ex.Expires.Format(time.DateOnly),
				Location:   &loc,
			}
		}
	}
	return sup, expired
}

// matches reports whether the exception covers the finding: its rule, and every scope kind
// it sets. A value that is not known (an undecided tag, no ARN for an IaC broker) does not
// match: an exception covers what it names, never what might be it.
func (st *exceptionState) matches(c *Candidate) bool {
	ex := st.ex
	found := false
	for _, r := range ex.Rules {
		if r == c.Rule {
			found = true
			break
		}
	}
	if !found {
		return false
	}
	s := ex.Scope
	id := c.ID
	if len(s.Resources) > 0 && !anyGlob(s.Resources, id.Address) {
		return false
	}
	if len(s.ARNs) > 0 && (id.ARN == "" || !anyGlob(s.ARNs, id.ARN)) {
		return false
	}
	if len(s.Accounts) > 0 && !anyEqual(s.Accounts, id.Account, false) {
		return false
	}
	if len(s.Regions) > 0 && !anyEqual(s.Regions, id.Region, true) {
		return false
	}
	for k, want := range s.Tags {
		got, _, ok := c.Tags.Lookup(k)
		if !ok || got != want {
			return false
		}
	}
	if len(s.Paths) > 0 {
		p := strings.TrimPrefix(id.At.File, "./")
		if p == "" || !anyGlob(s.Paths, p) {
			return false
		}
	}
	return true
}

func anyGlob(patterns []string, s string) bool {
	if s == "" {
		return false
	}
	for _, p := range patterns {
		if rules.MatchGlob(strings.TrimPrefix(p, "./"), s) {
			return true
		}
	}
	return false
}

func anyEqual(list []string, s string, fold bool) bool {
	if s == "" {
		return false
	}
	for _, v := range list {
		if v == s || (fold && strings.EqualFold(v, s)) {
			return true
		}
	}
	return false
}

// Finish implements Suppressor.
func (l *Layers) Finish() Outcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := Outcome{Baselined: int(l.baselined.Load())}
	for _, in := range l.owners {
		for _, st := range in.ignores {
			ig := st.ig
			note := finding.Note{Source: string(in.source), Path: ig.At.File, Line: ig.At.StartLine}
			ruleID := names(ig, l.opts.Catalog)
			switch {
			case ruleID == "" && ig.Tool == ToolMQGuard:
				note.Message = fmt.Sprintf("%s on %s names no known rule", ig.Directive(), in.address)
			case ruleID == "":
				// Another tool's check that mqguard does not implement: not ours to report.
				continue
			case ig.Expired(l.asOf):
				note.Message = fmt.Sprintf("suppression of %s on %s expired on %s", ruleID, in.address, ig.Until.Format(time.DateOnly))
			case st.relevant && !st.used.Load():
				note.Message = fmt.Sprintf("unused suppression: %s on %s matched no FAIL or UNKNOWN finding", ig.Directive(), in.address)
			default:
				continue
			}
			out.Notes = append(out.Notes, note)
		}
	}
	if l.baseline != nil {
		unused := 0
		for i := range l.baselineUsed {
			if !l.baselineUsed[i].Load() {
				unused++
			}
		}
		if unused > 0 {
			out.Notes = append(out.Notes, finding.Note{Source: "baseline", Path: l.opts.Baseline.Path, Message: fmt.Sprintf(
				"%d of the baseline's %d findings are gone; rewrite the baseline (--baseline %s --write-baseline %s) so that they fail if they come back",
				unused, len(l.baselineUsed), l.opts.Baseline.Path, l.opts.Baseline.Path)})
		}
	}
	for _, st := range l.exceptions {
		ex := st.ex
		fe := finding.Exception{
			Rule: make([]string, 0, len(ex.Rules)),
			Scope: finding.ExceptionScope{Resources: ex.Scope.Resources, ARNs: ex.Scope.ARNs, Accounts: ex.Scope.Accounts,
				Regions: ex.Scope.Regions, Tags: ex.Scope.Tags, Paths: ex.Scope.Paths},
			Reason:         ex.Reason,
			ApprovedBy:     ex.ApprovedBy,
			Ticket:         ex.Ticket,
			Expires:        ex.Expires.Format(time.DateOnly),
			MatchedFail:    int(st.matchedFail.Load()),
			MatchedUnknown: int(st.matchedUnkn.Load()),
			Location:       finding.Location{Path: l.opts.PolicyFile, StartLine: ex.Line, EndLine: ex.Line},
		}
		for _, r := range ex.Rules {
			fe.Rule = append(fe.Rule, r.ID)
		}
		fe.Matched = fe.MatchedFail + fe.MatchedUnknown
		switch {
		case l.asOf.After(ex.Expires):
			fe.Status = finding.ExceptionExpired
		case fe.Matched == 0:
			fe.Status = finding.ExceptionUnused
		default:
			fe.Status = finding.ExceptionActive
		}
		out.Exceptions = append(out.Exceptions, fe)
	}
	return out
}

// names returns the ID of the first rule of list the ignore names, or "".
func names(ig Ignore, list []*rules.Rule) string {
	for _, rule := range list {
		if ig.Matches(rule) {
			return rule.ID
		}
	}
	return ""
}

// splitErrors returns the errors joined in err.
func splitErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func findingLocation(at model.Range) finding.Location {
	loc := finding.Location{Path: at.File, StartLine: at.StartLine, EndLine: at.EndLine, Ref: at.Ref}
	if loc.EndLine < loc.StartLine {
		loc.EndLine = loc.StartLine
	}
	return loc
}

func location(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

// utcDay truncates t to its UTC day (now when t is zero).
func utcDay(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
