package mototest

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/mqguard/mqguard/internal/finding"
	"github.com/mqguard/mqguard/internal/report"
	"github.com/mqguard/mqguard/internal/source/awsapi"
)

// motoAccount is the account moto answers as.
const motoAccount = "123456789012"

// TestSecurityHubImport scans the moto world, writes the report as ASFF and imports it into
// moto's Security Hub with the AWS SDK: the document decodes into the SDK's finding type with no
// unknown field, BatchImportFindings accepts every finding, a second import updates them instead
// of adding copies, and GetFindings returns what was sent.
//
// moto stores imported findings as they come and checks only that each has a resource; the
// required fields and the SDK's field names are what this test checks on top.
func TestSecurityHubImport(t *testing.T) {
	srv := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg := aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAMOTOTESTKEY00000", "moto-test-secret", ""),
		BaseEndpoint: aws.String(srv.URL),
	}
	buildWorld(ctx, t, cfg)
	inv, diags := awsapi.Scan(ctx, cfg, awsapi.Options{Regions: []string{region}, EndpointURL: srv.URL, CallTimeout: 10 * time.Second})
	rep := evaluate(t, inv, diags)
	if len(rep.Findings) == 0 {
		t.Fatal("the scan found nothing")
	}
	// An IaC finding (no ARN, no account) and a suppressed one go along with the live findings.
	iac := rep.Findings[0]
	iac.Resource = finding.Resource{Address: "aws_mq_broker.orders", Type: "aws_mq_broker", Name: "orders", Engine: "ActiveMQ", Source: "terraform"}
	iac.Location = finding.Location{Path: "infra/mq.tf", StartLine: 3, EndLine: 3}
	iac.Fingerprint = "iac-" + iac.Fingerprint
	iac.Status = finding.StatusSuppressed
	iac.Suppression = &finding.Suppression{Kind: "inline", Reason: "partner ingress"}
	rep.Findings = append(rep.Findings, iac)

	product := "arn:aws:securityhub:" + region + ":" + motoAccount + ":product/" + motoAccount + "/default"
	asff, _ := report.Lookup("asff")
	var out bytes.Buffer
	if err := asff.Write(&out, rep, report.Options{ASFFProductARN: product}); err != nil {
		t.Fatal(err)
	}
	var doc struct{ Findings []shtypes.AwsSecurityFinding }
	dec := json.NewDecoder(&out)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("the ASFF document does not decode into the SDK's AwsSecurityFinding: %v", err)
	}
	if len(doc.Findings) != len(rep.Findings) {
		t.Fatalf("%d ASFF findings for %d findings", len(doc.Findings), len(rep.Findings))
	}
	sent := map[string]shtypes.AwsSecurityFinding{}
	for _, f := range doc.Findings {
		checkRequired(t, f)
		sent[aws.ToString(f.Id)] = f
	}
	if len(sent) != len(doc.Findings) {
		t.Fatalf("%d distinct Ids for %d findings", len(sent), len(doc.Findings))
	}

	sh := securityhub.NewFromConfig(cfg)
	for range 2 { // the second import must update, not duplicate
		for lo := 0; lo < len(doc.Findings); lo += 100 { // the API's batch limit
			batch := doc.Findings[lo:min(lo+100, len(doc.Findings))]
			res, err := sh.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: batch})
			must(t, "securityhub:BatchImportFindings", err)
			if aws.ToInt32(res.FailedCount) != 0 || aws.ToInt32(res.SuccessCount) != int32(len(batch)) {
				t.Fatalf("BatchImportFindings: %d failed, %d imported of %d: %+v", aws.ToInt32(res.FailedCount),
					aws.ToInt32(res.SuccessCount), len(batch), res.FailedFindings)
			}
		}
	}

	var got []shtypes.AwsSecurityFinding
	pages := securityhub.NewGetFindingsPaginator(sh, &securityhub.GetFindingsInput{MaxResults: aws.Int32(100)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		must(t, "securityhub:GetFindings", err)
		got = append(got, page.Findings...)
	}
	if len(got) != len(sent) {
		t.Errorf("GetFindings returned %d findings, %d were imported twice", len(got), len(sent))
	}
	types := map[string]int{}
	for _, g := range got {
		id := aws.ToString(g.Id)
		s, ok := sent[id]
		if !ok {
			t.Errorf("GetFindings returned %q, which was not sent", id)
			continue
		}
		switch {
		case g.Severity == nil || g.Severity.Label != s.Severity.Label:
			t.Errorf("%s: severity %+v, sent %+v", id, g.Severity, s.Severity)
		case len(g.Resources) != 1 || aws.ToString(g.Resources[0].Type) != aws.ToString(s.Resources[0].Type) ||
			aws.ToString(g.Resources[0].Id) != aws.ToString(s.Resources[0].Id):
			t.Errorf("%s: resources %+v, sent %+v", id, g.Resources, s.Resources)
		case aws.ToString(g.GeneratorId) != aws.ToString(s.GeneratorId) || aws.ToString(g.ProductArn) != product:
			t.Errorf("%s: generator %q product %q", id, aws.ToString(g.GeneratorId), aws.ToString(g.ProductArn))
		case g.Compliance == nil || g.Compliance.Status != s.Compliance.Status || g.Workflow == nil || g.Workflow.Status != s.Workflow.Status:
			t.Errorf("%s: compliance %+v workflow %+v, sent %+v %+v", id, g.Compliance, g.Workflow, s.Compliance, s.Workflow)
		}
		types[aws.ToString(g.Resources[0].Type)]++
	}
	if types["AwsAmazonMQBroker"] != len(sent)-1 || types["Other"] != 1 {
		t.Errorf("resource types %v, want every live finding AwsAmazonMQBroker and the IaC one Other", types)
	}
	if w := sent["mqguard/"+iac.Fingerprint].Workflow; w == nil || w.Status != shtypes.WorkflowStatusSuppressed {
		t.Errorf("suppressed finding's workflow %+v", w)
	}
}

// checkRequired checks the fields BatchImportFindings requires (ASFF 2018-10-08).
func checkRequired(t *testing.T, f shtypes.AwsSecurityFinding) {
	t.Helper()
	id := aws.ToString(f.Id)
	for name, v := range map[string]*string{
		"SchemaVersion": f.SchemaVersion, "Id": f.Id, "ProductArn": f.ProductArn, "GeneratorId": f.GeneratorId,
		"AwsAccountId": f.AwsAccountId, "CreatedAt": f.CreatedAt, "UpdatedAt": f.UpdatedAt, "Title": f.Title,
		"Description": f.Description,
	} {
		if aws.ToString(v) == "" {
			t.Errorf("%s: no %s", id, name)
		}
	}
	if len(f.Types) == 0 || f.Severity == nil || f.Severity.Label == "" || len(f.Resources) == 0 ||
		aws.ToString(f.Resources[0].Type) == "" || aws.ToString(f.Resources[0].Id) == "" {
		t.Errorf("%s: Types %v, Severity %+v, Resources %+v", id, f.Types, f.Severity, f.Resources)
	}
	if aws.ToString(f.AwsAccountId) != motoAccount {
		t.Errorf("%s: account %q", id, aws.ToString(f.AwsAccountId))
	}
}
