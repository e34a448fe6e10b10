package brokerconf

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxTermDepth is the deepest nesting of lists, tuples and maps the Erlang terms parser accepts.
const MaxTermDepth = 64

// termKind is the kind of an Erlang term.
type termKind uint8

const (
	tAtom termKind = iota + 1
	tString
	tBinary
	tInt
	tFloat
	tList
	tTuple
	tMap
)

// term is one Erlang term as written: nothing is evaluated. Items holds a list's or a tuple's
// elements, or a map's keys and values alternately.
type term struct {
	kind  termKind
	s     string
	items []*term
	line  int
	end   int
}

func (t *term) isAtom(name string) bool { return t != nil && t.kind == tAtom && t.s == name }

// scalar returns the text of an atom, string, binary or number.
func (t *term) scalar() (string, bool) {
	switch t.kind {
	case tAtom, tString, tBinary, tInt, tFloat:
		return t.s, true
	}
	return "", false
}

// pair returns the key atom and value of a 2-tuple {key, value}.
func (t *term) pair() (string, *term, bool) {
	if t.kind != tTuple || len(t.items) != 2 || t.items[0].kind != tAtom {
		return "", nil, false
	}
	return t.items[0].s, t.items[1], true
}

// termParser reads Erlang terms from a file's bytes.
type termParser struct {
	data  []byte
	pos   int
	line  int
	file  string
	depth int
}

// parseErlangTerms parses the Erlang terms of a file (rabbitmq.config, advanced.config,
// enabled_plugins): each term ends with a `.`. Only data is read — lists, tuples, maps, atoms,
// strings, binaries, numbers and characters; funs, records, variables and operators are errors.
func parseErlangTerms(data []byte, file string, firstLine int) ([]*term, error) {
	if firstLine < 1 {
		firstLine = 1
	}
	if len(data) > MaxRabbitConfSize {
		return nil, &ParseError{File: file, Line: firstLine, Msg: fmt.Sprintf("file is larger than %d bytes", MaxRabbitConfSize)}
	}
	p := &termParser{data: data, line: firstLine, file: file}
	var out []*term
	for {
		p.skipSpace()
		if p.pos >= len(p.data) {
			break
		}
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '.' {
			return nil, p.errorf("expected `.` after the term")
		}
		p.pos++
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, &ParseError{File: file, Line: firstLine, Msg: "no Erlang term"}
	}
	return out, nil
}

func (p *termParser) errorf(format string, args ...any) *ParseError {
	return &ParseError{File: p.file, Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

func (p *termParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case '\n':
			p.line++
			p.pos++
		case ' ', '\t', '\r', '\f', '\v':
			p.pos++
		case '%':
			for p.pos < len(p.data) && p.data[p.pos] != '\n' {
				p.pos++
			}
		default:
			return
		}
	}
}

func (p *termParser) peek() byte {
	if p.pos < len(p.data) {
		return p.data[p.pos]
	}
	return 0
}

func (p *termParser) term() (*term, error) {
	p.skipSpace()
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end of file")
	}
	line := p.line
	c := p.data[p.pos]
	switch {
	case c == '[':
		return p.seq(tList, '[', ']', line)
	case c == '{':
		return p.seq(tTuple, '{', '}', line)
	case c == '#':
		if p.pos+1 < len(p.data) && p.data[p.pos+1] == '{' {
			p.pos++
			return p.seq(tMap, '{', '}', line)
		}
		return nil, p.errorf("records are not read")
	case c == '<':
		return p.binary(line)
	case c == '"':
		s, err := p.quoted('"')
		if err != nil {
			return nil, err
		}
		// Adjacent string literals are one string.
		for {
			save, saveLine := p.pos, p.line
			p.skipSpace()
			if p.peek() != '"' {
				p.pos, p.line = save, saveLine
				break
			}
			more, err := p.quoted('"')
			if err != nil {
				return nil, err
			}
			s += more
		}
		return &term{kind: tString, s: s, line: line, end: p.line}, nil
	case c == '\'':
		s, err := p.quoted('\'')
		if err != nil {
			return nil, err
		}
		return &term{kind: tAtom, s: s, line: line, end: p.line}, nil
	case c == '$':
		return p.char(line)
	case c == '-' || c == '+' || (c >= '0' && c <= '9'):
		return p.number(line)
	case c >= 'a' && c <= 'z':
		start := p.pos
		for p.pos < len(p.data) && isAtomChar(p.data[p.pos]) {
			p.pos++
		}
		name := string(p.data[start:p.pos])
		if name == "fun" {
			return nil, p.errorf("fun expressions are not read")
		}
		p.skipSpace()
		if c := p.peek(); c == '(' || c == ':' && (p.pos+1 >= len(p.data) || p.data[p.pos+1] != '=') {
			return nil, p.errorf("function calls are not read")
		}
		return &term{kind: tAtom, s: name, line: line, end: line}, nil
	case c >= 'A' && c <= 'Z' || c == '_':
		return nil, p.errorf("variables are not read")
	}
	return nil, p.errorf("unexpected character %q", printable(c))
}

func printable(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return string(c)
	}
	return fmt.Sprintf("\\x%02x", c)
}

func isAtomChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '@'
}

// seq reads a list, tuple or map. A list may end with `| Tail`.
func (p *termParser) seq(kind termKind, open, closing byte, line int) (*term, error) {
	if p.depth >= MaxTermDepth {
		return nil, p.errorf("terms nested deeper than %d", MaxTermDepth)
	}
	p.depth++
	defer func() { p.depth-- }()
	p.pos++ // open
	t := &term{kind: kind, line: line}
	p.skipSpace()
	if p.peek() == closing {
		p.pos++
		t.end = p.line
		return t, nil
	}
	for {
		el, err := p.term()
		if err != nil {
			return nil, err
		}
		t.items = append(t.items, el)
		p.skipSpace()
		if kind == tMap {
			if !strings.HasPrefix(string(p.data[p.pos:min(p.pos+2, len(p.data))]), "=>") &&
				!strings.HasPrefix(string(p.data[p.pos:min(p.pos+2, len(p.data))]), ":=") {
				return nil, p.errorf("expected `=>` in a map")
			}
			p.pos += 2
			v, err := p.term()
			if err != nil {
				return nil, err
			}
			t.items = append(t.items, v)
			p.skipSpace()
		}
		switch p.peek() {
		case ',':
			p.pos++
			continue
		case '|':
			if kind != tList {
				return nil, p.errorf("unexpected `|`")
			}
			p.pos++
			tail, err := p.term()
			if err != nil {
				return nil, err
			}
			t.items = append(t.items, tail)
			p.skipSpace()
			if p.peek() != closing {
				return nil, p.errorf("expected `%c`", closing)
			}
			p.pos++
			t.end = p.line
			return t, nil
		case closing:
			p.pos++
			t.end = p.line
			return t, nil
		case 0:
			return nil, p.errorf("unexpected end of file, expected `%c`", closing)
		default:
			return nil, p.errorf("expected `,` or `%c`", closing)
		}
	}
}

// binary reads <<"text">>, <<"text"/utf8>>, <<>> and <<1,2,3>>.
func (p *termParser) binary(line int) (*term, error) {
	if !strings.HasPrefix(string(p.data[p.pos:min(p.pos+2, len(p.data))]), "<<") {
		return nil, p.errorf("unexpected character %q", "<")
	}
	p.pos += 2
	var b strings.Builder
	for {
		p.skipSpace()
		switch c := p.peek(); {
		case c == '>':
			if !strings.HasPrefix(string(p.data[p.pos:min(p.pos+2, len(p.data))]), ">>") {
				return nil, p.errorf("expected `>>`")
			}
			p.pos += 2
			return &term{kind: tBinary, s: b.String(), line: line, end: p.line}, nil
		case c == '"':
			s, err := p.quoted('"')
			if err != nil {
				return nil, err
			}
			b.WriteString(s)
		case c >= '0' && c <= '9':
			n, err := p.number(p.line)
			if err != nil {
				return nil, err
			}
			if v, err := strconv.Atoi(n.s); err == nil && v >= 0 && v < 256 {
				b.WriteByte(byte(v))
			}
		case c == 0:
			return nil, p.errorf("unexpected end of file in a binary")
		default:
			return nil, p.errorf("unexpected character %q in a binary", printable(c))
		}
		p.skipSpace()
		if p.peek() == '/' {
			p.pos++
			for p.pos < len(p.data) && (isAtomChar(p.data[p.pos]) || p.data[p.pos] == '-') {
				p.pos++
			}
			p.skipSpace()
		}
		if p.peek() == ',' {
			p.pos++
		}
	}
}

// quoted reads a string or quoted atom with Erlang escapes.
func (p *termParser) quoted(q byte) (string, error) {
	startLine := p.line
	p.pos++
	var b strings.Builder
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch c {
		case q:
			p.pos++
			return b.String(), nil
		case '\n':
			p.line++
			b.WriteByte(c)
			p.pos++
		case '\\':
			p.pos++
			if p.pos >= len(p.data) {
				break
			}
			e := p.data[p.pos]
			p.pos++
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 's':
				b.WriteByte(' ')
			case 'e':
				b.WriteByte(0x1b)
			case '\n':
				p.line++
				b.WriteByte('\n')
			default:
				b.WriteByte(e)
			}
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	return "", &ParseError{File: p.file, Line: startLine, Msg: "unterminated quoted text"}
}

func (p *termParser) char(line int) (*term, error) {
	p.pos++
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end of file")
	}
	c := p.data[p.pos]
	p.pos++
	if c == '\\' && p.pos < len(p.data) {
		c = p.data[p.pos]
		p.pos++
	}
	if c == '\n' {
		p.line++
	}
	return &term{kind: tInt, s: strconv.Itoa(int(c)), line: line, end: p.line}, nil
}

func (p *termParser) number(line int) (*term, error) {
	start := p.pos
	if c := p.peek(); c == '-' || c == '+' {
		p.pos++
	}
	digits := func() int {
		s := p.pos
		for p.pos < len(p.data) && (p.data[p.pos] >= '0' && p.data[p.pos] <= '9' || p.data[p.pos] == '_') {
			p.pos++
		}
		return p.pos - s
	}
	if digits() == 0 {
		return nil, p.errorf("expected a number")
	}
	kind := tInt
	if p.peek() == '#' { // base#digits
		p.pos++
		s := p.pos
		for p.pos < len(p.data) && isAtomChar(p.data[p.pos]) {
			p.pos++
		}
		if p.pos == s {
			return nil, p.errorf("expected digits after `#`")
		}
		return &term{kind: tInt, s: string(p.data[start:p.pos]), line: line, end: line}, nil
	}
	if p.peek() == '.' && p.pos+1 < len(p.data) && p.data[p.pos+1] >= '0' && p.data[p.pos+1] <= '9' {
		p.pos++
		digits()
		kind = tFloat
		if c := p.peek(); c == 'e' || c == 'E' {
			p.pos++
			if c := p.peek(); c == '-' || c == '+' {
				p.pos++
			}
			if digits() == 0 {
				return nil, p.errorf("expected an exponent")
			}
		}
	}
	if p.pos < len(p.data) && isAtomChar(p.data[p.pos]) {
		return nil, p.errorf("unexpected character after a number")
	}
	return &term{kind: kind, s: strings.TrimPrefix(string(p.data[start:p.pos]), "+"), line: line, end: line}, nil
}
