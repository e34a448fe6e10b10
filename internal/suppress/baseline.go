package suppress

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/mqguard/mqguard/internal/finding"
)

// BaselineSchema identifies a baseline file.
const BaselineSchema = "mqguard-baseline/v1"

// maxBaselineSize bounds the file read; a fingerprint line is about 40 bytes.
const maxBaselineSize = 256 << 20

// Baseline is the set of findings that existed when it was written, by fingerprint.
//
// A baseline lists what existed when it was written, nothing more: a later scan cannot know
// that a finding disappeared and came back in between. A finding that comes back is new only
// once the baseline has been rewritten without it, which --write-baseline does when it is given
// with --baseline: it keeps the baseline's findings that are still present and drops the others
// (new findings are not added, so they keep failing).
type Baseline struct {
	// Path is the file as the user named it.
	Path         string
	Fingerprints []string
}

// BaselineError is a baseline that cannot be read.
type BaselineError struct {
	File string
	Line int
	Msg  string
}

func (e *BaselineError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return e.File + ": " + e.Msg
}

// LoadBaseline reads a baseline file at path (display in errors and reports). It also accepts
// an mqguard/v1 JSON report, whose FAIL, UNKNOWN and baselined findings are the baseline.
func LoadBaseline(path, display string) (*Baseline, error) {
	// Stat before opening: opening a named pipe nobody writes to would block.
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		msg := "not a regular file"
		var pe *os.PathError
		if errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		return nil, &BaselineError{File: display, Msg: msg}
	}
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &BaselineError{File: display, Msg: err.Error()}
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, &BaselineError{File: display, Msg: "not a regular file"}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxBaselineSize+1))
	if err != nil {
		return nil, &BaselineError{File: display, Msg: err.Error()}
	}
	if len(data) > maxBaselineSize {
		return nil, &BaselineError{File: display, Msg: "too large for a baseline"}
	}
	return ParseBaseline(display, data)
}

// ParseBaseline parses a baseline file's content.
func ParseBaseline(display string, data []byte) (*Baseline, error) {
	var doc struct {
		Schema       string    `json:"schema"`
		Fingerprints *[]string `json:"fingerprints"`
		Findings     []struct {
			Status      string `json:"status"`
			Fingerprint string `json:"fingerprint"`
			Suppression *struct {
				Kind string `json:"kind"`
			} `json:"suppression"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		line := 0
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line = lineAt(data, se.Offset)
		case errors.As(err, &te):
			line = lineAt(data, te.Offset)
		}
		return nil, &BaselineError{File: display, Line: line, Msg: "not a baseline: " + err.Error()}
	}
	b := &Baseline{Path: display}
	switch doc.Schema {
	case BaselineSchema:
		if doc.Fingerprints == nil {
			return nil, &BaselineError{File: display, Msg: "no fingerprints"}
		}
		b.Fingerprints = *doc.Fingerprints
	case finding.Schema:
		for _, f := range doc.Findings {
			if f.Status == finding.StatusFail || f.Status == finding.StatusUnknown ||
				(f.Suppression != nil && f.Suppression.Kind == finding.SuppressionBaseline) {
				b.Fingerprints = append(b.Fingerprints, f.Fingerprint)
			}
		}
	default:
		return nil, &BaselineError{File: display, Msg: fmt.Sprintf("schema %q: want %s (written by --write-baseline) or an %s report", doc.Schema, BaselineSchema, finding.Schema)}
	}
	for i, fp := range b.Fingerprints {
		if strings.TrimSpace(fp) == "" {
			return nil, &BaselineError{File: display, Msg: fmt.Sprintf("fingerprint %d is empty", i+1)}
		}
	}
	return b, nil
}

func lineAt(data []byte, offset int64) int {
	if offset < 0 || offset > int64(len(data)) {
		return 0
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// BaselineOf returns the fingerprints a new baseline holds after the scan rep: its FAIL and
// UNKNOWN findings and those the baseline suppressed. With a previous baseline (prune), only
// the baselined findings still present are kept, so a finding fixed since is dropped and fails
// if it comes back. Findings suppressed inline or by an exception are not baselined: their
// suppression has its own reason and expiry.
func BaselineOf(rep *finding.Report, prune bool) []string {
	var out []string
	for _, f := range rep.Findings {
		baselined := f.Status == finding.StatusSuppressed && f.Suppression != nil && f.Suppression.Kind == finding.SuppressionBaseline
		open := f.Status == finding.StatusFail || f.Status == finding.StatusUnknown
		if baselined || (open && !prune) {
			out = append(out, f.Fingerprint)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// WriteBaseline writes fingerprints as a baseline file: sorted, one a line, so that it diffs
// well in a pull request.
func WriteBaseline(w io.Writer, fingerprints []string) error {
	fps := slices.Clone(fingerprints)
	slices.Sort(fps)
	fps = slices.Compact(fps)
	var b strings.Builder
	b.WriteString("{\n  \"schema\": \"" + BaselineSchema + "\",\n  \"fingerprints\": [")
	for i, fp := range fps {
		if i > 0 {
			b.WriteByte(',')
		}
		q, _ := json.Marshal(fp)
		b.WriteString("\n    ")
		b.Write(q)
	}
	if len(fps) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]\n}\n")
	_, err := io.WriteString(w, b.String())
	return err
}
