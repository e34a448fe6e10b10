package cloudformation

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqguard/mqguard/internal/model"
)

// corpusTemplates lists every CloudFormation file of the shared corpus.
func corpusTemplates(t *testing.T) (fs.FS, []string) {
	t.Helper()
	fsys := os.DirFS(corpusDir(t))
	var out []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		if ext != ".yaml" && ext != ".yml" && ext != ".json" && ext != ".template" {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if IsTemplate(data) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fsys, out
}

func TestCorpusLoads(t *testing.T) {
	fsys, paths := corpusTemplates(t)
	if len(paths) < 20 {
		t.Fatalf("found only %d corpus templates", len(paths))
	}
	inv, diags := Load(context.Background(), fsys, paths, Options{})
	// The only error entries are the duplicate keys of the workshop template, which writes
	// AutoMinorVersionUpgrade twice in two brokers; the issue requires an error for them.
	// KICS fixtures Ref parameters they do not declare: those are notes (the value is unknown).
	const workshop = "realworld/aws-samples__amazon-mq-workshop/CloudFormationTemplate/CreateAmazonMQWorkshop.yaml"
	for _, d := range diags {
		t.Logf("%v", d)
		if d.Severity == model.DiagError && (d.At.File != workshop || !strings.Contains(d.Message, `duplicate key "AutoMinorVersionUpgrade"`)) {
			t.Errorf("unexpected error entry: %v", d)
		}
	}
	if len(inv.Brokers) < 40 {
		t.Errorf("only %d brokers", len(inv.Brokers))
	}
	t.Logf("%d templates, %d brokers, %d configurations, %d groups, %d keys", len(paths), len(inv.Brokers), len(inv.Configurations), len(inv.SecurityGroups), len(inv.Keys))
}
