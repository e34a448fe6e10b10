package probe

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// amqp091Header is the protocol header an AMQP 0-9-1 client opens with.
var amqp091Header = []byte("AMQP\x00\x00\x09\x01")

// maxAMQPFrame bounds the Connection.Start frame the probe reads (RabbitMQ's is about 500
// bytes; its frame_min is 4096).
const maxAMQPFrame = 64 << 10

// connectionStart is what the probe keeps of an AMQP 0-9-1 Connection.Start method.
type connectionStart struct {
	VersionMajor, VersionMinor byte
	// Product and Version are the server-properties of the same names ("" when absent).
	Product, Version, Platform string
	Mechanisms                 string
	// Keys are the server-properties keys, in order.
	Keys []string
}

var errShort = errors.New("truncated")

// amqpReader reads big-endian AMQP fields with strict bounds.
type amqpReader struct {
	b   []byte
	off int
}

func (r *amqpReader) take(n int) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.off {
		return nil, errShort
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v, nil
}

func (r *amqpReader) u8() (byte, error) {
	v, err := r.take(1)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

func (r *amqpReader) u16() (uint16, error) {
	v, err := r.take(2)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint16(v), nil
}

func (r *amqpReader) u32() (uint32, error) {
	v, err := r.take(4)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(v), nil
}

func (r *amqpReader) longBytes() ([]byte, error) {
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	if n > math.MaxInt32 {
		return nil, errShort
	}
	return r.take(int(n))
}

// decodeConnectionStart decodes one AMQP 0-9-1 frame that must be Connection.Start on
// channel 0: frame type 1, channel 0, size, payload (class 10, method 10, version, the
// server-properties field table, mechanisms, locales), frame end 0xCE.
func decodeConnectionStart(frame []byte) (*connectionStart, error) {
	r := &amqpReader{b: frame}
	typ, err := r.u8()
	if err != nil {
		return nil, fmt.Errorf("frame header: %w", err)
	}
	if typ != 1 {
		return nil, fmt.Errorf("frame type %d, not a method frame", typ)
	}
	ch, err := r.u16()
	if err != nil {
		return nil, fmt.Errorf("frame header: %w", err)
	}
	if ch != 0 {
		return nil, fmt.Errorf("frame on channel %d, not 0", ch)
	}
	size, err := r.u32()
	if err != nil {
		return nil, fmt.Errorf("frame header: %w", err)
	}
	if size > maxAMQPFrame {
		return nil, fmt.Errorf("frame of %d bytes, more than %d", size, maxAMQPFrame)
	}
	payload, err := r.take(int(size))
	if err != nil {
		return nil, fmt.Errorf("frame payload: %w", err)
	}
	end, err := r.u8()
	if err != nil || end != 0xCE {
		return nil, errors.New("no frame-end octet")
	}
	p := &amqpReader{b: payload}
	class, err1 := p.u16()
	method, err2 := p.u16()
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("method: %w", err)
	}
	if class != 10 || method != 10 {
		return nil, fmt.Errorf("method %d.%d, not Connection.Start (10.10)", class, method)
	}
	cs := &connectionStart{}
	if cs.VersionMajor, err = p.u8(); err != nil {
		return nil, fmt.Errorf("version: %w", err)
	}
	if cs.VersionMinor, err = p.u8(); err != nil {
		return nil, fmt.Errorf("version: %w", err)
	}
	table, err := p.longBytes()
	if err != nil {
		return nil, fmt.Errorf("server-properties: %w", err)
	}
	props, err := decodeFieldTable(table, 0)
	if err != nil {
		return nil, fmt.Errorf("server-properties: %w", err)
	}
	for _, kv := range props {
		cs.Keys = append(cs.Keys, kv.key)
		s, ok := kv.val.(string)
		if !ok {
			continue
		}
		switch kv.key {
		case "product":
			cs.Product = s
		case "version":
			cs.Version = s
		case "platform":
			cs.Platform = s
		}
	}
	mech, err := p.longBytes()
	if err != nil {
		return nil, fmt.Errorf("mechanisms: %w", err)
	}
	cs.Mechanisms = string(mech)
	if _, err := p.longBytes(); err != nil {
		return nil, fmt.Errorf("locales: %w", err)
	}
	return cs, nil
}

type field struct {
	key string
	val any
}

const maxNesting = 8

// decodeFieldTable decodes an AMQP 0-9-1 field table body (as RabbitMQ encodes it). Only
// strings are kept as values; other values are skipped with their bounds checked.
func decodeFieldTable(b []byte, depth int) ([]field, error) {
	if depth > maxNesting {
		return nil, errors.New("tables nested too deep")
	}
	r := &amqpReader{b: b}
	var out []field
	for r.off < len(r.b) {
		n, err := r.u8()
		if err != nil {
			return nil, err
		}
		name, err := r.take(int(n))
		if err != nil {
			return nil, fmt.Errorf("field name: %w", err)
		}
		v, err := decodeFieldValue(r, depth)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", name, err)
		}
		out = append(out, field{string(name), v})
	}
	return out, nil
}

func decodeFieldValue(r *amqpReader, depth int) (any, error) {
	t, err := r.u8()
	if err != nil {
		return nil, err
	}
	fixed := map[byte]int{'t': 1, 'b': 1, 'B': 1, 's': 2, 'u': 2, 'I': 4, 'i': 4, 'l': 8, 'L': 8, 'f': 4, 'd': 8, 'D': 5, 'T': 8, 'V': 0}
	if n, ok := fixed[t]; ok {
		_, err := r.take(n)
		return nil, err
	}
	switch t {
	case 'S', 'x':
		v, err := r.longBytes()
		if err != nil {
			return nil, err
		}
		if t == 'S' {
			return string(v), nil
		}
		return nil, nil
	case 'F':
		v, err := r.longBytes()
		if err != nil {
			return nil, err
		}
		_, err = decodeFieldTable(v, depth+1)
		return nil, err
	case 'A':
		v, err := r.longBytes()
		if err != nil {
			return nil, err
		}
		if depth+1 > maxNesting {
			return nil, errors.New("arrays nested too deep")
		}
		ar := &amqpReader{b: v}
		for ar.off < len(ar.b) {
			if _, err := decodeFieldValue(ar, depth+1); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	return nil, fmt.Errorf("unknown field type %q", t)
}

// readAMQPStart reads the server's answer to the 0-9-1 header: a Connection.Start frame, or
// the protocol header of the version the server speaks (AMQP 1.0 brokers answer so).
func readAMQPStart(r io.Reader) (*connectionStart, []byte, error) {
	var head [7]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, nil, err
	}
	if bytes.HasPrefix(head[:], []byte("AMQP")) {
		var last [1]byte
		if _, err := io.ReadFull(r, last[:]); err != nil {
			return nil, nil, err
		}
		return nil, append(head[:], last[0]), nil
	}
	size := binary.BigEndian.Uint32(head[3:7])
	if head[0] != 1 || size > maxAMQPFrame {
		return nil, nil, errors.New("the answer is not an AMQP frame")
	}
	frame := make([]byte, 7+int(size)+1)
	copy(frame, head[:])
	if _, err := io.ReadFull(r, frame[7:]); err != nil {
		return nil, nil, err
	}
	cs, err := decodeConnectionStart(frame)
	return cs, nil, err
}
