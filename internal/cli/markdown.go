package cli

import (
	"regexp"
	"strings"

	"github.com/mqguard/mqguard/internal/report"
)

// renderMarkdown lays out Markdown for a terminal of the given width, the way a manual page
// reads: the title underlined, section headings in capitals, their text indented under them and
// wrapped, lists with hanging indents, tables in aligned columns, code blocks indented further
// and never wrapped, links as "text (url)", and no HTML comments. It covers the Markdown the
// rule pages are generated in (CommonMark's block structure without block quotes or raw HTML
// blocks); anything else is shown as text.
func renderMarkdown(md string, width int) string {
	r := &mdRenderer{width: width, body: 2}
	lines := strings.Split(stripComments(md), "\n")
	for i := 0; i < len(lines); {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			i++
		case fenceOpen(trimmed) != "":
			i = r.code(lines, i)
		case headingLevel(trimmed) > 0:
			r.heading(trimmed)
			i++
		case strings.HasPrefix(trimmed, "|"):
			i = r.table(lines, i)
		case listMarker.MatchString(line):
			i = r.listItem(lines, i)
		default:
			i = r.paragraph(lines, i)
		}
	}
	return strings.Join(r.out, "\n") + "\n"
}

type mdRenderer struct {
	width int
	// body is the indent of text under the current heading.
	body int
	// inList is set while the items of a list are written: they are not separated by blank
	// lines.
	inList bool
	out    []string
}

// block starts a block: one blank line after the previous one.
func (r *mdRenderer) block() {
	r.inList = false
	if len(r.out) > 0 && r.out[len(r.out)-1] != "" {
		r.out = append(r.out, "")
	}
}

func (r *mdRenderer) heading(line string) {
	level := headingLevel(line)
	text := inline(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(line[level:]), "#")))
	r.block()
	switch level {
	case 1:
		lines := report.Wrap(text, r.width)
		underline := 0
		for _, l := range lines {
			underline = max(underline, report.Width(l))
		}
		r.out = append(append(r.out, lines...), strings.Repeat("=", underline))
		r.body = 2
	case 2:
		r.out = append(r.out, report.Wrap(strings.ToUpper(text), r.width)...)
		r.body = 2
	default:
		pad := strings.Repeat(" ", 2*(level-2))
		r.wrap(pad, pad+"  ", text)
		r.body = 2 * (level - 1)
	}
}

// wrap writes text wrapped to the width, the first line after first and the others after hang.
func (r *mdRenderer) wrap(first, hang, text string) {
	for i, l := range report.Wrap(text, max(r.width-len(hang), 20)) {
		if i == 0 {
			r.out = append(r.out, strings.TrimRight(first+l, " "))
		} else {
			r.out = append(r.out, strings.TrimRight(hang+l, " "))
		}
	}
}

func (r *mdRenderer) paragraph(lines []string, i int) int {
	var text []string
	for ; i < len(lines) && !startsBlock(lines[i]); i++ {
		text = append(text, strings.TrimSpace(lines[i]))
	}
	r.block()
	pad := strings.Repeat(" ", r.body)
	r.wrap(pad, pad, inline(strings.Join(text, " ")))
	return i
}

var listMarker = regexp.MustCompile(`^(\s*)([-*+]|\d{1,9}[.)])\s+`)

// listItem writes one item of a list and the lines that continue it; items of one list are
// not separated by blank lines.
func (r *mdRenderer) listItem(lines []string, i int) int {
	m := listMarker.FindStringSubmatch(lines[i])
	text := []string{strings.TrimSpace(lines[i][len(m[0]):])}
	for i++; i < len(lines) && !startsBlock(lines[i]) && !listMarker.MatchString(lines[i]); i++ {
		text = append(text, strings.TrimSpace(lines[i]))
	}
	if !r.inList {
		r.block()
	}
	r.inList = true
	marker := m[2]
	if marker == "*" || marker == "+" {
		marker = "-"
	}
	pad := strings.Repeat(" ", r.body+2*(len(strings.ReplaceAll(m[1], "\t", "  "))/2))
	r.wrap(pad+marker+" ", pad+strings.Repeat(" ", len(marker)+1), inline(strings.Join(text, " ")))
	return i
}

// code writes a fenced code block indented under the text, unwrapped: code must stay as is.
func (r *mdRenderer) code(lines []string, i int) int {
	fence := fenceOpen(strings.TrimSpace(lines[i]))
	r.block()
	pad := strings.Repeat(" ", r.body+4)
	for i++; i < len(lines); i++ {
		if t := strings.TrimSpace(lines[i]); strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
			i++
			break
		}
		r.out = append(r.out, strings.TrimRight(pad+strings.ReplaceAll(lines[i], "\t", "    "), " "))
	}
	return i
}

// table writes a pipe table in aligned columns. A header row of empty cells is left out; the
// last column wraps when the table is wider than the terminal.
func (r *mdRenderer) table(lines []string, i int) int {
	var rows [][]string
	for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|"); i++ {
		cells := tableCells(strings.TrimSpace(lines[i]))
		if isDelimiterRow(cells) {
			continue
		}
		rows = append(rows, cells)
	}
	hasHeader := true
	if len(rows) > 0 && strings.Join(rows[0], "") == "" {
		rows, hasHeader = rows[1:], false
	}
	cols := 0
	for _, row := range rows {
		cols = max(cols, len(row))
	}
	widths := make([]int, cols)
	for _, row := range rows {
		for c, cell := range row {
			widths[c] = max(widths[c], report.Width(cell))
		}
	}
	r.block()
	pad := strings.Repeat(" ", r.body)
	lead := 0
	for _, w := range widths[:max(cols-1, 0)] {
		lead += w + 2
	}
	if len(rows) > 1 && hasHeader {
		// Underline the header row.
		under := make([]string, cols)
		for c := range under {
			n := widths[c]
			if c == cols-1 {
				n = report.Width(rows[0][min(c, len(rows[0])-1)])
			}
			under[c] = strings.Repeat("-", n)
		}
		rows = append([][]string{rows[0], under}, rows[1:]...)
	}
	for _, row := range rows {
		var b strings.Builder
		b.WriteString(pad)
		for c := 0; c < cols-1; c++ {
			cell := ""
			if c < len(row) {
				cell = row[c]
			}
			b.WriteString(cell + strings.Repeat(" ", widths[c]-report.Width(cell)+2))
		}
		last := ""
		if cols-1 < len(row) {
			last = row[cols-1]
		}
		r.wrap(b.String(), pad+strings.Repeat(" ", lead), last)
	}
	return i
}

// tableCells splits a table row at the pipes that are not escaped and renders each cell.
func tableCells(row string) []string {
	row = strings.TrimSuffix(strings.TrimPrefix(row, "|"), "|")
	var cells []string
	var cur strings.Builder
	for j := 0; j < len(row); j++ {
		switch {
		case row[j] == '\\' && j+1 < len(row) && row[j+1] == '|':
			cur.WriteString(`\|`)
			j++
		case row[j] == '|':
			cells = append(cells, tableCell(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(row[j])
		}
	}
	return append(cells, tableCell(cur.String()))
}

// tableCell renders a cell; a cell that is one code span is shown without its backticks, the
// column already sets it apart.
func tableCell(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 2 && s[0] == '`' && s[len(s)-1] == '`' && !strings.Contains(s[1:len(s)-1], "`") {
		return s[1 : len(s)-1]
	}
	return inline(s)
}

var delimiterCell = regexp.MustCompile(`^:?-+:?$`)

func isDelimiterRow(cells []string) bool {
	for _, c := range cells {
		if !delimiterCell.MatchString(c) {
			return false
		}
	}
	return true
}

var (
	strong   = regexp.MustCompile(`\*\*([^*]+)\*\*|__([^_]+)__`)
	link     = regexp.MustCompile(`\[([^\]]*)\]\(([^)\s]*)\)`)
	autolink = regexp.MustCompile(`<((?:https?|mailto):[^>\s]+)>`)
	escaped  = regexp.MustCompile(`\\([\\` + "`" + `*_{}\[\]()#+\-.!|<>])`)
)

// inline renders the inline Markdown of text: strong emphasis loses its markers, links become
// "text (url)", backslash escapes are resolved. Code spans keep their backticks, which mark
// literal text in plain text as well, and are never wrapped: a command broken over two lines
// cannot be copied.
func inline(text string) string {
	parts := strings.Split(text, "`")
	for k := range parts {
		if k%2 == 1 {
			if k < len(parts)-1 { // a closed code span
				parts[k] = report.KeepTogether(parts[k])
			}
			continue
		}
		p := strong.ReplaceAllString(parts[k], "$1$2")
		p = link.ReplaceAllStringFunc(p, func(m string) string {
			sub := link.FindStringSubmatch(m)
			switch {
			case sub[2] == "" || sub[1] == sub[2]:
				return sub[1]
			case sub[1] == "":
				return sub[2]
			}
			return sub[1] + " (" + sub[2] + ")"
		})
		p = autolink.ReplaceAllString(p, "$1")
		parts[k] = escaped.ReplaceAllString(p, "$1")
	}
	return strings.Join(parts, "`")
}

// stripComments removes HTML comments, which are not shown by Markdown renderers either,
// except inside code blocks.
func stripComments(md string) string {
	var out []string
	inCode, inComment := "", false
	for _, line := range strings.Split(md, "\n") {
		t := strings.TrimSpace(line)
		if !inComment {
			if inCode != "" {
				if strings.HasPrefix(t, inCode) && strings.Trim(t, inCode[:1]) == "" {
					inCode = ""
				}
				out = append(out, line)
				continue
			}
			if f := fenceOpen(t); f != "" {
				inCode = f
				out = append(out, line)
				continue
			}
		}
		var b strings.Builder
		for line != "" {
			if inComment {
				end := strings.Index(line, "-->")
				if end < 0 {
					line = ""
					break
				}
				line, inComment = line[end+3:], false
				continue
			}
			start := strings.Index(line, "<!--")
			if start < 0 {
				b.WriteString(line)
				break
			}
			b.WriteString(line[:start])
			line, inComment = line[start+4:], true
		}
		kept := b.String()
		if strings.TrimSpace(kept) == "" && t != "" {
			continue // a line that held only a comment
		}
		out = append(out, kept)
	}
	return strings.Join(out, "\n")
}

// fenceOpen returns the fence a code block opens with (``` or ~~~, or longer), or "".
func fenceOpen(line string) string {
	for _, c := range []string{"`", "~"} {
		n := len(line) - len(strings.TrimLeft(line, c))
		if n >= 3 {
			return strings.Repeat(c, n)
		}
	}
	return ""
}

// headingLevel is the level of an ATX heading ("## Title" is 2), 0 for other lines.
func headingLevel(line string) int {
	n := len(line) - len(strings.TrimLeft(line, "#"))
	if n < 1 || n > 6 || (len(line) > n && line[n] != ' ') {
		return 0
	}
	return n
}

// startsBlock reports whether line ends a paragraph or list item: a blank line or the start
// of another block.
func startsBlock(line string) bool {
	t := strings.TrimSpace(line)
	return t == "" || fenceOpen(t) != "" || headingLevel(t) > 0 || strings.HasPrefix(t, "|")
}
