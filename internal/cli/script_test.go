package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the mqguard command in scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"mqguard": func() { os.Exit(Run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) },
	})
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
