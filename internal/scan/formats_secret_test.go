package scan

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/report"
	"github.com/mqguard/mqguard/internal/testsecrets"
)

// TestNoSecretInAnyFormat scans inputs full of secrets and writes the report in every format
// report.Formats lists, including formats added later: none of them may hold a secret.
func TestNoSecretInAnyFormat(t *testing.T) {
	dir := writeTree(t, testsecrets.Tree)
	res, err := Run(t.Context(), request(dir, ""))
	if err != nil {
		t.Fatal(err)
	}
	// The scan must have looked at the testsecrets.Values: the rules that read them fail.
	var out bytes.Buffer
	f, _ := report.Lookup("json")
	if err := f.Write(&out, res.Report, report.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, rule := range []string{"MQG013", "MQG015", "MQG016"} {
		if !strings.Contains(out.String(), `"rule_id": "`+rule+`",`) {
			t.Errorf("no %s finding: the test no longer exercises the testsecrets.Values", rule)
		}
	}
	if res.Report.Summary.Brokers != 2 {
		t.Errorf("%d brokers scanned, want 2", res.Report.Summary.Brokers)
	}
	if len(res.Report.Errors) > 0 {
		t.Errorf("scan errors: %+v", res.Report.Errors)
	}
	formats := report.Formats()
	if len(formats) < 6 {
		t.Errorf("%d formats", len(formats))
	}
	for _, f := range formats {
		for _, verbose := range []bool{false, true} {
			var buf bytes.Buffer
			opts := report.Options{Verbose: verbose, Color: verbose, Width: 200,
				// IaC findings have no account for ASFF to take the product from.
				ASFFProductARN: "arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default"}
			if err := f.Write(&buf, res.Report, opts); err != nil {
				t.Fatalf("%s: %v", f.Name(), err)
			}
			for _, s := range testsecrets.Values {
				if bytes.Contains(buf.Bytes(), []byte(s)) {
					t.Errorf("%s (verbose %v) holds %q", f.Name(), verbose, s)
				}
			}
		}
	}
}
