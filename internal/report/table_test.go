package report

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/finding"
)

// tableFinding is a FAIL finding of rule on a Terraform resource, at line of main.tf.
func tableFinding(severity, rule, address string, line int) finding.Finding {
	return finding.Finding{
		RuleID: rule, Severity: severity, Status: finding.StatusFail,
		Resource: finding.Resource{Address: address, Type: "aws_mq_broker", Source: "terraform"},
		Location: finding.Location{Path: "main.tf", StartLine: line, EndLine: line},
		Message:  rule + " fails",
	}
}

func TestTableOrder(t *testing.T) {
	r := &finding.Report{Findings: []finding.Finding{
		tableFinding("LOW", "MQG009", "aws_mq_broker.a", 3),
		tableFinding("MEDIUM", "MQG007", "aws_mq_broker.b", 9),
		tableFinding("HIGH", "MQG010", "aws_mq_broker.b", 8),
		tableFinding("MEDIUM", "MQG005", "aws_mq_broker.b", 7),
		tableFinding("CRITICAL", "MQG020", "aws_mq_broker.c", 12),
		tableFinding("HIGH", "MQG001", "aws_mq_broker.a", 12),
		tableFinding("MEDIUM", "MQG011", "aws_mq_broker.a", 23),
		tableFinding("MEDIUM", "MQG011", "aws_mq_broker.a", 21),
		tableFinding("HIGH", "MQG010", "aws_mq_broker.a", 8),
	}}
	before := slices.Clone(r.Findings)
	out := string(write(t, "table", r, Options{Width: 100}))

	var rows []string
	for _, m := range regexp.MustCompile(`(?m)^  (\w+) +(MQG\d+) +FAIL +MQG\d+ fails \[line (\d+)\]`).FindAllStringSubmatch(out, -1) {
		rows = append(rows, m[1]+" "+m[2]+" "+m[3])
	}
	want := []string{
		"CRITICAL MQG020 12", // c
		"HIGH MQG001 12",     // a
		"HIGH MQG010 8",      // a
		"HIGH MQG010 8",      // b
		"MEDIUM MQG011 21",   // a: same rule, lower line first
		"MEDIUM MQG011 23",   // a
		"MEDIUM MQG005 7",    // b
		"MEDIUM MQG007 9",    // b
		"LOW MQG009 3",       // a
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("table order:\n%s\nwant:\n%s\n\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"), out)
	}
	// A resource header opens every run of rows of one resource.
	var headers []string
	for _, m := range regexp.MustCompile(`(?m)^(aws_mq_broker\.\w) main\.tf$`).FindAllStringSubmatch(out, -1) {
		headers = append(headers, m[1])
	}
	if got := strings.Join(headers, " "); got != "aws_mq_broker.c aws_mq_broker.a aws_mq_broker.b aws_mq_broker.a aws_mq_broker.b aws_mq_broker.a" {
		t.Errorf("resource headers = %s\n%s", got, out)
	}
	if !slices.EqualFunc(r.Findings, before, func(a, b finding.Finding) bool {
		return a.RuleID == b.RuleID && a.Resource == b.Resource && a.Location == b.Location
	}) {
		t.Error("the table reordered the report's findings")
	}
	// The other formats keep the report's order.
	json := string(write(t, "json", r, Options{}))
	if i, j := strings.Index(json, `"MQG009"`), strings.Index(json, `"MQG020"`); i < 0 || j < 0 || i > j {
		t.Error("JSON findings are not in the report's order")
	}
}

func TestTableFixLine(t *testing.T) {
	long := "Set engine_version to a supported version (ActiveMQ \"5.19\" or \"5.18\", RabbitMQ \"3.13\") written as " +
		"major.minor so Amazon MQ applies patches, and update the configuration to match. Upgrade one step at a time."
	tests := []struct {
		name    string
		status  string
		replace bool
		fix     string
		opts    Options
		want    []string // lines, trimmed
		notWant []string
	}{
		{name: "first sentence of a FAIL", status: finding.StatusFail, fix: "Rename the user. Then move the clients to it.",
			opts: Options{Width: 100}, want: []string{"fix: Rename the user."}, notWant: []string{"move the clients"}},
		{name: "e.g. does not end a sentence", status: finding.StatusFail,
			fix:  "Add the keys to the tags, e.g. tags = { owner = \"x\" }. Tags change in place.",
			opts: Options{Width: 100}, want: []string{`fix: Add the keys to the tags, e.g. tags = { owner = "x" }.`}},
		{name: "a period in a code span or parentheses does not end a sentence", status: finding.StatusFail,
			fix:  "Run `aws mq reboot. Now` (or wait. Then check) now. Then check.",
			opts: Options{Width: 100}, want: []string{"fix: Run `aws mq reboot. Now` (or wait. Then check) now."}},
		{name: "a long first sentence is cut at the width", status: finding.StatusFail, fix: long,
			opts: Options{Width: 80}, want: []string{"fix: Set engine_version to a supported version…"}},
		{name: "replacement", status: finding.StatusFail, replace: true, fix: "Create a new broker. Migrate.",
			opts: Options{Width: 100}, want: []string{"fix (new broker): Create a new broker."}},
		{name: "no fix line for UNKNOWN", status: finding.StatusUnknown, fix: "Rename the user.",
			opts: Options{Width: 100}, notWant: []string{"fix"}},
		{name: "verbose shows all of it and the docs", status: finding.StatusFail, fix: long,
			opts: Options{Width: 80, Verbose: true},
			want: []string{
				`fix: Set engine_version to a supported version (ActiveMQ`,
				`"5.19" or "5.18", RabbitMQ "3.13") written as`,
				`major.minor so Amazon MQ applies patches, and`,
				`update the configuration to match. Upgrade one step`,
				`at a time.`,
				"docs: https://example.com/MQG010.md",
			}},
		{name: "verbose shows the fix of any status", status: finding.StatusUnknown, fix: "Rename the user. Then move.",
			opts: Options{Width: 100, Verbose: true}, want: []string{"fix: Rename the user. Then move."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tableFinding("HIGH", "MQG010", "aws_mq_broker.a", 8)
			f.Status, f.Remediation, f.ReplacementRequired, f.HelpURI = tt.status, tt.fix, tt.replace, "https://example.com/MQG010.md"
			out := string(write(t, "table", &finding.Report{Findings: []finding.Finding{f}}, tt.opts))
			var lines []string
			for _, l := range strings.Split(out, "\n") {
				if Width(l) > tt.opts.Width && !strings.Contains(l, "docs:") {
					t.Errorf("line wider than %d: %q", tt.opts.Width, l)
				}
				lines = append(lines, strings.TrimSpace(l))
			}
			for _, w := range tt.want {
				if !slices.Contains(lines, w) {
					t.Errorf("no line %q in:\n%s", w, out)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(out, nw) {
					t.Errorf("%q in:\n%s", nw, out)
				}
			}
		})
	}
}

// TestTableNotesLast: the notes (what may be missing from the scan) and the errors come after
// every finding and the summary, so they are what the reader sees last.
func TestTableNotesLast(t *testing.T) {
	r := fixture()
	r.Notes = append(r.Notes, finding.Note{Source: "terraform",
		Message: "brokers may be missing: module \"mq\" (source app.terraform.io/acme/mq/aws) is not installed; run terraform init"})
	out := strings.TrimRight(string(write(t, "table", r, Options{Width: 80})), "\n")
	lines := strings.Split(out, "\n")
	tail := strings.Join(lines[len(lines)-3:], "\n")
	want := "    unknown (run terraform init)\n" +
		"  terraform: brokers may be missing: module \"mq\" (source\n" +
		"    app.terraform.io/acme/mq/aws) is not installed; run terraform init"
	if tail != want {
		t.Errorf("last lines:\n%s\nwant:\n%s", tail, want)
	}
	notes, errs, summary := strings.Index(out, "\nNotes:\n"), strings.Index(out, "\nErrors:\n"), strings.Index(out, "\nSummary:")
	if summary < 0 || errs < summary || notes < errs || strings.LastIndex(out, "FAIL") > summary {
		t.Errorf("want findings, summary, errors, notes in that order:\n%s", out)
	}
}

// TestTableWidth: at any usable width, no line of the fixture's table is wider than the
// terminal, but for the documentation links and words longer than the message column, which
// are never broken.
func TestTableWidth(t *testing.T) {
	r := fixture()
	r.Findings[3].Resource.Address = "module.platform.module.messaging.aws_mq_broker.this[\"blue\"]"
	r.Notes = append(r.Notes, finding.Note{Source: "terraform", Path: "infra/network.tf", Line: 3,
		Message: "brokers may be missing: module \"network\" (source app.terraform.io/acme/network/aws) is not installed; run terraform init"})
	for width := 60; width <= 200; width++ {
		for _, verbose := range []bool{false, true} {
			out := string(write(t, "table", r, Options{Width: width, Verbose: verbose}))
			for _, l := range strings.Split(out, "\n") {
				// A line may be wider only to keep one word whole (a fingerprint at 60 columns).
				if Width(l) > width && !strings.Contains(l, "docs: https://") && len(strings.Fields(l[min(msgColumn, len(l)):])) > 1 {
					t.Errorf("width %d (verbose %v): line is %d wide: %q", width, verbose, Width(l), l)
				}
			}
			if !strings.Contains(out, "[line 14]") || !strings.Contains(out, "[infra/users.tf:3]") {
				t.Errorf("width %d: a location marker was split:\n%s", width, out)
			}
		}
	}
}

// TestTableKeepsMarkers: at every width, a location marker stays whole on one line, even with
// a space in it ("[line 1234]", a path with a space).
func TestTableKeepsMarkers(t *testing.T) {
	here := tableFinding("HIGH", "MQG001", "aws_mq_broker.a", 1234)
	here.Message = "publicly_accessible is true: the broker has a public endpoint"
	elsewhere := tableFinding("HIGH", "MQG013", "aws_mq_broker.a", 7)
	elsewhere.Location.Path = "infra/my stack.tf"
	elsewhere.Message = "the password of user 'admin' is a literal"
	r := &finding.Report{Findings: []finding.Finding{here, elsewhere}}
	for width := 40; width <= 120; width++ {
		out := string(write(t, "table", r, Options{Width: width}))
		for _, marker := range []string{"[line 1234]", "[infra/my stack.tf:7]"} {
			if !strings.Contains(out, marker) {
				t.Errorf("width %d: %s split:\n%s", width, marker, out)
			}
		}
	}
}

func TestTableNeutralisesControlCharacters(t *testing.T) {
	r := fixture()
	r.Findings[0].Message = "evil\x1b]0;pwned\x07 name\nnext \u202eright-to-left"
	r.Findings[0].Resource.Address = "aws_mq_broker.\x1b[2Jx"
	r.Findings[0].Remediation = "Do \x1b[31mthis\u2066."
	for _, o := range []Options{{}, {Verbose: true}} {
		out := string(write(t, "table", r, o))
		if strings.ContainsAny(out, "\x1b\x07\u202e\u2066") {
			t.Errorf("control characters reached the terminal:\n%q", out)
		}
	}
}

// TestTableTellsApartSameAddress: brokers of two root modules with one address get a header
// each, so each row's [line N] refers to its own file.
func TestTableTellsApartSameAddress(t *testing.T) {
	f := func(name, path string) finding.Finding {
		return finding.Finding{RuleID: "MQG001", Severity: "HIGH", Status: finding.StatusFail, Message: "public",
			Resource: finding.Resource{Address: "module.mq.aws_mq_broker.this", Name: name, Source: "terraform"},
			Location: finding.Location{Path: path, StartLine: 3, EndLine: 3}}
	}
	r := &finding.Report{Findings: []finding.Finding{f("orders", "orders/mq.tf"), f("billing", "billing/mq.tf")}}
	var buf bytes.Buffer
	if err := (tableFormat{}).Write(&buf, r, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"(orders) orders/mq.tf", "(billing) billing/mq.tf"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("no header %q in\n%s", want, buf.String())
		}
	}
}
