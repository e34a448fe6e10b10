package report

import (
	"encoding/json"
	"io"

	"github.com/mqguard/mqguard/internal/finding"
)

// jsonFormat writes the mqguard/v1 document.
type jsonFormat struct{}

func (jsonFormat) Name() string { return "json" }

func (jsonFormat) Description() string {
	return "the mqguard/v1 JSON document (stable contract for tooling)"
}

func (jsonFormat) Write(w io.Writer, r *finding.Report, _ Options) error {
	doc := *r
	findings := doc.Findings
	doc.Findings = []finding.Finding{}
	if doc.Errors == nil {
		doc.Errors = []finding.Error{}
	}
	// Findings are written one by one into the document (see writeJSONArray), by a direct
	// encoder (appendFinding).
	return writeJSONArray(w, &doc, "findings", len(findings), func(b []byte, i int, _ string) ([]byte, error) {
		return appendFinding(b, &findings[i]), nil
	})
}

// writeJSON encodes v with two-space indentation, a trailing newline, and without escaping
// <, > and & (messages quote XML elements).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
