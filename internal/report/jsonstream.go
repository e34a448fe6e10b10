package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// Large JSON documents (json, asff, sarif) hold one array with an element per finding. Encoding
// the whole document at once holds it in memory two or three times (the values, the compact
// encoding, the indented copy) and runs on one core; writeJSONArray writes the same bytes with
// the array's elements encoded in chunks on every core, a few chunks in memory at a time.

// writeJSONArray writes doc as writeJSON does, with the array under key (the one JSON member
// `"key": []` of doc as encoded, which must be empty there) holding n elements appended by elem,
// each indented as an element at that depth.
func writeJSONArray(w io.Writer, doc any, key string, n int, elem func(b []byte, i int, prefix string) ([]byte, error)) error {
	var head bytes.Buffer
	if err := writeJSON(&head, doc); err != nil {
		return err
	}
	if n == 0 {
		_, err := w.Write(head.Bytes())
		return err
	}
	marker := []byte(`"` + key + `": []`)
	at := bytes.Index(head.Bytes(), marker)
	if at < 0 || bytes.Contains(head.Bytes()[at+len(marker):], marker) {
		return fmt.Errorf("json report: no single %q array in the document", key)
	}
	lineStart := bytes.LastIndexByte(head.Bytes()[:at], '\n') + 1
	indent := string(head.Bytes()[lineStart:at])
	prefix := indent + "  "
	bw := bufio.NewWriter(w)
	// bufio.Writer errors are sticky: Flush reports any of them.
	put := func(b []byte) { _, _ = bw.Write(b) }
	put(head.Bytes()[:at])
	put([]byte(`"` + key + "\": [\n"))
	err := encodeParallel(n, func(b []byte, i int) ([]byte, error) {
		b = append(b, prefix...)
		b, err := elem(b, i, prefix)
		if err != nil {
			return b, err
		}
		if i < n-1 {
			b = append(b, ',')
		}
		return append(b, '\n'), nil
	}, put)
	if err != nil {
		return err
	}
	put([]byte(indent + "]"))
	put(head.Bytes()[at+len(marker):])
	return bw.Flush()
}

// appendIndented appends v encoded as writeJSON does, for an element whose first line is
// already indented by prefix, without the trailing newline.
func appendIndented(b []byte, v any, prefix string) ([]byte, error) {
	// An encoder keeps its buffers between calls: one per goroutine at a time, from a pool.
	e, _ := indentEncoders.Get().(*indentEncoder)
	if e == nil || e.prefix != prefix {
		e = &indentEncoder{prefix: prefix}
		e.enc = json.NewEncoder(&e.buf)
		e.enc.SetIndent(prefix, "  ")
		e.enc.SetEscapeHTML(false)
	}
	defer indentEncoders.Put(e)
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return b, err
	}
	return append(b, bytes.TrimSuffix(e.buf.Bytes(), []byte("\n"))...), nil
}

// appendLine appends v encoded on one line, with its newline (JSON Lines).
func appendLine(b []byte, v any) ([]byte, error) {
	e, _ := lineEncoders.Get().(*indentEncoder)
	if e == nil {
		e = &indentEncoder{}
		e.enc = json.NewEncoder(&e.buf)
		e.enc.SetEscapeHTML(false)
	}
	defer lineEncoders.Put(e)
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return b, err
	}
	return append(b, e.buf.Bytes()...), nil
}

type indentEncoder struct {
	buf    bytes.Buffer
	enc    *json.Encoder
	prefix string
}

var indentEncoders, lineEncoders sync.Pool

// chunkSize is how many elements one encoding job holds.
const chunkSize = 512

// encodeParallel appends elements 0..n-1 with elem on every core and hands the bytes to put in
// order. At most a few chunks per core are in flight, and buffers already written are reused,
// so memory stays bounded whatever n. The first error stops the writing.
func encodeParallel(n int, elem func(b []byte, i int) ([]byte, error), put func([]byte)) error {
	chunks := (n + chunkSize - 1) / chunkSize
	workers := min(runtime.GOMAXPROCS(0), chunks)
	type job struct {
		lo, hi int
		out    chan []byte
		err    error
	}
	jobs := make(chan *job)
	order := make(chan *job, 2*workers)
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
				for i := j.lo; i < j.hi && j.err == nil; i++ {
					out, j.err = elem(out, i)
				}
				j.out <- out
			}
		})
	}
	go func() {
		for c := range chunks {
			j := &job{lo: c * chunkSize, hi: min((c+1)*chunkSize, n), out: make(chan []byte, 1)}
			order <- j
			jobs <- j
		}
		close(jobs)
		close(order)
	}()
	var err error
	for j := range order {
		b := <-j.out
		if err == nil {
			err = j.err
		}
		if err == nil {
			put(b)
		}
		select {
		case free <- b[:0]:
		default:
		}
	}
	wg.Wait()
	return err
}
