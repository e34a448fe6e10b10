// Package export sends scan results to other systems. Security Hub receives the findings of an
// mqguard/v1 report as the asff report format writes them, so the two cannot disagree.
package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/report"
)

// BatchSize is the most findings BatchImportFindings takes in one call.
const BatchSize = 100

// maxReportSize bounds the report read by ReadReport; a larger file is refused rather than
// read into memory.
const maxReportSize = 1 << 30

// Client is the part of the Security Hub API the export uses; tests give a fake.
type Client interface {
	BatchImportFindings(ctx context.Context, in *securityhub.BatchImportFindingsInput, opts ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error)
}

// ReadReport reads an mqguard/v1 JSON report. path is shown in errors as display.
func ReadReport(path, display string) (*finding.Report, error) {
	// Stat before opening: opening a named pipe nobody writes to would block.
	if st, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%s: %w", display, unwrapPath(err))
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", display)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", display, unwrapPath(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxReportSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", display, unwrapPath(err))
	}
	if len(data) > maxReportSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", display, maxReportSize)
	}
	return ParseReport(display, data)
}

// ParseReport parses the content of an mqguard/v1 JSON report.
func ParseReport(display string, data []byte) (*finding.Report, error) {
	var r finding.Report
	if err := json.Unmarshal(data, &r); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
			return nil, fmt.Errorf("%s:%d: not a JSON report: %w", display, line, err)
		}
		return nil, fmt.Errorf("%s: not an %s JSON report: %w", display, finding.Schema, err)
	}
	if r.Schema != finding.Schema {
		return nil, fmt.Errorf("%s: schema %q, want an %s JSON report (mqguard scan --format json)", display, r.Schema, finding.Schema)
	}
	return &r, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Findings builds the ASFF findings of r with the asff report format. CreatedAt is the scan's
// date (as_of); UpdatedAt is now, as Security Hub updates a finding it holds only from a newer
// UpdatedAt, so exporting the same report again is not ignored.
func Findings(r *finding.Report, productARN string, now time.Time) ([]shtypes.AwsSecurityFinding, error) {
	f, ok := report.Lookup("asff")
	if !ok {
		return nil, errors.New("the asff report format is not registered")
	}
	var buf bytes.Buffer
	if err := f.Write(&buf, r, report.Options{ASFFProductARN: productARN}); err != nil {
		return nil, err
	}
	var doc struct{ Findings []shtypes.AwsSecurityFinding }
	dec := json.NewDecoder(&buf)
	// The asff format writes only fields of the SDK's type (its test checks that); refusing
	// unknown ones keeps a drift from being sent silently without them.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("asff: %w", err)
	}
	updated := now.UTC().Format(time.RFC3339)
	for i := range doc.Findings {
		// A back-filled report can be dated after today; UpdatedAt never goes before CreatedAt.
		if c := aws.ToString(doc.Findings[i].CreatedAt); c > updated {
			continue
		}
		doc.Findings[i].UpdatedAt = aws.String(updated)
	}
	return doc.Findings, nil
}

// Failure is a finding Security Hub did not import: its Id and the error code, never its content.
type Failure struct {
	ID   string
	Code string
}

// FailedError is returned when Security Hub refused some findings; the others were imported.
type FailedError struct {
	Imported int
	Failed   []Failure
}

func (e *FailedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Security Hub refused %d finding(s) (%d imported):", len(e.Failed), e.Imported)
	for i, f := range e.Failed {
		if i == 10 {
			fmt.Fprintf(&b, " and %d more", len(e.Failed)-i)
			break
		}
		fmt.Fprintf(&b, " %s (%s)", f.ID, f.Code)
		if i < len(e.Failed)-1 && i < 9 {
			b.WriteByte(',')
		}
	}
	return b.String()
}

// Exporter sends findings to Security Hub.
type Exporter struct {
	// Client returns the Security Hub client of a region: a finding is imported in the region
	// of its product ARN.
	Client func(region string) Client
	// Attempts is how many times a throttled batch is sent before giving up; 0 means 5.
	Attempts int
	// Backoff is the wait before attempt n (1 for the first retry); nil means 1s doubling up
	// to 30s.
	Backoff func(n int) time.Duration
	// Sleep waits d or until ctx is done; nil means a timer. Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Result is what an export did.
type Result struct {
	Imported int
	Batches  int
}

// Send imports the findings in batches of at most BatchSize, per region of their product
// ARN, retrying throttled batches with backoff. Refused findings make a *FailedError once every
// batch has been sent.
func (e *Exporter) Send(ctx context.Context, findings []shtypes.AwsSecurityFinding) (Result, error) {
	byRegion := map[string][]shtypes.AwsSecurityFinding{}
	for _, f := range findings {
		region := regionOf(aws.ToString(f.ProductArn))
		byRegion[region] = append(byRegion[region], f)
	}
	regions := make([]string, 0, len(byRegion))
	for r := range byRegion {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	var res Result
	var failed []Failure
	for _, region := range regions {
		client := e.Client(region)
		all := byRegion[region]
		for lo := 0; lo < len(all); lo += BatchSize {
			batch := all[lo:min(lo+BatchSize, len(all))]
			out, err := e.import1(ctx, client, batch)
			if err != nil {
				return res, fmt.Errorf("securityhub:BatchImportFindings in %s (%d of %d findings imported): %w", region, res.Imported, len(findings), err)
			}
			res.Batches++
			res.Imported += int(aws.ToInt32(out.SuccessCount))
			for _, ff := range out.FailedFindings {
				failed = append(failed, Failure{ID: aws.ToString(ff.Id), Code: aws.ToString(ff.ErrorCode)})
			}
		}
	}
	if len(failed) > 0 {
		return res, &FailedError{Imported: res.Imported, Failed: failed}
	}
	return res, nil
}

// import1 sends one batch, retrying while Security Hub throttles.
func (e *Exporter) import1(ctx context.Context, c Client, batch []shtypes.AwsSecurityFinding) (*securityhub.BatchImportFindingsOutput, error) {
	attempts := e.Attempts
	if attempts <= 0 {
		attempts = 5
	}
	for n := 1; ; n++ {
		out, err := c.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: batch})
		if err == nil {
			return out, nil
		}
		if !throttled(err) || n >= attempts {
			if throttled(err) {
				return nil, fmt.Errorf("still throttled after %d attempts: %w", n, err)
			}
			return nil, err
		}
		if err := e.sleep(ctx, e.backoff(n)); err != nil {
			return nil, err
		}
	}
}

func (e *Exporter) backoff(n int) time.Duration {
	if e.Backoff != nil {
		return e.Backoff(n)
	}
	d := time.Second << min(n-1, 5)
	return min(d, 30*time.Second)
}

func (e *Exporter) sleep(ctx context.Context, d time.Duration) error {
	if e.Sleep != nil {
		return e.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// throttled reports whether err is Security Hub asking to slow down.
func throttled(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "ThrottlingException", "TooManyRequestsException", "LimitExceededException", "Throttling", "RequestLimitExceeded":
		return true
	}
	return false
}

// regionOf is the region of a Security Hub product ARN (arn:PARTITION:securityhub:REGION:...).
func regionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}
