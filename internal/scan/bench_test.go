package scan

import (
	"context"
	"io"
	"os"
	"runtime/debug"
	"testing"

	"github.com/mqguard/mqguard/internal/report"
)

// BenchmarkRun scans the corpus named by MQGUARD_BENCH_CORPUS (an absolute path; skipped
// without it) and writes the JSON report to nowhere, as `mqguard scan --format json` does:
//
//	go run ./bench/gen -out /tmp/dense -profile dense
//	MQGUARD_BENCH_CORPUS=/tmp/dense go test -run '^$' -bench Run -cpuprofile /tmp/cpu ./internal/scan/
func BenchmarkRun(b *testing.B) {
	dir := os.Getenv("MQGUARD_BENCH_CORPUS")
	if dir == "" {
		b.Skip("MQGUARD_BENCH_CORPUS is not set")
	}
	f, _ := report.Lookup("json")
	// As the command does (see internal/cli/memory.go).
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(256 << 20))
	for b.Loop() {
		res, err := Run(context.Background(), Request{FS: os.DirFS(dir), Paths: []string{"."}, Version: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if err := f.Write(io.Discard, res.Report, report.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
