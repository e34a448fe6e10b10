package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"sync"

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
	encodeFindings(findings, put)
	put([]byte("  ],\n"))
	put(head.Bytes()[at+len(empty):])
	return bw.Flush()
}

// findingsChunk is how many findings one encoding job holds.
const findingsChunk = 512

// encodeFindings encodes the findings, each indented as an element of the document's array,
// on every core, and hands the bytes to put in order. At most two chunks per core are in
// flight, so memory stays bounded whatever the number of findings.
func encodeFindings(findings []finding.Finding, put func([]byte)) {
	chunks := (len(findings) + findingsChunk - 1) / findingsChunk
	workers := min(runtime.GOMAXPROCS(0), chunks)
	type job struct {
		lo, hi int
		out    chan []byte
	}
	jobs := make(chan *job)
	order := make(chan *job, 2*workers)
	// Buffers go back to the encoders once written: a report of 100 MB is encoded in a few
	// buffers' worth of memory.
	free := make(chan []byte, 3*workers+1)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				var out []byte
				select {
				case out = <-free:
				default:
				}
				for i := j.lo; i < j.hi; i++ {
					out = append(out, "    "...)
					out = appendFinding(out, &findings[i])
					if i < len(findings)-1 {
						out = append(out, ',')
					}
					out = append(out, '\n')
				}
				j.out <- out
			}
		})
	}
	go func() {
		for c := range chunks {
			j := &job{lo: c * findingsChunk, hi: min((c+1)*findingsChunk, len(findings)), out: make(chan []byte, 1)}
			order <- j
			jobs <- j
		}
		close(jobs)
		close(order)
	}()
	for j := range order {
		b := <-j.out
		put(b)
		select {
		case free <- b[:0]:
		default:
		}
	}
	wg.Wait()
}

// writeJSON encodes v with two-space indentation, a trailing newline, and without escaping
// <, > and & (messages quote XML elements).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
