package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
)

// Delivery defaults.
const (
	DefaultAttempts       = 4
	DefaultAttemptTimeout = 10 * time.Second
	// backoffBase and backoffMax bound the default backoff: 1 s, 2 s, 4 s, ... at most 30 s.
	backoffBase = time.Second
	backoffMax  = 30 * time.Second
)

// SNSPublisher is the part of the SNS client a Sender uses.
type SNSPublisher interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// Sender delivers messages. The zero value is ready for webhooks; SNS needs AWS or NewSNS.
type Sender struct {
	// HTTPClient posts to webhooks; nil means a client of its own. Redirects are never followed
	// (a webhook that redirects could send the findings anywhere, in clear text too).
	HTTPClient *http.Client
	// AWS is the configuration SNS clients are made from (the region is the topic's).
	AWS *aws.Config
	// NewSNS, when set, makes the SNS client for a region instead of AWS (tests).
	NewSNS func(region string) SNSPublisher
	// Attempts bounds the tries per destination; 0 means DefaultAttempts.
	Attempts int
	// AttemptTimeout bounds each try; 0 means DefaultAttemptTimeout.
	AttemptTimeout time.Duration
	// Backoff is the wait before retry n (1 for the first retry); nil means exponential from
	// 1 s, at most 30 s. A longer Retry-After from a webhook is honoured, up to 30 s.
	Backoff func(retry int) time.Duration
}

// DeliveryError is a failed delivery. Its message names the destination as Destination.String
// does, never the webhook's secret path.
type DeliveryError struct {
	Destination string
	Attempts    int
	Err         error
}

func (e *DeliveryError) Error() string {
	if e.Attempts == 0 {
		return fmt.Sprintf("notify %s: %v", e.Destination, e.Err)
	}
	return fmt.Sprintf("notify %s: failed after %d attempt(s): %v", e.Destination, e.Attempts, e.Err)
}

func (e *DeliveryError) Unwrap() error { return e.Err }

// errNoDestination is returned for a zero Destination.
var errNoDestination = errors.New("notify: no destination")

// attemptError is one try's failure, whether another try may succeed, and how long the server
// asked to wait before it (Retry-After).
type attemptError struct {
	err       error
	retryable bool
	after     time.Duration
}

// Send delivers m to d, retrying server errors (5xx), throttling (429), timeouts and connection
// failures with backoff; other client errors (4xx) are final. A nil message sends nothing.
func (s *Sender) Send(ctx context.Context, d Destination, m *Message) error {
	if m == nil {
		return nil
	}
	var try func(context.Context) *attemptError
	switch d.Kind {
	case KindWebhook:
		if d.URL == nil {
			return errNoDestination
		}
		client := s.httpClient()
		try = func(ctx context.Context) *attemptError { return postWebhook(ctx, client, d, m) }
	case KindSNS:
		pub, err := s.snsClient(d.Region)
		if err != nil {
			return &DeliveryError{Destination: d.String(), Err: err}
		}
		try = func(ctx context.Context) *attemptError { return publishSNS(ctx, pub, d, m) }
	default:
		return errNoDestination
	}

	attempts := s.Attempts
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	timeout := s.AttemptTimeout
	if timeout <= 0 {
		timeout = DefaultAttemptTimeout
	}
	backoff := s.Backoff
	if backoff == nil {
		backoff = defaultBackoff
	}
	for n := 1; ; n++ {
		actx, cancel := context.WithTimeout(ctx, timeout)
		aerr := try(actx)
		cancel()
		if aerr == nil {
			return nil
		}
		if ctx.Err() != nil {
			return &DeliveryError{Destination: d.String(), Attempts: n, Err: ctx.Err()}
		}
		if !aerr.retryable || n == attempts {
			return &DeliveryError{Destination: d.String(), Attempts: n, Err: aerr.err}
		}
		t := time.NewTimer(wait(backoff(n), aerr.after))
		select {
		case <-ctx.Done():
			t.Stop()
			return &DeliveryError{Destination: d.String(), Attempts: n, Err: ctx.Err()}
		case <-t.C:
		}
	}
}

// wait is the backoff, or longer when the server asked for it, but never more than backoffMax:
// a scan does not hang on a server that asks for an hour.
func wait(backoff, after time.Duration) time.Duration {
	if after > backoff {
		return min(after, backoffMax)
	}
	return backoff
}

func defaultBackoff(retry int) time.Duration {
	d := backoffBase << min(retry-1, 5)
	return min(d, backoffMax)
}

func (s *Sender) httpClient() *http.Client {
	c := &http.Client{}
	if s.HTTPClient != nil {
		cc := *s.HTTPClient
		c = &cc
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}

func (s *Sender) snsClient(region string) (SNSPublisher, error) {
	if s.NewSNS != nil {
		return s.NewSNS(region), nil
	}
	if s.AWS == nil {
		return nil, errors.New("no AWS configuration for SNS")
	}
	return sns.NewFromConfig(*s.AWS, func(o *sns.Options) {
		o.Region = region
		// The Sender retries; the SDK's own retries would multiply the attempts.
		o.RetryMaxAttempts = 1
	}), nil
}

// postWebhook makes one POST of the payload.
func postWebhook(ctx context.Context, client *http.Client, d Destination, m *Message) *attemptError {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL.String(), bytes.NewReader(m.JSON))
	if err != nil {
		return &attemptError{err: errors.New("cannot make the request")}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := client.Do(req)
	if err != nil {
		return &attemptError{err: transportError(ctx, err), retryable: true}
	}
	defer func() { _ = resp.Body.Close() }()
	// Read what little the server says so that the connection can be reused; its content is
	// not repeated (a server may echo the request, URL included).
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusTooManyRequests || code >= 500:
		return &attemptError{err: fmt.Errorf("HTTP %s", resp.Status), retryable: true, after: retryAfter(resp.Header.Get("Retry-After"), time.Now())}
	default:
		return &attemptError{err: fmt.Errorf("HTTP %s", resp.Status)}
	}
}

// retryAfter reads a Retry-After header: seconds or an HTTP date; 0 when absent or unreadable.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(n, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// transportError is err without the request URL *url.Error carries.
func transportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return errors.New("no answer within the attempt timeout")
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return err
}

// publishSNS makes one Publish: the subject and, as the body, the JSON payload, so that a
// subscriber can forward it to a chat webhook as is.
func publishSNS(ctx context.Context, pub SNSPublisher, d Destination, m *Message) *attemptError {
	in := PublishInput(d, m)
	_, err := pub.Publish(ctx, in)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return &attemptError{err: errors.New("no answer within the attempt timeout"), retryable: true}
	}
	var rerr *awshttp.ResponseError
	if errors.As(err, &rerr) {
		code := rerr.HTTPStatusCode()
		return &attemptError{err: err, retryable: code == http.StatusTooManyRequests || code >= 500 || isThrottle(err)}
	}
	return &attemptError{err: err, retryable: true}
}

// isThrottle recognises SNS's throttling errors (Throttled, KMSThrottling), which come with
// HTTP 400.
func isThrottle(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && strings.Contains(api.ErrorCode(), "Throttl")
}

// PublishInput is the SNS Publish request for m. A FIFO topic needs a group and a deduplication
// ID: one group (alerts stay in order), the payload's hash.
func PublishInput(d Destination, m *Message) *sns.PublishInput {
	in := &sns.PublishInput{
		TopicArn: aws.String(d.TopicARN),
		Subject:  aws.String(m.Subject),
		Message:  aws.String(string(m.JSON)),
	}
	if strings.HasSuffix(d.TopicARN, ".fifo") {
		sum := sha256.Sum256(m.JSON)
		in.MessageGroupId = aws.String("mqguard")
		in.MessageDeduplicationId = aws.String(hex.EncodeToString(sum[:]))
	}
	return in
}
