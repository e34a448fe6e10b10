package brokerconfbench

import (
	"context"
	"os"
	"testing"

	"github.com/mqguard/mqguard/internal/scan"
)

const dirs = 1000

func scanTree(tb testing.TB, dir string) *scan.Result {
	tb.Helper()
	res, err := scan.Run(context.Background(), scan.Request{FS: os.DirFS(dir), Paths: []string{"."}, Version: "bench"})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// TestGeneratedTree checks that the benchmark scans what it claims: every directory is one
// broker, read without an error, and the weak quarter of each engine fails.
func TestGeneratedTree(t *testing.T) {
	dir := t.TempDir()
	if _, err := Generate(dir, 40); err != nil {
		t.Fatal(err)
	}
	res := scanTree(t, dir)
	if n := res.Report.Summary.Brokers; n != 40 {
		t.Errorf("%d brokers, want 40", n)
	}
	for _, e := range res.Report.Errors {
		t.Errorf("error entry: %+v", e)
	}
	if !res.HasFail {
		t.Error("the weak brokers do not fail")
	}
}

// BenchmarkScan1000 scans 1,000 broker directories as `mqguard scan DIR --format json` would
// (the report built, not written).
func BenchmarkScan1000(b *testing.B) {
	dir := b.TempDir()
	size, err := Generate(dir, dirs)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		res := scanTree(b, dir)
		if res.Report.Summary.Brokers != dirs {
			b.Fatalf("%d brokers, want %d", res.Report.Summary.Brokers, dirs)
		}
	}
}
