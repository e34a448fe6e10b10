// Package hclscan finds the top-level blocks of a native-syntax Terraform
// (.tf) file without parsing it.
//
// Parsing every file of a large monorepo with hclsyntax is slow, and most of
// its blocks are irrelevant to a message broker. Blocks scans the bytes once,
// tracking only what can hide a brace (comments, quoted strings, template
// sequences and heredocs), and returns the byte range of each top-level
// block. The caller then parses only the blocks it needs.
//
// The scanner is deliberately strict: whenever the file contains anything it
// is not certain to understand exactly as hclsyntax does, it reports ok=false
// and the caller parses the whole file instead.
//
// When ok is true, each block slice parses on its own to the same syntax tree
// (same ranges) as in a parse of the whole file, provided it is parsed with
// the position of its first byte:
//
//	hclsyntax.ParseConfig(src[b.Start:b.End], filename,
//		hcl.Pos{Line: b.Line, Column: b.Column, Byte: b.Start})
//
// The scanner does not validate expressions: a file with a syntax error
// inside a block may scan ok, and the error is then reported by the parse of
// that block. Everything between the blocks (whitespace and comments) is
// valid by construction.
package hclscan

import (
	"bytes"
	"unicode/utf8"
)

// Block is one top-level block of a file.
type Block struct {
	Type   string   // "resource", "data", "variable", "locals", "module", "provider", "output", "terraform", ...
	Labels []string // unquoted labels, e.g. ["aws_mq_broker", "main"]
	// Start is the offset of the first byte of the block type keyword and
	// End the offset just past the closing '}'.
	Start, End int
	Line       int // 1-based line of Start
	// Column is the 1-based column of Start as hclsyntax counts it. Only
	// spaces and tabs may precede a block on its line, so it is
	// 1 + the number of bytes between the line start (after a UTF-8 BOM on
	// the first line) and Start.
	Column int
}

// maxDepth bounds the nesting of strings, template sequences and heredocs.
// Deeper input is reported as not ok rather than risking the stack.
const maxDepth = 64

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Blocks returns the top-level blocks of a native-syntax .tf file, in source
// order. ok is false whenever the scanner is not certain (unterminated
// strings, heredocs or comments, unbalanced braces, top-level attributes,
// labels that are not plain quoted strings or identifiers, anything other than
// spaces or tabs before a block on its line, NUL bytes, invalid UTF-8, a
// carriage return not followed by a line feed ...): the caller must then parse
// the whole file with hclsyntax. Blocks never panics.
func Blocks(src []byte) (blocks []Block, ok bool) {
	if !utf8.Valid(src) || bytes.IndexByte(src, 0) >= 0 || !crlfOnly(src) {
		return nil, false
	}
	s := scanner{src: src}
	i := 0
	if bytes.HasPrefix(src, utf8BOM) {
		i = len(utf8BOM)
	}
	lineStart := i // offset of the first byte of the current line
	line, counted := 1, 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '\n':
			i++
			lineStart = i
		case c == '#' || (c == '/' && at(src, i+1) == '/'):
			i = s.lineComment(i)
			lineStart = i
		case c == '/' && at(src, i+1) == '*':
			end := s.blockComment(i)
			if end < 0 {
				return nil, false
			}
			i = end
		case isIdentStart(c):
			if !onlyBlanks(src[lineStart:i]) {
				return nil, false
			}
			b, end := s.block(i)
			if end < 0 {
				return nil, false
			}
			line += bytes.Count(src[counted:i], []byte{'\n'})
			counted = i
			b.Line = line
			b.Column = i - lineStart + 1
			blocks = append(blocks, b)
			i = end
			// The block ends with a newline, a line comment or the end of
			// the file; all three start a new line (or end the input).
			lineStart = i
		default:
			return nil, false
		}
	}
	return blocks, true
}

// crlfOnly reports whether every carriage return is followed by a line feed.
func crlfOnly(src []byte) bool {
	for {
		k := bytes.IndexByte(src, '\r')
		if k < 0 {
			return true
		}
		if at(src, k+1) != '\n' {
			return false
		}
		src = src[k+2:]
	}
}

func onlyBlanks(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// at returns src[i], or 0 past the end (NUL never occurs in accepted input).
func at(src []byte, i int) byte {
	if i < len(src) {
		return src[i]
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isIdentCont(c byte) bool {
	return isIdentStart(c) || ('0' <= c && c <= '9') || c == '-'
}

// Bytes that need a decision in each mode; runs of other bytes are skipped
// with a table lookup.
var (
	exprSpecial    = byteSet("{}\"#/<")
	quotedSpecial  = byteSet("\"\n\r\\$%")
	heredocSpecial = byteSet("\n$%")
)

func byteSet(chars string) (set [256]bool) {
	for _, c := range []byte(chars) {
		set[c] = true
	}
	return set
}

type scanner struct {
	src   []byte
	depth int
}

// ident returns the end of the ASCII identifier starting at i, or -1 when it
// continues with a non-ASCII byte (a Unicode identifier the scanner does not
// classify).
func (s *scanner) ident(i int) int {
	for i < len(s.src) && isIdentCont(s.src[i]) {
		i++
	}
	if i < len(s.src) && s.src[i] >= utf8.RuneSelf {
		return -1
	}
	return i
}

// block scans a top-level block starting at its type keyword and returns it
// with the offset just past the newline or line comment that follows it, or
// end -1 when the scanner is not certain.
func (s *scanner) block(i int) (b Block, end int) {
	src := s.src
	b.Start = i
	j := s.ident(i)
	if j < 0 {
		return b, -1
	}
	b.Type = string(src[i:j])
	i = j
	for {
		i = skipBlanks(src, i)
		c := at(src, i)
		switch {
		case c == '{':
			j := s.expr(i + 1)
			if j < 0 {
				return b, -1
			}
			b.End = j
			return b, s.blockTail(j)
		case c == '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				switch src[j] {
				case '\\', '\n', '\r':
					return b, -1
				case '$', '%':
					if at(src, j+1) == '{' {
						return b, -1
					}
				}
				j++
			}
			if j >= len(src) {
				return b, -1
			}
			b.Labels = append(b.Labels, string(src[i+1:j]))
			i = j + 1
		case isIdentStart(c):
			j := s.ident(i)
			if j < 0 {
				return b, -1
			}
			b.Labels = append(b.Labels, string(src[i:j]))
			i = j
		default:
			return b, -1
		}
	}
}

// blockTail checks what follows a block's closing brace at i: blanks, then a
// newline, a line comment or the end of the input. It returns the offset just
// past that, or -1.
func (s *scanner) blockTail(i int) int {
	src := s.src
	i = skipBlanks(src, i)
	switch c := at(src, i); {
	case i >= len(src):
		return i
	case c == '\n':
		return i + 1
	case c == '\r': // always followed by '\n' (checked up front)
		return i + 2
	case c == '#' || (c == '/' && at(src, i+1) == '/'):
		return s.lineComment(i)
	}
	return -1
}

func skipBlanks(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	return i
}

// lineComment returns the offset just past the newline ending the line
// comment that starts at i (or the end of the input).
func (s *scanner) lineComment(i int) int {
	k := bytes.IndexByte(s.src[i:], '\n')
	if k < 0 {
		return len(s.src)
	}
	return i + k + 1
}

// blockComment returns the offset just past the "*/" closing the comment
// starting at i, or -1 when it is unterminated (hclsyntax then lexes "/" and
// "*" as operators, which the scanner does not follow).
func (s *scanner) blockComment(i int) int {
	k := bytes.Index(s.src[i+2:], []byte("*/"))
	if k < 0 {
		return -1
	}
	return i + 2 + k + 2
}

// expr scans expression tokens from i up to the '}' that closes the
// enclosing brace (a block body or a template sequence) and returns the
// offset just past it, or -1.
func (s *scanner) expr(i int) int {
	s.depth++
	defer func() { s.depth-- }()
	if s.depth > maxDepth {
		return -1
	}
	src := s.src
	braces := 0
	for i < len(src) {
		if !exprSpecial[src[i]] {
			i++
			continue
		}
		switch src[i] {
		case '{':
			braces++
			i++
		case '}':
			if braces == 0 {
				return i + 1
			}
			braces--
			i++
		case '"':
			i = s.quoted(i + 1)
		case '#':
			i = s.lineComment(i)
		case '/':
			switch at(src, i+1) {
			case '/':
				i = s.lineComment(i)
			case '*':
				i = s.blockComment(i)
			default:
				i++
			}
		case '<':
			if at(src, i+1) == '<' {
				i = s.heredoc(i)
			} else {
				i++
			}
		default:
			i++
		}
		if i < 0 {
			return -1
		}
	}
	return -1
}

// quoted scans a quoted template whose first content byte is at i and
// returns the offset just past the closing quote, or -1.
func (s *scanner) quoted(i int) int {
	src := s.src
	for i < len(src) {
		if !quotedSpecial[src[i]] {
			i++
			continue
		}
		switch src[i] {
		case '"':
			return i + 1
		case '\n', '\r':
			return -1
		case '\\':
			if c := at(src, i+1); c == '\n' || c == '\r' || i+1 >= len(src) {
				return -1
			}
			i += 2
		case '$', '%':
			i = s.templateMark(i)
		default:
			i++
		}
		if i < 0 {
			return -1
		}
	}
	return -1
}

// templateMark handles a '$' or '%' at i inside a template: "${" and "%{"
// open a template sequence (scanned to its end), "$${" and "%%{" are escapes,
// anything else is a literal character. It returns the offset to continue
// from, or -1.
func (s *scanner) templateMark(i int) int {
	src := s.src
	c := src[i]
	switch {
	case at(src, i+1) == '{':
		return s.expr(i + 2)
	case at(src, i+1) == c && at(src, i+2) == '{':
		return i + 3
	}
	return i + 1
}

// heredoc scans the heredoc whose "<<" is at i and returns the offset of the
// newline that ends its closing marker line, or -1.
func (s *scanner) heredoc(i int) int {
	src := s.src
	j := i + 2
	if at(src, j) == '-' {
		j++
	}
	if !isIdentStart(at(src, j)) {
		return -1
	}
	k := s.ident(j)
	if k < 0 {
		return -1
	}
	marker := src[j:k]
	switch {
	case at(src, k) == '\n':
		k++
	case at(src, k) == '\r' && at(src, k+1) == '\n':
		k += 2
	default:
		return -1
	}
	s.depth++
	defer func() { s.depth-- }()
	if s.depth > maxDepth {
		return -1
	}
	// k is at the start of a line in literal mode.
	startOfLine := true
	for k < len(src) {
		if startOfLine {
			nl := bytes.IndexByte(src[k:], '\n')
			if nl < 0 {
				return -1 // the marker line must end with a newline
			}
			if bytes.Equal(bytes.TrimSpace(src[k:k+nl]), marker) {
				if nl > 0 && src[k+nl-1] == '\r' {
					return k + nl - 1
				}
				return k + nl
			}
		}
		if !heredocSpecial[src[k]] {
			startOfLine = false
			k++
			continue
		}
		switch src[k] {
		case '\n':
			startOfLine = true
			k++
		case '$', '%':
			startOfLine = false
			k = s.templateMark(k)
			if k < 0 {
				return -1
			}
		default:
			startOfLine = false
			k++
		}
	}
	return -1
}
