package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
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
			"awsfake": cmdAWSFake,
		},
	})
}
