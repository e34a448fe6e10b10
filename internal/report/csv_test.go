package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/finding"
)

// TestCSVRoundTrip reads the output back as RFC 4180: the exact header, one row per finding,
// CRLF line ends, and every value as the finding holds it but for the apostrophe that defuses
// a formula.
func TestCSVRoundTrip(t *testing.T) {
	for name, r := range map[string]*finding.Report{"fixture": fixture(), "governance": governanceReport()} {
		t.Run(name, func(t *testing.T) {
			out := write(t, "csv", r, Options{})
			if !bytes.HasSuffix(out, []byte("\r\n")) || bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) {
				t.Error("line ends are not CRLF")
			}
			rd := csv.NewReader(bytes.NewReader(out))
			rows, err := rd.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			want := "rule_id,slug,severity,status,resource_address,resource_type,resource_name,engine,source,account,region,path,start_line,message,fingerprint"
			if got := strings.Join(rows[0], ","); got != want {
				t.Errorf("header = %s", got)
			}
			if len(rows)-1 != len(r.Findings) {
				t.Fatalf("%d rows for %d findings", len(rows)-1, len(r.Findings))
			}
			for i, f := range r.Findings {
				row := rows[i+1]
				undo := func(s string) string {
					if strings.HasPrefix(s, "'") && len(s) > 1 && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
						return s[1:]
					}
					return s
				}
				got := []string{undo(row[0]), undo(row[3]), undo(row[4]), undo(row[6]), undo(row[11]), undo(row[13]), undo(row[14])}
				exp := []string{f.RuleID, f.Status, f.Resource.Address, f.Resource.Name, f.Location.Path, f.Message, f.Fingerprint}
				if !slices.Equal(got, exp) {
					t.Errorf("row %d = %q, want %q", i+1, got, exp)
				}
			}
		})
	}
}

// TestCSVInjection: a cell a spreadsheet would run as a formula starts with an apostrophe;
// other cells are left alone.
func TestCSVInjection(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"},
		{"+1+2", "'+1+2"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tcmd", "'\tcmd"},
		{"\rcmd", "'\rcmd"},
		{"a=b", "a=b"},
		{"aws_mq_broker.orders", "aws_mq_broker.orders"},
		{"'quoted", "'quoted"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := csvSafe(tt.in); got != tt.want {
			t.Errorf("csvSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
		r := &finding.Report{Findings: []finding.Finding{{RuleID: "MQG001", Message: tt.in, Resource: finding.Resource{Name: tt.in}}}}
		rows, err := csv.NewReader(bytes.NewReader(write(t, "csv", r, Options{}))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// With CRLF line ends, encoding/csv drops a carriage return that is not part of one.
		want := strings.ReplaceAll(tt.want, "\r", "")
		if rows[1][6] != want || rows[1][13] != want {
			t.Errorf("%q: cells %q and %q, want %q", tt.in, rows[1][6], rows[1][13], want)
		}
	}
}
