package awsapi

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/source/awsapi/awstest"
)

// orgWorld is an organization of n accounts with the 17 default regions; each account has two
// brokers (an ActiveMQ one with users, configuration revisions, a security group and a key, and
// a RabbitMQ one) in one region, so n accounts hold 2n brokers.
func orgWorld(n int) *awstest.World {
	w := awstest.NewWorld(home)
	w.PageSize = 100
	w.AddOrgAccount(home, "management")
	for i := 1; i < n; i++ {
		w.AddOrgAccount(fmt.Sprintf("%012d", 100000000000+i), "member-"+strconv.Itoa(i))
	}
	for _, a := range w.Organization {
		addRegion(w, *a.Id)
	}
	return w
}

// maxPerSecond is the largest number of calls one account and region received in any window
// of one second.
func maxPerSecond(calls []awstest.Call) (int, string) {
	by := map[string][]time.Time{}
	for _, c := range calls {
		k := c.Account + "/" + c.Region
		by[k] = append(by[k], c.At)
	}
	worst, where := 0, ""
	for k, ts := range by {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
		j := 0
		for i := range ts {
			for ts[i].Sub(ts[j]) >= time.Second {
				j++
			}
			if n := i - j + 1; n > worst {
				worst, where = n, k
			}
		}
	}
	return worst, where
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type orgRun struct {
	wall, cpu time.Duration
	peakHeap  uint64
	brokers   int
	calls     int
	maxRate   int
	where     string
}

// runOrgScan scans an organization of 500 accounts x 17 regions (1,000 brokers) at 50 ms per
// call with 5 % throttling.
func runOrgScan(tb testing.TB, concurrency int) orgRun {
	w := orgWorld(500)
	srv := awstest.NewServer(w, awstest.Faults{Latency: 50 * time.Millisecond, ThrottleRate: 0.05, Seed: 7})
	defer srv.Close()

	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()

	runtime.GC()
	cpu0, t0 := cpuTime(), time.Now()
	inv, diags := Scan(context.Background(), testConfig(), Options{
		Org: true, OrgRole: "Audit", EndpointURL: srv.URL(), Concurrency: concurrency,
	})
	r := orgRun{wall: time.Since(t0), cpu: cpuTime() - cpu0, brokers: len(inv.Brokers)}
	close(stop)
	<-done
	r.peakHeap = peak.Load()
	if len(diags) != 0 {
		tb.Errorf("diagnostics: %v", diags[:min(len(diags), 5)])
	}
	if r.brokers != 1000 {
		tb.Errorf("%d brokers, want 1000", r.brokers)
	}
	calls := srv.Calls()
	r.calls = len(calls)
	r.maxRate, r.where = maxPerSecond(calls)
	if r.maxRate > DefaultRatePerRegion {
		tb.Errorf("%s received %d requests in one second", r.where, r.maxRate)
	}
	return r
}

// TestOrgScanPerformance runs the organization benchmark when MQGUARD_BENCH_ORG is set (it
// takes about a minute): go test -run OrgScanPerformance ./internal/source/awsapi/
func TestOrgScanPerformance(t *testing.T) {
	if os.Getenv("MQGUARD_BENCH_ORG") == "" {
		t.Skip("set MQGUARD_BENCH_ORG=1 to run the organization benchmark")
	}
	for _, c := range []int{DefaultConcurrency, 64} {
		r := runOrgScan(t, c)
		t.Logf("concurrency %d: %v wall, %v CPU (fake server included), peak heap %d MB, %d brokers, %d calls, max %d req/s per account+region",
			c, r.wall.Round(time.Millisecond), r.cpu.Round(time.Millisecond), r.peakHeap>>20, r.brokers, r.calls, r.maxRate)
		if c == 64 && r.wall > time.Minute {
			t.Errorf("took %v, budget 60s", r.wall)
		}
		if r.peakHeap > 200<<20 {
			t.Errorf("peak heap %d MB, budget 200 MB", r.peakHeap>>20)
		}
	}
}

func BenchmarkOrgScan(b *testing.B) {
	for range b.N {
		r := runOrgScan(b, 64)
		b.ReportMetric(r.wall.Seconds(), "wall-s")
		b.ReportMetric(float64(r.peakHeap>>20), "peak-heap-MB")
		b.ReportMetric(float64(r.maxRate), "max-req/s")
	}
}
