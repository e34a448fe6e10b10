package probe

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"unicode/utf8"
)

// maxWireFormatInfo bounds the WireFormatInfo frame the probe reads (ActiveMQ's is about
// 300 bytes).
const maxWireFormatInfo = 64 << 10

// wireFormatInfo is what the probe keeps of an OpenWire WireFormatInfo command.
type wireFormatInfo struct {
	Version int32
	// Props are the marshalled properties with string, number and boolean values, as text.
	Props map[string]string
}

// OpenWire MarshallingSupport primitive types.
const (
	owNull      = 0
	owBool      = 1
	owByte      = 2
	owChar      = 3
	owShort     = 4
	owInt       = 5
	owLong      = 6
	owDouble    = 7
	owFloat     = 8
	owString    = 9
	owBytes     = 10
	owMap       = 11
	owList      = 12
	owBigString = 13
)

// readWireFormatInfo reads the frame an OpenWire broker sends first: a size-prefixed
// loose-encoded command.
func readWireFormatInfo(r io.Reader) (*wireFormatInfo, error) {
	var sz [4]byte
	if _, err := io.ReadFull(r, sz[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(sz[:])
	if n > maxWireFormatInfo {
		return nil, fmt.Errorf("the answer is not an OpenWire frame (size %d)", n)
	}
	frame := make([]byte, 4+int(n))
	copy(frame, sz[:])
	if _, err := io.ReadFull(r, frame[4:]); err != nil {
		return nil, err
	}
	return decodeWireFormatInfo(frame)
}

// decodeWireFormatInfo decodes a size-prefixed WireFormatInfo frame: int32 size, type 1,
// the 8-byte magic "ActiveMQ", int32 version, then a boolean saying whether marshalled
// properties follow and, if so, an int32 length and the properties as a primitive map
// (int32 count, then per entry a modified-UTF-8 key with a 16-bit length and a typed value).
func decodeWireFormatInfo(frame []byte) (*wireFormatInfo, error) {
	r := &amqpReader{b: frame}
	size, err := r.u32()
	if err != nil {
		return nil, fmt.Errorf("frame size: %w", err)
	}
	if int64(size) != int64(len(frame)-4) {
		return nil, fmt.Errorf("frame size %d does not match its %d bytes", size, len(frame)-4)
	}
	typ, err := r.u8()
	if err != nil {
		return nil, err
	}
	if typ != 1 {
		return nil, fmt.Errorf("command type %d, not WireFormatInfo (1)", typ)
	}
	magic, err := r.take(8)
	if err != nil {
		return nil, fmt.Errorf("magic: %w", err)
	}
	if string(magic) != "ActiveMQ" {
		return nil, errors.New(`no "ActiveMQ" magic`)
	}
	v, err := r.u32()
	if err != nil {
		return nil, fmt.Errorf("version: %w", err)
	}
	info := &wireFormatInfo{Version: int32(v), Props: map[string]string{}}
	present, err := r.u8()
	if err != nil {
		return nil, fmt.Errorf("properties flag: %w", err)
	}
	if present == 0 {
		return info, nil
	}
	body, err := r.longBytes()
	if err != nil {
		return nil, fmt.Errorf("properties: %w", err)
	}
	if err := decodePrimitiveMap(&amqpReader{b: body}, 0, info.Props); err != nil {
		return nil, fmt.Errorf("properties: %w", err)
	}
	return info, nil
}

// decodePrimitiveMap decodes a MarshallingSupport primitive map; top-level scalar values go
// into out (nil for nested maps, whose values are checked and dropped).
func decodePrimitiveMap(r *amqpReader, depth int, out map[string]string) error {
	if depth > maxNesting {
		return errors.New("maps nested too deep")
	}
	c, err := r.u32()
	if err != nil {
		return err
	}
	count := int32(c)
	if count < 0 {
		return nil // a null map
	}
	// Each entry takes at least 3 bytes: a bound on count before looping.
	if int64(count)*3 > int64(len(r.b)-r.off) {
		return fmt.Errorf("%d entries do not fit in %d bytes", count, len(r.b)-r.off)
	}
	for range count {
		key, err := readUTF(r)
		if err != nil {
			return fmt.Errorf("key: %w", err)
		}
		v, err := decodePrimitive(r, depth)
		if err != nil {
			return fmt.Errorf("value of %q: %w", key, err)
		}
		if out != nil && v != nil {
			out[key] = *v
		}
	}
	return nil
}

func readUTF(r *amqpReader) (string, error) {
	n, err := r.u16()
	if err != nil {
		return "", err
	}
	b, err := r.take(int(n))
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		// Modified UTF-8 of non-BMP characters or NUL; keep it readable.
		return string([]rune(string(b))), nil
	}
	return string(b), nil
}

func decodePrimitive(r *amqpReader, depth int) (*string, error) {
	t, err := r.u8()
	if err != nil {
		return nil, err
	}
	str := func(s string) (*string, error) { return &s, nil }
	switch t {
	case owNull:
		return nil, nil
	case owBool:
		b, err := r.u8()
		if err != nil {
			return nil, err
		}
		if b != 0 {
			return str("true")
		}
		return str("false")
	case owByte:
		b, err := r.u8()
		if err != nil {
			return nil, err
		}
		return str(fmt.Sprint(int8(b)))
	case owChar, owShort:
		v, err := r.u16()
		if err != nil {
			return nil, err
		}
		if t == owChar {
			return str(string(rune(v)))
		}
		return str(fmt.Sprint(int16(v)))
	case owInt:
		v, err := r.u32()
		if err != nil {
			return nil, err
		}
		return str(fmt.Sprint(int32(v)))
	case owFloat:
		v, err := r.u32()
		if err != nil {
			return nil, err
		}
		return str(fmt.Sprint(math.Float32frombits(v)))
	case owLong, owDouble:
		b, err := r.take(8)
		if err != nil {
			return nil, err
		}
		u := binary.BigEndian.Uint64(b)
		if t == owLong {
			return str(fmt.Sprint(int64(u)))
		}
		return str(fmt.Sprint(math.Float64frombits(u)))
	case owString:
		s, err := readUTF(r)
		if err != nil {
			return nil, err
		}
		return str(s)
	case owBigString:
		b, err := r.longBytes()
		if err != nil {
			return nil, err
		}
		return str(string(b))
	case owBytes:
		_, err := r.longBytes()
		return nil, err
	case owMap:
		return nil, decodePrimitiveMap(r, depth+1, nil)
	case owList:
		if depth+1 > maxNesting {
			return nil, errors.New("lists nested too deep")
		}
		c, err := r.u32()
		if err != nil {
			return nil, err
		}
		if int64(int32(c)) < 0 || int64(c) > int64(len(r.b)-r.off) {
			return nil, fmt.Errorf("list of %d entries does not fit", int32(c))
		}
		for range int(c) {
			if _, err := decodePrimitive(r, depth+1); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	return nil, fmt.Errorf("unknown primitive type %d", t)
}
