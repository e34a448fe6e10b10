package awsapi

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

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
	maxRate   int // received by the fake, per account and region, in any second
	where     string
	sentRate  int // sent by the scanner, likewise
	sentWhere string
}

// sendLog records when each HTTP attempt is sent, with the account (from the access key id the
// fake issues) and region of its signing scope.
type sendLog struct {
	next aws.HTTPClient
	mu   sync.Mutex
	log  []awstest.Call
}

func (l *sendLog) Do(req *http.Request) (*http.Response, error) {
	c := awstest.Call{At: time.Now()}
	// Authorization: AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...
	if _, cred, ok := strings.Cut(req.Header.Get("Authorization"), "Credential="); ok {
		parts := strings.Split(strings.SplitN(cred, ",", 2)[0], "/")
		if len(parts) >= 4 {
			c.Account, c.Region, c.Service = accountOfKey(parts[0]), parts[2], parts[3]
		}
	}
	l.mu.Lock()
	l.log = append(l.log, c)
	l.mu.Unlock()
	return l.next.Do(req)
}

func (l *sendLog) calls() []awstest.Call {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]awstest.Call(nil), l.log...)
}

// accountOfKey maps the fake's session keys ("ASIA" + account + ...) to their account; the
// caller's own key maps to "home".
func accountOfKey(akid string) string {
	if strings.HasPrefix(akid, "ASIA") && len(akid) >= 16 {
		return akid[4:16]
	}
	return "home"
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
	cfg := testConfig()
	sent := &sendLog{next: awshttp.NewBuildableClient()}
	cfg.HTTPClient = sent
	inv, diags := Scan(context.Background(), cfg, Options{
		Org: true, OrgRole: "Audit", EndpointURL: srv.URL(), Concurrency: concurrency,
	})
	r := orgRun{wall: time.Since(t0), cpu: cpuTime() - cpu0, brokers: len(inv.Brokers)}
	r.sentRate, r.sentWhere = maxPerSecond(sent.calls())
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
	// The rate is judged on what the scanner sends. What the fake receives is reported too: on
	// a loaded machine the server's goroutines may start bunched, which is not the client's rate.
	r.maxRate, r.where = maxPerSecond(calls)
	if r.sentRate > DefaultRatePerRegion {
		tb.Errorf("%d requests sent to %s in one second", r.sentRate, r.sentWhere)
	}
	return r
}

// TestOrgScanPerformance runs the organization benchmark when MQGUARD_BENCH_ORG is set (it
// takes about a minute): go test -run OrgScanPerformance ./internal/source/awsapi/
func TestOrgScanPerformance(t *testing.T) {
	if os.Getenv("MQGUARD_BENCH_ORG") == "" {
		t.Skip("set MQGUARD_BENCH_ORG=1 to run the organization benchmark")
	}
	for _, c := range []int{DefaultConcurrency} {
		r := runOrgScan(t, c)
		t.Logf("concurrency %d: %v wall, %v CPU (fake server included), peak heap %d MB, %d brokers, %d calls, max req/s per account+region: %d sent (%s), %d received (%s)",
			c, r.wall.Round(time.Millisecond), r.cpu.Round(time.Millisecond), r.peakHeap>>20, r.brokers, r.calls, r.sentRate, r.sentWhere, r.maxRate, r.where)
		if r.wall > time.Minute {
			t.Errorf("took %v, budget 60s", r.wall)
		}
		if r.peakHeap > 200<<20 {
			t.Errorf("peak heap %d MB, budget 200 MB", r.peakHeap>>20)
		}
	}
}

func BenchmarkOrgScan(b *testing.B) {
	for range b.N {
		r := runOrgScan(b, DefaultConcurrency)
		b.ReportMetric(r.wall.Seconds(), "wall-s")
		b.ReportMetric(float64(r.peakHeap>>20), "peak-heap-MB")
		b.ReportMetric(float64(r.maxRate), "max-req/s")
	}
}
