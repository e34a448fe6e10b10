// Package report writes a scan report in the formats users ask for. Every format reads only the
// finding types, sits behind the Format interface, and lives in its own file; Formats is the one
// list that feeds flag validation, help and docs. Output is deterministic: the same report gives
// the same bytes.
package report

import (
	"io"
	"time"

	"github.com/mqguard/mqguard/internal/finding"
)

// Options tune the formats; each format reads the ones it needs.
type Options struct {
	// Color enables ANSI colours in the table.
	Color bool
	// Verbose adds remediation and documentation links to the table.
	Verbose bool
	// Width is the terminal width the table wraps messages to; 0 means DefaultWidth.
	Width int
	// ASFFProductARN is the Security Hub product the ASFF findings belong to
	// ("arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default" for the account's own
	// findings). Empty means each finding's account default product; its account and region
	// are those of findings that have none (IaC).
	ASFFProductARN string
	// Time stamps the ASFF and OCSF findings. Zero means midnight UTC of the report's as_of, so
	// that the same report gives the same bytes.
	Time time.Time
}

// DefaultWidth is the table width when Options.Width is not set.
const DefaultWidth = 100

// Format is one output format.
type Format interface {
	// Name is the value of --format: "table", "json", "sarif".
	Name() string
	// Description is one line for help and docs.
	Description() string
	Write(w io.Writer, r *finding.Report, o Options) error
}

// Formats returns every format, in the order help lists them.
func Formats() []Format {
	return []Format{tableFormat{}, jsonFormat{}, sarifFormat{}, junitFormat{}, csvFormat{}, markdownFormat{}, asffFormat{}, ocsfFormat{}, htmlFormat{}}
}

// Lookup returns the format called name.
func Lookup(name string) (Format, bool) {
	for _, f := range Formats() {
		if f.Name() == name {
			return f, true
		}
	}
	return nil, false
}
