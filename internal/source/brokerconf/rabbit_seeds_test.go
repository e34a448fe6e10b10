package brokerconf

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/mqguard/mqguard/internal/testcorpus"
)

// addCorpusSeeds adds the shared corpus's files of a kind to a fuzz target's seeds, when the
// corpus is there (fuzz seeds are a bonus: without it the embedded seeds still run).
func addCorpusSeeds(f *testing.F, kind FileKind) {
	root, err := testcorpus.Path()
	if err != nil {
		return
	}
	root = filepath.Join(root, "brokerconf")
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil //nolint:nilerr // an unreadable seed is no seed
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil //nolint:nilerr // an unreadable seed is no seed
		}
		if Sniff(p, data[:min(len(data), SniffSize)]) == kind {
			f.Add(data)
		}
		return nil
	})
}
