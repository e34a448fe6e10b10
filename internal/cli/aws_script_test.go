package cli

import (
	"flag"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mqguard/mqguard/internal/source/awsapi/awstest"
)

// awsScriptEnv isolates scripts from the machine's AWS configuration: no shared config or
// credentials file, no instance metadata service. testdata is the absolute path of the fixtures.
func awsScriptEnv(e *testscript.Env, testdata string) {
	e.Setenv("TESTDATA", testdata)
	e.Setenv("AWS_CONFIG_FILE", filepath.Join(e.WorkDir, ".aws", "config"))
	e.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(e.WorkDir, ".aws", "credentials"))
	e.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// cmdAWSFake is the script command
//
//	awsfake [-deny SERVICE:OPERATION[,...]] [-hang SERVICE:OPERATION[,...]] DIR
//
// It starts the fake AWS APIs in the test process, serving the snapshot directory DIR, and
// sets $AWS_ENDPOINT to its URL and dummy credentials (of the world's home account) and a region
// in the script's environment. The server stops when the script ends.
func cmdAWSFake(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! awsfake")
	}
	fs := flag.NewFlagSet("awsfake", flag.ContinueOnError)
	deny := fs.String("deny", "", "answer AccessDenied to these `SERVICE:OPERATION`s")
	hang := fs.String("hang", "", "never answer these `SERVICE:OPERATION`s")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		ts.Fatalf("usage: awsfake [-deny SERVICE:OPERATION,...] [-hang SERVICE:OPERATION,...] DIR")
	}
	dir := ts.MkAbs(fs.Arg(0))
	world, err := awstest.LoadWorld(os.DirFS(dir), ".")
	ts.Check(err)
	srv := awstest.NewServer(world, awstest.Faults{Deny: matchCalls(*deny), Hang: matchCalls(*hang)})
	ts.Defer(srv.Close)
	ts.Setenv("AWS_ENDPOINT", srv.URL())
	ts.Setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
	ts.Setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	ts.Setenv("AWS_REGION", "eu-west-1")
}

// matchCalls returns a predicate matching calls by "service:Operation" (nil for none).
func matchCalls(list string) func(awstest.Call) bool {
	if list == "" {
		return nil
	}
	want := map[string]bool{}
	for _, op := range strings.Split(list, ",") {
		want[strings.TrimSpace(op)] = true
	}
	return func(c awstest.Call) bool { return want[c.Service+":"+c.Operation] }
}
