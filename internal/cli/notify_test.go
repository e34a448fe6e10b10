package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// hook is a local webhook that records what it receives; fail makes it answer 500.
type hook struct {
	mu       sync.Mutex
	payloads []string
	fail     bool
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	h.payloads = append(h.payloads, string(b))
}

func (h *hook) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.payloads
	h.payloads = nil
	return p
}

// TestScanNotify: a scan recorded with --db announces the findings new since the previous scan
// at or above the threshold, once; a fixed broker is announced as resolved with
// --notify-resolved; a destination that keeps failing makes the scan exit 3 after its report
// and record are written; the payload holds no secret of the scanned code.
func TestScanNotify(t *testing.T) {
	notifyBackoff = func(int) time.Duration { return time.Millisecond }
	defer func() { notifyBackoff = nil }()
	h := &hook{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	env, _, stderr := testEnv(dir)
	scanAt := func(day, public string, extra ...string) int {
		writeBroker(t, dir, public)
		args := append([]string{"scan", "--as-of", day, "--rules", "MQG001,MQG013,MQG015", "--db", db,
			"--format", "json=" + filepath.Join(dir, "r-"+day+".json"), "--notify", srv.URL + "/services/T0KEN/Secr3t"}, extra...)
		return RunEnv(context.Background(), append(args, "infra"), env)
	}

	if code := scanAt("2026-11-02", "true"); code != ExitFindings {
		t.Fatalf("first scan: exit %d; stderr %s", code, stderr)
	}
	got := h.take()
	if len(got) != 1 || !strings.Contains(got[0], "MQG001") || !strings.Contains(got[0], "aws_mq_broker.orders") {
		t.Fatalf("first scan announced %q, want the public broker", got)
	}
	var payload struct {
		Text   string            `json:"text"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(got[0]), &payload); err != nil || payload.Text == "" || len(payload.Blocks) == 0 {
		t.Errorf("payload is not Slack-compatible: %v\n%s", err, got[0])
	}
	for _, secret := range []string{"Hist0ryS3cretPassw0rd!", "jane.doe@example.com", "TagSecretValue123"} {
		if strings.Contains(got[0], secret) {
			t.Errorf("the payload holds %q", secret)
		}
	}

	// The same findings again: nothing is new, nothing is sent.
	if code := scanAt("2026-11-03", "true"); code != ExitFindings {
		t.Fatalf("second scan: exit %d; stderr %s", code, stderr)
	}
	if got := h.take(); len(got) != 0 {
		t.Errorf("an unchanged scan announced %q", got)
	}

	// Fixed: announced as resolved only when asked.
	if code := scanAt("2026-11-04", "false", "--notify-resolved"); code != ExitFindings {
		t.Fatalf("third scan: exit %d; stderr %s", code, stderr)
	}
	if got := h.take(); len(got) != 1 || !strings.Contains(got[0], "resolved") || !strings.Contains(got[0], "MQG001") {
		t.Errorf("the fix announced %q, want MQG001 resolved", got)
	}

	// A destination that keeps failing: exit 3, the report still written.
	h.fail = true
	if code := scanAt("2026-11-05", "true"); code != ExitIncomplete {
		t.Errorf("failed delivery: exit %d, want %d", code, ExitIncomplete)
	}
	if !strings.Contains(stderr.String(), "--notify") || strings.Contains(stderr.String(), "T0KEN") {
		t.Errorf("the error should name the delivery without the webhook's path: %s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "r-2026-11-05.json")); err != nil {
		t.Errorf("the report was not written: %v", err)
	}
}

func TestNotifyFlags(t *testing.T) {
	dir := t.TempDir()
	env, _, _ := testEnv(dir)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--notify", "https://hooks.example.com/services/T/B/C"}, "--notify requires --db"},
		{[]string{"--db", "h.db", "--notify", "http://example.com/hook"}, "loopback"},
		{[]string{"--db", "h.db", "--notify", "https://hooks.example.com/x", "--notify-min-severity", "severe"}, "--notify-min-severity"},
		{[]string{"--notify-resolved"}, "--notify-resolved requires --notify"},
	} {
		o := scanOptions{FailOn: "info", Paths: []string{"."}}
		cmd := newScanCmd(env, func(context.Context, *Env, *scanOptions) error { return nil })
		cmd.SetArgs(tt.args)
		if err := cmd.ParseFlags(tt.args); err != nil {
			t.Fatal(err)
		}
		o.Notify, _ = cmd.Flags().GetStringArray("notify")
		o.NotifyMinSeverity, _ = cmd.Flags().GetString("notify-min-severity")
		o.NotifyResolved, _ = cmd.Flags().GetBool("notify-resolved")
		o.DB, _ = cmd.Flags().GetString("db")
		_, err := o.validate(env)
		if err == nil || !strings.Contains(err.Error(), tt.want) || exitCode(err) != ExitUsage {
			t.Errorf("%v: err = %v, want a usage error containing %q", tt.args, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "/services/T/B/C") {
			t.Errorf("%v: the error echoes the webhook URL", tt.args)
		}
	}
}
