package awsapi

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"
)

// TestLimiter: however many goroutines wait, no window of one second sees more starts than the
// rate allows.
func TestLimiter(t *testing.T) {
	const rate, calls = 20, 45
	l := newLimiter(rate)
	var mu sync.Mutex
	var starts []time.Time
	var wg sync.WaitGroup
	for range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.wait(context.Background()); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			starts = append(starts, time.Now())
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	for i := rate; i < len(starts); i++ {
		if d := starts[i].Sub(starts[i-rate]); d < time.Second {
			t.Fatalf("%d starts within %v", rate+1, d)
		}
	}
}

func TestLimiterCancel(t *testing.T) {
	l := newLimiter(1)
	if err := l.wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := l.wait(ctx); err == nil {
		t.Fatal("a second start within the window did not wait for the context")
	}
}
