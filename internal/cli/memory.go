package cli

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// Memory tuning of the mqguard process. A scan allocates a lot of short-lived syntax trees and
// keeps little: with Go's default (GOGC=100) the collector runs so often that it takes a third
// of the CPU. mqguard lets the heap grow further between collections (GOGC=400) under a soft
// limit, so a scan is faster and its peak memory lower than with the defaults. The limit follows
// the live heap (twice its size, at least softMemoryFloor), so a large scan never makes the
// collector run back to back. GOGC and GOMEMLIMIT set by the user win.

// softMemoryFloor is the least soft memory limit.
const softMemoryFloor = 256 << 20

// gcPercent is the GOGC mqguard runs with when the user has not set one.
const gcPercent = 400

// tuneMemory applies the tuning to the process, unless getenv shows the user's own settings.
func tuneMemory(getenv func(string) string) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(gcPercent)
	debug.SetMemoryLimit(softMemoryFloor)
	startLimitTracker()
}

// startLimitTracker raises the soft limit after each collection to twice the live heap.
func startLimitTracker() {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var track func(*gcSentinel)
	track = func(*gcSentinel) {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live := sample[0].Value.Uint64()
			limit := uint64(softMemoryFloor)
			if live < math.MaxInt64/4 && 2*live > limit {
				limit = 2 * live
			}
			debug.SetMemoryLimit(int64(limit))
		}
		// A new sentinel is collected at the next cycle, which calls track again.
		runtime.SetFinalizer(&gcSentinel{}, track)
	}
	runtime.SetFinalizer(&gcSentinel{}, track)
}

// gcSentinel is an object whose only use is to be collected: its finalizer runs once per cycle.
type gcSentinel struct{ _ [16]byte }
