package cli

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/source/awsapi"
)

func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	bar := newProgressBar(&out, func() time.Time { return now })

	bar.Update(awsapi.Progress{Accounts: 500, AccountsDone: 12, Regions: 8500, RegionsDone: 204, Brokers: 37})
	if want := "\raccounts 12/500 · regions 204/8500 · brokers 37\x1b[K"; out.String() != want {
		t.Fatalf("first update wrote %q, want %q", out.String(), want)
	}

	// Updates closer together than progressInterval are not drawn...
	out.Reset()
	bar.Update(awsapi.Progress{Accounts: 500, AccountsDone: 13, Regions: 8500, RegionsDone: 205, Brokers: 37})
	if out.Len() != 0 {
		t.Errorf("update within the interval wrote %q", out.String())
	}
	// ...but the latest state is drawn after it.
	now = now.Add(progressInterval)
	bar.Update(awsapi.Progress{Accounts: 500, AccountsDone: 14, Regions: 8500, RegionsDone: 206, Brokers: 38})
	if want := "\raccounts 14/500 · regions 206/8500 · brokers 38\x1b[K"; out.String() != want {
		t.Errorf("later update wrote %q, want %q", out.String(), want)
	}

	// A log record clears the line, is written, and the line comes back under it.
	out.Reset()
	if _, err := bar.Write([]byte("level=WARN msg=x\n")); err != nil {
		t.Fatal(err)
	}
	if want := "\r\x1b[Klevel=WARN msg=x\n\raccounts 14/500 · regions 206/8500 · brokers 38\x1b[K"; out.String() != want {
		t.Errorf("log write = %q, want %q", out.String(), want)
	}

	// Clear erases the line for good.
	out.Reset()
	bar.Clear()
	now = now.Add(time.Hour)
	bar.Update(awsapi.Progress{Accounts: 1})
	if _, err := bar.Write([]byte("after\n")); err != nil {
		t.Fatal(err)
	}
	if want := "\r\x1b[Kafter\n"; out.String() != want {
		t.Errorf("after Clear: %q, want %q", out.String(), want)
	}
}

func TestProgressFor(t *testing.T) {
	env, _, stderr := testEnv(t.TempDir())
	bar, w := progressFor(env, false)
	if bar.bar != nil || w != stderr {
		t.Error("a progress line on a non-terminal")
	}
	bar.update(awsapi.Progress{Accounts: 1}) // no-op, no panic
	bar.clear()

	env.IsTerminal = func(io.Writer) bool { return true }
	if bar, _ := progressFor(env, true); bar.bar != nil {
		t.Error("a progress line with -q")
	}
	bar, w = progressFor(env, false)
	if bar.bar == nil || w != bar.bar {
		t.Error("no progress line on a terminal, or logs not written through it")
	}
}
