package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mqguard/mqguard/internal/source/awsapi"
)

// TestMain lets the test binary act as the mqguard command in scripts. Its live AWS scans
// retry as mqguard's do, without waiting seconds between attempts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mqguard": func() {
			awsapi.QuickRetriesForTesting()
			os.Exit(Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
		},
	})
}

// raceEnv is GORACE for the commands of scripts: a binary built with -race sleeps a second
// before exiting unless atexit_sleep_ms says otherwise, which scripts of many commands add up.
func raceEnv() string {
	v := os.Getenv("GORACE")
	if strings.Contains(v, "atexit_sleep_ms") {
		return v
	}
	return strings.TrimSpace(v + " atexit_sleep_ms=10")
}

// TestScripts runs the acceptance scripts in testdata/script: each is a txtar archive of files
// and mqguard commands with their expected exit codes and output.
func TestScripts(t *testing.T) {
	testdata, err := filepath.Abs("testdata/aws")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("NO_COLOR", "1")
			e.Setenv("GORACE", raceEnv())
			// The default cache directory stays inside the script's work directory.
			e.Setenv("XDG_CACHE_HOME", filepath.Join(e.WorkDir, ".xdg-cache"))
			awsScriptEnv(e, testdata)
			return nil
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"awsfake":  cmdAWSFake,
			"nest":     cmdNest,
			"binfile":  cmdBinFile,
			"mkfifo":   cmdMkfifo,
			"mksocket": cmdMksocket,
			// Live broker inspection: a weak TLS server, a port nothing listens on.
			"tlsserver":  cmdTLSServer,
			"closedport": cmdClosedPort,
		},
		// [root]: the script runs as root, for whom file permissions are not enforced.
		Condition: func(cond string) (bool, error) {
			if cond == "root" {
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// cmdNest replaces, in FILE, the text NEST with OPEN repeated N times and CLOSE repeated N
// times: files too large to write in a script.
//
//	nest FILE N OPEN CLOSE
func cmdNest(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: nest FILE N OPEN CLOSE")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	name := ts.MkAbs(args[0])
	src, err := os.ReadFile(name)
	ts.Check(err)
	if !strings.Contains(string(src), "NEST") {
		ts.Fatalf("%s has no NEST", args[0])
	}
	nested := strings.Repeat(args[2], n) + strings.Repeat(args[3], n)
	ts.Check(os.WriteFile(name, []byte(strings.Replace(string(src), "NEST", nested, 1)), 0o644))
}

// cmdBinFile writes SIZE bytes that are no text (every byte value, NUL and invalid UTF-8
// included) to FILE.
//
//	binfile FILE SIZE
func cmdBinFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: binfile FILE SIZE")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b, 0o644))
}

// cmdMkfifo creates named pipes.
//
//	mkfifo FILE...
func cmdMkfifo(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: mkfifo FILE...")
	}
	for _, a := range args {
		ts.Check(syscall.Mkfifo(ts.MkAbs(a), 0o644))
	}
}

// cmdMksocket creates Unix sockets that stay on disk (nobody listens on them).
//
//	mksocket FILE...
func cmdMksocket(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: mksocket FILE...")
	}
	for _, a := range args {
		l, err := net.ListenUnix("unix", &net.UnixAddr{Name: ts.MkAbs(a), Net: "unix"})
		ts.Check(err)
		l.SetUnlinkOnClose(false)
		ts.Check(l.Close())
	}
}
