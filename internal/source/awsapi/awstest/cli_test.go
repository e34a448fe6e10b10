package awstest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// awsCLI finds an AWS CLI: Debian's v2 at /usr/bin/aws first, else any aws on PATH.
func awsCLI() string {
	if _, err := os.Stat("/usr/bin/aws"); err == nil {
		return "/usr/bin/aws"
	}
	if p, err := exec.LookPath("aws"); err == nil {
		return p
	}
	return ""
}

// TestAWSCLI runs the AWS CLI against the fake: what it prints equals the snapshot file the
// answer came from.
func TestAWSCLI(t *testing.T) {
	cli := awsCLI()
	if cli == "" {
		t.Skip("SKIP: no aws CLI found (/usr/bin/aws or aws on PATH)")
	}
	s, _ := startServer(t, snapshotWorld(t), Faults{})
	dir := filepath.Join("testdata", "snapshot")
	tests := []struct {
		args []string
		file string
	}{
		{[]string{"mq", "list-brokers"}, "111122223333/eu-west-1/mq/list-brokers.json"},
		{[]string{"mq", "describe-broker", "--broker-id", "b-1111"}, "111122223333/eu-west-1/mq/describe-broker/b-1111.json"},
		{[]string{"mq", "describe-broker", "--broker-id", "b-2222"}, "111122223333/eu-west-1/mq/describe-broker/b-2222.json"},
		{[]string{"mq", "describe-user", "--broker-id", "b-1111", "--username", "admin"}, "111122223333/eu-west-1/mq/describe-user/b-1111/admin.json"},
		{[]string{"mq", "describe-configuration", "--configuration-id", "c-1111"}, "111122223333/eu-west-1/mq/describe-configuration/c-1111.json"},
		{[]string{"mq", "describe-configuration-revision", "--configuration-id", "c-1111", "--configuration-revision", "2"}, "111122223333/eu-west-1/mq/describe-configuration-revision/c-1111/2.json"},
		{[]string{"ec2", "describe-security-groups"}, "111122223333/eu-west-1/ec2/describe-security-groups.json"},
		{[]string{"kms", "describe-key", "--key-id", "1234abcd-12ab-34cd-56ef-1234567890ab"}, "111122223333/eu-west-1/kms/describe-key/1234abcd-12ab-34cd-56ef-1234567890ab.json"},
		{[]string{"sts", "get-caller-identity"}, "111122223333/sts/get-caller-identity.json"},
		{[]string{"organizations", "list-accounts"}, "organizations/list-accounts.json"},
	}
	home := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--endpoint-url", s.URL(), "--region", region, "--output", "json"}, tt.args...)
			cmd := exec.Command(cli, args...)
			cmd.Env = []string{
				"HOME=" + home, "PATH=" + os.Getenv("PATH"),
				"AWS_ACCESS_KEY_ID=AKIDEXAMPLEHOME", "AWS_SECRET_ACCESS_KEY=secret",
				"AWS_CONFIG_FILE=" + filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
				"AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("aws %v: %v\n%s", tt.args, err, stderr.String())
			}
			want, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			g, w := normalizeCLI(t, out), normalizeCLI(t, want)
			if !reflect.DeepEqual(g, w) {
				gb, _ := json.MarshalIndent(g, "", " ")
				wb, _ := json.MarshalIndent(w, "", " ")
				t.Errorf("aws %v printed\n%s\nwant (%s)\n%s", tt.args, gb, tt.file, wb)
			}
		})
	}
}

// normalizeCLI parses CLI-style JSON with nulls dropped and timestamps in one form.
func normalizeCLI(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, data)
	}
	return normalizeTree(v)
}

func normalizeTree(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, sub := range x {
			if sub != nil {
				out[k] = normalizeTree(sub)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, sub := range x {
			out[i] = normalizeTree(sub)
		}
		return out
	case string:
		if len(x) >= 19 && x[4] == '-' && x[10] == 'T' || len(x) >= 19 && x[4] == '-' && x[10] == ' ' {
			if ts, err := parseTimestamp(x); err == nil {
				return ts.UTC().Format(time.RFC3339Nano)
			}
		}
	}
	return v
}
