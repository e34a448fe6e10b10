package awstest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// awsCLI finds an AWS CLI: $MQGUARD_AWS_CLI when set, else Debian's v2 at /usr/bin/aws, else
// any aws on PATH.
func awsCLI() string {
	if p := os.Getenv("MQGUARD_AWS_CLI"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/aws"); err == nil {
		return "/usr/bin/aws"
	}
	if p, err := exec.LookPath("aws"); err == nil {
		return p
	}
	return ""
}

// cliVersion is what `aws --version` prints, e.g. "aws-cli/2.9.19 Python/3.11.2 ...".
func cliVersion(t *testing.T, cli string, env []string) string {
	t.Helper()
	cmd := exec.Command(cli, "--version")
	cmd.Env = env
	out, err := cmd.CombinedOutput() // v1 prints its version on stderr
	if err != nil {
		t.Fatalf("%s --version: %v\n%s", cli, err, out)
	}
	return strings.TrimSpace(string(out))
}

// cliConfig pins what the CLI's major versions print differently: v1 prints timestamps as the
// wire has them (epoch seconds in the JSON protocols), v2 in ISO 8601.
const cliConfig = "[default]\ncli_timestamp_format = iso8601\n"

// TestAWSCLI runs the AWS CLI against the fake: what it prints equals the snapshot file the
// answer came from. Without a CLI it skips, except in CI (CI set), whose job installs one.
func TestAWSCLI(t *testing.T) {
	cli := awsCLI()
	if cli == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no aws CLI found (/usr/bin/aws or aws on PATH), and CI installs Debian's awscli")
		}
		t.Skip("SKIP: no aws CLI found (/usr/bin/aws or aws on PATH)")
	}
	home := t.TempDir()
	config := filepath.Join(home, "config")
	if err := os.WriteFile(config, []byte(cliConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"HOME=" + home, "PATH=" + os.Getenv("PATH"),
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLEHOME", "AWS_SECRET_ACCESS_KEY=secret",
		"AWS_CONFIG_FILE=" + config, "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
	}
	version := cliVersion(t, cli, env)
	t.Logf("%s: %s", cli, version)
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
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--endpoint-url", s.URL(), "--region", region, "--output", "json"}, tt.args...)
			cmd := exec.Command(cli, args...)
			cmd.Env = env
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s, aws %v: %v\n%s", version, tt.args, err, stderr.String())
			}
			want, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			g, w := normalizeCLI(t, out), normalizeCLI(t, want)
			if !reflect.DeepEqual(g, w) {
				gb, _ := json.MarshalIndent(g, "", " ")
				wb, _ := json.MarshalIndent(w, "", " ")
				t.Errorf("%s, aws %v printed\n%s\nwant (%s)\n%s", version, tt.args, gb, tt.file, wb)
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
