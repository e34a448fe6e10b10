// Command floor measures the parse floor of a Terraform corpus: the time
// stock hclsyntax takes to parse the blocks mqguard must parse, on every
// core, and nothing else (no evaluation, no rules, no report).
//
//	go run ./bench/floor DIR
//
// It walks DIR for .tf files, skipping the directories mqguard skips, finds
// the top-level blocks of each file with hclscan and parses the blocks that
// mqguard's fast path parses at once (bench/internal/blocksel), each with the
// position of its first byte as hclscan's documentation prescribes. A file
// hclscan is unsure of is parsed whole, as mqguard does. The syntax trees are
// dropped at once: what remains is reading, scanning and parsing.
//
// bench/run.sh compares mqguard's wall time with this program's. It prints
// one line: the files and bytes read, the blocks and bytes parsed, and the
// elapsed wall time; it exits 1 when a block does not parse.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/mqguard/mqguard/bench/internal/blocksel"
	"github.com/mqguard/mqguard/internal/source/terraform/hclscan"
)

func main() {
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: floor DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	start := time.Now()
	paths, err := tfFiles(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	workers := runtime.GOMAXPROCS(0)
	c, err := parseAll(paths, workers)
	elapsed := time.Since(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	share := 0.0
	if c.bytes > 0 {
		share = 100 * float64(c.parsedBytes) / float64(c.bytes)
	}
	fmt.Printf("floor: %d .tf files, %.1f MB (%d parsed whole); parsed %d of %d blocks, %.1f MB (%.1f %% of the bytes); %.3f s on %d workers\n",
		c.files, float64(c.bytes)/1e6, c.wholeFiles, c.parsedBlocks, c.blocks,
		float64(c.parsedBytes)/1e6, share, elapsed.Seconds(), workers)
	if c.firstError != "" {
		fmt.Fprintf(os.Stderr, "floor: %d parse errors, the first: %s\n", c.errors, c.firstError)
		os.Exit(1)
	}
}

// tfFiles returns the .tf files under dir that mqguard reads: it skips the
// directories the Terraform source skips (skipDir in
// internal/source/terraform/terraform.go) and override files (isConfigFile
// in internal/source/terraform/module.go).
func tfFiles(dir string) ([]string, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && (d.Name() == ".git" || d.Name() == ".terraform" || d.Name() == "node_modules") {
				return fs.SkipDir
			}
			return nil
		}
		stem, ok := strings.CutSuffix(d.Name(), ".tf")
		if ok && stem != "override" && !strings.HasSuffix(stem, "_override") {
			paths = append(paths, p)
		}
		return nil
	})
	return paths, err
}

// counts are what one worker, or all of them, read and parsed.
type counts struct {
	files, wholeFiles    int
	bytes, parsedBytes   int64
	blocks, parsedBlocks int
	errors               int // diagnostics of severity error
	firstError           string
}

func (c *counts) add(o counts) {
	c.files += o.files
	c.wholeFiles += o.wholeFiles
	c.bytes += o.bytes
	c.parsedBytes += o.parsedBytes
	c.blocks += o.blocks
	c.parsedBlocks += o.parsedBlocks
	c.errors += o.errors
	if c.firstError == "" {
		c.firstError = o.firstError
	}
}

// parseAll reads and parses paths on the given number of workers, each
// taking the next file when it is done with one, so that a few large files
// do not leave a core idle.
func parseAll(paths []string, workers int) (counts, error) {
	next := make(chan string)
	per := make([]counts, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for p := range next {
				if err := per[w].parseFile(p); err != nil && errs[w] == nil {
					errs[w] = err
				}
			}
		})
	}
	for _, p := range paths {
		next <- p
	}
	close(next)
	wg.Wait()
	var total counts
	for w := range workers {
		if errs[w] != nil {
			return total, errs[w]
		}
		total.add(per[w])
	}
	return total, nil
}

// parseFile reads one file and parses the blocks mqguard parses at once, or
// the whole file when hclscan cannot split it.
func (c *counts) parseFile(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	c.files++
	c.bytes += int64(len(src))
	blocks, ok := hclscan.Blocks(src)
	if !ok {
		c.wholeFiles++
		c.parsedBytes += int64(len(src))
		_, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
		c.note(diags)
		return nil
	}
	c.blocks += len(blocks)
	for _, b := range blocks {
		if !blocksel.Parsed(b) {
			continue
		}
		c.parsedBlocks++
		c.parsedBytes += int64(b.End - b.Start)
		_, diags := hclsyntax.ParseConfig(src[b.Start:b.End], path, hcl.Pos{Line: b.Line, Column: b.Column, Byte: b.Start})
		c.note(diags)
	}
	return nil
}

func (c *counts) note(diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		c.errors++
		if c.firstError == "" {
			c.firstError = d.Error()
		}
	}
}
