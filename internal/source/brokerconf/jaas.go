package brokerconf

import (
	"fmt"
	"strings"
)

// JAASEntry is one application entry of a JAAS login.config: `name { module... };`.
type JAASEntry struct {
	Name    string
	Modules []JAASModule
	Line    int
}

// JAASModule is one login module of an entry: `class flag option=value ...;`. Option values
// may be secrets (a bind password): callers never keep or print them.
type JAASModule struct {
	Class   string
	Flag    string
	Options []JAASOption
	Line    int
}

// JAASOption is one option of a login module.
type JAASOption struct {
	Name  string
	Value string
	Line  int
}

// Option returns the value of the named option.
func (m JAASModule) Option(name string) (JAASOption, bool) {
	for _, o := range m.Options {
		if o.Name == name {
			return o, true
		}
	}
	return JAASOption{}, false
}

// jaasFlags are the control flags a login module may have.
var jaasFlags = map[string]bool{"required": true, "requisite": true, "sufficient": true, "optional": true}

// maxJAASModules bounds the modules of one file.
const maxJAASModules = 10000

// ParseLoginConfig parses a JAAS login configuration file (the syntax of
// com.sun.security.auth.login.ConfigFile): entries `name { class flag key=value ...; };`, with
// // and /* */ comments and double-quoted values (\" and \\ escapes). file is the name put in
// errors; an error (*ParseError) names the line and never quotes an option value.
func ParseLoginConfig(data []byte, file string) ([]JAASEntry, error) {
	if len(data) > MaxPropertiesSize {
		return nil, &ParseError{File: file, Line: 1, Msg: fmt.Sprintf("file is larger than %d bytes", MaxPropertiesSize)}
	}
	lx := &jaasLexer{src: string(data), line: 1, file: file}
	var entries []JAASEntry
	nmod := 0
	for {
		tok, err := lx.next()
		if err != nil {
			return nil, err
		}
		if tok.kind == tokEOF {
			return entries, nil
		}
		if tok.kind != tokWord && tok.kind != tokString {
			return nil, lx.errAt(tok.line, "expected a login configuration entry name")
		}
		entry := JAASEntry{Name: tok.text, Line: tok.line}
		if err := lx.expect('{', "after the entry name"); err != nil {
			return nil, err
		}
		for {
			tok, err := lx.next()
			if err != nil {
				return nil, err
			}
			if tok.kind == tokPunct && tok.text == "}" {
				break
			}
			if tok.kind != tokWord {
				return nil, lx.errAt(tok.line, "expected a login module class name or '}'")
			}
			nmod++
			if nmod > maxJAASModules {
				return nil, lx.errAt(tok.line, "too many login modules")
			}
			mod := JAASModule{Class: tok.text, Line: tok.line}
			flag, err := lx.next()
			if err != nil {
				return nil, err
			}
			if flag.kind != tokWord || !jaasFlags[strings.ToLower(flag.text)] {
				return nil, lx.errAt(flag.line, "expected a control flag (required, requisite, sufficient, optional) after the login module class")
			}
			mod.Flag = strings.ToLower(flag.text)
			for {
				opt, err := lx.next()
				if err != nil {
					return nil, err
				}
				if opt.kind == tokPunct && opt.text == ";" {
					break
				}
				if opt.kind != tokWord {
					return nil, lx.errAt(opt.line, "expected an option name or ';'")
				}
				if err := lx.expect('=', "after an option name"); err != nil {
					return nil, err
				}
				val, err := lx.next()
				if err != nil {
					return nil, err
				}
				if val.kind != tokWord && val.kind != tokString {
					return nil, lx.errAt(val.line, "expected an option value")
				}
				mod.Options = append(mod.Options, JAASOption{Name: opt.text, Value: val.text, Line: opt.line})
			}
			entry.Modules = append(entry.Modules, mod)
		}
		if err := lx.expect(';', "after the entry's '}'"); err != nil {
			return nil, err
		}
		entries = append(entries, entry)
	}
}

type jaasTokKind uint8

const (
	tokEOF jaasTokKind = iota
	tokWord
	tokString
	tokPunct
)

type jaasTok struct {
	kind jaasTokKind
	text string
	line int
}

type jaasLexer struct {
	src  string
	pos  int
	line int
	file string
}

func (lx *jaasLexer) errAt(line int, msg string) error {
	return &ParseError{File: lx.file, Line: line, Msg: msg}
}

func (lx *jaasLexer) expect(c byte, where string) error {
	tok, err := lx.next()
	if err != nil {
		return err
	}
	if tok.kind != tokPunct || tok.text != string(c) {
		return lx.errAt(tok.line, fmt.Sprintf("expected '%c' %s", c, where))
	}
	return nil
}

func isJAASWordByte(c byte) bool {
	return !(c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '{' || c == '}' ||
		c == ';' || c == '=' || c == '"' || c == '\'')
}

func (lx *jaasLexer) next() (jaasTok, error) {
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == '\n':
			lx.line++
			lx.pos++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			lx.pos++
		case strings.HasPrefix(lx.src[lx.pos:], "//"):
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.pos++
			}
		case strings.HasPrefix(lx.src[lx.pos:], "/*"):
			start := lx.line
			end := strings.Index(lx.src[lx.pos+2:], "*/")
			if end < 0 {
				return jaasTok{}, lx.errAt(start, "unterminated /* comment")
			}
			body := lx.src[lx.pos : lx.pos+2+end+2]
			lx.line += strings.Count(body, "\n")
			lx.pos += len(body)
		case c == '{' || c == '}' || c == ';' || c == '=':
			lx.pos++
			return jaasTok{kind: tokPunct, text: string(c), line: lx.line}, nil
		case c == '"' || c == '\'':
			return lx.quoted(c)
		default:
			start := lx.pos
			for lx.pos < len(lx.src) && isJAASWordByte(lx.src[lx.pos]) &&
				!strings.HasPrefix(lx.src[lx.pos:], "//") && !strings.HasPrefix(lx.src[lx.pos:], "/*") {
				lx.pos++
			}
			return jaasTok{kind: tokWord, text: lx.src[start:lx.pos], line: lx.line}, nil
		}
	}
	return jaasTok{kind: tokEOF, line: lx.line}, nil
}

func (lx *jaasLexer) quoted(q byte) (jaasTok, error) {
	startLine := lx.line
	lx.pos++
	var b strings.Builder
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == q:
			lx.pos++
			return jaasTok{kind: tokString, text: b.String(), line: startLine}, nil
		case c == '\\' && lx.pos+1 < len(lx.src):
			lx.pos++
			if lx.src[lx.pos] == '\n' {
				lx.line++
			}
			b.WriteByte(lx.src[lx.pos])
			lx.pos++
		default:
			if c == '\n' {
				lx.line++
			}
			b.WriteByte(c)
			lx.pos++
		}
	}
	return jaasTok{}, lx.errAt(startLine, "unterminated quoted value")
}
