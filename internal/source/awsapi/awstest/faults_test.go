package awstest

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// callEach makes one call of each protocol and returns the errors by service.
func callEach(ctx context.Context, cfg aws.Config) map[string]error {
	errs := map[string]error{}
	_, errs["mq"] = mq.NewFromConfig(cfg).DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: aws.String("b-1111")})
	_, errs["kms"] = kms.NewFromConfig(cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")})
	_, errs["ec2"] = ec2.NewFromConfig(cfg).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"sg-0aaa"}})
	_, errs["sts"] = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	_, errs["organizations"] = organizations.NewFromConfig(cfg).ListAccounts(ctx, &organizations.ListAccountsInput{})
	return errs
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestFaultAnswers(t *testing.T) {
	denyAll := func(Call) bool { return true }
	tests := []struct {
		name   string
		faults Faults
		want   map[string]string // service -> "status code"
	}{
		{"throttle", Faults{ThrottleRate: 1}, map[string]string{
			"mq": "429 TooManyRequestsException", "kms": "400 ThrottlingException", "ec2": "400 ThrottlingException",
			"sts": "400 ThrottlingException", "organizations": "400 ThrottlingException"}},
		{"deny", Faults{Deny: denyAll}, map[string]string{
			"mq": "403 AccessDeniedException", "kms": "403 AccessDeniedException", "ec2": "403 UnauthorizedOperation",
			"sts": "403 AccessDenied", "organizations": "403 AccessDeniedException"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := startServer(t, snapshotWorld(t), tt.faults)
			errs := callEach(context.Background(), clientConfig(s, "", false))
			for svc, want := range tt.want {
				got := strings.TrimSpace(strings.Join([]string{itoa(httpStatus(errs[svc])), errorCode(errs[svc])}, " "))
				if got != want {
					t.Errorf("%s: %s (%v), want %s", svc, got, errs[svc], want)
				}
			}
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func TestServerErrors(t *testing.T) {
	s, _ := startServer(t, snapshotWorld(t), Faults{ServerErrorRate: 1, Seed: 7})
	seen := map[int]bool{}
	for range 10 {
		for svc, err := range callEach(context.Background(), clientConfig(s, "", false)) {
			st := httpStatus(err)
			if st != 500 && st != 503 {
				t.Fatalf("%s: status %d (%v), want 500 or 503", svc, st, err)
			}
			seen[st] = true
		}
	}
	if !seen[500] || !seen[503] {
		t.Errorf("statuses seen %v, want both 500 and 503", seen)
	}
}

// TestRetriesSucceed: with the SDK's retries, throttling and 5xx at 30% each still let every
// call through, and the same seed gives the same number of calls.
func TestRetriesSucceed(t *testing.T) {
	count := func() int {
		s, _ := startServer(t, snapshotWorld(t), Faults{ThrottleRate: 0.3, ServerErrorRate: 0.3, Seed: 42})
		cfg := clientConfig(s, "", true)
		cfg.Retryer = func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 20
				o.MaxBackoff = time.Millisecond
				o.RateLimiter = noRateLimit{}
			})
		}
		for svc, err := range callEach(context.Background(), cfg) {
			if err != nil {
				t.Errorf("%s: %v", svc, err)
			}
		}
		return len(s.Calls())
	}
	first, second := count(), count()
	if first <= 5 {
		t.Errorf("%d calls for 5 operations: no fault was injected", first)
	}
	if first != second {
		t.Errorf("same seed, %d calls then %d", first, second)
	}
}

type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRateLimit) AddTokens(uint) error { return nil }

func TestDenySelectsCalls(t *testing.T) {
	deny := func(c Call) bool { return c.Operation == "DescribeBroker" && c.Resource == "b-1111" }
	s, _ := startServer(t, snapshotWorld(t), Faults{Deny: deny})
	mqc := mq.NewFromConfig(clientConfig(s, "", false))
	ctx := context.Background()
	if _, err := mqc.DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: aws.String("b-1111")}); errorCode(err) != "AccessDeniedException" {
		t.Errorf("denied broker: %v", err)
	}
	if _, err := mqc.DescribeBroker(ctx, &mq.DescribeBrokerInput{BrokerId: aws.String("b-2222")}); err != nil {
		t.Errorf("other broker: %v", err)
	}
}

func TestLatency(t *testing.T) {
	const latency = 150 * time.Millisecond
	s, _ := startServer(t, snapshotWorld(t), Faults{Latency: latency})
	start := time.Now()
	if _, err := mq.NewFromConfig(clientConfig(s, "", false)).ListBrokers(context.Background(), &mq.ListBrokersInput{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < latency {
		t.Errorf("call took %v, want at least %v", d, latency)
	}
}

// TestHang: a hanging call ends with the client's context, and Close ends the ones still
// hanging and leaves no goroutine behind.
func TestHang(t *testing.T) {
	before := runtime.NumGoroutine()
	hang := func(c Call) bool { return c.Service == "mq" }
	s := NewServer(snapshotWorld(t), Faults{Hang: hang})
	cfg := clientConfig(s, "", false)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := mq.NewFromConfig(cfg).ListBrokers(ctx, &mq.ListBrokersInput{})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hanging call: %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("hanging call returned after %v", d)
	}
	// Other services still answer.
	if _, err := kms.NewFromConfig(cfg).DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")}); err != nil {
		t.Errorf("kms during an mq hang: %v", err)
	}

	// A call without a deadline hangs until Close.
	var wg sync.WaitGroup
	wg.Add(1)
	var closedErr error
	go func() {
		defer wg.Done()
		_, closedErr = mq.NewFromConfig(cfg).ListBrokers(context.Background(), &mq.ListBrokersInput{})
	}()
	for deadline := time.Now().Add(5 * time.Second); len(s.Calls()) < 3 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return while a call hung")
	}
	wg.Wait()
	if closedErr == nil {
		t.Error("a call cut by Close succeeded")
	}
	// Idle client connections and the server's goroutines wind down.
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after Close:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
