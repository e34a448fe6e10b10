package export

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/mqguard/mqguard/internal/engine"
	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/history"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
)

// observation is what history knows of a finding beyond the report.
type observation struct {
	first, last time.Time
	// archived: the finding was resolved at or after the export's since.
	archived bool
}

// HistoryFindings builds the ASFF findings of the latest scan recorded in st (the one with the
// latest time), with FirstObservedAt and LastObservedAt from history, and adds the findings
// resolved at or after since (every resolved one when since is zero) as RecordState ARCHIVED,
// Workflow.Status RESOLVED. History resolves a finding only by a complete scan whose scope
// covered it, so a finding of an account or path the scans did not cover is never archived.
func HistoryFindings(ctx context.Context, st history.Store, productARN string, since, now time.Time) ([]shtypes.AwsSecurityFinding, error) {
	scans, err := st.Scans(ctx)
	if err != nil {
		return nil, err
	}
	if len(scans) == 0 {
		return nil, errors.New("no scan is recorded in it (mqguard scan --db)")
	}
	latest := scans[0].At
	for _, s := range scans[1:] {
		if s.At.After(latest) {
			latest = s.At
		}
	}
	recs, err := st.Findings(ctx)
	if err != nil {
		return nil, err
	}
	rep := &finding.Report{Schema: finding.Schema, AsOf: latest.UTC().Format("2006-01-02")}
	obs := map[string]observation{}
	for i := range recs {
		h := &recs[i]
		archived := h.ResolvedAt != nil && !h.ResolvedAt.Before(since)
		if !h.LastSeen.Equal(latest) && !archived {
			continue
		}
		rep.Findings = append(rep.Findings, findingOf(h))
		obs["mqguard/"+h.Fingerprint] = observation{first: h.FirstSeen, last: h.LastSeen, archived: archived}
	}
	out, err := Findings(rep, productARN, now)
	if err != nil {
		return nil, err
	}
	updated := now.UTC().Format(time.RFC3339)
	for i := range out {
		f := &out[i]
		o := obs[aws.ToString(f.Id)]
		first := o.first.UTC().Format(time.RFC3339)
		f.CreatedAt = aws.String(first)
		f.FirstObservedAt = aws.String(first)
		f.LastObservedAt = aws.String(o.last.UTC().Format(time.RFC3339))
		f.UpdatedAt = aws.String(max(updated, first))
		if o.archived {
			f.RecordState = shtypes.RecordStateArchived
			f.Workflow = &shtypes.Workflow{Status: shtypes.WorkflowStatusResolved}
		}
	}
	return out, nil
}

// findingOf is the report finding of a recorded one, with the rule's title, category and
// remediation from the catalog (history keeps only the rule ID).
func findingOf(h *history.Finding) finding.Finding {
	f := h.Finding()
	if r, ok := rules.Lookup(h.RuleID); ok {
		f.Slug, f.Title, f.Category, f.HelpURI = r.Slug, r.Title, r.Category(), engine.HelpURI(r)
		f.Remediation = r.RemediationFor(model.SourceKind(h.Source), f.Resource.Engine)
	}
	return f
}
