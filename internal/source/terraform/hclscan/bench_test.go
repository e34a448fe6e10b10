package hclscan

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

func readBenchFile(b *testing.B) []byte {
	b.Helper()
	src, err := os.ReadFile("testdata/bench.tf")
	if err != nil {
		b.Fatal(err)
	}
	if _, ok := Blocks(src); !ok {
		b.Fatal("testdata/bench.tf does not scan ok")
	}
	return src
}

// BenchmarkBlocks scans a realistic 7 KB Terraform file.
func BenchmarkBlocks(b *testing.B) {
	src := readBenchFile(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		Blocks(src)
	}
}

// BenchmarkParseConfig is the full hclsyntax parse of the same file, for
// comparison.
func BenchmarkParseConfig(b *testing.B) {
	src := readBenchFile(b)
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		hclsyntax.ParseConfig(src, "bench.tf", hcl.InitialPos)
	}
}

// BenchmarkCorpus scans every .tf file under $MQGUARD_BENCH_CORPUS (for
// example a tree written by bench/gen) and reports how many fall back.
func BenchmarkCorpus(b *testing.B) {
	dir := os.Getenv("MQGUARD_BENCH_CORPUS")
	if dir == "" {
		b.Skip("MQGUARD_BENCH_CORPUS is not set")
	}
	var files [][]byte
	var size int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".tf") {
			return err
		}
		src, err := os.ReadFile(path)
		files = append(files, src)
		size += int64(len(src))
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	fallback := 0
	for b.Loop() {
		fallback = 0
		for _, src := range files {
			if _, ok := Blocks(src); !ok {
				fallback++
			}
		}
	}
	b.ReportMetric(float64(len(files)), "files")
	b.ReportMetric(float64(fallback), "fallbacks")
}
