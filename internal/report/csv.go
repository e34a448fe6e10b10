package report

import (
	"bufio"
	"encoding/csv"
	"io"
	"strconv"

	"github.com/mqguard/mqguard/internal/finding"
)

// csvFormat writes one RFC 4180 row per finding (CRLF line ends, fields quoted when needed),
// for spreadsheets and ticket imports. Scan errors and notes are not rows: the columns describe
// findings only.
//
// Spreadsheets run a cell that begins with =, +, -, @, a tab or a carriage return as a formula
// (CSV injection); IaC values such as names and messages reach the cells, so such a cell gets a
// leading apostrophe, which spreadsheets read as "text" and do not display.
type csvFormat struct{}

func (csvFormat) Name() string { return "csv" }

func (csvFormat) Description() string {
	return "one CSV row per finding (RFC 4180) for spreadsheets and tickets"
}

// csvHeader is the header row: a contract, like the JSON field names.
var csvHeader = []string{
	"rule_id", "slug", "severity", "status", "resource_address", "resource_type", "resource_name",
	"engine", "source", "account", "region", "path", "start_line", "message", "fingerprint",
}

func (csvFormat) Write(w io.Writer, r *finding.Report, _ Options) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	row := make([]string, len(csvHeader))
	for i := range r.Findings {
		f := &r.Findings[i]
		line := ""
		if f.Location.StartLine > 0 {
			line = strconv.Itoa(f.Location.StartLine)
		}
		row = append(row[:0], f.RuleID, f.Slug, f.Severity, f.Status, f.Resource.Address,
			f.Resource.Type, f.Resource.Name, f.Resource.Engine, f.Resource.Source,
			f.Resource.Account, f.Resource.Region, f.Location.Path, line, f.Message, f.Fingerprint)
		for j, cell := range row {
			row[j] = csvSafe(cell)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// csvSafe defuses a cell a spreadsheet would evaluate as a formula.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
