package report

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// NoBreak is the space that joins words Wrap must keep on one line ("[line 12]", a path with a
// space in it). Wrap writes it out as a plain space.
const NoBreak = '\u00a0'

// KeepTogether returns s with its spaces replaced by NoBreak, so that Wrap never breaks it.
func KeepTogether(s string) string {
	return strings.ReplaceAll(s, " ", string(NoBreak))
}

// Wrap splits s into lines of at most width terminal columns, breaking only at spaces. A word
// wider than width is never cut (a cut identifier, path or URL can no longer be searched for or
// clicked): it gets a line of its own. Runs of spaces collapse to one.
func Wrap(s string, width int) []string {
	words := fields(s)
	if len(words) == 0 {
		return []string{""}
	}
	widths := make([]int, len(words))
	for i, w := range words {
		widths[i] = Width(w)
	}
	var out []string
	for _, n := range fill(widths, width) {
		out = append(out, strings.ReplaceAll(strings.Join(words[:n], " "), string(NoBreak), " "))
		words = words[n:]
	}
	return out
}

// fields splits s into words at spaces other than NoBreak.
func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r != NoBreak && unicode.IsSpace(r) })
}

// fill groups words of the given widths into lines of at most width columns, one space between
// words, and returns the number of words on each line. A word wider than width is alone.
func fill(widths []int, width int) []int {
	var counts []int
	n, used := 0, 0
	for _, w := range widths {
		if n > 0 && used+1+w > width {
			counts = append(counts, n)
			n, used = 0, 0
		}
		if n > 0 {
			used++
		}
		used += w
		n++
	}
	if n > 0 {
		counts = append(counts, n)
	}
	return counts
}

// Width is the number of terminal columns s takes: two for East Asian wide and full-width
// characters, none for combining marks and format characters, one for the others.
func Width(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	switch {
	case r < 0x300: // ASCII and Latin-1: the common case, one column
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// Truncate shortens s to at most width columns, ending it with an ellipsis; it cuts at a space
// when one is in the second half of the line, so that a word is not shown half.
func Truncate(s string, width int) string {
	if Width(s) <= width {
		return s
	}
	if width < 1 {
		return ""
	}
	budget := width - 1 // the ellipsis takes one column
	var b strings.Builder
	used, lastSpace := 0, -1
	for _, r := range s {
		w := runeWidth(r)
		if used+w > budget {
			break
		}
		if r == ' ' {
			lastSpace = b.Len()
		}
		b.WriteRune(r)
		used += w
	}
	out := b.String()
	if lastSpace > 0 && Width(out[:lastSpace]) >= budget/2 {
		out = out[:lastSpace]
	}
	return strings.TrimRight(out, " ,;:") + "…"
}
