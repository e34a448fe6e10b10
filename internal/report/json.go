package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
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
	if len(findings) == 0 {
		return writeJSON(w, &doc)
	}
	// Findings are written one by one into the document: an organisation's report holds tens of
	// thousands, and encoding them all at once would hold the whole document in memory twice.
	var head bytes.Buffer
	if err := writeJSON(&head, &doc); err != nil {
		return err
	}
	const empty = "\n  \"findings\": [],\n"
	at := bytes.Index(head.Bytes(), []byte(empty))
	if at < 0 {
		return errors.New("json report: findings not found in the document")
	}
	bw := bufio.NewWriter(w)
	// bufio.Writer errors are sticky: Flush reports any of them.
	put := func(b []byte) { _, _ = bw.Write(b) }
	put(head.Bytes()[:at])
	put([]byte("\n  \"findings\": [\n"))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("    ", "  ")
	enc.SetEscapeHTML(false)
	for i := range findings {
		buf.Reset()
		if err := enc.Encode(&findings[i]); err != nil {
			return err
		}
		put([]byte("    "))
		put(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		if i < len(findings)-1 {
			put([]byte(","))
		}
		put([]byte("\n"))
	}
	put([]byte("  ],\n"))
	put(head.Bytes()[at+len(empty):])
	return bw.Flush()
}

// writeJSON encodes v with two-space indentation, a trailing newline, and without escaping
// <, > and & (messages quote XML elements).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
