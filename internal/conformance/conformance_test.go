// Package conformance scores mqguard against the peers' own fixtures (KICS, Checkov, Trivy) in
// ../shared/corpus: for every fixture resource the peer passes or fails, mqguard's verdict for
// the matching rules must agree, except for the disagreements listed, with their reason, in the
// tables of this package. A listed disagreement that no longer disagrees fails the test too, so
// the tables never go stale.
package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mqguard/mqguard/internal/engine"
	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/source/terraform"
)

// asOf is the date verdicts are judged at, so that the scores never rot.
var asOf = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// verdict is a peer's or mqguard's answer for one resource.
type verdict string

const (
	vPass    verdict = "pass"
	vFail    verdict = "fail"
	vUnknown verdict = "unknown" // decided by neither
	vNA      verdict = "n/a"
)

// agrees says whether mqguard's verdict matches the peer's. A peer "pass" is met by PASS or N/A;
// a peer "unknown" (the peer reports neither) by UNKNOWN or N/A.
func agrees(peer, ours verdict) bool {
	switch peer {
	case vPass:
		return ours == vPass || ours == vNA
	case vUnknown:
		return ours == vUnknown || ours == vNA
	default:
		return peer == ours
	}
}

// combine folds the statuses of several mqguard rules into one verdict for a peer check that
// covers them all (KICS's logging query covers general and audit logs).
func combine(statuses []string) verdict {
	if len(statuses) == 0 {
		return vUnknown
	}
	has := map[string]bool{}
	for _, s := range statuses {
		has[s] = true
	}
	switch {
	case has[finding.StatusFail]:
		return vFail
	case has[finding.StatusUnknown]:
		return vUnknown
	case has[finding.StatusPass]:
		return vPass
	default:
		return vNA
	}
}

// scanned is the result of scanning one fixture.
type scanned struct {
	inv    *model.Inventory
	report *finding.Report
}

// scanFiles loads the named files (paths relative to dir) into an in-memory tree and scans it
// with the given rules.
func scanFiles(t *testing.T, dir string, files []string, ruleIDs []string) scanned {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		fsys[filepath.ToSlash(f)] = &fstest.MapFile{Data: b}
	}
	inv, diags := terraform.Load(context.Background(), fsys, []string{"."}, terraform.Options{})
	rep, err := engine.Run(inv, diags, rules.All(), engine.Options{
		AsOf: asOf, Settings: rules.DefaultSettings(), Only: ruleIDs, ShowPassed: true, Version: "test",
	})
	if err != nil {
		t.Fatal(err)
	}
	return scanned{inv: inv, report: rep}
}

// statusesFor collects the statuses of findings on one address.
func (s scanned) statusesFor(address string) []string {
	var out []string
	for _, f := range s.report.Findings {
		if f.Resource.Address == address {
			out = append(out, f.Status)
		}
	}
	return out
}

// outcome is one compared resource.
type outcome struct {
	key        string // peer/check/file:address
	peer, ours verdict
}

// score compares outcomes with the disagreement table and reports the agreement figure.
func score(t *testing.T, name string, outcomes []outcome, known map[string]string) {
	t.Helper()
	sort.Slice(outcomes, func(i, j int) bool { return outcomes[i].key < outcomes[j].key })
	agreed, documented := 0, 0
	seen := map[string]bool{}
	for _, o := range outcomes {
		seen[o.key] = true
		reason, listed := known[o.key]
		switch {
		case agrees(o.peer, o.ours) && listed:
			t.Errorf("%s: listed as a disagreement (%s) but mqguard now agrees (%s): remove it from the table", o.key, reason, o.ours)
		case agrees(o.peer, o.ours):
			agreed++
		case listed:
			documented++
			t.Logf("documented disagreement %s: peer %s, mqguard %s: %s", o.key, o.peer, o.ours, reason)
		default:
			t.Errorf("%s: peer says %s, mqguard says %s", o.key, o.peer, o.ours)
		}
	}
	for k := range known {
		if !seen[k] && strings.HasPrefix(k, name+"/") {
			t.Errorf("disagreement %q names no fixture resource", k)
		}
	}
	if len(outcomes) == 0 {
		t.Fatalf("%s: no fixture resource was compared", name)
	}
	fmt.Printf("conformance %-9s %3d/%3d agree (%.1f%%), %d documented disagreements\n",
		name, agreed, len(outcomes), 100*float64(agreed)/float64(len(outcomes)), documented)
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
