// Package engine runs the rule catalog on an inventory, asks the suppression layers (package
// suppress: inline directives, policy exceptions, baseline) about every FAIL and UNKNOWN
// finding, and builds the mqguard/v1 report.
//
// Findings are ordered by location path, then live reference, start line, rule ID, resource
// address, subject and fingerprint; errors and notes by path, line, source and message. The same
// inventory, in any order, therefore gives the same report.
package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/policy"
	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/suppress"
)

// ToolName is the producer named in reports.
const ToolName = "mqguard"

// HelpURIBase is where rule documentation is published.
const HelpURIBase = "https://github.com/mqguard/mqguard/blob/main/docs/rules/"

// Options control a run.
type Options struct {
	// AsOf is the date rules are judged at (MQG010), and "today" for suppression expiry. The
	// zero time means now.
	AsOf     time.Time
	Settings rules.Settings
	// Only and Skip select rules by ID, slug, alias ID or "tool:aliasID", case-insensitively.
	Only, Skip []string
	// ShowPassed includes PASS and N/A findings.
	ShowPassed bool
	// Severity overrides the severity of rules, by rule ID (the policy file's rules section).
	Severity map[string]rules.Severity
	// Exceptions are the policy file's exceptions, PolicyFile the file they were read from.
	Exceptions []policy.Exception
	PolicyFile string
	// Baseline, when set, suppresses the findings it lists.
	Baseline *suppress.Baseline
	// Version is the tool version written in the report.
	Version string
}

// HelpURI returns the documentation address of a rule.
func HelpURI(r *rules.Rule) string {
	return HelpURIBase + r.ID + "-" + r.Slug + ".md"
}

// Run evaluates catalog on inv and builds the report. Diagnostics become errors (DiagError) and
// notes (DiagNote). The error is only for bad options, such as an unknown rule in Only or Skip.
func Run(inv *model.Inventory, diags []model.Diagnostic, catalog []*rules.Rule, opts Options) (*finding.Report, error) {
	e, err := New(catalog, opts)
	if err != nil {
		return nil, err
	}
	e.Add(inv, diags)
	return e.Report().Report, nil
}

// Engine evaluates the catalog on inventory parts as the sources produce them (a root module, a
// template, a live account), so a part's syntax trees and model can be dropped once it is
// evaluated. Add may be called from several goroutines at once; Report is called once, last.
type Engine struct {
	catalog  []*rules.Rule
	selected []*rules.Rule
	opts     Options
	asOf     time.Time
	meta     map[*rules.Rule]ruleMeta // read-only after New

	mu sync.Mutex
	// offered are the engine versions Amazon MQ offers, from every part added so far. Live parts
	// are added first so that rules judging IaC brokers see them too.
	offered map[string][]string
	brokers int
	// findings holds each part's findings: one slice per part, so adding a part never copies
	// what earlier parts found.
	findings [][]item
	errors   []finding.Error
	notes    []finding.Note
	// sup owns every suppression layer; the engine only asks it.
	sup suppress.Suppressor
}

// New prepares an engine for catalog. The error is only for bad options (an unknown rule in Only
// or Skip: a *rules.UnknownRuleError).
func New(catalog []*rules.Rule, opts Options) (*Engine, error) {
	selected, err := rules.Select(catalog, opts.Only, opts.Skip)
	if err != nil {
		return nil, err
	}
	asOf := opts.AsOf
	if asOf.IsZero() {
		asOf = time.Now().UTC()
	}
	e := &Engine{catalog: catalog, selected: selected, opts: opts, asOf: asOf, meta: map[*rules.Rule]ruleMeta{}}
	e.sup = suppress.New(suppress.Options{Catalog: catalog, Selected: selected, AsOf: asOf,
		Exceptions: opts.Exceptions, PolicyFile: opts.PolicyFile, Baseline: opts.Baseline})
	for _, r := range catalog {
		if r != nil {
			e.meta[r] = ruleMeta{aliases: aliases(r), helpURI: HelpURI(r)}
		}
	}
	return e, nil
}

// ruleMeta is what every finding of a rule repeats, built once: findings share it (the alias
// list is read-only).
type ruleMeta struct {
	aliases []string
	helpURI string
}

// Selected returns the rules the engine runs, in catalog order.
func (e *Engine) Selected() []*rules.Rule {
	return append([]*rules.Rule(nil), e.selected...)
}

// parallelBrokers is the size of a part above which its brokers are evaluated on every core.
const parallelBrokers = 64

// Add evaluates one part of the inventory (nil for diagnostics alone) and keeps its findings.
// The part is not kept.
func (e *Engine) Add(part *model.Inventory, diags []model.Diagnostic) {
	r := &run{engine: e}
	for _, d := range diags {
		r.diagnostic(d)
	}
	if part == nil {
		e.merge(r, 0)
		return
	}
	e.mu.Lock()
	for engine, versions := range part.OfferedVersions {
		if e.offered == nil {
			e.offered = map[string][]string{}
		}
		for _, v := range versions {
			if !slices.Contains(e.offered[engine], v) {
				e.offered[engine] = append(e.offered[engine], v)
			}
		}
		slices.Sort(e.offered[engine])
	}
	offered := e.offered
	e.mu.Unlock()
	// Rules read the part and the versions offered across the scan; the engine never modifies
	// the part itself.
	view := *part
	view.OfferedVersions = offered
	r.ctx = &rules.Context{Inventory: &view, AsOf: e.asOf, Settings: e.opts.Settings}

	// Directives are parsed first, once per broker and configuration, so brokers sharing a
	// configuration share its ignores; then brokers are checked, on every core when there
	// are many, each worker with its own findings.
	var brokers []*model.Broker
	var res []*resource
	for _, b := range part.Brokers {
		if b != nil {
			brokers = append(brokers, b)
			res = append(res, r.brokerResource(b))
		}
	}
	workers := 1
	if len(brokers) > parallelBrokers {
		workers = runtime.GOMAXPROCS(0)
	}
	parts := make([]*run, workers)
	var wg sync.WaitGroup
	for w := range workers {
		parts[w] = &run{engine: e, ctx: r.ctx}
		lo, hi := w*len(brokers)/workers, (w+1)*len(brokers)/workers
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				parts[w].broker(brokers[i], res[i])
			}
		})
	}
	wg.Wait()
	for _, c := range part.Configurations {
		if c != nil && c.UsedBy == 0 {
			r.configuration(c)
		}
	}
	for _, p := range parts {
		r.findings = append(r.findings, p.findings...)
		r.errors = append(r.errors, p.errors...)
	}
	e.merge(r, len(brokers))
}

// merge adds what one run found to the engine.
func (e *Engine) merge(r *run, brokers int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.brokers += brokers
	if len(r.findings) > 0 {
		e.findings = append(e.findings, r.findings)
	}
	e.errors = append(e.errors, r.errors...)
	e.notes = append(e.notes, r.notes...)
}

// Result is the report with what deciding the scan's outcome needs, typed.
type Result struct {
	Report *finding.Report
	// WorstFail and WorstUnknown are the highest severities of an unsuppressed FAIL and
	// UNKNOWN finding; HasFail and HasUnknown say whether there is any.
	WorstFail, WorstUnknown rules.Severity
	HasFail, HasUnknown     bool
}

// Report builds the report of everything added, ordered.
func (e *Engine) Report() *Result {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.sup.Finish()
	e.notes = append(e.notes, out.Notes...)
	res := e.report()
	res.Report.Exceptions = out.Exceptions
	res.Report.Summary.Baselined = out.Baselined
	return res
}

// run is the state of evaluating one part, or one worker's share of it.
type run struct {
	engine *Engine
	ctx    *rules.Context

	findings []item
	errors   []finding.Error
	notes    []finding.Note
}

// item is a finding with the parts of its sort key that the finding does not hold.
type item struct {
	f       finding.Finding
	subject string
	sev     rules.Severity
}

// resource is what findings need to know of a broker or configuration.
type resource struct {
	id     model.Identity
	name   string
	engine string
	tags   model.Tags
	inline []*suppress.Inline
}

func (r *run) diagnostic(d model.Diagnostic) {
	path, line := d.At.File, d.At.StartLine
	if path == "" {
		path = d.At.Ref
	}
	if d.Severity == model.DiagError {
		r.errors = append(r.errors, finding.Error{Source: string(d.Source), Message: d.Message, Path: path, Line: line})
		return
	}
	r.notes = append(r.notes, finding.Note{Source: string(d.Source), Message: d.Message, Path: path, Line: line})
}

// brokerResource parses the directives of a broker and its configuration.
func (r *run) brokerResource(b *model.Broker) *resource {
	res := &resource{id: b.ID, tags: b.Tags, inline: []*suppress.Inline{r.directives("", b.ID, b.Directives)}}
	if b.Name.Known() {
		res.name = b.Name.V
	}
	if b.Engine.Known() {
		res.engine = model.NormalizeEngine(b.Engine.V)
	}
	if b.Configuration != nil && b.Configuration.Config != nil {
		c := b.Configuration.Config
		res.inline = append(res.inline, r.directives(configKey(c), c.ID, c.Directives))
	}
	return res
}

// broker evaluates the selected rules on a broker.
func (r *run) broker(b *model.Broker, res *resource) {
	for _, rule := range r.engine.selected {
		if na := rule.NotApplicableTo(b); na != nil {
			r.add(rule, res, na)
			continue
		}
		switch rules.AppliesToEngine(rule, b) {
		case rules.NotApplicable:
			r.add(rule, res, engineNA(rule, b.Engine, b.ID.At))
		case rules.Unknown:
			r.add(rule, res, engineUnknown(b.Engine, b.ID.At))
		default:
			if rule.Check != nil {
				r.add(rule, res, r.check(rule, res.id, func() []rules.Result { return rule.Check(b, r.ctx) }))
			}
		}
	}
}

// configuration evaluates the configuration rules on a configuration no broker uses.
func (r *run) configuration(c *model.Configuration) {
	res := resource{id: c.ID, tags: c.Tags, inline: []*suppress.Inline{r.directives(configKey(c), c.ID, c.Directives)}}
	if c.Name.Known() {
		res.name = c.Name.V
	}
	if c.Engine.Known() {
		res.engine = model.NormalizeEngine(c.Engine.V)
	}
	probe := &model.Broker{Engine: c.Engine}
	for _, rule := range r.engine.selected {
		if rule.CheckConfiguration == nil {
			continue
		}
		switch rules.AppliesToEngine(rule, probe) {
		case rules.NotApplicable:
			r.add(rule, &res, engineNA(rule, c.Engine, c.ID.At))
		case rules.Unknown:
			r.add(rule, &res, engineUnknown(c.Engine, c.ID.At))
		default:
			r.add(rule, &res, r.check(rule, res.id, func() []rules.Result { return rule.CheckConfiguration(c, r.ctx) }))
		}
	}
}

func engineNA(rule *rules.Rule, engine model.String, block model.Range) []rules.Result {
	return []rules.Result{{
		Status:    rules.NotApplicable,
		Message:   "applies to " + strings.Join(rule.Engines, " and ") + " only",
		At:        orRange(engine.At, block),
		ValueFrom: engine.State,
	}}
}

func engineUnknown(engine model.String, block model.Range) []rules.Result {
	return []rules.Result{{
		Status:    rules.Unknown,
		Message:   "engine could not be determined",
		At:        orRange(engine.At, block),
		ValueFrom: model.Unknown,
	}}
}

// check runs a rule, turning a panic into an error entry so one faulty rule cannot stop the scan.
func (r *run) check(rule *rules.Rule, id model.Identity, f func() []rules.Result) (results []rules.Result) {
	defer func() {
		if p := recover(); p != nil {
			results = nil
			r.errors = append(r.errors, finding.Error{
				Source:  "engine",
				Message: fmt.Sprintf("rule %s failed on %s: %v", rule.ID, id.Address, p),
				Path:    id.At.File,
				Line:    id.At.StartLine,
			})
		}
	}()
	return f()
}

// add turns results into findings, applying suppressions.
func (r *run) add(rule *rules.Rule, res *resource, results []rules.Result) {
	for _, rs := range results {
		status := statusName(rs.Status)
		if status == "" {
			continue
		}
		fingerprint := Fingerprint(rule.ID, res.id, rs.Subject)
		message := rs.Message
		var sup *finding.Suppression
		if rs.Status == rules.Fail || rs.Status == rules.Unknown {
			v := r.engine.sup.Suppressed(&suppress.Candidate{Rule: rule, Status: status, ID: res.id, Tags: res.tags,
				Fingerprint: fingerprint, Inline: res.inline})
			if sup = v.Suppression; sup != nil {
				status = finding.StatusSuppressed
			} else if v.Expired != "" {
				message = strings.TrimSpace(message + " " + v.Expired)
			}
		} else if !r.engine.opts.ShowPassed {
			continue
		}
		sev := rule.Severity
		if rs.Severity != nil {
			sev = *rs.Severity
		}
		// The policy's severity is the organisation's judgement: it wins over the rule's own.
		if o, ok := r.engine.opts.Severity[rule.ID]; ok {
			sev = o
		}
		r.findings = append(r.findings, item{subject: rs.Subject, sev: sev, f: finding.Finding{
			RuleID:   rule.ID,
			Slug:     rule.Slug,
			Title:    rule.Title,
			Severity: sev.String(),
			Status:   status,
			Resource: finding.Resource{
				Address: res.id.Address,
				Type:    res.id.Type,
				Name:    res.name,
				Engine:  res.engine,
				Source:  string(res.id.Source),
				Account: res.id.Account,
				Region:  res.id.Region,
				ARN:     res.id.ARN,
			},
			Location:            location(orRange(rs.At, res.id.At)),
			Message:             message,
			ValueFrom:           rs.ValueFrom.String(),
			ReplacementRequired: rule.ReplacementRequired,
			Remediation:         rule.RemediationFor(res.id.Source, res.engine),
			Suppression:         sup,
			Fingerprint:         fingerprint,
			Aliases:             r.engine.meta[rule].aliases,
			HelpURI:             r.engine.meta[rule].helpURI,
			Category:            rule.Category(),
		}})
	}
}

func statusName(s rules.Status) string {
	switch s {
	case rules.Fail:
		return finding.StatusFail
	case rules.Unknown:
		return finding.StatusUnknown
	case rules.Pass:
		return finding.StatusPass
	case rules.NotApplicable:
		return finding.StatusNA
	}
	return ""
}

// configKey identifies a configuration across parts.
func configKey(c *model.Configuration) string {
	id := c.ID
	return strings.Join([]string{string(id.Source), id.Scope, id.Address, id.ARN, id.Account, id.Region}, "\x00")
}

// directives parses the comments of a broker, or once those of a configuration (key its
// configKey; "" for a broker, whose directives are met once), reporting malformed ones.
func (r *run) directives(key string, id model.Identity, ds []model.Directive) *suppress.Inline {
	in, notes := r.engine.sup.Inline(key, id, ds)
	r.notes = append(r.notes, notes...)
	return in
}

func (e *Engine) report() *Result {
	n := 0
	for _, part := range e.findings {
		n += len(part)
	}
	// Findings are sorted by pointer into the parts that hold them: a finding is copied once,
	// into the report.
	items := make([]*item, 0, n)
	for _, part := range e.findings {
		for i := range part {
			items = append(items, &part[i])
		}
	}
	e.findings = nil
	sortItems(items)
	sort.Slice(e.errors, func(i, j int) bool {
		a, b := e.errors[i], e.errors[j]
		return lessDiag(a.Path, a.Line, a.Source, a.Message, b.Path, b.Line, b.Source, b.Message)
	})
	sort.Slice(e.notes, func(i, j int) bool {
		a, b := e.notes[i], e.notes[j]
		return lessDiag(a.Path, a.Line, a.Source, a.Message, b.Path, b.Line, b.Source, b.Message)
	})
	rep := &finding.Report{
		Schema:   finding.Schema,
		Tool:     finding.Tool{Name: ToolName, Version: e.opts.Version},
		AsOf:     e.asOf.Format(time.DateOnly),
		Findings: make([]finding.Finding, 0, len(items)),
		Errors:   append([]finding.Error{}, e.errors...),
		Notes:    e.notes,
	}
	res := &Result{Report: rep}
	rep.Summary.Brokers = e.brokers
	rep.Summary.Errors = len(e.errors)
	for _, it := range items {
		rep.Findings = append(rep.Findings, it.f)
		switch it.f.Status {
		case finding.StatusFail:
			rep.Summary.Fail++
			if !res.HasFail || it.sev > res.WorstFail {
				res.HasFail, res.WorstFail = true, it.sev
			}
		case finding.StatusUnknown:
			rep.Summary.Unknown++
			if !res.HasUnknown || it.sev > res.WorstUnknown {
				res.HasUnknown, res.WorstUnknown = true, it.sev
			}
		case finding.StatusSuppressed:
			rep.Summary.Suppressed++
		case finding.StatusPass:
			rep.Summary.Passed++
		case finding.StatusNA:
			rep.Summary.NotApplicable++
		}
	}
	return res
}

// sortItems sorts findings into report order. Sorted runs are made on every core, then merged.
func sortItems(items []*item) {
	cmp := func(a, b *item) int {
		switch {
		case lessItem(a, b):
			return -1
		case lessItem(b, a):
			return 1
		}
		return 0
	}
	const chunk = 1 << 13
	workers := runtime.GOMAXPROCS(0)
	if len(items) < 2*chunk || workers < 2 {
		slices.SortStableFunc(items, cmp)
		return
	}
	bounds := make([]int, workers+1)
	for w := range bounds {
		bounds[w] = w * len(items) / workers
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { slices.SortStableFunc(items[bounds[w]:bounds[w+1]], cmp) })
	}
	wg.Wait()
	merged := make([]*item, 0, len(items))
	pos := append([]int(nil), bounds[:workers]...)
	for len(merged) < len(items) {
		best := -1
		for w := range workers {
			if pos[w] < bounds[w+1] && (best < 0 || cmp(items[pos[w]], items[pos[best]]) < 0) {
				best = w
			}
		}
		merged = append(merged, items[pos[best]])
		pos[best]++
	}
	copy(items, merged)
}

func lessItem(a, b *item) bool {
	fa, fb := a.f, b.f
	switch {
	case fa.Location.Path != fb.Location.Path:
		return fa.Location.Path < fb.Location.Path
	case fa.Location.Ref != fb.Location.Ref:
		return fa.Location.Ref < fb.Location.Ref
	case fa.Location.StartLine != fb.Location.StartLine:
		return fa.Location.StartLine < fb.Location.StartLine
	case fa.RuleID != fb.RuleID:
		return fa.RuleID < fb.RuleID
	case fa.Resource.Address != fb.Resource.Address:
		return fa.Resource.Address < fb.Resource.Address
	case a.subject != b.subject:
		return a.subject < b.subject
	case fa.Fingerprint != fb.Fingerprint:
		return fa.Fingerprint < fb.Fingerprint
	case fa.Status != fb.Status:
		return fa.Status < fb.Status
	case fa.Location.EndLine != fb.Location.EndLine:
		return fa.Location.EndLine < fb.Location.EndLine
	}
	return fa.Message < fb.Message
}

func lessDiag(pa string, la int, sa, ma string, pb string, lb int, sb, mb string) bool {
	switch {
	case pa != pb:
		return pa < pb
	case la != lb:
		return la < lb
	case sa != sb:
		return sa < sb
	}
	return ma < mb
}

// Fingerprint identifies a finding across scans: the rule, the resource identity and the
// subject, never line numbers or file paths other than the identity's scope.
func Fingerprint(ruleID string, id model.Identity, subject string) string {
	h := sha256.New()
	for _, part := range []string{ruleID, string(id.Source), id.Scope, id.Address, id.ARN, id.Account, id.Region, subject} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func location(at model.Range) finding.Location {
	loc := finding.Location{Path: at.File, StartLine: at.StartLine, EndLine: at.EndLine, Ref: at.Ref}
	if loc.EndLine < loc.StartLine {
		loc.EndLine = loc.StartLine
	}
	return loc
}

func orRange(r, fallback model.Range) model.Range {
	if r.IsZero() {
		return fallback
	}
	return r
}

func aliases(rule *rules.Rule) []string {
	if len(rule.Aliases) == 0 {
		return nil
	}
	out := make([]string, 0, len(rule.Aliases))
	for _, a := range rule.Aliases {
		out = append(out, a.Tool+":"+a.ID)
	}
	return out
}
