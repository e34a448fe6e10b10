package hclscan

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// want is the expected outcome of scanning one table case.
type want struct {
	ok     bool
	blocks []string // "type label label @start-end line:column", only checked when ok
}

var cases = []struct {
	name string
	src  string
	want want
}{
	{"empty", "", want{ok: true}},
	{"only comments", "# a {\n// b }\n/* c \" { */\n", want{ok: true}},
	{"resource", "resource \"aws_mq_broker\" \"main\" {\n  engine_type = \"ActiveMQ\"\n}\n",
		want{true, []string{"resource aws_mq_broker main @0-62 1:1"}}},
	{"no trailing newline", "locals {\n  a = 1\n}",
		want{true, []string{"locals @0-18 1:1"}}},
	{"one-line block", "variable \"x\" { default = 1 }\nvariable \"y\" {}\n",
		want{true, []string{"variable x @0-28 1:1", "variable y @29-44 2:1"}}},
	{"no labels", "terraform {\n}\n\nlocals {\n}\n",
		want{true, []string{"terraform @0-13 1:1", "locals @15-25 4:1"}}},
	{"identifier labels", "resource aws_s3_bucket b {\n}\n",
		want{true, []string{"resource aws_s3_bucket b @0-28 1:1"}}},
	{"no blank before labels", "resource\"a\"\"b\"{\n}\n",
		want{true, []string{"resource a b @0-17 1:1"}}},
	{"braces and quotes in comments", "locals {\n  # }\n  // \"\n  /* } { \" */\n  a = 1 # }\n}\n",
		want{true, []string{"locals @0-49 1:1"}}},
	{"escapes", "locals {\n  a = \"\\\"}\\\\\"\n  b = \"\\\\\"\n}\n",
		want{true, []string{"locals @0-35 1:1"}}},
	{"template with braces and strings", "locals {\n  a = \"${ {x = \"}\"}[\"x\"] }-%{ if true }}%{ endif }\"\n}\n",
		want{true, []string{"locals @0-62 1:1"}}},
	{"nested templates", "locals {\n  a = \"${\"${\"${1}\"}\"}\"\n}\n",
		want{true, []string{"locals @0-33 1:1"}}},
	{"escaped template marks", "locals {\n  a = \"$${ %%{ $ % }\"\n}\n",
		want{true, []string{"locals @0-32 1:1"}}},
	{"heredoc", "locals {\n  a = <<EOF\n{ \" }\n  EOF still text\nEOF\n}\n",
		want{true, []string{"locals @0-49 1:1"}}},
	{"indented heredoc", "locals {\n  a = <<-EOT\n    } \"\n    EOT\n  b = 1\n}\n",
		want{true, []string{"locals @0-47 1:1"}}},
	{"heredoc with template", "locals {\n  a = <<EOF\n${ \"}\" }\n%{ for x in [1] }}${x}%{ endfor }\nEOF\n}\n",
		want{true, []string{"locals @0-69 1:1"}}},
	{"heredoc in heredoc template", "locals {\n  a = <<A\n${<<B\n}\nB\n}\nA\n}\n",
		want{true, []string{"locals @0-34 1:1"}}},
	{"two heredocs", "locals {\n  a = [<<A\n}\nA\n  , <<B\n}\nB\n  ]\n}\n",
		want{true, []string{"locals @0-41 1:1"}}},
	{"crlf", "locals {\r\n  a = <<EOF\r\n}\r\nEOF\r\n}\r\nmodule \"m\" {\r\n}\r\n",
		want{true, []string{"locals @0-32 1:1", "module m @34-49 6:1"}}},
	{"bom", "\xEF\xBB\xBFlocals {\n}\n", want{true, []string{"locals @3-13 1:1"}}},
	{"indented block", "  \tlocals {\n}\n", want{true, []string{"locals @3-13 1:4"}}},
	{"comment after brace", "locals {\n} # x\nlocals {\n} // y", want{true, []string{"locals @0-10 1:1", "locals @15-25 3:1"}}},
	{"nested blocks", "resource \"a\" \"b\" {\n  ingress {\n    from_port = 1\n  }\n  dynamic \"x\" {\n    for_each = {}\n  }\n}\n",
		want{true, []string{"resource a b @0-92 1:1"}}},
	{"unicode", "locals {\n  a = \"é ✓ 💥\"\n}\nresource \"é\" \"b\" {\n}\n",
		want{true, []string{"locals @0-30 1:1", "resource é b @31-52 4:1"}}},

	{"heredoc marker with trailing blanks", "locals {\n  a = <<EOF\nx\nEOF \t\n}\n", want{true, []string{"locals @0-30 1:1"}}},
	{"heredoc marker with unicode space", "locals {\n  a = <<EOF\nx\n\u00a0EOF\n}\n", want{true, []string{"locals @0-30 1:1"}}},
	{"heredoc marker after template", "locals {\n  a = <<EOF\n${1}EOF\nEOF\n}\n", want{true, []string{"locals @0-34 1:1"}}},
	{"heredoc crlf indented", "locals {\r\n  a = <<-EOT\r\n    x\r\n    EOT\r\n}\r\n", want{true, []string{"locals @0-41 1:1"}}},
	{"strip markers", "locals {\n  a = \"${~ 1 ~}%{~ if true ~}x%{~ endif ~}\"\n}\n", want{true, []string{"locals @0-54 1:1"}}},
	{"comment in template", "locals {\n  a = \"${ 1 # }\n}\"\n}\n", want{true, []string{"locals @0-29 1:1"}}},
	{"dollar and percent labels", "resource \"a$\" \"%\" {\n}\nresource \"$$\" \"x\" {\n}\n", want{true, []string{"resource a$ % @0-21 1:1", "resource $$ x @22-43 3:1"}}},
	{"only bom", "\xEF\xBB\xBF", want{ok: true}},
	{"line comment at eof", "locals {\n}\n// end", want{true, []string{"locals @0-10 1:1"}}},
	{"syntax error inside block", "locals {\n  a = = 1\n}\n", want{true, []string{"locals @0-20 1:1"}}},
	{"top-level attribute", "a = 1\n", want{}},
	{"attribute after block", "locals {\n}\na = 1\n", want{}},
	{"unterminated string", "locals {\n  a = \"abc\n}\n", want{}},
	{"unterminated string at eof", "locals {\n  a = \"abc", want{}},
	{"newline in string", "locals {\n  a = \"a\nb\"\n}\n", want{}},
	{"unterminated heredoc", "locals {\n  a = <<EOF\n}\n", want{}},
	{"heredoc marker at eof", "locals {\n  a = <<EOF\nx\nEOF", want{}},
	{"heredoc marker with blank", "locals {\n  a = <<EOF \nx\nEOF\n}\n", want{}},
	{"shift-like", "locals {\n  a = 1 << 2\n}\n", want{}},
	{"unterminated block comment", "/* x\nlocals {\n}\n", want{}},
	{"unterminated block comment in block", "locals {\n /* }\n}\n", want{}},
	{"unbalanced open", "locals {\n  a = {\n}\n", want{}},
	{"stray close", "}\n", want{}},
	{"template label", "resource \"${a}\" \"b\" {\n}\n", want{}},
	{"escaped label", "resource \"a\\\"\" \"b\" {\n}\n", want{}},
	{"newline in header", "resource \"a\"\n\"b\" {\n}\n", want{}},
	{"comment in header", "resource /* x */ \"a\" {\n}\n", want{}},
	{"text after block", "locals {\n} locals {\n}\n", want{}},
	{"comment before block", "/* x */ locals {\n}\n", want{}},
	{"NUL", "locals {\n  a = \"\x00\"\n}\n", want{}},
	{"invalid utf-8", "locals {\n  a = \"\xff\"\n}\n", want{}},
	{"lone CR", "locals {\r}\n", want{}},
	{"non-ASCII identifier", "lócals {\n}\n", want{}},
	{"deep nesting", "locals {\n  a = " + strings.Repeat("\"${", 100) + strings.Repeat("}\"", 100) + "\n}\n", want{}},
}

func describe(b Block) string {
	parts := append([]string{b.Type}, b.Labels...)
	return fmt.Sprintf("%s @%d-%d %d:%d", strings.Join(parts, " "), b.Start, b.End, b.Line, b.Column)
}

func TestBlocks(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			blocks, ok := Blocks([]byte(tc.src))
			if ok != tc.want.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.want.ok)
			}
			if !ok {
				return
			}
			var got []string
			for _, b := range blocks {
				got = append(got, describe(b))
			}
			if !slices.Equal(got, tc.want.blocks) {
				t.Errorf("blocks:\n got %q\nwant %q", got, tc.want.blocks)
			}
			if err := matchParse([]byte(tc.src), blocks); err != nil {
				t.Error(err)
			}
		})
	}
}

// matchParse checks the blocks of a file that scanned ok against hclsyntax.
// When the whole file parses without errors, it must have exactly these
// top-level blocks and no attributes, and each block slice parsed alone must
// give the same syntax tree. When the whole file has errors, at least one
// block slice must have errors too, so that parsing block by block never
// hides a syntax error.
func matchParse(src []byte, blocks []Block) error {
	const name = "main.tf"
	file, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		for _, b := range blocks {
			if _, d := parseBlock(src, name, b); d.HasErrors() {
				return nil
			}
		}
		return fmt.Errorf("file has errors but no block has: %s", diags.Error())
	}
	body := file.Body.(*hclsyntax.Body)
	if len(body.Attributes) > 0 {
		return fmt.Errorf("scanned ok but the file has %d top-level attributes", len(body.Attributes))
	}
	if len(body.Blocks) != len(blocks) {
		return fmt.Errorf("scanned %d blocks, parsed %d", len(blocks), len(body.Blocks))
	}
	for i, b := range blocks {
		pb := body.Blocks[i]
		r := pb.Range()
		if pb.Type != b.Type || !slices.Equal(pb.Labels, b.Labels) ||
			r.Start.Byte != b.Start || r.Start.Line != b.Line || r.Start.Column != b.Column || r.End.Byte != b.End {
			return fmt.Errorf("block %d: scanned %s, parsed %s %q @%d-%d %d:%d",
				i, describe(b), pb.Type, pb.Labels, r.Start.Byte, r.End.Byte, r.Start.Line, r.Start.Column)
		}
		alone, d := parseBlock(src, name, b)
		if d.HasErrors() {
			return fmt.Errorf("block %d (%s) alone: %s", i, describe(b), d.Error())
		}
		if !reflect.DeepEqual(alone, pb) {
			return fmt.Errorf("block %d (%s) parsed alone differs from the full parse", i, describe(b))
		}
	}
	return nil
}

// parseBlock parses one block slice alone, as a caller of Blocks does. It
// returns the single block it contains, or nil.
func parseBlock(src []byte, name string, b Block) (*hclsyntax.Block, hcl.Diagnostics) {
	f, diags := hclsyntax.ParseConfig(src[b.Start:b.End], name,
		hcl.Pos{Line: b.Line, Column: b.Column, Byte: b.Start})
	body := f.Body.(*hclsyntax.Body)
	if diags.HasErrors() || len(body.Blocks) != 1 || len(body.Attributes) != 0 {
		if !diags.HasErrors() {
			diags = diags.Append(&hcl.Diagnostic{Severity: hcl.DiagError, Summary: "not exactly one block"})
		}
		return nil, diags
	}
	return body.Blocks[0], diags
}

// corpusFiles returns the .tf files under dir, the shared corpus.
func corpusFiles(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".tf") {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files[path] = b
		}
		return nil
	})
	return files, err
}

func TestCorpus(t *testing.T) {
	files, err := corpusFiles(corpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no .tf file in the corpus")
	}
	var fallback []string
	for path, src := range files {
		blocks, ok := Blocks(src)
		if !ok {
			fallback = append(fallback, path)
			continue
		}
		if err := matchParse(src, blocks); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	slices.Sort(fallback)
	t.Logf("%d corpus files, %d fall back to a full parse: %q", len(files), len(fallback), fallback)
	if len(fallback) > len(files)/20 {
		t.Errorf("too many fallbacks: %d of %d", len(fallback), len(files))
	}
}

func FuzzBlocksMatchParse(f *testing.F) {
	for _, tc := range cases {
		f.Add([]byte(tc.src))
	}
	// The corpus adds seeds where it is available; TestCorpus reports when it is not.
	if dir, err := corpusPath(); err == nil {
		files, _ := corpusFiles(dir)
		for _, src := range files {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		blocks, ok := Blocks(src)
		if !ok {
			return
		}
		done := make(chan error, 1)
		go func() { done <- matchParse(src, blocks) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			// Report the input instead of letting the fuzzer hang without it.
			t.Fatal("hclsyntax did not finish within 10s")
		}
	})
}
