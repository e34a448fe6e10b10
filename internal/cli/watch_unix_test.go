//go:build unix

package cli

import (
	"context"
	"strings"
	"syscall"
	"testing"
)

// TestWatchSIGTERM: SIGTERM, as a container runtime sends it, stops the watch after the scan
// in progress, with exit code 0. Without --format nothing goes to stdout.
func TestWatchSIGTERM(t *testing.T) {
	dir := t.TempDir()
	writeBroker(t, dir, "true")
	env, stdout, stderr := testEnv(dir)
	scans := 0
	code := runWatchTest(context.Background(), env, []string{"--interval", "1h", "--no-cache", "--rules", "MQG001"}, func(int) {
		scans++
		if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	})
	if code != ExitOK || scans != 1 {
		t.Fatalf("exit %d after %d scans, want 0 after 1; stderr %s", code, scans, stderr)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q: without --format a watch writes no report", stdout)
	}
	if !strings.Contains(stderr.String(), "msg=stopped") {
		t.Errorf("no stop logged:\n%s", stderr)
	}
}
