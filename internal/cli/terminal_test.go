package cli

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/mqguard/mqguard/internal/report"
)

func TestTerminalWidth(t *testing.T) {
	pipeR, pipeW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pipeR.Close()
	defer pipeW.Close()
	tests := []struct {
		name     string
		columns  string
		stdout   io.Writer
		terminal bool
		want     int
	}{
		{"COLUMNS", "132", &bytes.Buffer{}, false, 132},
		{"COLUMNS with spaces", " 72 ", &bytes.Buffer{}, false, 72},
		{"COLUMNS wins over the terminal", "40", pipeW, true, 40},
		{"COLUMNS zero", "0", &bytes.Buffer{}, false, report.DefaultWidth},
		{"COLUMNS negative", "-5", &bytes.Buffer{}, false, report.DefaultWidth},
		{"COLUMNS not a number", "wide", &bytes.Buffer{}, false, report.DefaultWidth},
		{"no COLUMNS, not a file", "", &bytes.Buffer{}, true, report.DefaultWidth},
		// A file said to be a terminal that has no size (a pipe): the default.
		{"no COLUMNS, no size", "", pipeW, true, report.DefaultWidth},
		{"no COLUMNS, not a terminal", "", pipeW, false, report.DefaultWidth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _, _ := testEnv(t.TempDir())
			env.Stdout = tt.stdout
			env.Getenv = func(k string) string {
				if k == "COLUMNS" {
					return tt.columns
				}
				return ""
			}
			env.IsTerminal = func(io.Writer) bool { return tt.terminal }
			if got := terminalWidth(env); got != tt.want {
				t.Errorf("terminalWidth = %d, want %d", got, tt.want)
			}
		})
	}
}
