package awsapi

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"
)

// TestBackoff: full jitter below min(backoffCap, backoffBase*2^(attempt-1)), never zero.
func TestBackoff(t *testing.T) {
	for _, attempt := range []int{0, 1, 2, 3, 5, 8, 15, 16, 40} {
		ceil := backoffCap
		if attempt < 16 {
			ceil = min(backoffCap, backoffBase<<max(attempt-1, 0))
		}
		var longest time.Duration
		for range 200 {
			d, err := backoff(attempt, nil)
			if err != nil {
				t.Fatal(err)
			}
			if d <= 0 || d > ceil {
				t.Fatalf("attempt %d: delay %v outside (0, %v]", attempt, d, ceil)
			}
			longest = max(longest, d)
		}
		if longest < ceil/2 {
			t.Errorf("attempt %d: longest of 200 delays %v, want some above %v (jitter over the whole range)", attempt, longest, ceil/2)
		}
	}
}

var errThrottled = &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}

// retryerOf is the retryer of the clients a scan with opts makes.
func retryerOf(t *testing.T, opts Options) aws.RetryerV2 {
	t.Helper()
	r, ok := newSDKBackend(aws.Config{}, opts).base.Retryer().(aws.RetryerV2)
	if !ok {
		t.Fatal("the retryer cannot rate-limit attempts")
	}
	if n := r.MaxAttempts(); n != maxAttempts {
		t.Errorf("MaxAttempts %d, want %d", n, maxAttempts)
	}
	if !r.IsErrorRetryable(errThrottled) {
		t.Error("throttling is not retried")
	}
	return r
}

// longestDelay is the longest of 50 delays before attempt 6.
func longestDelay(t *testing.T, r aws.RetryerV2) time.Duration {
	t.Helper()
	var longest time.Duration
	for range 50 {
		d, err := r.RetryDelay(6, errThrottled)
		if err != nil {
			t.Fatal(err)
		}
		if d < 0 || d > backoffCap {
			t.Fatalf("delay %v outside [0, %v]", d, backoffCap)
		}
		longest = max(longest, d)
	}
	return longest
}

// waitsAfterThrottling answers one attempt with a throttling error and reports whether the next
// attempt has to wait (more than 100 ms) for the adaptive rate limit.
func waitsAfterThrottling(t *testing.T, r aws.RetryerV2) bool {
	t.Helper()
	release, err := r.GetAttemptToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_ = release(errThrottled)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = r.GetAttemptToken(ctx)
	return err != nil
}

// TestRetryWaits: a scan's clients retry up to maxAttempts times after backoff, and once
// throttled they wait for the adaptive rate limit; with quickRetryWaits, which the other tests
// use, they retry alike but wait milliseconds only.
func TestRetryWaits(t *testing.T) {
	prod := retryerOf(t, Options{})
	if d := longestDelay(t, prod); d < time.Second {
		t.Errorf("longest of 50 delays before attempt 6: %v, want backoff's (up to %v)", d, backoffCap)
	}
	if !waitsAfterThrottling(t, prod) {
		t.Error("after a throttling answer the next attempt did not wait for the adaptive rate limit")
	}

	quick := retryerOf(t, Options{retryWaits: &quickRetryWaits})
	if d := longestDelay(t, quick); d > 5*time.Millisecond {
		t.Errorf("quick: a delay of %v", d)
	}
	if waitsAfterThrottling(t, quick) {
		t.Error("quick: an attempt waited after a throttling answer")
	}
}

// TestQuickRetriesForTesting: after the hook, scans that do not choose their waits get
// quickRetryWaits.
func TestQuickRetriesForTesting(t *testing.T) {
	t.Cleanup(func() { quickRetries.Store(false) })
	QuickRetriesForTesting()
	r := retryerOf(t, Options{})
	if d := longestDelay(t, r); d > 5*time.Millisecond {
		t.Errorf("a delay of %v", d)
	}
	if waitsAfterThrottling(t, r) {
		t.Error("an attempt waited after a throttling answer")
	}
}
