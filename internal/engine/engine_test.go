package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/rules"
)

var asOf = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

func rng(file string, line int) model.Range {
	return model.Range{File: file, StartLine: line, EndLine: line}
}

// Fake rules: the engine must not depend on the real catalog.
var (
	rulePublic = &rules.Rule{
		ID: "MQG001", Slug: "public-access", Title: "Broker is publicly accessible", Severity: rules.High,
		Remediation: map[model.SourceKind]string{
			model.SourceTerraform: "Set publicly_accessible = false.",
			"":                    "Create a private broker.",
		},
		ReplacementRequired: true,
		Aliases: []rules.Alias{
			{Tool: "checkov", ID: "CKV_AWS_69"},
			{Tool: "trivy", ID: "AVD-AWS-0072"},
			{Tool: "trivy", ID: "aws-mq-no-public-access"},
		},
		Check: func(b *model.Broker, _ *rules.Context) []rules.Result {
			p := b.PubliclyAccessible
			switch {
			case !p.Known():
				return []rules.Result{{Status: rules.Unknown, Message: "publicly_accessible could not be determined", At: p.At}}
			case p.V:
				return []rules.Result{{Status: rules.Fail, Message: "broker is publicly accessible", At: p.At, ValueFrom: p.State}}
			}
			return []rules.Result{{Status: rules.Pass, Message: "broker is private", At: p.At, ValueFrom: p.State}}
		},
	}
	ruleAudit = &rules.Rule{
		ID: "MQG007", Slug: "audit-log-disabled", Title: "Audit logs are not published", Severity: rules.Medium,
		Engines: []string{model.EngineActiveMQ},
		Check: func(b *model.Broker, _ *rules.Context) []rules.Result {
			if b.Logs.Audit.V {
				return []rules.Result{{Status: rules.Pass, Message: "audit logs on", At: b.Logs.Audit.At}}
			}
			return []rules.Result{{Status: rules.Fail, Message: "audit logs off", At: b.Logs.Audit.At, ValueFrom: b.Logs.Audit.State}}
		},
	}
	ruleUsers = &rules.Rule{
		ID: "MQG014", Slug: "default-username", Title: "Default username", Severity: rules.Medium,
		Check: func(b *model.Broker, _ *rules.Context) []rules.Result {
			var out []rules.Result
			for _, u := range b.Users {
				sev := rules.Critical
				out = append(out, rules.Result{Status: rules.Fail, Message: "user " + u.Username.V + " has a default name",
					At: u.Username.At, ValueFrom: u.Username.State, Subject: u.Username.V, Severity: &sev})
			}
			return out
		},
	}
	ruleAuthz = &rules.Rule{
		ID: "MQG018", Slug: "missing-authorization-map", Title: "No authorization map", Severity: rules.Medium,
		Engines: []string{model.EngineActiveMQ},
		Check: func(b *model.Broker, _ *rules.Context) []rules.Result {
			return nil
		},
		CheckConfiguration: func(c *model.Configuration, _ *rules.Context) []rules.Result {
			if c.ActiveMQ == nil || c.ActiveMQ.AuthorizationPlugin == nil {
				return []rules.Result{{Status: rules.Fail, Message: "no authorizationPlugin", At: c.DataAt, ValueFrom: model.Explicit}}
			}
			return []rules.Result{{Status: rules.Pass, Message: "authorization map declared", At: c.DataAt}}
		},
	}
	rulePanic = &rules.Rule{
		ID: "MQG099", Slug: "panics", Title: "Panics", Severity: rules.Low,
		Check: func(b *model.Broker, _ *rules.Context) []rules.Result { panic("boom") },
	}
)

var catalog = []*rules.Rule{rulePublic, ruleAudit, ruleUsers, ruleAuthz}

// broker builds a Terraform broker at file:line.
func broker(addr, engine string, line int, public bool) *model.Broker {
	file := "infra/mq.tf"
	b := &model.Broker{
		ID: model.Identity{Source: model.SourceTerraform, Scope: "infra", Address: addr, Type: "aws_mq_broker",
			At: model.Range{File: file, StartLine: line, EndLine: line + 20}},
		Name:               model.ExplicitString(strings.TrimPrefix(addr, "aws_mq_broker.")+"-broker", rng(file, line+1)),
		PubliclyAccessible: model.ExplicitBool(public, rng(file, line+2)),
		Logs:               model.Logs{Audit: model.DefaultBool(false, model.Range{File: file, StartLine: line, EndLine: line + 20})},
	}
	if engine != "" {
		b.Engine = model.ExplicitString(engine, rng(file, line+3))
	} else {
		b.Engine = model.UnknownString(rng(file, line+3))
	}
	return b
}

func runOpts(t *testing.T, inv *model.Inventory, opts Options, cat ...*rules.Rule) *finding.Report {
	t.Helper()
	if cat == nil {
		cat = catalog
	}
	if opts.AsOf.IsZero() {
		opts.AsOf = asOf
	}
	rep, err := Run(inv, nil, cat, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// find returns the findings of rule on address.
func find(rep *finding.Report, ruleID, address string) []finding.Finding {
	var out []finding.Finding
	for _, f := range rep.Findings {
		if f.RuleID == ruleID && f.Resource.Address == address {
			out = append(out, f)
		}
	}
	return out
}

func TestFindingFields(t *testing.T) {
	b := broker("aws_mq_broker.orders", "ActiveMQ", 10, true)
	rep := runOpts(t, &model.Inventory{Brokers: []*model.Broker{b}}, Options{Version: "1.2.3"}, rulePublic)
	got := find(rep, "MQG001", "aws_mq_broker.orders")
	if len(got) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(got), rep.Findings)
	}
	f := got[0]
	want := finding.Finding{
		RuleID: "MQG001", Slug: "public-access", Title: "Broker is publicly accessible",
		Severity: "HIGH", Status: "FAIL",
		Resource: finding.Resource{Address: "aws_mq_broker.orders", Type: "aws_mq_broker", Name: "orders-broker",
			Engine: "ActiveMQ", Source: "terraform"},
		Location:            finding.Location{Path: "infra/mq.tf", StartLine: 12, EndLine: 12},
		Message:             "broker is publicly accessible",
		ValueFrom:           "explicit",
		ReplacementRequired: true,
		Remediation:         "Set publicly_accessible = false.",
		Fingerprint:         Fingerprint("MQG001", b.ID, ""),
		Aliases:             []string{"checkov:CKV_AWS_69", "trivy:AVD-AWS-0072", "trivy:aws-mq-no-public-access"},
		HelpURI:             "https://github.com/mqguard/mqguard/blob/main/docs/rules/MQG001-public-access.md",
		Category:            "network-exposure",
	}
	if !equalJSON(t, f, want) {
		t.Errorf("finding:\n got %s\nwant %s", mustJSON(t, f), mustJSON(t, want))
	}
	if rep.Schema != finding.Schema || rep.Tool != (finding.Tool{Name: "mqguard", Version: "1.2.3"}) || rep.AsOf != "2026-11-22" {
		t.Errorf("header = %q %+v %q", rep.Schema, rep.Tool, rep.AsOf)
	}
	if rep.Summary != (finding.Summary{Brokers: 1, Fail: 1}) {
		t.Errorf("summary = %+v", rep.Summary)
	}
}

func TestRemediationFallback(t *testing.T) {
	b := broker("arn:aws:mq:eu-west-1:111122223333:broker:orders:b-1", "ActiveMQ", 0, true)
	b.ID = model.Identity{Source: model.SourceAWS, Address: b.ID.Address, ARN: b.ID.Address, Account: "111122223333",
		Region: "eu-west-1", Type: "AWS::AmazonMQ::Broker", At: model.Range{Ref: b.ID.Address}}
	b.PubliclyAccessible = model.ExplicitBool(true, model.Range{Ref: b.ID.Address + "#PubliclyAccessible"})
	rep := runOpts(t, &model.Inventory{Brokers: []*model.Broker{b}}, Options{}, rulePublic)
	f := rep.Findings[0]
	if f.Remediation != "Create a private broker." {
		t.Errorf("remediation = %q", f.Remediation)
	}
	if f.Location != (finding.Location{Ref: b.ID.Address + "#PubliclyAccessible"}) {
		t.Errorf("location = %+v", f.Location)
	}
	if f.Resource.Account != "111122223333" || f.Resource.Region != "eu-west-1" || f.Resource.ARN != b.ID.ARN {
		t.Errorf("resource = %+v", f.Resource)
	}
}

func TestApplicability(t *testing.T) {
	tests := []struct {
		name       string
		engine     string
		showPassed bool
		wantStatus string // "" means no finding
		wantMsg    string
	}{
		{name: "applies", engine: "ActiveMQ", wantStatus: "FAIL", wantMsg: "audit logs off"},
		{name: "any casing applies", engine: "ACTIVEMQ", wantStatus: "FAIL", wantMsg: "audit logs off"},
		{name: "other engine hidden", engine: "RabbitMQ"},
		{name: "other engine shown", engine: "RabbitMQ", showPassed: true, wantStatus: "N/A", wantMsg: "applies to ActiveMQ only"},
		{name: "unknown engine", engine: "", wantStatus: "UNKNOWN", wantMsg: "engine could not be determined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := broker("aws_mq_broker.a", tt.engine, 1, false)
			rep := runOpts(t, &model.Inventory{Brokers: []*model.Broker{b}}, Options{ShowPassed: tt.showPassed}, ruleAudit)
			got := find(rep, "MQG007", "aws_mq_broker.a")
			if tt.wantStatus == "" {
				if len(got) != 0 {
					t.Fatalf("got %+v, want no finding", got)
				}
				return
			}
			if len(got) != 1 || got[0].Status != tt.wantStatus || got[0].Message != tt.wantMsg {
				t.Fatalf("got %+v, want %s %q", got, tt.wantStatus, tt.wantMsg)
			}
			if tt.wantStatus != "FAIL" && got[0].Location.StartLine != 4 {
				t.Errorf("location = %+v, want the engine attribute", got[0].Location)
			}
		})
	}
}

func TestShowPassed(t *testing.T) {
	inv := &model.Inventory{Brokers: []*model.Broker{
		broker("aws_mq_broker.private", "RabbitMQ", 1, false),
		broker("aws_mq_broker.public", "RabbitMQ", 30, true),
	}}
	rep := runOpts(t, inv, Options{}, rulePublic, ruleAudit)
	if len(rep.Findings) != 1 || rep.Summary != (finding.Summary{Brokers: 2, Fail: 1}) {
		t.Errorf("without ShowPassed: %d findings, summary %+v", len(rep.Findings), rep.Summary)
	}
	rep = runOpts(t, inv, Options{ShowPassed: true}, rulePublic, ruleAudit)
	if len(rep.Findings) != 4 || rep.Summary != (finding.Summary{Brokers: 2, Fail: 1, Passed: 1, NotApplicable: 2}) {
		t.Errorf("with ShowPassed: %d findings, summary %+v", len(rep.Findings), rep.Summary)
	}
}

func TestSubjectFanOut(t *testing.T) {
	b := broker("aws_mq_broker.a", "RabbitMQ", 1, false)
	b.Users = []model.User{
		{Username: model.ExplicitString("admin", rng("infra/mq.tf", 8))},
		{Username: model.ExplicitString("guest", rng("infra/mq.tf", 12))},
	}
	rep := runOpts(t, &model.Inventory{Brokers: []*model.Broker{b}}, Options{}, ruleUsers)
	got := find(rep, "MQG014", "aws_mq_broker.a")
	if len(got) != 2 {
		t.Fatalf("got %d findings, want 2", len(got))
	}
	if got[0].Fingerprint == got[1].Fingerprint {
		t.Error("findings of two subjects share a fingerprint")
	}
	if got[0].Location.StartLine != 8 || got[1].Location.StartLine != 12 {
		t.Errorf("locations = %+v, %+v", got[0].Location, got[1].Location)
	}
	if got[0].Severity != "CRITICAL" {
		t.Errorf("severity = %s, want the result's override CRITICAL", got[0].Severity)
	}
}

func TestFingerprint(t *testing.T) {
	id := model.Identity{Source: model.SourceTerraform, Scope: "infra", Address: "aws_mq_broker.a", At: rng("infra/mq.tf", 1)}
	moved := id
	moved.At = rng("infra/mq.tf", 99)
	if Fingerprint("MQG001", id, "") != Fingerprint("MQG001", moved, "") {
		t.Error("fingerprint depends on line numbers")
	}
	other := id
	other.Scope = "staging"
	for name, fp := range map[string]string{
		"rule":    Fingerprint("MQG002", id, ""),
		"scope":   Fingerprint("MQG001", other, ""),
		"subject": Fingerprint("MQG001", id, "admin"),
	} {
		if fp == Fingerprint("MQG001", id, "") {
			t.Errorf("fingerprint ignores the %s", name)
		}
	}
	if n := len(Fingerprint("MQG001", id, "")); n != 32 {
		t.Errorf("fingerprint has %d characters", n)
	}
}

func TestConfigurationFindings(t *testing.T) {
	unused := &model.Configuration{
		ID:     model.Identity{Source: model.SourceTerraform, Scope: "infra", Address: "aws_mq_configuration.spare", Type: "aws_mq_configuration", At: rng("infra/conf.tf", 1)},
		Name:   model.ExplicitString("spare", rng("infra/conf.tf", 2)),
		Engine: model.ExplicitString("ActiveMQ", rng("infra/conf.tf", 3)),
		Data:   model.Explicit, DataAt: rng("infra/conf.tf", 5),
		ActiveMQ: &model.ActiveMQConfig{},
	}
	used := &model.Configuration{
		ID:     model.Identity{Source: model.SourceTerraform, Scope: "infra", Address: "aws_mq_configuration.main", At: rng("infra/conf.tf", 20)},
		Engine: model.ExplicitString("ActiveMQ", rng("infra/conf.tf", 21)),
		UsedBy: 1,
	}
	rabbit := &model.Configuration{
		ID:     model.Identity{Source: model.SourceTerraform, Scope: "infra", Address: "aws_mq_configuration.rabbit", At: rng("infra/conf.tf", 40)},
		Engine: model.ExplicitString("RabbitMQ", rng("infra/conf.tf", 41)),
	}
	unknown := &model.Configuration{
		ID: model.Identity{Source: model.SourceTerraform, Scope: "infra", Address: "aws_mq_configuration.unknown", At: rng("infra/conf.tf", 60)},
	}
	inv := &model.Inventory{Configurations: []*model.Configuration{unused, used, rabbit, unknown}}
	rep := runOpts(t, inv, Options{}, ruleAuthz)
	got := find(rep, "MQG018", "aws_mq_configuration.spare")
	if len(got) != 1 || got[0].Status != "FAIL" || got[0].Resource.Name != "spare" || got[0].Location.StartLine != 5 {
		t.Fatalf("unused configuration: %+v", got)
	}
	if len(find(rep, "MQG018", "aws_mq_configuration.main")) != 0 {
		t.Error("a used configuration got its own finding")
	}
	if len(find(rep, "MQG018", "aws_mq_configuration.rabbit")) != 0 {
		t.Error("an N/A finding shown without ShowPassed")
	}
	if u := find(rep, "MQG018", "aws_mq_configuration.unknown"); len(u) != 1 || u[0].Status != "UNKNOWN" {
		t.Errorf("unknown engine configuration: %+v", u)
	}
	if rep.Summary.Brokers != 0 {
		t.Errorf("brokers = %d", rep.Summary.Brokers)
	}
}

func TestSuppression(t *testing.T) {
	at := rng("infra/mq.tf", 9)
	tests := []struct {
		name       string
		directives []string
		wantStatus string
		wantSup    *finding.Suppression
		wantNote   string
	}{
		{
			name:       "inline",
			directives: []string{`# mqguard:ignore MQG001 reason="partner ingress" until=2027-01-31 by=secops`},
			wantStatus: "SUPPRESSED",
			wantSup: &finding.Suppression{Kind: "inline", Tool: "mqguard", Reason: "partner ingress", Approver: "secops", Expires: "2027-01-31",
				Location: &finding.Location{Path: "infra/mq.tf", StartLine: 9, EndLine: 9}},
		},
		{
			name:       "by slug",
			directives: []string{`# mqguard:ignore public-access reason=ok`},
			wantStatus: "SUPPRESSED",
			wantSup:    &finding.Suppression{Kind: "inline", Tool: "mqguard", Reason: "ok", Location: &finding.Location{Path: "infra/mq.tf", StartLine: 9, EndLine: 9}},
		},
		{
			name:       "checkov alias",
			directives: []string{`#checkov:skip=CKV_AWS_69:legacy`},
			wantStatus: "SUPPRESSED",
			wantSup:    &finding.Suppression{Kind: "inline", Tool: "checkov", Reason: "legacy", Location: &finding.Location{Path: "infra/mq.tf", StartLine: 9, EndLine: 9}},
		},
		{
			name:       "trivy alias",
			directives: []string{`#trivy:ignore:AVD-AWS-0072`},
			wantStatus: "SUPPRESSED",
			wantSup:    &finding.Suppression{Kind: "inline", Tool: "trivy", Location: &finding.Location{Path: "infra/mq.tf", StartLine: 9, EndLine: 9}},
		},
		{
			name:       "tfsec alias through trivy id",
			directives: []string{`#tfsec:ignore:aws-mq-no-public-access`},
			wantStatus: "SUPPRESSED",
			wantSup:    &finding.Suppression{Kind: "inline", Tool: "tfsec", Location: &finding.Location{Path: "infra/mq.tf", StartLine: 9, EndLine: 9}},
		},
		{
			name:       "expired",
			directives: []string{`# mqguard:ignore MQG001 reason=old until=2025-01-01`},
			wantStatus: "FAIL",
			wantNote:   "suppression of MQG001 on aws_mq_broker.a expired on 2025-01-01",
		},
		{
			name:       "trivy expired",
			directives: []string{`#trivy:ignore:AVD-AWS-0072:exp:2025-01-02`},
			wantStatus: "FAIL",
			wantNote:   "suppression of MQG001 on aws_mq_broker.a expired on 2025-01-02",
		},
		{
			name:       "missing reason does not suppress",
			directives: []string{`# mqguard:ignore MQG001`},
			wantStatus: "FAIL",
			wantNote:   "malformed mqguard:ignore: a reason is required",
		},
		{
			name:       "unused",
			directives: []string{`# mqguard:ignore MQG007 reason=x`},
			wantStatus: "FAIL",
			wantNote:   "unused suppression: mqguard:ignore MQG007 on aws_mq_broker.a matched no FAIL or UNKNOWN finding",
		},
		{
			name:       "unknown rule",
			directives: []string{`# mqguard:ignore MQG999 reason=x`},
			wantStatus: "FAIL",
			wantNote:   "mqguard:ignore MQG999 on aws_mq_broker.a names no known rule",
		},
		{
			name:       "other tool's unrelated check is silent",
			directives: []string{`# checkov:skip=CKV_SECRET_6 test secret`},
			wantStatus: "FAIL",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := broker("aws_mq_broker.a", "RabbitMQ", 10, true)
			for _, d := range tt.directives {
				b.Directives = append(b.Directives, model.Directive{Text: d, At: at})
			}
			rep := runOpts(t, &model.Inventory{Brokers: []*model.Broker{b}}, Options{}, rulePublic, ruleAudit)
			got := find(rep, "MQG001", "aws_mq_broker.a")
			if len(got) != 1 || got[0].Status != tt.wantStatus {
				t.Fatalf("findings = %+v, want status %s", got, tt.wantStatus)
			}
			if tt.wantSup != nil {
				// Every suppression says what it suppressed; the approver is also approved_by.
				tt.wantSup.OriginalStatus = "FAIL"
				tt.wantSup.ApprovedBy = tt.wantSup.Approver
			}
			if !equalJSON(t, got[0].Suppression, tt.wantSup) {
				t.Errorf("suppression = %s, want %s", mustJSON(t, got[0].Suppression), mustJSON(t, tt.wantSup))
			}
			if tt.wantNote == "" {
				if len(rep.Notes) != 0 {
					t.Errorf("notes = %+v, want none", rep.Notes)
				}
				return
			}
			if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0].Message, tt.wantNote) ||
				rep.Notes[0].Path != "infra/mq.tf" || rep.Notes[0].Line != 9 || rep.Notes[0].Source != "terraform" {
				t.Errorf("notes = %+v, want one at infra/mq.tf:9 containing %q", rep.Notes, tt.wantNote)
			}
			if rep.Summary.Errors != 0 {
				t.Errorf("suppression problems made errors: %+v", rep.Errors)
			}
		})
	}
}

func TestSuppressionCounts(t *testing.T) {
	b := broker("aws_mq_broker.a", "ActiveMQ", 10, true)
	b.Directives = []model.Directive{{Text: `# mqguard:ignore MQG001 reason=x`, At: rng("infra/mq.tf", 9)}}
	rep := runOpts(t, &model.Inventory{Brokers: []*model.Broker{b}}, Options{}, rulePublic, ruleAudit)
	if rep.Summary != (finding.Summary{Brokers: 1, Fail: 1, Suppressed: 1}) {
		t.Errorf("summary = %+v", rep.Summary)
	}
}

func TestSuppressionOfUnknown(t *testing.T) {
	b := broker("aws_mq_broker.a", "ActiveMQ", 10, true)
	b.PubliclyAccessible = model.UnknownBool(rng("infra/mq.tf", 12))
	b.Directives = []model.Directive{{Text: `# mqguard:ignore MQG001 reason=x`, At: rng("infra/mq.tf", 9)}}
	rep := runOpts(t, &model.Inventory{Brokers: []*model.Broker{b}}, Options{}, rulePublic)
	if len(rep.Findings) != 1 || rep.Findings[0].Status != "SUPPRESSED" || rep.Findings[0].ValueFrom != "unknown" {
		t.Errorf("findings = %+v", rep.Findings)
	}
}

func TestConfigurationDirectivesApplyToBrokers(t *testing.T) {
	conf := &model.Configuration{
		ID:         model.Identity{Source: model.SourceTerraform, Scope: "infra", Address: "aws_mq_configuration.main", At: rng("infra/conf.tf", 1)},
		UsedBy:     1,
		Directives: []model.Directive{{Text: `<!-- mqguard:ignore MQG001 reason="shared" -->`, At: rng("infra/conf.tf", 4)}},
	}
	b := broker("aws_mq_broker.a", "ActiveMQ", 10, true)
	b.Configuration = &model.ConfigurationRef{Config: conf}
	rep := runOpts(t, &model.Inventory{Brokers: []*model.Broker{b}, Configurations: []*model.Configuration{conf}}, Options{}, rulePublic)
	if len(rep.Findings) != 1 || rep.Findings[0].Status != "SUPPRESSED" {
		t.Errorf("findings = %+v", rep.Findings)
	}
	if len(rep.Notes) != 0 {
		t.Errorf("notes = %+v", rep.Notes)
	}
}

func TestOnlySkip(t *testing.T) {
	inv := &model.Inventory{Brokers: []*model.Broker{broker("aws_mq_broker.a", "ActiveMQ", 1, true)}}
	tests := []struct {
		name       string
		only, skip []string
		want       []string // rule IDs with findings
		wantErr    string
	}{
		{name: "all", want: []string{"MQG001", "MQG007"}},
		{name: "only id", only: []string{"mqg001"}, want: []string{"MQG001"}},
		{name: "only slug", only: []string{"audit-log-disabled"}, want: []string{"MQG007"}},
		{name: "only alias", only: []string{"CKV_AWS_69"}, want: []string{"MQG001"}},
		{name: "only tool alias", only: []string{"trivy:AVD-AWS-0072"}, want: []string{"MQG001"}},
		{name: "skip", skip: []string{"MQG001"}, want: []string{"MQG007"}},
		{name: "only and skip", only: []string{"MQG001", "MQG007"}, skip: []string{"public-access"}, want: []string{"MQG007"}},
		{name: "unknown only", only: []string{"MQG001", "nope"}, wantErr: `unknown rule "nope"`},
		{name: "unknown skip", skip: []string{"MQG404"}, wantErr: `unknown rule "MQG404"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Run(inv, nil, catalog, Options{AsOf: asOf, Only: tt.only, Skip: tt.skip})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, f := range rep.Findings {
				ids = append(ids, f.RuleID)
			}
			slices.Sort(ids)
			if strings.Join(ids, ",") != strings.Join(tt.want, ",") {
				t.Errorf("rules = %v, want %v", ids, tt.want)
			}
		})
	}
}

func TestSkippedRuleSuppressionIsNotUnused(t *testing.T) {
	b := broker("aws_mq_broker.a", "ActiveMQ", 10, true)
	b.Directives = []model.Directive{{Text: `# mqguard:ignore MQG001 reason=x`, At: rng("infra/mq.tf", 9)}}
	rep, err := Run(&model.Inventory{Brokers: []*model.Broker{b}}, nil, catalog, Options{AsOf: asOf, Skip: []string{"MQG001"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Notes) != 0 {
		t.Errorf("notes = %+v", rep.Notes)
	}
}

func TestDiagnostics(t *testing.T) {
	diags := []model.Diagnostic{
		{Severity: model.DiagNote, Source: model.SourceTerraform, At: rng("infra/mods.tf", 3), Message: "module not installed"},
		{Severity: model.DiagError, Source: model.SourceAWS, At: model.Range{Ref: "123456789012/eu-west-1"}, Message: "AccessDenied"},
		{Severity: model.DiagError, Source: model.SourceTerraform, At: rng("infra/bad.tf", 7), Message: "syntax error"},
	}
	rep, err := Run(nil, diags, catalog, Options{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	wantErrors := []finding.Error{
		{Source: "aws", Message: "AccessDenied", Path: "123456789012/eu-west-1"},
		{Source: "terraform", Message: "syntax error", Path: "infra/bad.tf", Line: 7},
	}
	if !equalJSON(t, rep.Errors, wantErrors) {
		t.Errorf("errors = %s", mustJSON(t, rep.Errors))
	}
	if !equalJSON(t, rep.Notes, []finding.Note{{Source: "terraform", Message: "module not installed", Path: "infra/mods.tf", Line: 3}}) {
		t.Errorf("notes = %s", mustJSON(t, rep.Notes))
	}
	if rep.Summary != (finding.Summary{Errors: 2}) {
		t.Errorf("summary = %+v", rep.Summary)
	}
	if rep.Findings == nil || rep.Errors == nil {
		t.Error("nil slices would encode as null")
	}
}

func TestPanickingRuleBecomesError(t *testing.T) {
	inv := &model.Inventory{Brokers: []*model.Broker{broker("aws_mq_broker.a", "ActiveMQ", 1, true)}}
	rep := runOpts(t, inv, Options{}, rulePanic, rulePublic)
	if len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "rule MQG099 failed on aws_mq_broker.a") {
		t.Errorf("errors = %+v", rep.Errors)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].RuleID != "MQG001" {
		t.Errorf("the other rules did not run: %+v", rep.Findings)
	}
}

func TestDeterminism(t *testing.T) {
	build := func() *model.Inventory {
		inv := &model.Inventory{}
		for i, addr := range []string{"aws_mq_broker.a", "aws_mq_broker.b", "aws_mq_broker.c", "aws_mq_broker.d"} {
			b := broker(addr, []string{"ActiveMQ", "RabbitMQ", "", "ActiveMQ"}[i], 1+30*i, i%2 == 0)
			b.Users = []model.User{
				{Username: model.ExplicitString("admin", rng("infra/mq.tf", 5+30*i))},
				{Username: model.ExplicitString("guest", rng("infra/mq.tf", 5+30*i))},
				{Username: model.ExplicitString("root", rng("infra/mq.tf", 5+30*i))},
			}
			b.Directives = []model.Directive{
				{Text: `# mqguard:ignore MQG014 reason=x`, At: rng("infra/mq.tf", 30*i)},
				{Text: `# mqguard:ignore MQG013 reason=x`, At: rng("infra/mq.tf", 30*i)},
			}
			inv.Brokers = append(inv.Brokers, b)
		}
		// Two brokers with the same address in different root modules.
		other := broker("aws_mq_broker.a", "ActiveMQ", 1, true)
		other.ID.Scope = "staging"
		inv.Brokers = append(inv.Brokers, other)
		for i := range 3 {
			inv.Configurations = append(inv.Configurations, &model.Configuration{
				ID:     model.Identity{Source: model.SourceTerraform, Scope: "infra", Address: "aws_mq_configuration.c" + string(rune('0'+i)), At: rng("infra/conf.tf", 1)},
				Engine: model.ExplicitString("ActiveMQ", rng("infra/conf.tf", 2)),
			})
		}
		return inv
	}
	diags := []model.Diagnostic{
		{Severity: model.DiagError, Source: model.SourceTerraform, At: rng("x.tf", 1), Message: "b"},
		{Severity: model.DiagError, Source: model.SourceTerraform, At: rng("x.tf", 1), Message: "a"},
		{Severity: model.DiagNote, Source: model.SourceTerraform, Message: "n"},
	}
	encode := func(inv *model.Inventory, diags []model.Diagnostic) []byte {
		rep, err := Run(inv, diags, catalog, Options{AsOf: asOf, ShowPassed: true, Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want := encode(build(), diags)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 50 {
		inv := build()
		r.Shuffle(len(inv.Brokers), func(i, j int) { inv.Brokers[i], inv.Brokers[j] = inv.Brokers[j], inv.Brokers[i] })
		r.Shuffle(len(inv.Configurations), func(i, j int) {
			inv.Configurations[i], inv.Configurations[j] = inv.Configurations[j], inv.Configurations[i]
		})
		d := append([]model.Diagnostic(nil), diags...)
		r.Shuffle(len(d), func(i, j int) { d[i], d[j] = d[j], d[i] })
		if got := encode(inv, d); !bytes.Equal(got, want) {
			t.Fatalf("run %d differs:\n%s\nwant\n%s", i, got, want)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	return mustJSON(t, a) == mustJSON(t, b)
}

// TestNoSecretInNotes checks that suppression problems never echo the directive's text beyond
// the rule it names: comments sit next to passwords in IaC.
func TestNoSecretInNotes(t *testing.T) {
	const secret = "MindTheGap-s3cr3t"
	b := broker("aws_mq_broker.a", "ActiveMQ", 10, true)
	for i, text := range []string{
		`# mqguard:ignore MQG001 reason=x ` + secret,
		`# mqguard:ignore MQG001 reason="` + secret,
		`# mqguard:ignore MQG001 password=` + secret,
		`# mqguard:ignore MQG001 reason=x until=` + secret,
		`# mqguard:ignore MQG001 by=` + secret,
		`#trivy:ignore:AVD-AWS-0072:exp:` + secret,
	} {
		b.Directives = append(b.Directives, model.Directive{Text: text, At: rng("infra/mq.tf", i+1)})
	}
	rep := runOpts(t, &model.Inventory{Brokers: []*model.Broker{b}}, Options{ShowPassed: true}, rulePublic)
	if len(rep.Notes) != 6 {
		t.Errorf("notes = %+v, want one per malformed directive", rep.Notes)
	}
	out := mustJSON(t, rep)
	if strings.Contains(out, secret) {
		t.Errorf("report echoes directive text:\n%s", out)
	}
}

// TestPartsInParallel: a part large enough to be checked on every core, the same brokers added
// one part each, and parts added from many goroutines at once all give the same report; a
// configuration shared by brokers on different workers has its ignore used once, not reported
// as unused.
func TestPartsInParallel(t *testing.T) {
	const n = 5 * parallelBrokers
	shared := &model.Configuration{
		ID:         model.Identity{Source: model.SourceTerraform, Scope: "infra", Address: "aws_mq_configuration.shared", At: rng("infra/conf.tf", 1)},
		Engine:     model.ExplicitString("ActiveMQ", rng("infra/conf.tf", 2)),
		UsedBy:     n,
		Directives: []model.Directive{{Text: `<!-- mqguard:ignore MQG001 reason="behind a partner gateway" -->`, At: rng("infra/conf.tf", 1)}},
	}
	build := func() []*model.Broker {
		var out []*model.Broker
		for i := range n {
			b := broker(fmt.Sprintf("aws_mq_broker.b%03d", i), []string{"ActiveMQ", "RabbitMQ", ""}[i%3], 1+30*i, i%2 == 0)
			b.Users = []model.User{{Username: model.ExplicitString("admin", rng("infra/mq.tf", 5+30*i))}}
			if i%7 == 0 {
				b.Configuration = &model.ConfigurationRef{Config: shared}
			}
			out = append(out, b)
		}
		return out
	}
	report := func(add func(e *Engine, brokers []*model.Broker)) string {
		e, err := New(catalog, Options{AsOf: asOf, ShowPassed: true, Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		add(e, build())
		return mustJSON(t, e.Report().Report)
	}
	onePart := report(func(e *Engine, bs []*model.Broker) {
		e.Add(&model.Inventory{Brokers: bs, Configurations: []*model.Configuration{shared}}, nil)
	})
	partEach := report(func(e *Engine, bs []*model.Broker) {
		for _, b := range bs {
			e.Add(&model.Inventory{Brokers: []*model.Broker{b}}, nil)
		}
	})
	concurrent := report(func(e *Engine, bs []*model.Broker) {
		var wg sync.WaitGroup
		for i := 0; i < len(bs); i += 10 {
			wg.Go(func() { e.Add(&model.Inventory{Brokers: bs[i:min(i+10, len(bs))]}, nil) })
		}
		wg.Wait()
	})
	if onePart != partEach || onePart != concurrent {
		t.Fatal("the report depends on how the inventory was split into parts")
	}
	if strings.Contains(onePart, "unused suppression") {
		t.Error("the shared configuration's ignore is reported unused")
	}
	if !strings.Contains(onePart, `"status":"SUPPRESSED"`) {
		t.Error("the shared configuration's ignore suppressed nothing")
	}
}

// TestPartsAreNotKept: once a part is evaluated, the engine holds none of its model (memory
// follows the findings, not the inventory).
func TestPartsAreNotKept(t *testing.T) {
	e, err := New(catalog, Options{AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	var brokerRef weak.Pointer[model.Broker]
	var configRef weak.Pointer[model.Configuration]
	func() {
		b := broker("aws_mq_broker.a", "ActiveMQ", 1, true)
		c := &model.Configuration{ID: model.Identity{Source: model.SourceTerraform, Address: "aws_mq_configuration.c"},
			Engine: model.ExplicitString("ActiveMQ", rng("infra/conf.tf", 2)), UsedBy: 1,
			Directives: []model.Directive{{Text: `# mqguard:ignore MQG001 reason=x`, At: rng("infra/conf.tf", 1)}}}
		b.Configuration = &model.ConfigurationRef{Config: c}
		brokerRef, configRef = weak.Make(b), weak.Make(c)
		e.Add(&model.Inventory{Brokers: []*model.Broker{b}, Configurations: []*model.Configuration{c}}, nil)
	}()
	for range 3 {
		runtime.GC()
	}
	if brokerRef.Value() != nil || configRef.Value() != nil {
		t.Error("the engine keeps the model of a part it evaluated")
	}
	if rep := e.Report().Report; rep.Summary.Suppressed != 1 {
		t.Errorf("suppressed = %d, want 1", rep.Summary.Suppressed)
	}
}

// TestSelfManagedApplicability: on a self-managed broker a rule that does not declare
// SelfManaged is N/A without its check running; one that does is checked.
func TestSelfManagedApplicability(t *testing.T) {
	b := broker("conf/activemq.xml", "ActiveMQ", 1, true)
	b.ID.Source, b.ID.Type = model.SourceBrokerConf, "activemq"
	b.SelfManaged = &model.SelfManaged{}
	selfManaged := *rulePublic
	selfManaged.SelfManaged = true
	rep := runOpts(t, &model.Inventory{Brokers: []*model.Broker{b}}, Options{ShowPassed: true}, rulePanic, ruleAudit)
	for _, id := range []string{"MQG099", "MQG007"} {
		got := find(rep, id, "conf/activemq.xml")
		if len(got) != 1 || got[0].Status != finding.StatusNA || !strings.Contains(got[0].Message, "self-managed") {
			t.Errorf("%s on a self-managed broker: %+v", id, got)
		}
	}
	rep = runOpts(t, &model.Inventory{Brokers: []*model.Broker{b}}, Options{}, &selfManaged)
	if got := find(rep, "MQG001", "conf/activemq.xml"); len(got) != 1 || got[0].Status != finding.StatusFail {
		t.Errorf("a self-managed rule on a self-managed broker: %+v", got)
	}
}
