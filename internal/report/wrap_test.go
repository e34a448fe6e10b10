package report

import (
	"strings"
	"testing"
)

func TestWrap(t *testing.T) {
	marker := KeepTogether("[line 14]")
	tests := []struct {
		name  string
		s     string
		width int
		want  []string
	}{
		{"empty", "", 10, []string{""}},
		{"fits", "short", 10, []string{"short"}},
		{"at spaces", "one two three four", 9, []string{"one two", "three", "four"}},
		{"exact width", "one two", 7, []string{"one two"}},
		{"runs of spaces collapse", "one   two\tthree", 20, []string{"one two three"}},
		{"long word kept whole", "abcdefghijkl", 5, []string{"abcdefghijkl"}},
		{"long word on its own line", "ab cdefghijkl mn", 5, []string{"ab", "cdefghijkl", "mn"}},
		{"path:line never split", "written in examples/terraform/legacy_rabbitmq.tf:20. now", 20,
			[]string{"written in", "examples/terraform/legacy_rabbitmq.tf:20.", "now"}},
		{"marker not split", "is public " + marker, 15, []string{"is public", "[line 14]"}},
		{"marker not split at its space", "abcde " + marker, 11, []string{"abcde", "[line 14]"}},
		{"marker wider than the line", "x " + marker, 4, []string{"x", "[line 14]"}},
		{"marker joins the line when it fits", "is public " + marker, 19, []string{"is public [line 14]"}},
		{"accents are one column", "héllo wörld", 5, []string{"héllo", "wörld"}},
		{"combining marks take no column", "he\u0301llo wo\u0308rld", 5, []string{"he\u0301llo", "wo\u0308rld"}},
		{"wide characters take two columns", "日本語 テスト ok", 7, []string{"日本語", "テスト", "ok"}},
		{"wide characters fill a line", "日本 語", 7, []string{"日本 語"}},
		{"emoji are wide", "🔥🔥 ab", 5, []string{"🔥🔥", "ab"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Wrap(tt.s, tt.width)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Wrap(%q, %d) = %q, want %q", tt.s, tt.width, got, tt.want)
			}
			for _, l := range got {
				if strings.ContainsRune(l, NoBreak) {
					t.Errorf("line %q keeps a no-break space", l)
				}
			}
		})
	}
}

// TestWrapNeverSplitsMarkers wraps a message with a location marker at every width: the marker
// is always whole on one line, and a line is wider than the width only when it is one word.
func TestWrapNeverSplitsMarkers(t *testing.T) {
	msg := "The password of user 'admin' is a literal written in infra/users.tf:20."
	for _, at := range []string{"line 7", "line 1234", "infra/my stack/mq.tf:12"} {
		marker := "[" + at + "]"
		text := msg + " " + KeepTogether(marker)
		words := map[string]bool{}
		for _, w := range fields(text) {
			words[strings.ReplaceAll(w, string(NoBreak), " ")] = true
		}
		for width := 1; width <= Width(text)+1; width++ {
			lines := Wrap(text, width)
			found := 0
			for _, l := range lines {
				if strings.Contains(l, marker) {
					found++
				}
				if Width(l) > width && !words[l] {
					t.Errorf("width %d: line %q is too wide", width, l)
				}
			}
			if found != 1 {
				t.Errorf("width %d: marker %q split: %q", width, marker, lines)
			}
		}
	}
}

func TestWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"héllo", 5},
		{"e\u0301", 1},
		{"日本語", 6},
		{"ｆｕｌｌ", 8},
		{"a\u200db", 2},
		{string(NoBreak), 1},
	}
	for _, tt := range tests {
		if got := Width(tt.s); got != tt.want {
			t.Errorf("Width(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s     string
		width int
		want  string
	}{
		{"Rename the user.", 20, "Rename the user."},
		{"Rename the user.", 16, "Rename the user."},
		{"Rename the user.", 15, "Rename the…"},
		{"Set audit = true in the logs block, then apply.", 40, "Set audit = true in the logs block…"},
		{"Supercalifragilistic", 10, "Supercali…"},
		{"日本語のテキスト", 7, "日本語…"},
		{"anything", 0, ""},
	}
	for _, tt := range tests {
		got := Truncate(tt.s, tt.width)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.s, tt.width, got, tt.want)
		}
		if Width(got) > max(tt.width, 0) {
			t.Errorf("Truncate(%q, %d) = %q is wider than %d", tt.s, tt.width, got, tt.width)
		}
	}
}
