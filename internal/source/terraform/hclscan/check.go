package hclscan

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Check is the guard every Terraform source passes before a parser sees it. hclsyntax and the
// HCL JSON parser recurse once per level of nesting with no limit, and Go's stack overflow is
// fatal: a file of 100,000 nested brackets must be refused before it is parsed. And a binary
// file gets one error, where hclsyntax reports one per byte.
//
// The nesting Check measures bounds the parsers' recursion from above: every open bracket,
// brace, parenthesis, quoted string, heredoc and template sequence is a level, and so is every
// operator and nested opening in one operand chain (hclsyntax recurses on unary operators and
// conditionals, and evaluation on the left-deep trees of binary operators and index chains).
// Comments, strings and heredocs are followed as hclsyntax reads them, so that brackets in them
// are not counted; wherever the scanner is unsure it counts more, never less.

// Syntax is the syntax a source is written in.
type Syntax uint8

// Syntaxes.
const (
	Native   Syntax = iota // .tf and .tfvars files
	JSON                   // .tf.json and .tfvars.json files (strings are templates)
	Template               // templatefile templates
)

// MaxNesting is the deepest nesting Check accepts. No real configuration comes near it; the
// parsers' stack stays in megabytes below it.
const MaxNesting = 1000

// Problem is why a source is not parsed, with the 1-based line it names.
type Problem struct {
	Line int
	Msg  string
}

func (p *Problem) Error() string { return fmt.Sprintf("line %d: %s", p.Line, p.Msg) }

// Check returns why src must not be parsed as syn, or nil: it is UTF-16 or not text (a NUL byte,
// or invalid UTF-8 where hclsyntax reads it: comments may hold any byte), or nested deeper than
// MaxNesting.
func Check(src []byte, syn Syntax) *Problem {
	return check(src, syn, MaxNesting)
}

func check(src []byte, syn Syntax, limit int) *Problem {
	if bytes.HasPrefix(src, []byte{0xFF, 0xFE}) || bytes.HasPrefix(src, []byte{0xFE, 0xFF}) {
		return &Problem{Line: 1, Msg: "UTF-16 text; Terraform reads UTF-8 only"}
	}
	text := utf8.Valid(src) && bytes.IndexByte(src, 0) < 0
	if syn == JSON {
		if !text {
			return textProblem(src)
		}
		return jsonNesting(src, 0, limit)
	}
	s := &nesting{src: src, limit: limit, line: 1, codeTab: &codeSpecial, templateTab: &templateSpecial}
	if !text {
		s.codeTab, s.templateTab = &codeOrText, &templateOrText
	}
	return s.run(syn == Template)
}

// textProblem describes the first NUL byte or invalid UTF-8 sequence of src.
func textProblem(src []byte) *Problem {
	line := 1
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if p := textRune(r, size, line); p != nil {
			return p
		}
		if r == '\n' {
			line++
		}
		i += size
	}
	return nil
}

func tooDeep(line, limit int) *Problem {
	return &Problem{Line: line, Msg: fmt.Sprintf("nested more than %d levels deep", limit)}
}

// jsonNesting measures a JSON document: arrays and objects, and the templates of its strings,
// each counted from the depth of its string. base is the depth of the document itself.
func jsonNesting(src []byte, base, limit int) *Problem {
	depth := base
	var stack []byte
	line := 1
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '\n':
			line++
		case '{', '[':
			stack = append(stack, c)
			depth++
			if depth > limit {
				return tooDeep(line, limit)
			}
		case '}', ']':
			if n := len(stack); n > 0 && stack[n-1] == c-2 { // '{'+2 == '}', '['+2 == ']'
				stack = stack[:n-1]
				depth--
			}
		case '"':
			start, startLine, escaped := i, line, false
			for i++; i < len(src) && src[i] != '"'; i++ {
				switch src[i] {
				case '\\':
					escaped = true
					i++
				case '\n':
					line++
				}
			}
			str := src[start+1 : min(i, len(src))]
			if escaped {
				// An escape may spell "${" (\u0024{): the parser sees the decoded string.
				str = unescape(str)
			}
			if bytes.Contains(str, []byte("${")) || bytes.Contains(str, []byte("%{")) {
				s := &nesting{src: str, limit: limit, line: startLine, depth: depth, codeTab: &codeSpecial, templateTab: &templateSpecial}
				if p := s.run(true); p != nil {
					return tooDeep(startLine, limit)
				}
			}
		}
	}
	return nil
}

// unescape decodes the escapes of a JSON string's content, leniently: what is no valid escape
// is kept as it is (the parser reports it), so that no "${" is missed.
func unescape(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out = append(out, b[i])
			continue
		}
		switch c := b[i+1]; c {
		case '"', '\\', '/':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, err := strconv.ParseUint(string(b[i+2:min(i+6, len(b))]), 16, 32)
			if err != nil || i+6 > len(b) {
				out = append(out, b[i], c)
				i++
				continue
			}
			out = utf8.AppendRune(out, rune(r))
			i += 4
		default:
			out = append(out, b[i], c)
		}
		i++
	}
	return out
}

// Frame kinds of the native scanner, which follows hclsyntax's scanner (scan_tokens.rl): the
// mode it is in (code or template text) is always the one hclsyntax's scanner is in, so the
// parser never sees a bracket the scanner skipped.
const (
	fTop      = iota // the file's body
	fBrace           // { }: a block body or an object
	fParen           // ( )
	fBrack           // [ ]
	fInterp          // ${ } or %{ }: an expression inside a template
	fQuote           // "...": a template
	fHeredoc         // <<EOF ... EOF: a template
	fTemplate        // a whole templatefile
)

type frame struct {
	kind uint8
	// ops counts the operators and nested openings of the current operand chain; it restarts
	// after a comma, and after a newline where newlines end expressions (bodies, objects).
	ops int
	// dirs counts the template directives (%{if}, %{for}) open in a template frame.
	dirs int
	// keepOps: newlines do not end expressions in this brace (a for expression: {for ...}).
	keepOps bool
	marker  []byte // heredoc marker
}

type nesting struct {
	src   []byte
	limit int
	// codeTab and templateTab are the bytes each mode acts on: text bytes too when the text
	// must be checked.
	codeTab, templateTab *[256]bool
	line                 int
	depth                int // sum over the stack of 1 + ops + dirs
	stack                []frame
	// afterOp is true in code where an operand starts (after an operator, an opening, a
	// comma or a newline), false right after one.
	afterOp bool
}

func (s *nesting) top() *frame { return &s.stack[len(s.stack)-1] }

func (s *nesting) push(f frame) *Problem {
	s.stack = append(s.stack, f)
	return s.grow()
}

func (s *nesting) pop() {
	f := s.top()
	s.depth -= 1 + f.ops + f.dirs
	s.stack = s.stack[:len(s.stack)-1]
}

// op counts an operator, or an opening that extends an operand, in the current frame.
func (s *nesting) op() *Problem {
	s.top().ops++
	return s.grow()
}

func (s *nesting) grow() *Problem {
	s.depth++
	if s.depth > s.limit {
		return tooDeep(s.line, s.limit)
	}
	return nil
}

func (s *nesting) restart() {
	f := s.top()
	s.depth -= f.ops
	f.ops = 0
}

// The bytes each mode acts on; others are skipped by a table lookup. Text bytes (NUL and
// non-ASCII) are acted on too when the text must be checked (it is not valid UTF-8 throughout).
var (
	codeSpecial     = byteSet("\n,:#/\"<{}()[]!-+*%&|>?=")
	templateSpecial = byteSet("\n\"\\$%")
	codeOrText      = withText(codeSpecial)
	templateOrText  = withText(templateSpecial)
)

func withText(set [256]bool) [256]bool {
	set[0] = true
	for c := utf8.RuneSelf; c < 256; c++ {
		set[c] = true
	}
	return set
}

func (s *nesting) run(template bool) *Problem {
	kind := uint8(fTop)
	if template {
		kind = fTemplate
	}
	if p := s.push(frame{kind: kind}); p != nil {
		return p
	}
	s.afterOp = true
	i := 0
	startOfLine := true // i is at the start of a line (for heredocs)
	for i < len(s.src) {
		var p *Problem
		switch s.top().kind {
		case fQuote, fHeredoc, fTemplate:
			i, startOfLine, p = s.template(i, startOfLine)
		default:
			n := len(s.stack)
			i, p = s.code(i)
			// A heredoc starts on the line after its introduction; back from a template
			// sequence, a heredoc is in the middle of a line.
			startOfLine = len(s.stack) > n && s.top().kind == fHeredoc
		}
		if p != nil {
			return p
		}
	}
	return nil
}

// code scans code from i up to the next change of frame, returning where to go on.
func (s *nesting) code(i int) (int, *Problem) {
	src := s.src
	for i < len(src) {
		c := src[i]
		if !s.codeTab[c] {
			if c != ' ' && c != '\t' && c != '\r' {
				s.afterOp = false // part of an operand: a name, a number, a traversal
			}
			i++
			continue
		}
		switch c {
		case '\n':
			s.line++
			if f := s.top(); (f.kind == fTop || f.kind == fBrace) && !f.keepOps {
				s.restart()
			}
			s.afterOp = true
			i++
		case ',':
			s.restart()
			s.afterOp = true
			i++
		case ':':
			s.afterOp = true
			i++
		case '#':
			i = s.lineComment(i)
		case '/':
			switch at(src, i+1) {
			case '/':
				i = s.lineComment(i)
				continue
			case '*':
				if k := bytes.Index(src[i+2:], []byte("*/")); k >= 0 {
					end := i + 2 + k + 2
					s.line += bytes.Count(src[i:end], []byte{'\n'})
					i = end
					continue
				}
				// Unterminated: hclsyntax reads the operators "/" and "*".
			}
			s.afterOp = true
			if p := s.op(); p != nil {
				return i, p
			}
			i++
		case '"':
			return i + 1, s.push(frame{kind: fQuote})
		case '<':
			marker, end, p := s.heredocIntro(i)
			if p != nil {
				return i, p
			}
			if marker != nil {
				s.line++
				return end, s.push(frame{kind: fHeredoc, marker: marker})
			}
			s.afterOp = true
			if p := s.op(); p != nil {
				return i, p
			}
			i++
		case '{', '(', '[':
			// Opened right after an operand, it extends the operand's chain (an index, a
			// call, a block body); elsewhere it starts an operand of its own.
			if !s.afterOp {
				if p := s.op(); p != nil {
					return i, p
				}
			}
			s.afterOp = true
			f := frame{kind: fBrace}
			switch c {
			case '(':
				f.kind = fParen
			case '[':
				f.kind = fBrack
			default:
				f.keepOps = s.forExpr(i + 1)
			}
			return i + 1, s.push(f)
		case '}':
			// As hclsyntax's scanner: "}" closes the innermost brace or template sequence,
			// and any parenthesis or bracket left open inside it.
			s.afterOp = false
			for n := len(s.stack) - 1; n >= 0; n-- {
				k := s.stack[n].kind
				if k == fBrace || k == fInterp {
					for len(s.stack) > n {
						s.pop()
					}
					return i + 1, nil
				}
				if k != fParen && k != fBrack {
					break // none open in this template or at the top: the parser's error
				}
			}
			i++
		case ')', ']':
			// A closer that does not match is the parser's error; the depth stays (it can
			// only be counted too high).
			s.afterOp = false
			if k := s.top().kind; (c == ')' && k == fParen) || (c == ']' && k == fBrack) {
				s.pop()
				return i + 1, nil
			}
			i++
		case '=':
			s.afterOp = true
			if at(src, i+1) == '=' {
				if p := s.op(); p != nil {
					return i, p
				}
				i++
			}
			i++
		case '!', '-', '+', '*', '%', '&', '|', '>', '?':
			s.afterOp = true
			if p := s.op(); p != nil {
				return i, p
			}
			i++
		default: // a text byte, checked where hclsyntax reads it (comments may hold anything)
			r, size := utf8.DecodeRune(src[i:])
			if p := textRune(r, size, s.line); p != nil {
				return i, p
			}
			s.afterOp = false
			i += size
		}
	}
	return i, nil
}

// textRune describes a decoded rune that is no text (NUL, invalid UTF-8), or returns nil.
func textRune(r rune, size, line int) *Problem {
	switch {
	case r == 0:
		return &Problem{Line: line, Msg: "not a text file (NUL byte)"}
	case r == utf8.RuneError && size <= 1:
		return &Problem{Line: line, Msg: "not UTF-8 text (invalid byte)"}
	}
	return nil
}

// lineComment returns the end of the line comment starting at i: its newline, which the caller
// then reads as the end of a line.
func (s *nesting) lineComment(i int) int {
	if k := bytes.IndexByte(s.src[i:], '\n'); k >= 0 {
		return i + k
	}
	return len(s.src)
}

// forExpr reports whether the brace just before i may open a for expression, inside which
// newlines do not end the expression. Anything but the keyword is skipped: thinking so wrongly
// only counts more.
func (s *nesting) forExpr(i int) bool {
	src := s.src
	for i < len(src) {
		switch c := src[i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '#' || (c == '/' && at(src, i+1) == '/'):
			i = s.lineComment(i)
		case c == '/' && at(src, i+1) == '*':
			k := bytes.Index(src[i+2:], []byte("*/"))
			if k < 0 {
				return false
			}
			i += 2 + k + 2
		default:
			return bytes.HasPrefix(src[i:], []byte("for")) && !isIdentCont(at(src, i+3))
		}
	}
	return false
}

// heredocIntro recognises "<<MARKER" or "<<-MARKER" and its newline at i, as hclsyntax does:
// end is just past the newline, marker nil when it is no heredoc. A marker with non-ASCII
// letters is refused: hclsyntax reads Unicode identifiers by tables this scanner does not
// share, and mistaking a heredoc for code (or code for one) would let brackets through uncounted.
func (s *nesting) heredocIntro(i int) (marker []byte, end int, p *Problem) {
	src := s.src
	if at(src, i+1) != '<' {
		return nil, 0, nil
	}
	j := i + 2
	if at(src, j) == '-' {
		j++
	}
	k := j
	for k < len(src) && (isIdentCont(src[k]) || src[k] >= utf8.RuneSelf) {
		if src[k] >= utf8.RuneSelf {
			return nil, 0, &Problem{Line: s.line, Msg: "heredoc marker with non-ASCII characters"}
		}
		k++
	}
	if k == j || !isIdentStart(src[j]) {
		return nil, 0, nil
	}
	switch {
	case at(src, k) == '\n':
		return src[j:k], k + 1, nil
	case at(src, k) == '\r' && at(src, k+1) == '\n':
		return src[j:k], k + 2, nil
	}
	return nil, 0, nil
}

// template scans template text (a quoted string, a heredoc, a templatefile) from i.
func (s *nesting) template(i int, startOfLine bool) (int, bool, *Problem) {
	src := s.src
	f := s.top()
	for i < len(src) {
		if startOfLine && f.kind == fHeredoc {
			// The closing marker: a line that is the marker, spaces aside.
			lineEnd := len(src)
			if nl := bytes.IndexByte(src[i:], '\n'); nl >= 0 {
				lineEnd = i + nl
			}
			if bytes.Equal(bytes.TrimSpace(src[i:lineEnd]), f.marker) {
				s.pop()
				s.afterOp = false
				return lineEnd, false, nil
			}
		}
		c := src[i]
		if !s.templateTab[c] {
			startOfLine = false
			i++
			continue
		}
		startOfLine = false
		switch {
		case c == '\n':
			// A quoted string goes on past the end of its line, as in hclsyntax's scanner
			// (the parser reports it).
			s.line++
			i++
			startOfLine = true
		case c == '"' && f.kind == fQuote:
			s.pop()
			s.afterOp = false
			return i + 1, false, nil
		case c == '\\' && f.kind == fQuote:
			// An escape is a backslash and the character after it, unless that is a newline.
			i++
			if i < len(src) && src[i] != '\n' && src[i] != '\r' {
				_, size := utf8.DecodeRune(src[i:])
				i += size
			}
		case (c == '$' || c == '%') && at(src, i+1) == '{':
			if c == '%' {
				if p := s.directive(i + 2); p != nil {
					return i, false, p
				}
			}
			s.afterOp = true
			return i + 2, false, s.push(frame{kind: fInterp})
		case (c == '$' || c == '%') && at(src, i+1) == c && at(src, i+2) == '{':
			i += 3 // "$${" and "%%{" are literal
		case c == 0 || c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(src[i:])
			if p := textRune(r, size, s.line); p != nil {
				return i, false, p
			}
			i += size
		default:
			i++
		}
	}
	return i, false, nil
}

// directive counts the template directive whose keyword starts at i (after "%{"): if and for
// open a level of the enclosing template, endif and endfor close it.
func (s *nesting) directive(i int) *Problem {
	src := s.src
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '~') {
		i++
	}
	j := i
	for j < len(src) && isIdentCont(src[j]) {
		j++
	}
	f := s.top()
	switch string(src[i:j]) {
	case "if", "for":
		f.dirs++
		return s.grow()
	case "endif", "endfor":
		if f.dirs > 0 {
			f.dirs--
			s.depth--
		}
	}
	return nil
}
