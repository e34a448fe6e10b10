package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/finding"
)

// stdFinding is what encoding/json writes for f in the report's findings array.
func stdFinding(t testing.TB, f *finding.Finding) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("    ", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// tricky holds every kind of character encoding/json escapes or leaves alone.
const tricky = "q\"b\\s/ <a>&amp; \n\r\t\b\f \x00\x01\x1f\x7f é ✓ 🙂 \u2028\u2029 bad:\xff\xfe end"

func TestAppendFindingMatchesEncodingJSON(t *testing.T) {
	full := finding.Finding{
		RuleID: "MQG001", Slug: "public-access", Title: tricky, Severity: "HIGH", Status: "SUPPRESSED",
		Resource: finding.Resource{Address: `aws_mq_broker.b["x"]`, Type: "aws_mq_broker", Name: tricky, Engine: "ActiveMQ",
			Source: "terraform", Account: "111122223333", Region: "eu-west-1", ARN: "arn:aws:mq:eu-west-1:1:broker:x"},
		Location:            finding.Location{Path: "infra/mq.tf", StartLine: 3, EndLine: 9, Ref: "arn#PubliclyAccessible"},
		Message:             tricky,
		ValueFrom:           "explicit",
		ReplacementRequired: true,
		Remediation:         tricky,
		Suppression: &finding.Suppression{Kind: "inline", Reason: tricky, Approver: "secops", Expires: "2027-01-31",
			Location: &finding.Location{Path: "infra/mq.tf", StartLine: 2, EndLine: 2}},
		Fingerprint: "0123456789abcdef",
		Aliases:     []string{"checkov:CKV_AWS_69", tricky},
		HelpURI:     "https://example.com/x?a=1&b=<2>",
		Category:    tricky,
	}
	for name, f := range map[string]finding.Finding{
		"zero": {},
		"full": full,
		"suppression without location": func() finding.Finding {
			g := full
			s := *g.Suppression
			s.Location = nil
			s.Approver = ""
			g.Suppression = &s
			return g
		}(),
		"no suppression, no aliases": func() finding.Finding { g := full; g.Suppression = nil; g.Aliases = nil; return g }(),
	} {
		t.Run(name, func(t *testing.T) {
			if got, want := string(appendFinding(nil, &f)), stdFinding(t, &f); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestAppendFindingCoversEveryField sets each field of a finding, at any depth, on its own and
// compares with encoding/json: a field added to the contract and not to appendFinding fails.
func TestAppendFindingCoversEveryField(t *testing.T) {
	var walk func(v reflect.Value, path string, set func())
	walk = func(v reflect.Value, path string, set func()) {
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				fv := v.Field(i)
				walk(fv, path+"."+v.Type().Field(i).Name, set)
			}
		case reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			walk(v.Elem(), path, set)
			set()
			v.Set(reflect.Zero(v.Type()))
		default:
			old := reflect.ValueOf(v.Interface())
			switch v.Kind() {
			case reflect.String:
				v.SetString("x" + tricky)
			case reflect.Int, reflect.Int64:
				v.SetInt(42)
			case reflect.Bool:
				v.SetBool(true)
			case reflect.Slice:
				v.Set(reflect.ValueOf([]string{"a", tricky}))
			default:
				t.Fatalf("%s: kind %s is not handled by this test", path, v.Kind())
			}
			set()
			v.Set(old)
		}
	}
	var f finding.Finding
	fields := 0
	walk(reflect.ValueOf(&f).Elem(), "Finding", func() {
		fields++
		if got, want := string(appendFinding(nil, &f)), stdFinding(t, &f); got != want {
			t.Errorf("differs from encoding/json:\ngot\n%s\nwant\n%s", got, want)
		}
	})
	if fields < 25 {
		t.Errorf("only %d fields visited", fields)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", tricky, "\u2028", "\xed\xa0\x80", "\U0010ffff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := string(appendString(nil, s)); got != strings.TrimSuffix(want.String(), "\n") {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want.String())
		}
	})
}
