package awsapi

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/mq"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// backend opens the service clients of one set of credentials.
type backend interface {
	// home is the caller's own credentials.
	home() session
	// member is the credentials AssumeRole returned for account.
	member(account string, creds *ststypes.Credentials) session
	// defaultRegion is where the global calls (sts, organizations, ec2:DescribeRegions) go.
	defaultRegion() string
}

// session gives the clients of one account's credentials.
type session interface {
	sts() STSAPI
	// stsIn is STS through the regional endpoint of region.
	stsIn(region string) STSAPI
	org() OrganizationsAPI
	ec2(region string) EC2API
	mq(region string) MQAPI
	kms(region string) KMSAPI
}

// Retry policy for throttling and server errors.
const (
	maxAttempts = 8
	backoffBase = 200 * time.Millisecond
	backoffCap  = 5 * time.Second
)

// sdkBackend builds aws-sdk-go-v2 clients. Every account and region has its own request rate
// limiter, applied to every HTTP attempt (retries included).
type sdkBackend struct {
	base    aws.Config
	rate    float64
	timeout time.Duration
	region  string

	mu       sync.Mutex
	limiters map[string]*limiter
}

func newSDKBackend(cfg aws.Config, opts Options) *sdkBackend {
	cfg = cfg.Copy()
	if opts.EndpointURL != "" {
		cfg.BaseEndpoint = aws.String(opts.EndpointURL)
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = awshttp.NewBuildableClient()
	}
	waits := productionRetryWaits
	switch {
	case opts.retryWaits != nil:
		waits = *opts.retryWaits
	case quickRetries.Load():
		waits = quickRetryWaits
	}
	cfg.Retryer = func() aws.Retryer { return newRetryer(waits) }
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	return &sdkBackend{base: cfg, rate: opts.RatePerRegion, timeout: opts.CallTimeout, region: region, limiters: map[string]*limiter{}}
}

// retryWaits are what makes a retrying client wait.
type retryWaits struct {
	// backoff is the delay before a retry.
	backoff retry.BackoffDelayer
	// attemptCost is what an attempt takes from the adaptive rate limit's token bucket, which
	// throttling answers shrink (then an attempt waits for a token); 0 never waits.
	attemptCost uint
}

// productionRetryWaits are the waits of every scan of mqguard. Tests replace them through
// Options.retryWaits or QuickRetriesForTesting.
var productionRetryWaits = retryWaits{backoff: retry.BackoffDelayerFunc(backoff), attemptCost: retry.DefaultRequestCost}

// quickRetryWaits retry as a scan does without waiting seconds: backoff a thousand times
// shorter (5 ms at most), and attempts that take nothing from the adaptive rate limit, which
// still follows every answer.
var quickRetryWaits = retryWaits{
	backoff: retry.BackoffDelayerFunc(func(attempt int, err error) (time.Duration, error) {
		d, e := backoff(attempt, err)
		return d / 1000, e
	}),
	attemptCost: 0,
}

// quickRetries is set by QuickRetriesForTesting.
var quickRetries atomic.Bool

// QuickRetriesForTesting makes every scan that starts afterwards in this process wait
// milliseconds, not seconds, before its retries (the retries themselves are unchanged). It is
// for tests that scan through this package from elsewhere, such as the command's scripts
// against an endpoint that does not answer; mqguard itself never calls it.
func QuickRetriesForTesting() { quickRetries.Store(true) }

// newRetryer retries throttling and 5xx answers with adaptive client-side rate control, more
// attempts than the SDK's default and a short jittered exponential backoff. The SDK's retry
// quota is off: the per-region limiter already bounds the request rate.
func newRetryer(waits retryWaits) aws.Retryer {
	return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
		o.RequestCost = waits.attemptCost
		o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
			so.MaxAttempts = maxAttempts
			so.MaxBackoff = backoffCap
			so.Backoff = waits.backoff
			so.RateLimiter = ratelimit.None
			// A call that did not answer within CallTimeout is not tried again.
			so.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
				if errors.Is(err, errAttemptTimeout) {
					return aws.FalseTernary
				}
				return aws.UnknownTernary
			})}, so.Retryables...)
		})
	})
}

// backoff is "full jitter": a random delay below min(cap, base*2^(attempt-1)).
func backoff(attempt int, _ error) (time.Duration, error) {
	ceil := backoffCap
	if attempt < 16 {
		ceil = min(backoffCap, backoffBase<<max(attempt-1, 0))
	}
	return time.Duration(rand.Int64N(int64(ceil)) + 1), nil //nolint:gosec // retry jitter, not a secret
}

func (b *sdkBackend) defaultRegion() string { return b.region }

func (b *sdkBackend) home() session { return &sdkSession{b: b, key: "home", cfg: b.base} }

func (b *sdkBackend) member(account string, c *ststypes.Credentials) session {
	cfg := b.base.Copy()
	cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
		deref(c.AccessKeyId), deref(c.SecretAccessKey), deref(c.SessionToken)))
	return &sdkSession{b: b, key: account, cfg: cfg}
}

func (b *sdkBackend) limiter(key string) *limiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	l, ok := b.limiters[key]
	if !ok {
		l = newLimiter(b.rate)
		b.limiters[key] = l
	}
	return l
}

type sdkSession struct {
	b   *sdkBackend
	key string // account id, or "home" for the caller's credentials
	cfg aws.Config
}

// regional returns the configuration for region, its requests paced by the region's limiter.
func (s *sdkSession) regional(region string) aws.Config {
	cfg := s.cfg.Copy()
	cfg.Region = region
	cfg.HTTPClient = &pacedClient{next: s.cfg.HTTPClient, lim: s.b.limiter(s.key + "/" + region), timeout: s.b.timeout}
	return cfg
}

func (s *sdkSession) sts() STSAPI { return sts.NewFromConfig(s.regional(s.b.region)) }
func (s *sdkSession) stsIn(region string) STSAPI {
	return sts.NewFromConfig(s.regional(region))
}
func (s *sdkSession) org() OrganizationsAPI {
	return organizations.NewFromConfig(s.regional(s.b.region))
}
func (s *sdkSession) ec2(region string) EC2API { return ec2.NewFromConfig(s.regional(region)) }
func (s *sdkSession) mq(region string) MQAPI   { return mq.NewFromConfig(s.regional(region)) }
func (s *sdkSession) kms(region string) KMSAPI { return kms.NewFromConfig(s.regional(region)) }

// errAttemptTimeout is an HTTP attempt that got no answer within CallTimeout.
var errAttemptTimeout = errors.New("no answer before the call timeout")

// pacedClient waits for the limiter before each HTTP request.
type pacedClient struct {
	next    aws.HTTPClient
	lim     *limiter
	timeout time.Duration // per attempt
}

func (c *pacedClient) Do(req *http.Request) (*http.Response, error) {
	if err := c.lim.wait(req.Context()); err != nil {
		return nil, err
	}
	if c.timeout <= 0 {
		return c.next.Do(req)
	}
	// The timeout starts once the request may be sent: waiting for the limiter is not the
	// service's slowness.
	ctx, cancel := context.WithTimeout(req.Context(), c.timeout)
	resp, err := c.next.Do(req.WithContext(ctx))
	if err != nil {
		timedOut := ctx.Err() != nil && req.Context().Err() == nil
		cancel()
		if timedOut {
			return nil, errAttemptTimeout
		}
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelBody releases the attempt's context when the body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// limiter lets at most n requests start in any window of one second, n being the rate (at
// least one; a rate below one per second widens the window instead). It remembers when the
// last n requests actually started, so a timer that fires late cannot squeeze more into a
// window; a small margin absorbs the gap between starting and sending.
type limiter struct {
	mu     sync.Mutex
	window time.Duration
	sent   []time.Time // ring of the last n start times
	next   int
}

const limiterMargin = 10 * time.Millisecond

func newLimiter(rate float64) *limiter {
	if rate <= 0 {
		return &limiter{}
	}
	n, window := int(rate), time.Second
	if n < 1 {
		n, window = 1, time.Duration(float64(time.Second)/rate)
	}
	return &limiter{window: window + limiterMargin, sent: make([]time.Time, n)}
}

func (l *limiter) wait(ctx context.Context) error {
	if len(l.sent) == 0 {
		return ctx.Err()
	}
	for {
		l.mu.Lock()
		now := time.Now()
		oldest := l.sent[l.next]
		if oldest.IsZero() || now.Sub(oldest) >= l.window {
			l.sent[l.next] = now
			l.next = (l.next + 1) % len(l.sent)
			l.mu.Unlock()
			return ctx.Err()
		}
		d := l.window - now.Sub(oldest)
		l.mu.Unlock()
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}
