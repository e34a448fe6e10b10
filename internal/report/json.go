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
	if doc.Findings == nil {
		doc.Findings = []finding.Finding{}
	}
	if doc.Errors == nil {
		doc.Errors = []finding.Error{}
	}
	return writeJSON(w, &doc)
}

// writeJSON encodes v with two-space indentation, a trailing newline, and without escaping
// <, > and & (messages quote XML elements).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
