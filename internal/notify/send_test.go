package notify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// secretPath is a webhook's path: the credential no error may show.
const secretPath = "/services/T000/B000/XXXXSECRETXXXX"

func message(t *testing.T) *Message {
	t.Helper()
	m, err := Build(findings(), Options{Event: EventNew, Scope: "infra/"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// hook is a local HTTPS webhook that answers with the given status codes in turn (200 once they
// run out), or, for status 0, does not answer until the client gives up.
type hook struct {
	mu     sync.Mutex
	codes  []int
	bodies [][]byte
	srv    *httptest.Server
}

func newHook(t *testing.T, codes ...int) *hook {
	h := &hook{codes: codes}
	h.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		code := http.StatusOK
		if len(h.codes) > 0 {
			code, h.codes = h.codes[0], h.codes[1:]
		}
		if r.Method != http.MethodPost || r.URL.Path != secretPath || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			code = http.StatusBadRequest
		}
		h.bodies = append(h.bodies, body)
		h.mu.Unlock()
		switch code {
		case 0:
			<-r.Context().Done()
		case http.StatusTooManyRequests:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(code)
		case http.StatusFound:
			http.Redirect(w, r, "http://example.com/elsewhere", code)
		default:
			w.WriteHeader(code)
			_, _ = io.WriteString(w, "answer echoing "+r.URL.Path)
		}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) destination(t *testing.T) Destination {
	t.Helper()
	d, err := ParseDestination(h.srv.URL + secretPath)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (h *hook) calls() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.bodies)
}

// TestWebhookDelivers posts to a local HTTPS server whose certificate the client trusts: the
// server receives the payload as built, and it decodes as Slack's format.
func TestWebhookDelivers(t *testing.T) {
	h := newHook(t)
	m := message(t)
	s := &Sender{HTTPClient: h.srv.Client()}
	if err := s.Send(t.Context(), h.destination(t), m); err != nil {
		t.Fatal(err)
	}
	if h.calls() != 1 {
		t.Fatalf("%d requests, want 1", h.calls())
	}
	if !bytes.Equal(h.bodies[0], m.JSON) {
		t.Errorf("the server received\n%s\nwant\n%s", h.bodies[0], m.JSON)
	}
	if p := decode(t, h.bodies[0]); p.Text != m.Text {
		t.Errorf("text %q", p.Text)
	}
	// Nothing to send sends nothing.
	if err := s.Send(t.Context(), h.destination(t), nil); err != nil || h.calls() != 1 {
		t.Errorf("a nil message: %v, %d requests", err, h.calls())
	}
}

// TestWebhookUntrustedCertificate: a client that does not trust the server's certificate does
// not deliver, and the error names the destination without its path.
func TestWebhookUntrustedCertificate(t *testing.T) {
	h := newHook(t)
	s := &Sender{Attempts: 2, Backoff: func(int) time.Duration { return 0 }}
	err := s.Send(t.Context(), h.destination(t), message(t))
	if err == nil {
		t.Fatal("delivered to a server with an untrusted certificate")
	}
	if h.calls() != 0 {
		t.Errorf("%d requests reached the handler", h.calls())
	}
	checkError(t, err, h, "certificate")
}

func TestWebhookRetries(t *testing.T) {
	tests := []struct {
		name     string
		codes    []int
		calls    int
		backoffs []int
		err      string // "" for success
	}{
		{"500 then success", []int{500}, 2, []int{1}, ""},
		{"503, 502 then success", []int{503, 502}, 3, []int{1, 2}, ""},
		{"429 then success", []int{429}, 2, []int{1}, ""},
		{"always 500", []int{500, 500, 500, 500, 500}, 4, []int{1, 2, 3}, "failed after 4 attempt(s): HTTP 500 Internal Server Error"},
		{"404 is final", []int{404}, 1, nil, "failed after 1 attempt(s): HTTP 404 Not Found"},
		{"400 is final", []int{400, 200}, 1, nil, "HTTP 400 Bad Request"},
		{"403 is final", []int{403}, 1, nil, "HTTP 403 Forbidden"},
		{"a redirect is not followed", []int{302}, 1, nil, "HTTP 302 Found"},
		{"timeout, then success", []int{0}, 2, []int{1}, ""},
		{"always a timeout", []int{0, 0, 0, 0}, 4, []int{1, 2, 3}, "failed after 4 attempt(s): no answer within the attempt timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHook(t, tt.codes...)
			var backoffs []int
			s := &Sender{
				HTTPClient:     h.srv.Client(),
				AttemptTimeout: 200 * time.Millisecond,
				Backoff:        func(n int) time.Duration { backoffs = append(backoffs, n); return 0 },
			}
			err := s.Send(t.Context(), h.destination(t), message(t))
			if h.calls() != tt.calls {
				t.Errorf("%d requests, want %d", h.calls(), tt.calls)
			}
			if !slices.Equal(backoffs, tt.backoffs) {
				t.Errorf("backoffs %v, want %v", backoffs, tt.backoffs)
			}
			if tt.err == "" {
				if err != nil {
					t.Fatalf("not delivered: %v", err)
				}
				return
			}
			checkError(t, err, h, tt.err)
		})
	}
}

// checkError: a *DeliveryError that says want and names the destination by host only.
func checkError(t *testing.T, err error, h *hook, want string) {
	t.Helper()
	var de *DeliveryError
	if !errors.As(err, &de) {
		t.Fatalf("%T %v, want a *DeliveryError", err, err)
	}
	msg := err.Error()
	if !strings.Contains(msg, want) {
		t.Errorf("error %q does not say %q", msg, want)
	}
	if masked := h.srv.URL + "/services/…"; !strings.Contains(msg, "notify "+masked+":") {
		t.Errorf("error %q does not name %s", msg, masked)
	}
	if strings.Contains(msg, "SECRET") || strings.Contains(msg, "T000") {
		t.Errorf("error %q holds the webhook's secret path", msg)
	}
}

// TestSendCanceled: a cancelled context ends the backoff at once.
func TestSendCanceled(t *testing.T) {
	h := newHook(t, 500, 500)
	ctx, cancel := context.WithCancel(t.Context())
	s := &Sender{HTTPClient: h.srv.Client(), Backoff: func(int) time.Duration { cancel(); return time.Hour }}
	done := make(chan error, 1)
	go func() { done <- s.Send(ctx, h.destination(t), message(t)) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Send did not return after the context was cancelled")
	}
}

// TestRetryAfter: a 429 with Retry-After waits as long as asked, though the backoff is zero.
func TestRetryAfter(t *testing.T) {
	h := newHook(t, http.StatusTooManyRequests)
	s := &Sender{HTTPClient: h.srv.Client(), Backoff: func(int) time.Duration { return 0 }}
	start := time.Now()
	if err := s.Send(t.Context(), h.destination(t), message(t)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("retried after %v, the server asked for 1s", d)
	}
	if h.calls() != 2 {
		t.Errorf("%d requests, want 2", h.calls())
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		v    string
		want time.Duration
	}{
		{"", 0}, {"5", 5 * time.Second}, {"-3", 0}, {"soon", 0},
		{"Fri, 04 Dec 2026 10:00:07 GMT", 7 * time.Second}, {"Fri, 04 Dec 2026 09:00:00 GMT", 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.v, now); got != tt.want {
			t.Errorf("Retry-After %q: %v, want %v", tt.v, got, tt.want)
		}
	}
	for _, tt := range []struct{ backoff, after, want time.Duration }{
		{time.Second, 0, time.Second}, {time.Second, 5 * time.Second, 5 * time.Second},
		{8 * time.Second, 5 * time.Second, 8 * time.Second}, {time.Second, time.Hour, backoffMax},
	} {
		if got := wait(tt.backoff, tt.after); got != tt.want {
			t.Errorf("wait(%v, %v) = %v, want %v", tt.backoff, tt.after, got, tt.want)
		}
	}
}

func TestDefaultBackoff(t *testing.T) {
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second}
	for i, w := range want {
		if got := defaultBackoff(i + 1); got != w {
			t.Errorf("retry %d: %v, want %v", i+1, got, w)
		}
	}
}

// fakeSNS answers Publish with the given errors in turn, then success.
type fakeSNS struct {
	errs []error
	ins  []*sns.PublishInput
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.ins = append(f.ins, in)
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return nil, err
	}
	return &sns.PublishOutput{}, nil
}

// apiError is an SDK error as the SNS client returns it.
func apiError(status int, code string) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Message: code},
	}}
}

func TestSNSRetries(t *testing.T) {
	tests := []struct {
		name  string
		errs  []error
		calls int
		err   string
	}{
		{"success", nil, 1, ""},
		{"500 then success", []error{apiError(500, "InternalError")}, 2, ""},
		{"throttled (400) then success", []error{apiError(400, "Throttled")}, 2, ""},
		{"network error then success", []error{errors.New("connection refused")}, 2, ""},
		{"not found is final", []error{apiError(404, "NotFound")}, 1, "NotFound"},
		{"no permission is final", []error{apiError(403, "AuthorizationError")}, 1, "AuthorizationError"},
		{"always 500", []error{apiError(500, "InternalError"), apiError(500, "InternalError"), apiError(500, "InternalError")}, 3, "failed after 3 attempt(s)"},
	}
	d, err := ParseDestination("sns:arn:aws:sns:eu-west-1:123456789012:mq-alerts")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeSNS{errs: tt.errs}
			var region string
			s := &Sender{Attempts: 3, Backoff: func(int) time.Duration { return 0 },
				NewSNS: func(r string) SNSPublisher { region = r; return fake }}
			m := message(t)
			err := s.Send(t.Context(), d, m)
			if len(fake.ins) != tt.calls {
				t.Errorf("%d calls, want %d", len(fake.ins), tt.calls)
			}
			if region != "eu-west-1" {
				t.Errorf("client for region %q", region)
			}
			in := fake.ins[0]
			if *in.TopicArn != d.TopicARN || *in.Subject != m.Subject || *in.Message != string(m.JSON) || in.MessageGroupId != nil {
				t.Errorf("publish input %+v", in)
			}
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "notify sns:"+d.TopicARN+":") {
				t.Errorf("error %v, want one naming the topic and saying %q", err, tt.err)
			}
		})
	}
}

func TestSNSFIFO(t *testing.T) {
	d, err := ParseDestination("sns:arn:aws:sns:eu-west-1:123456789012:alerts.fifo")
	if err != nil {
		t.Fatal(err)
	}
	m := message(t)
	in := PublishInput(d, m)
	if in.MessageGroupId == nil || in.MessageDeduplicationId == nil || len(*in.MessageDeduplicationId) != 64 {
		t.Errorf("FIFO publish without group or deduplication ID: %+v", in)
	}
	if again := PublishInput(d, m); *again.MessageDeduplicationId != *in.MessageDeduplicationId {
		t.Error("the deduplication ID of the same message differs")
	}
}

func TestSNSWithoutConfig(t *testing.T) {
	d, _ := ParseDestination("sns:arn:aws:sns:eu-west-1:123456789012:mq-alerts")
	if err := (&Sender{}).Send(t.Context(), d, message(t)); err == nil || !strings.Contains(err.Error(), "no AWS configuration") {
		t.Errorf("error %v", err)
	}
	if err := (&Sender{}).Send(t.Context(), Destination{}, message(t)); err == nil {
		t.Error("a zero destination accepted")
	}
}
