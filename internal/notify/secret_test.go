package notify_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/notify"
	"github.com/mqguard/mqguard/internal/scan"
	"github.com/mqguard/mqguard/internal/testsecrets"
)

// The inputs and their secrets are internal/testsecrets (shared with internal/scan): the
// payload carries only what the masked report carries.

// TestNoSecretInPayload scans inputs full of secrets with scan.Run and builds messages from the
// findings (every severity, every finding in some message; for resolved findings every status):
// neither the payload, nor the summary, nor SNS's Publish request holds a secret.
func TestNoSecretInPayload(t *testing.T) {
	dir := t.TempDir()
	for name, body := range testsecrets.Tree {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := scan.Run(t.Context(), scan.Request{FS: os.DirFS(dir), Paths: []string{"."}, Version: "test",
		AsOf: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), ShowPassed: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Report.Errors) > 0 {
		t.Fatalf("scan errors: %+v", res.Report.Errors)
	}
	topic, err := notify.ParseDestination("sns:arn:aws:sns:eu-west-1:123456789012:mq-alerts")
	if err != nil {
		t.Fatal(err)
	}
	for _, event := range []string{notify.EventNew, notify.EventResolved} {
		// A message lists at most 48 findings: build one per batch, so that every finding is in one.
		fs := res.Report.Findings
		var all []byte
		for lo := 0; lo < len(fs); lo += 40 {
			m, err := notify.Build(fs[lo:min(lo+40, len(fs))], notify.Options{Event: event, MinSeverity: "INFO", MaxFindings: 40, Scope: "tf/, cfn/"})
			if err != nil {
				t.Fatal(err)
			}
			if m == nil {
				continue
			}
			all = append(all, m.JSON...)
			in := notify.PublishInput(topic, m)
			for what, b := range map[string]string{"payload": string(m.JSON), "text": m.Text, "subject": *in.Subject, "SNS message": *in.Message} {
				for _, s := range testsecrets.Values {
					if bytes.Contains([]byte(b), []byte(s)) {
						t.Errorf("%s %s holds %q", event, what, s)
					}
				}
			}
		}
		if len(all) == 0 {
			t.Fatalf("%s: no message", event)
		}
		// The payloads must list the findings of the rules that read the secrets.
		if event == notify.EventResolved {
			for _, rule := range []string{"MQG013", "MQG015", "MQG016"} {
				if !bytes.Contains(all, []byte("`"+rule+"`")) {
					t.Errorf("no %s finding in the payloads: the test no longer exercises the secrets", rule)
				}
			}
		}
	}
}
