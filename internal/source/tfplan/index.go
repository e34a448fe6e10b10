package tfplan

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// planIndex records where things are in a plan file, found in one pass over it.
type planIndex struct {
	// keyLines is the line of each top-level key.
	keyLines map[string]int
	// changes holds, in order, the position of each entry of resource_changes.
	changes []entryPos
}

// entryPos is the position of one resource_changes entry.
type entryPos struct {
	start, end int
	// attrs is the line of each top-level attribute of change.after.
	attrs map[string]int
}

// posError is a malformed document at a byte offset.
type posError struct {
	off int
	msg string
}

func (e *posError) Error() string { return e.msg }

// lineCounter turns increasing byte offsets into 1-based line numbers in linear time.
type lineCounter struct {
	data []byte
	off  int
	line int
}

func (c *lineCounter) at(off int) int {
	off = min(max(off, 0), len(c.data))
	if off < c.off {
		c.off, c.line = 0, 1
	}
	c.line += bytes.Count(c.data[c.off:off], []byte{'\n'})
	c.off = off
	return c.line
}

// lineOf is the line of off in data.
func lineOf(data []byte, off int) int {
	c := lineCounter{data: data, line: 1}
	return c.at(off)
}

// indexPlan reads the structure of a plan document: the lines of its top-level keys, of each
// resource_changes entry and of the attributes of each entry's change.after. It fails on a
// document that is not well-formed JSON or not an object.
func indexPlan(data []byte) (*planIndex, error) {
	if !json.Valid(data) {
		// Only a whole-document check gives the absolute offset of the error.
		var se *json.SyntaxError
		if err := json.Unmarshal(data, new(json.RawMessage)); errors.As(err, &se) {
			return nil, &posError{off: int(se.Offset), msg: "invalid JSON: " + se.Error()}
		}
		return nil, &posError{off: len(data), msg: "invalid JSON"}
	}
	idx := &planIndex{keyLines: map[string]int{}}
	lc := &lineCounter{data: data, line: 1}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := expectDelim(dec, '{', "a Terraform plan is a JSON object"); err != nil {
		return nil, err
	}
	for dec.More() {
		key, err := readKey(dec)
		if err != nil {
			return nil, err
		}
		if _, dup := idx.keyLines[key]; !dup {
			idx.keyLines[key] = lc.at(int(dec.InputOffset()))
		}
		if key != "resource_changes" {
			if err := skipValue(dec); err != nil {
				return nil, err
			}
			continue
		}
		if err := indexChanges(dec, idx, lc); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, decodeError(dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &posError{off: int(dec.InputOffset()), msg: "invalid JSON: data after the plan object"}
	}
	return idx, nil
}

// indexChanges reads the resource_changes array.
func indexChanges(dec *json.Decoder, idx *planIndex, lc *lineCounter) error {
	tok, err := dec.Token()
	if err != nil {
		return decodeError(dec, err)
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return &posError{off: int(dec.InputOffset()), msg: "resource_changes is not a list"}
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return decodeError(dec, err)
		}
		end := int(dec.InputOffset())
		start := end - len(raw)
		pos := entryPos{start: lc.at(start)}
		pos.attrs = afterLines(raw, start, lc)
		pos.end = lc.at(end)
		idx.changes = append(idx.changes, pos)
	}
	_, err = dec.Token()
	return decodeError(dec, err)
}

// afterLines returns the line of each attribute of change.after in one resource_changes entry
// (raw, which starts at byte base of the file). It returns nil when the entry has another shape:
// the full decode reports that.
func afterLines(raw []byte, base int, lc *lineCounter) map[string]int {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	if !enterKey(dec, "change") || !enterKey(dec, "after") {
		return nil
	}
	lines := map[string]int{}
	for dec.More() {
		key, err := readKey(dec)
		if err != nil {
			return lines
		}
		lines[key] = lc.at(base + int(dec.InputOffset()))
		if skipValue(dec) != nil {
			return lines
		}
	}
	return lines
}

// enterKey reads the members of the object dec is in up to the value of key, which must be an
// object, and leaves dec inside it. It reports false when there is no such key.
func enterKey(dec *json.Decoder, key string) bool {
	for dec.More() {
		k, err := readKey(dec)
		if err != nil {
			return false
		}
		if k == key {
			tok, err := dec.Token()
			return err == nil && tok == json.Delim('{')
		}
		if skipValue(dec) != nil {
			return false
		}
	}
	return false
}

func readKey(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", decodeError(dec, err)
	}
	key, ok := tok.(string)
	if !ok {
		return "", &posError{off: int(dec.InputOffset()), msg: "invalid JSON: expected an object key"}
	}
	return key, nil
}

// skipValue reads one value without keeping it.
func skipValue(dec *json.Decoder) error {
	var skip json.RawMessage
	return decodeError(dec, dec.Decode(&skip))
}

func expectDelim(dec *json.Decoder, want json.Delim, msg string) error {
	tok, err := dec.Token()
	if err != nil {
		return decodeError(dec, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return &posError{off: int(dec.InputOffset()), msg: msg}
	}
	return nil
}

// decodeError locates a decoding error. Messages of encoding/json name at most one character of
// the input, never a value.
func decodeError(dec *json.Decoder, err error) error {
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &posError{off: int(se.Offset), msg: "invalid JSON: " + se.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &posError{off: int(dec.InputOffset()), msg: "invalid JSON: unexpected end of file"}
	}
	return &posError{off: int(dec.InputOffset()), msg: "invalid JSON: " + err.Error()}
}
