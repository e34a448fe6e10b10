package cli

import (
	"strings"
	"testing"
)

// FuzzScanValidate feeds arbitrary flag values to option validation: it must never panic, and
// every rejection must be a usage error (exit code 2) that does not echo a --var value.
func FuzzScanValidate(f *testing.F) {
	f.Add("json", "high", "2026-11-22", "a=b", "MQG001", ".")
	f.Add("sarif=out.sarif", "INFO", "", "=secret", "public-access,CKV_AWS_69", "main.tf")
	f.Add("table=-", "severe", "22-11-2026", "novalue", ",,", "")
	f.Add("=", "", "2026-02-30", "x==y", "MQG999", "../..")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, format, failOn, asOf, v, ruleList, path string) {
		env, _, _ := testEnv(dir)
		o := scanOptions{
			Formats: []string{format},
			FailOn:  failOn,
			AsOf:    asOf,
			Vars:    []string{v},
			Rules:   strings.Split(ruleList, ","),
			Paths:   []string{path},
		}
		_, err := o.validate(env)
		if err == nil {
			return
		}
		if code := exitCode(err); code != ExitUsage {
			t.Fatalf("validation error %q maps to exit code %d, want %d", err, code, ExitUsage)
		}
		if _, value, _ := strings.Cut(v, "="); len(value) > 3 && strings.Contains(err.Error(), value) &&
			!strings.Contains(format+failOn+asOf+ruleList+path+"--var: want NAME=VALUE", value) {
			t.Fatalf("error %q shows the --var value", err)
		}
	})
}
