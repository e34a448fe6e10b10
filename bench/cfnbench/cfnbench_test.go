package cfnbench

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/cloudformation"
	"github.com/mqguard/mqguard/internal/source/detect"
)

// corpus returns the corpus file system and its CloudFormation templates, as
// the scan would find them, with their total size; it skips without
// MQGUARD_BENCH_CFN.
func corpus(tb testing.TB) (fs.FS, []string, int64) {
	tb.Helper()
	dir := os.Getenv("MQGUARD_BENCH_CFN")
	if dir == "" {
		tb.Skip("MQGUARD_BENCH_CFN is not set")
	}
	fsys := os.DirFS(dir)
	in, diags := detect.Find(fsys, []string{"."}, detect.Auto)
	for _, d := range diags {
		if d.Severity == model.DiagError {
			tb.Fatalf("find: %v", d)
		}
	}
	if len(in.CloudFormation) == 0 {
		tb.Fatalf("no CloudFormation template under %s", dir)
	}
	var size int64
	for _, p := range in.CloudFormation {
		st, err := fs.Stat(fsys, p)
		if err != nil {
			tb.Fatal(err)
		}
		size += st.Size()
	}
	return fsys, in.CloudFormation, size
}

// TestCorpus checks that every generated template loads without an error and
// that the messaging stacks are found.
func TestCorpus(t *testing.T) {
	fsys, paths, _ := corpus(t)
	inv, diags := cloudformation.Load(context.Background(), fsys, paths, cloudformation.Options{})
	for _, d := range diags {
		if d.Severity == model.DiagError {
			t.Errorf("load: %v", d)
		}
	}
	if len(inv.Brokers) == 0 || len(inv.Configurations) == 0 || len(inv.SecurityGroups) == 0 || len(inv.Keys) == 0 {
		t.Errorf("inventory: %d brokers, %d configurations, %d security groups, %d keys; want some of each",
			len(inv.Brokers), len(inv.Configurations), len(inv.SecurityGroups), len(inv.Keys))
	}
	t.Logf("%d templates: %d brokers, %d configurations, %d security groups, %d keys",
		len(paths), len(inv.Brokers), len(inv.Configurations), len(inv.SecurityGroups), len(inv.Keys))
}

// BenchmarkFind walks the corpus and recognises templates by their content.
func BenchmarkFind(b *testing.B) {
	fsys, _, size := corpus(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		detect.Find(fsys, []string{"."}, detect.Auto)
	}
}

// BenchmarkLoad loads every template of the corpus.
func BenchmarkLoad(b *testing.B) {
	fsys, paths, size := corpus(b)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		cloudformation.Load(context.Background(), fsys, paths, cloudformation.Options{})
	}
}

// BenchmarkParse isolates the parsing floor: every template read into a
// yaml.Node (what the CloudFormation source builds on), split by syntax, and
// the JSON templates decoded by encoding/json for comparison.
func BenchmarkParse(b *testing.B) {
	fsys, paths, _ := corpus(b)
	var yamlDocs, jsonDocs [][]byte
	for _, p := range paths {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			b.Fatal(err)
		}
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
			jsonDocs = append(jsonDocs, data)
		} else {
			yamlDocs = append(yamlDocs, data)
		}
	}
	run := func(name string, docs [][]byte, parse func([]byte) error) {
		b.Run(name, func(b *testing.B) {
			var size int64
			for _, d := range docs {
				size += int64(len(d))
			}
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				for _, d := range docs {
					if err := parse(d); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
	yamlNode := func(d []byte) error { var n yaml.Node; return yaml.Unmarshal(d, &n) }
	run("yaml-node/yaml", yamlDocs, yamlNode)
	run("yaml-node/json", jsonDocs, yamlNode)
	run("encoding-json/json", jsonDocs, func(d []byte) error { var v any; return json.Unmarshal(d, &v) })
}
