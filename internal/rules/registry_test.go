package rules

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

var (
	slugPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	idPattern   = regexp.MustCompile(`^MQG[0-9]{3}$`)
	aliasTools  = map[string]bool{"checkov": true, "trivy": true, "tfsec": true, "kics": true, "prowler": true,
		"securityhub": true, "config": true, "controltower": true, "conformity": true, "cloudsploit": true, "terrascan": true}
)

func TestRegistryCatalog(t *testing.T) {
	all := All()
	if len(all) == 0 {
		t.Fatal("empty catalog")
	}
	slugs := map[string]string{}
	aliases := map[string]string{} // lower-case alias ID -> rule ID
	toolIDs := map[string]bool{}   // tool/ID pairs
	prev := ""
	for i, r := range all {
		// IDs are unique and in order; gaps are rules not built in (probes, self-managed brokers).
		if !idPattern.MatchString(r.ID) || r.ID <= prev {
			t.Errorf("rule %d has ID %s after %s (IDs are MQGnnn, unique and in order)", i, r.ID, prev)
		}
		prev = r.ID
		if !slugPattern.MatchString(r.Slug) {
			t.Errorf("%s: slug %q is not kebab-case", r.ID, r.Slug)
		}
		if other, dup := slugs[r.Slug]; dup {
			t.Errorf("%s: slug %q already used by %s", r.ID, r.Slug, other)
		}
		slugs[r.Slug] = r.ID
		if r.Title == "" || r.Rationale == "" {
			t.Errorf("%s: title and rationale are required", r.ID)
		}
		if r.Check == nil {
			t.Errorf("%s: no Check", r.ID)
		}
		if strings.TrimSpace(r.Remediation[model.SourceTerraform]) == "" {
			t.Errorf("%s: no Terraform remediation", r.ID)
		}
		for _, e := range r.Engines {
			if e != model.EngineActiveMQ && e != model.EngineRabbitMQ {
				t.Errorf("%s: engine %q is not canonical", r.ID, e)
			}
		}
		for _, a := range r.Aliases {
			if !aliasTools[a.Tool] {
				t.Errorf("%s: alias tool %q is not a known tool name", r.ID, a.Tool)
			}
			key := strings.ToLower(a.ID)
			if other, dup := aliases[key]; dup && other != r.ID {
				t.Errorf("%s: alias %s already used by %s", r.ID, a.ID, other)
			}
			aliases[key] = r.ID
			if pair := a.Tool + "/" + key; toolIDs[pair] {
				t.Errorf("%s: alias %s listed twice", r.ID, pair)
			} else {
				toolIDs[pair] = true
			}
		}
		// A live-only rule (every Terraform example N/A) shows its failure on a live snapshot.
		// A rule of the inside of brokers shows its good and bad cases on broker configuration files.
		var goodFiles, badFiles bool
		var good, bad, badLive, liveOnly = false, false, false, true
		for j, ex := range r.Examples {
			if ex.Address == "" || len(ex.Files) == 0 || ex.Note == "" {
				t.Errorf("%s example %d: address, files and note are required", r.ID, j)
			}
			if ex.Kind == model.SourceAWS && ex.Want == Fail {
				badLive = true
			}
			if ex.Kind == model.SourceBrokerConf {
				goodFiles = goodFiles || ex.Want == Pass
				badFiles = badFiles || ex.Want == Fail
			}
			if ex.Kind != model.SourceTerraform {
				continue
			}
			good = good || ex.Want == Pass || ex.Want == NotApplicable
			bad = bad || ex.Want == Fail
			liveOnly = liveOnly && ex.Want == NotApplicable
		}
		if liveOnly && badLive {
			bad = true
		}
		if r.SelfManaged && goodFiles && badFiles {
			good, bad = true, true
		}
		if !good || !bad {
			t.Errorf("%s: needs at least one good and one bad Terraform example (good %v, bad %v)", r.ID, good, bad)
		}
	}
	for _, r := range all {
		if owner, clash := aliases[strings.ToLower(r.ID)]; clash {
			t.Errorf("alias of %s equals the ID of %s", owner, r.ID)
		}
		if owner, clash := aliases[r.Slug]; clash {
			t.Errorf("alias of %s equals the slug of %s", owner, r.ID)
		}
	}
}

func TestAllReturnsACopy(t *testing.T) {
	a := All()
	a[0] = nil
	if All()[0] == nil {
		t.Fatal("All must return a new slice")
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"MQG001", "MQG001"},
		{"mqg001", "MQG001"},
		{" public-access ", "MQG001"},
		{"PUBLIC-ACCESS", "MQG001"},
		{"CKV_AWS_69", "MQG001"},
		{"ckv_aws_69", "MQG001"},
		{"AVD-AWS-0072", "MQG001"},
		{"aws-mq-no-public-access", "MQG001"},
		{"4eb5f791-c861-4afd-9f94-f2a6a3fe49cb", "MQG001"},
		{"MQ.5", "MQG002"},
		{"CT.MQ.PR.2", "MQG003"},
		{"AVD-AWS-0070", "MQG007"},
		{"CKV_AWS_48", "MQG008"},
		{"engine-version-unsupported", "MQG010"},
		{"MQ.4", "MQG011"},
		{"", ""},
		{"MQG999", ""},
		{"CKV_AWS_1", ""},
	}
	for _, tc := range tests {
		r, ok := Lookup(tc.in)
		switch {
		case tc.want == "" && ok:
			t.Errorf("Lookup(%q) found %s, want nothing", tc.in, r.ID)
		case tc.want != "" && (!ok || r.ID != tc.want):
			t.Errorf("Lookup(%q) = %v, %v; want %s", tc.in, r, ok, tc.want)
		}
	}
}

// TestChecksTolerateNilContext: a Check never panics without a context.
func TestChecksTolerateNilContext(t *testing.T) {
	for _, r := range All()[:11] {
		for _, engine := range []string{model.EngineActiveMQ, model.EngineRabbitMQ} {
			b := aBroker(engine, aTags("env", "prod"))
			if AppliesToEngine(r, b) != Pass {
				continue
			}
			if res := r.Check(b, nil); len(res) == 0 {
				t.Errorf("%s on %s: no result", r.ID, engine)
			}
		}
	}
}

// TestChecksOnZeroBroker: a broker whose every value is Unknown never passes or fails.
func TestChecksOnZeroBroker(t *testing.T) {
	for _, r := range All()[:11] {
		for _, engine := range []string{model.EngineActiveMQ, model.EngineRabbitMQ} {
			b := &model.Broker{Engine: model.ExplicitString(engine, aAt(3))}
			if AppliesToEngine(r, b) != Pass {
				continue
			}
			for _, res := range r.Check(b, aCtx()) {
				if res.Status == Pass || res.Status == Fail {
					t.Errorf("%s on an unknown %s broker: %v (%s)", r.ID, engine, res.Status, res.Message)
				}
			}
		}
	}
}

// TestBRulesMetadata checks the metadata every rule of MQG012-MQG021 must carry.
func TestBRulesMetadata(t *testing.T) {
	for _, r := range []*Rule{mqg012, mqg013, mqg014, mqg015, mqg016, mqg017, mqg018, mqg019, mqg020, mqg021} {
		if r.ID == "" || r.Slug == "" || r.Title == "" || r.Rationale == "" || r.Check == nil {
			t.Errorf("%s: incomplete metadata", r.ID)
		}
		for _, k := range []model.SourceKind{model.SourceTerraform, model.SourceCloudFormation, model.SourceTFPlan, model.SourceAWS} {
			if r.Remediation[k] == "" {
				t.Errorf("%s: no remediation for %s", r.ID, k)
			}
		}
		var good, bad bool
		for _, e := range r.Examples {
			if e.Kind == "" || e.Address == "" || len(e.Files) == 0 || e.Note == "" {
				t.Errorf("%s: incomplete example %+v", r.ID, e)
			}
			if e.Kind != model.SourceTerraform {
				continue
			}
			good = good || e.Want == Pass || e.Want == NotApplicable
			bad = bad || e.Want == Fail
		}
		if !good || !bad {
			t.Errorf("%s: needs a good and a bad Terraform example", r.ID)
		}
	}
}
