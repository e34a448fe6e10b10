package export

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"

	"github.com/mqguard/mqguard/internal/finding"
)

const (
	testAccount = "123456789012"
	testRegion  = "eu-west-1"
)

// testReport is a live scan's report of n FAIL findings, one per broker.
func testReport(n int) *finding.Report {
	r := &finding.Report{Schema: finding.Schema, AsOf: "2026-11-30"}
	for i := range n {
		arn := fmt.Sprintf("arn:aws:mq:%s:%s:broker:b%d:b-%04d", testRegion, testAccount, i, i)
		r.Findings = append(r.Findings, finding.Finding{
			RuleID: "MQG001", Title: "Broker is publicly accessible", Severity: "HIGH", Status: finding.StatusFail,
			Category: "network-exposure", Fingerprint: fmt.Sprintf("fp%04d", i), Message: "publicly_accessible is true",
			Resource: finding.Resource{Address: arn, Type: "AWS::AmazonMQ::Broker", Name: fmt.Sprintf("b%d", i),
				Engine: "RabbitMQ", Source: "aws", Account: testAccount, Region: testRegion, ARN: arn},
		})
	}
	return r
}

// fakeClient answers BatchImportFindings from a script of errors, then succeeds, refusing the
// findings whose Id is in refuse.
type fakeClient struct {
	region string
	errs   []error
	refuse map[string]string
	calls  *[]call
}

type call struct {
	region string
	ids    []string
}

func (c *fakeClient) BatchImportFindings(_ context.Context, in *securityhub.BatchImportFindingsInput, _ ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error) {
	var ids []string
	for _, f := range in.Findings {
		ids = append(ids, aws.ToString(f.Id))
	}
	*c.calls = append(*c.calls, call{c.region, ids})
	if len(c.errs) > 0 {
		err := c.errs[0]
		c.errs = c.errs[1:]
		return nil, err
	}
	out := &securityhub.BatchImportFindingsOutput{SuccessCount: aws.Int32(0)}
	for _, id := range ids {
		if code, ok := c.refuse[id]; ok {
			out.FailedFindings = append(out.FailedFindings, shtypes.ImportFindingsError{
				Id: aws.String(id), ErrorCode: aws.String(code), ErrorMessage: aws.String("finding content: secret-password"),
			})
			continue
		}
		*out.SuccessCount = aws.ToInt32(out.SuccessCount) + 1
	}
	out.FailedCount = aws.Int32(int32(len(out.FailedFindings)))
	return out, nil
}

func throttle() error {
	return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
}

func TestSend(t *testing.T) {
	tests := []struct {
		name     string
		findings int
		errs     []error
		refuse   map[string]string
		attempts int
		// wantBatches are the sizes of the calls made, in order.
		wantBatches []int
		wantSleeps  []time.Duration
		wantErr     string
		wantFailed  []Failure
		wantOK      int
	}{
		{name: "batches of at most 100", findings: 250, wantBatches: []int{100, 100, 50}, wantOK: 250},
		{name: "one finding", findings: 1, wantBatches: []int{1}, wantOK: 1},
		{name: "nothing to send", findings: 0, wantOK: 0},
		{
			name: "throttling is retried with backoff", findings: 3, errs: []error{throttle(), throttle()},
			wantBatches: []int{3, 3, 3}, wantSleeps: []time.Duration{time.Second, 2 * time.Second}, wantOK: 3,
		},
		{
			name: "throttling that does not stop", findings: 3, attempts: 3, errs: []error{throttle(), throttle(), throttle()},
			wantBatches: []int{3, 3, 3}, wantSleeps: []time.Duration{time.Second, 2 * time.Second},
			wantErr: "still throttled after 3 attempts",
		},
		{
			name: "another error is not retried", findings: 3,
			errs:        []error{&smithy.GenericAPIError{Code: "InvalidAccessException", Message: "not subscribed"}},
			wantBatches: []int{3}, wantErr: "InvalidAccessException",
		},
		{
			name: "refused findings", findings: 120,
			refuse:      map[string]string{"mqguard/fp0003": "InvalidInput", "mqguard/fp0110": "DuplicateId"},
			wantBatches: []int{100, 20}, wantOK: 118,
			wantFailed: []Failure{{"mqguard/fp0003", "InvalidInput"}, {"mqguard/fp0110", "DuplicateId"}},
			wantErr:    "Security Hub refused 2 finding(s) (118 imported): mqguard/fp0003 (InvalidInput), mqguard/fp0110 (DuplicateId)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := Findings(testReport(tt.findings), "", time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			var calls []call
			var sleeps []time.Duration
			client := &fakeClient{errs: tt.errs, refuse: tt.refuse, calls: &calls}
			ex := &Exporter{
				Client:   func(region string) Client { client.region = region; return client },
				Attempts: tt.attempts,
				Sleep:    func(_ context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil },
			}
			res, err := ex.Send(context.Background(), fs)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want %q", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "secret-password") {
				t.Errorf("the error shows the refused finding's message: %v", err)
			}
			var fe *FailedError
			if errors.As(err, &fe) != (tt.wantFailed != nil) || fe != nil && !reflect.DeepEqual(fe.Failed, tt.wantFailed) {
				t.Errorf("failed %+v, want %+v", fe, tt.wantFailed)
			}
			var sizes []int
			for _, c := range calls {
				sizes = append(sizes, len(c.ids))
				if c.region != testRegion {
					t.Errorf("call to region %q", c.region)
				}
			}
			if !reflect.DeepEqual(sizes, tt.wantBatches) {
				t.Errorf("batches %v, want %v", sizes, tt.wantBatches)
			}
			if !reflect.DeepEqual(sleeps, tt.wantSleeps) {
				t.Errorf("sleeps %v, want %v", sleeps, tt.wantSleeps)
			}
			if tt.wantErr == "" || fe != nil {
				if res.Imported != tt.wantOK {
					t.Errorf("imported %d, want %d", res.Imported, tt.wantOK)
				}
			}
		})
	}
}

// TestSendByRegion: a finding is imported in the region of its product ARN.
func TestSendByRegion(t *testing.T) {
	r := testReport(3)
	r.Findings[1].Resource.Region = "us-east-1"
	fs, err := Findings(r, "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var calls []call
	ex := &Exporter{Client: func(region string) Client { return &fakeClient{region: region, calls: &calls} }}
	if _, err := ex.Send(context.Background(), fs); err != nil {
		t.Fatal(err)
	}
	want := []call{{"eu-west-1", []string{"mqguard/fp0000", "mqguard/fp0002"}}, {"us-east-1", []string{"mqguard/fp0001"}}}
	if !reflect.DeepEqual(calls, want) {
		t.Errorf("calls %+v, want %+v", calls, want)
	}
}

// TestSendCancelled: a cancelled context stops the backoff.
func TestSendCancelled(t *testing.T) {
	fs, err := Findings(testReport(1), "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var calls []call
	ex := &Exporter{Client: func(string) Client { return &fakeClient{errs: []error{throttle()}, calls: &calls} }}
	if _, err := ex.Send(ctx, fs); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestFindingsStamps(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)
	fs, err := Findings(testReport(1), "", now)
	if err != nil {
		t.Fatal(err)
	}
	f := fs[0]
	if got := aws.ToString(f.CreatedAt); got != "2026-11-30T00:00:00Z" {
		t.Errorf("CreatedAt %q, want the report's as_of", got)
	}
	if got := aws.ToString(f.UpdatedAt); got != "2026-12-01T08:30:00Z" {
		t.Errorf("UpdatedAt %q, want the export time", got)
	}
	if aws.ToString(f.Id) != "mqguard/fp0000" || aws.ToString(f.ProductArn) != "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default" {
		t.Errorf("Id %q ProductArn %q", aws.ToString(f.Id), aws.ToString(f.ProductArn))
	}
	// A back-filled report dated after the export keeps UpdatedAt at CreatedAt.
	if fs, err = Findings(testReport(1), "", now.AddDate(0, 0, -5)); err != nil {
		t.Fatal(err)
	} else if aws.ToString(fs[0].UpdatedAt) != aws.ToString(fs[0].CreatedAt) {
		t.Errorf("UpdatedAt %q before CreatedAt %q", aws.ToString(fs[0].UpdatedAt), aws.ToString(fs[0].CreatedAt))
	}
	// An IaC finding has no account: the product ARN is required, as for the asff format.
	r := testReport(1)
	r.Findings[0].Resource = finding.Resource{Address: "aws_mq_broker.orders", Type: "aws_mq_broker"}
	if _, err := Findings(r, "", now); err == nil || !strings.Contains(err.Error(), "--asff-product-arn") {
		t.Errorf("IaC finding without a product ARN: %v", err)
	}
}

func TestReadReport(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, path, wantErr string
	}{
		{"a report", write("ok.json", `{"schema": "mqguard/v1", "as_of": "2026-11-30", "findings": []}`), ""},
		{"missing", filepath.Join(dir, "nosuch.json"), "nosuch.json: no such file or directory"},
		{"a directory", dir, "not a regular file"},
		{"bad JSON names the line", write("bad.json", "{\n\"schema\": \"mqguard/v1\",\n,}"), "bad.json:3: not a JSON report"},
		{"wrong type", write("type.json", `{"schema": "mqguard/v1", "findings": {}}`), "type.json: not an mqguard/v1 JSON report"},
		{"another document", write("sarif.json", `{"version": "2.1.0", "runs": []}`), `sarif.json: schema "", want an mqguard/v1 JSON report`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadReport(tt.path, filepath.Base(tt.path))
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}
