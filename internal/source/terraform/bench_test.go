package terraform

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

// BenchmarkLoad loads 5,000 files in 500 root modules, one in ten with a broker.
func BenchmarkLoad(b *testing.B) {
	fsys := fstest.MapFS{}
	filler := strings.Repeat(`resource "aws_s3_bucket" "b%d" {
  bucket = "bucket-${var.env}-%d"
  tags   = merge(local.tags, { Name = "b" })
}
`, 1)
	size := 0
	for d := 0; d < 500; d++ {
		for f := 0; f < 10; f++ {
			var sb strings.Builder
			if f == 0 {
				sb.WriteString("variable \"env\" { default = \"dev\" }\nlocals { tags = { owner = \"x\" } }\n")
				sb.WriteString(`resource "aws_mq_broker" "b" {
  broker_name = "b-${var.env}"
  engine_type = "ActiveMQ"
  user {
    username = "u"
    password = "p"
  }
}
`)
			}
			for i := 0; i < 80; i++ {
				fmt.Fprintf(&sb, filler, f*100+i, i)
			}
			fsys[fmt.Sprintf("d%03d/f%d.tf", d, f)] = &fstest.MapFile{Data: []byte(sb.String())}
			size += sb.Len()
		}
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		inv, _ := Load(context.Background(), fsys, []string{"."}, Options{})
		if len(inv.Brokers) != 500 {
			b.Fatalf("%d brokers", len(inv.Brokers))
		}
	}
}

// BenchmarkLoadCorpus loads the generated benchmark corpus (bench/gen) named by
// MQGUARD_BENCH_CORPUS; it is skipped without one.
func BenchmarkLoadCorpus(b *testing.B) {
	dir := os.Getenv("MQGUARD_BENCH_CORPUS")
	if dir == "" {
		b.Skip("MQGUARD_BENCH_CORPUS is not set")
	}
	fsys := os.DirFS(dir)
	for i := 0; i < b.N; i++ {
		inv, diags := Load(context.Background(), fsys, []string{"."}, Options{})
		if len(inv.Brokers) == 0 || len(errorsOf(diags)) > 0 {
			b.Fatalf("%d brokers, errors: %v", len(inv.Brokers), errorsOf(diags))
		}
	}
}
