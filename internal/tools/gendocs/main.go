// Command gendocs writes the rule documentation generated from the catalog's metadata:
// docs/rules/<ID>-<slug>.md, docs/rules/README.md, the rule table between the
// <!-- rules:begin --> and <!-- rules:end --> markers of README.md when it has them, and the
// read-only IAM policy of live AWS scans between <!-- iam:begin --> and <!-- iam:end -->.
//
// Usage (from the repository root): go run ./internal/tools/gendocs [-root DIR]
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/source/awsapi"
)

func main() {
	root := flag.String("root", ".", "repository root")
	flag.Parse()
	if err := generate(*root, rules.All()); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// generate writes the docs of rs under root, removes pages of rules that no longer exist and
// updates README.md's generated sections when the file has their markers.
func generate(root string, rs []*rules.Rule) error {
	dir := filepath.Join(root, filepath.FromSlash(rules.DocsDir))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := rules.DocFiles(rs)
	for name, content := range files {
		if err := writeIfChanged(filepath.Join(dir, name), content); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if _, keep := files[name]; keep || e.IsDir() || !strings.HasPrefix(name, "MQG") || !strings.HasSuffix(name, ".md") {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return err
		}
	}

	readme := filepath.Join(root, "README.md")
	doc, err := os.ReadFile(readme)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return writeIfChanged(readme, readmeSections(string(doc), rs))
}

// readmeSections returns doc with its generated sections (those whose markers it has) current.
func readmeSections(doc string, rs []*rules.Rule) string {
	if out, ok := rules.ReplaceReadmeSection(doc, rules.ReadmeSection(rs)); ok {
		doc = out
	}
	if out, ok := replaceSection(doc, iamBegin, iamEnd, iamSection(awsapi.Actions())); ok {
		doc = out
	}
	return doc
}

// writeIfChanged writes content to path unless the file already holds it.
func writeIfChanged(path, content string) error {
	old, err := os.ReadFile(path)
	if err == nil && bytes.Equal(old, []byte(content)) {
		return nil
	}
	return os.WriteFile(path, []byte(content), 0o644)
}
