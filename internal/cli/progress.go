package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mqguard/mqguard/internal/source/awsapi"
)

// progressInterval is the shortest time between two redraws of the progress line.
const progressInterval = 100 * time.Millisecond

// progressBar is one line on a terminal, rewritten in place, showing how far a live scan is.
// Writes through it (log records) clear the line first and redraw it after, so the two never
// mix. It is safe for concurrent use.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	now   func() time.Time
	line  string // what the terminal shows, "" when cleared
	next  string // the latest state, drawn at the next redraw
	drawn time.Time
	done  bool
}

func newProgressBar(w io.Writer, now func() time.Time) *progressBar {
	return &progressBar{w: w, now: now}
}

// progressLine formats a progress report.
func progressLine(p awsapi.Progress) string {
	return fmt.Sprintf("accounts %d/%d · regions %d/%d · brokers %d",
		p.AccountsDone, p.Accounts, p.RegionsDone, p.Regions, p.Brokers)
}

// Update records p and redraws the line unless it was redrawn less than progressInterval ago.
func (b *progressBar) Update(p awsapi.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	b.next = progressLine(p)
	if now := b.now(); b.line == "" || now.Sub(b.drawn) >= progressInterval {
		b.drawn = now
		b.draw()
	}
}

// Write writes p (whole lines) above the progress line.
func (b *progressBar) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.clear()
	n, err := b.w.Write(p)
	if !b.done {
		b.draw()
	}
	return n, err
}

// Clear removes the line for good: later updates draw nothing.
func (b *progressBar) Clear() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	b.clear()
}

// draw shows b.next; the caller holds the lock.
func (b *progressBar) draw() {
	if b.next == "" || b.next == b.line {
		return
	}
	// Carriage return, the line, then erase what a longer previous line left.
	fmt.Fprintf(b.w, "\r%s\x1b[K", b.next)
	b.line = b.next
}

// clear erases the line; the caller holds the lock.
func (b *progressBar) clear() {
	if b.line == "" {
		return
	}
	fmt.Fprint(b.w, "\r\x1b[K")
	b.line = ""
}
