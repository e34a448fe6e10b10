package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/finding"
)

// ocsfRequired are the attributes OCSF 1.3.0 requires of a Compliance Finding event (class
// compliance_finding, uid 2003) and of the objects it holds, as dotted paths; then the ones
// this format promises beyond them.
var (
	ocsfRequired = []string{
		"activity_id", "category_uid", "class_uid", "type_uid", "time", "severity_id", "metadata",
		"metadata.version", "metadata.product", "finding_info", "finding_info.uid", "finding_info.title",
		"compliance", "compliance.standards",
	}
	ocsfPromised = []string{
		"status_id", "status", "message", "severity", "finding_info.desc", "finding_info.analytic.uid",
		"compliance.control", "compliance.status", "compliance.status_id", "resources", "metadata.product.name",
		"metadata.product.vendor_name", "metadata.product.version",
	}
)

func ocsfEvents(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev map[string]any
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.UseNumber()
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("line %d is not a JSON object: %v", len(out)+1, err)
		}
		out = append(out, ev)
	}
	return out
}

func lookupPath(ev map[string]any, path string) (any, bool) {
	var v any = ev
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, v != nil && v != ""
}

func TestOCSFRequiredAttributes(t *testing.T) {
	for name, r := range map[string]*finding.Report{"fixture": categorised(), "governance": governance()} {
		t.Run(name, func(t *testing.T) { checkOCSFRequired(t, r) })
	}
}

func checkOCSFRequired(t *testing.T, r *finding.Report) {
	out := write(t, "ocsf", r, Options{})
	evs := ocsfEvents(t, out)
	if len(evs) != len(r.Findings) || bytes.Count(out, []byte("\n")) != len(r.Findings) {
		t.Fatalf("%d events on %d lines for %d findings", len(evs), bytes.Count(out, []byte("\n")), len(r.Findings))
	}
	for i, ev := range evs {
		for _, p := range append(append([]string{}, ocsfRequired...), ocsfPromised...) {
			if _, ok := lookupPath(ev, p); !ok {
				t.Errorf("event %d lacks %s", i, p)
			}
		}
		for p, want := range map[string]string{"class_uid": "2003", "category_uid": "2", "type_uid": "200301",
			"activity_id": "1", "metadata.version": ocsfVersion, "metadata.product.name": "mqguard",
			"finding_info.uid": r.Findings[i].Fingerprint, "compliance.control": r.Findings[i].RuleID,
			"time": "1795305600000"} {
			if v, _ := lookupPath(ev, p); fmt.Sprint(v) != want {
				t.Errorf("event %d: %s = %v, want %s", i, p, v, want)
			}
		}
	}
}

func TestOCSFMapping(t *testing.T) {
	live := fixture().Findings[6]
	iac := fixture().Findings[0]
	withStatus := func(f finding.Finding, s string) finding.Finding { f.Status = s; return f }
	tests := []struct {
		name string
		f    finding.Finding
		opts Options
		path string
		want string
	}{
		{"severity", live, Options{}, "severity_id", "5"},
		{"severity medium", fixture().Findings[2], Options{}, "severity_id", "3"},
		{"fail", live, Options{}, "compliance.status_id", "3"},
		{"fail is new", live, Options{}, "status_id", "1"},
		{"unknown", withStatus(live, finding.StatusUnknown), Options{}, "compliance.status_id", "0"},
		{"pass", withStatus(live, finding.StatusPass), Options{}, "compliance.status_id", "1"},
		{"pass resolved", withStatus(live, finding.StatusPass), Options{}, "status_id", "4"},
		{"suppressed", withStatus(live, finding.StatusSuppressed), Options{}, "status_id", "3"},
		{"suppressed fail", withStatus(live, finding.StatusSuppressed), Options{}, "compliance.status_id", "3"},
		{"suppressed unknown stays unknown", suppressedUnknown(live), Options{}, "compliance.status_id", "0"},
		{"suppression ticket", suppressedUnknown(live), Options{}, "unmapped.suppression.ticket", "SEC-77"},
		{"live resource", live, Options{}, "resources.0.uid", live.Resource.ARN},
		{"live cloud account", live, Options{}, "cloud.account.uid", "111122223333"},
		{"IaC resource", iac, Options{}, "resources.0.uid", "aws_mq_broker.orders"},
		{"IaC path", iac, Options{}, "resources.0.data.path", "infra/mq.tf"},
		{"remediation", iac, Options{}, "remediation.references.0", iac.HelpURI},
		{"injected time", live, Options{Time: time.UnixMilli(1795400000123)}, "time", "1795400000123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fixture()
			r.Findings = []finding.Finding{tt.f}
			var v any = ocsfEvents(t, write(t, "ocsf", r, tt.opts))[0]
			for _, k := range strings.Split(tt.path, ".") {
				switch x := v.(type) {
				case map[string]any:
					v = x[k]
				case []any:
					v = x[k[0]-'0']
				}
			}
			if fmt.Sprint(v) != tt.want {
				t.Errorf("%s = %v, want %q", tt.path, v, tt.want)
			}
		})
	}
}

func TestOCSFEmptyReport(t *testing.T) {
	r := &finding.Report{Schema: finding.Schema, Tool: finding.Tool{Name: "mqguard"}, AsOf: "2026-11-22"}
	if got := write(t, "ocsf", r, Options{}); len(got) != 0 {
		t.Errorf("empty report wrote %q", got)
	}
}
