package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/mqguard/mqguard/internal/source/awsapi/mototest"
)

// TestExportSecurityHubMoto runs `mqguard export securityhub --from` against moto_server with
// credentials from the default chain (the environment): exit 0, and Security Hub holds the
// report's finding.
func TestExportSecurityHubMoto(t *testing.T) {
	srv := mototest.Start(t)
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAMOTOTESTKEY00000")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "moto-test-secret")
	t.Setenv("AWS_REGION", "us-east-1")
	const arn = "arn:aws:mq:eu-west-1:123456789012:broker:orders:b-1234"
	rep := `{"schema": "mqguard/v1", "as_of": "2026-11-30", "findings": [{"rule_id": "MQG001", "title": "Broker is publicly accessible",
	  "severity": "HIGH", "status": "FAIL", "category": "network-exposure", "fingerprint": "abc123",
	  "resource": {"address": "` + arn + `", "source": "aws", "account": "123456789012", "region": "eu-west-1", "arn": "` + arn + `"}}]}`
	if err := os.WriteFile(filepath.Join(dir, "report.json"), []byte(rep), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	env := osEnv(&stdout, &stderr)
	env.Getwd = func() (string, error) { return dir, nil }
	code := RunEnv(context.Background(), []string{"export", "securityhub", "--from", "report.json", "--endpoint-url", srv.URL}, env)
	if code != ExitOK || !strings.Contains(stderr.String(), "1 finding(s) imported into Security Hub in 1 batch(es)") {
		t.Fatalf("exit %d, stderr %q", code, stderr.String())
	}

	// The finding went to the region of its product ARN (eu-west-1), not the default one.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sh := securityhub.NewFromConfig(aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIAMOTOTESTKEY00000", "moto-test-secret", ""),
		BaseEndpoint: aws.String(srv.URL),
	})
	out, err := sh.GetFindings(ctx, &securityhub.GetFindingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Findings) != 1 || aws.ToString(out.Findings[0].Id) != "mqguard/abc123" ||
		aws.ToString(out.Findings[0].ProductArn) != "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default" {
		t.Errorf("GetFindings: %+v", out.Findings)
	}
}
