package export

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/mqguard/mqguard/internal/source/awsapi/mototest"
)

// motoClient is a Security Hub client of moto_server.
func motoClient(t *testing.T) *securityhub.Client {
	t.Helper()
	srv := mototest.Start(t)
	return securityhub.NewFromConfig(aws.Config{
		Region:       testRegion,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAMOTOTESTKEY00000", "moto-test-secret", ""),
		BaseEndpoint: aws.String(srv.URL),
	})
}

func getFindings(ctx context.Context, t *testing.T, sh *securityhub.Client) map[string]shtypes.AwsSecurityFinding {
	t.Helper()
	got := map[string]shtypes.AwsSecurityFinding{}
	pages := securityhub.NewGetFindingsPaginator(sh, &securityhub.GetFindingsInput{MaxResults: aws.Int32(100)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("securityhub:GetFindings: %v", err)
		}
		for _, f := range page.Findings {
			if _, dup := got[aws.ToString(f.Id)]; dup {
				t.Errorf("GetFindings returned %q twice", aws.ToString(f.Id))
			}
			got[aws.ToString(f.Id)] = f
		}
	}
	return got
}

// TestMotoExport exports a report of 250 findings into moto's Security Hub (three batches),
// reads them back with GetFindings, then exports the next scan's report: the findings are
// updated, not duplicated.
func TestMotoExport(t *testing.T) {
	sh := motoClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ex := &Exporter{Client: func(string) Client { return sh }}

	first := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	sent, err := Findings(testReport(250), "", first)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ex.Send(ctx, sent)
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 250 || res.Batches != 3 {
		t.Errorf("imported %d in %d batches, want 250 in 3", res.Imported, res.Batches)
	}
	got := getFindings(ctx, t, sh)
	if len(got) != len(sent) {
		t.Fatalf("GetFindings returned %d findings, %d were sent", len(got), len(sent))
	}
	for _, s := range sent {
		id := aws.ToString(s.Id)
		g, ok := got[id]
		switch {
		case !ok:
			t.Errorf("%s was sent, GetFindings does not return it", id)
		case aws.ToString(g.GeneratorId) != "MQG001" || g.Severity == nil || g.Severity.Label != shtypes.SeverityLabelHigh ||
			aws.ToString(g.ProductArn) != aws.ToString(s.ProductArn) || aws.ToString(g.AwsAccountId) != testAccount ||
			len(g.Resources) != 1 || aws.ToString(g.Resources[0].Id) != aws.ToString(s.Resources[0].Id) ||
			g.Compliance == nil || g.Compliance.Status != shtypes.ComplianceStatusFailed ||
			aws.ToString(g.UpdatedAt) != "2026-12-01T08:00:00Z" || g.RecordState != shtypes.RecordStateActive:
			t.Errorf("%s: GetFindings returned %+v, sent %+v", id, g, s)
		}
	}

	// The next scan: one broker fixed (PASS), the others still failing.
	next := testReport(250)
	next.AsOf = "2026-12-07"
	next.Findings[7].Status = "PASS"
	second := first.AddDate(0, 0, 7)
	resent, err := Findings(next, "", second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.Send(ctx, resent); err != nil {
		t.Fatal(err)
	}
	got = getFindings(ctx, t, sh)
	if len(got) != 250 {
		t.Fatalf("after the second export GetFindings returned %d findings, want the 250 updated", len(got))
	}
	for id, g := range got {
		if aws.ToString(g.UpdatedAt) != "2026-12-08T08:00:00Z" {
			t.Errorf("%s: UpdatedAt %q, want the second export's", id, aws.ToString(g.UpdatedAt))
		}
	}
	if g := got["mqguard/fp0007"]; g.Compliance == nil || g.Compliance.Status != shtypes.ComplianceStatusPassed ||
		g.Workflow == nil || g.Workflow.Status != shtypes.WorkflowStatusResolved {
		t.Errorf("the fixed finding: compliance %+v workflow %+v", g.Compliance, g.Workflow)
	}
}
