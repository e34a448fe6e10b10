package cli

import (
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"

	"github.com/mqguard/mqguard/internal/report"
)

// terminalWidth is the width human-oriented output wraps to: COLUMNS when it is a positive
// number (users and scripts set it to get a fixed width), else the width of the terminal stdout
// writes to, else report.DefaultWidth (a pipe or a file has no width).
func terminalWidth(env *Env) int {
	if n, err := strconv.Atoi(strings.TrimSpace(env.Getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	if f, ok := env.Stdout.(*os.File); ok && env.IsTerminal != nil && env.IsTerminal(f) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return report.DefaultWidth
}
