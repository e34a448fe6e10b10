package terraform

import (
	"bytes"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/terraform/hclscan"
)

// The fast path. Parsing every block of a large repository costs seconds; the model needs only
// the blocks a broker can depend on. hclscan finds the top-level blocks of a file without
// parsing it; blocks that matter are parsed at once, other resources and data sources are kept
// as unparsed byte ranges and parsed only when a parsed block references them. A file the
// scanner is unsure of is parsed whole, as before.
//
// What this gives up: a syntax error inside a block that nothing relevant references is not
// reported (the scanner does check that strings, comments, heredocs and braces are balanced in
// every block, and falls back to the full parse, which reports errors, when they are not).

// fastPath switches the block scanner on; tests turn it off to compare with the full parse.
var fastPath = true

// lazyBlock is a top-level block kept unparsed until referenced.
type lazyBlock struct {
	file  string
	src   []byte
	block hclscan.Block
}

// eagerResourceTypes are resource and data source types parsed at once, besides the mapped
// ones: they decide where a secret comes from.
var eagerResourcePrefixes = []string{"random_", "aws_secretsmanager_", "aws_ssm_parameter", "aws_kms_", "aws_mq_", "aws_security_group", "aws_vpc_security_group_"}

// skippedBlockTypes are top-level blocks the loader never reads.
var skippedBlockTypes = map[string]bool{
	"terraform": true, "moved": true, "import": true, "removed": true, "check": true,
}

func isEagerType(typ string) bool {
	if interesting[typ] {
		return true
	}
	for _, p := range eagerResourcePrefixes {
		if strings.HasPrefix(typ, p) {
			return true
		}
	}
	return false
}

// lazyKey is the graph key a lazily parsed block would have, or "" when the block is parsed at
// once.
func lazyKey(b hclscan.Block) string {
	switch b.Type {
	case "resource":
		if len(b.Labels) == 2 && !isEagerType(b.Labels[0]) {
			return b.Labels[0] + "." + b.Labels[1]
		}
	case "data":
		if len(b.Labels) == 2 && !isEagerType(b.Labels[0]) {
			return "data." + b.Labels[0] + "." + b.Labels[1]
		}
	}
	return ""
}

// addScanned adds the blocks of a native-syntax file that hclscan could split.
func (m *moduleDir) addScanned(name string, src []byte, blocks []hclscan.Block) {
	for _, b := range blocks {
		if skippedBlockTypes[b.Type] {
			continue
		}
		if k := lazyKey(b); k != "" {
			if m.lazy == nil {
				m.lazy = map[string][]lazyBlock{}
			}
			m.lazy[k] = append(m.lazy[k], lazyBlock{file: name, src: src, block: b})
			continue
		}
		m.parseBlock(name, src, b)
	}
}

// parseBlock parses one top-level block of src with its own position, so that every range is
// the same as in a parse of the whole file.
func (m *moduleDir) parseBlock(name string, src []byte, b hclscan.Block) {
	if d := checkBlock(name, src, b); d != nil {
		m.diags = append(m.diags, hclDiags(hcl.Diagnostics{d})...)
		return
	}
	f, diags := hclsyntax.ParseConfig(src[b.Start:b.End], name, hcl.Pos{Line: b.Line, Column: b.Column, Byte: b.Start})
	if diags.HasErrors() {
		// As for a whole file (loadModuleDir): a block that does not parse is not used.
		m.diags = append(m.diags, hclDiags(diags)...)
		return
	}
	if f != nil {
		m.addFile(name, src, f)
	}
}

// resolveLazy parses the kept blocks that parsed resources, data sources, module calls,
// providers, outputs and the locals they use reference, transitively. It runs once per directory,
// before the directory is evaluated.
func (m *moduleDir) resolveLazy() {
	if len(m.lazy) == 0 {
		return
	}
	var work []hcl.Traversal
	for _, r := range m.resources {
		work = bodyTraversals(r.body, work)
	}
	for _, c := range m.modules {
		work = bodyTraversals(c.body, work)
	}
	for _, p := range m.providers {
		work = bodyTraversals(p.body, work)
	}
	// A called module's outputs reach its callers (a broker's name from a label module's
	// output); a root module's reach no one.
	if m.called {
		for _, o := range m.outputs {
			work = append(work, o.Expr.Variables()...)
		}
	}
	seenLocal := map[string]bool{}
	for len(work) > 0 {
		t := work[len(work)-1]
		work = work[:len(work)-1]
		k := refKey(t)
		switch {
		case strings.HasPrefix(k, "local."):
			name := strings.TrimPrefix(k, "local.")
			if a := m.locals[name]; a != nil && !seenLocal[name] {
				seenLocal[name] = true
				work = append(work, a.Expr.Variables()...)
			}
		case m.lazy[k] != nil:
			blocks := m.lazy[k]
			delete(m.lazy, k)
			before := len(m.resources)
			for _, lb := range blocks {
				m.parseBlock(lb.file, lb.src, lb.block)
			}
			for _, r := range m.resources[before:] {
				work = bodyTraversals(r.body, work)
			}
		}
	}
	m.lazy = nil
}

// keepsSource are the resource types whose block bytes the mapping reads again.
var keepsSource = map[string]bool{"aws_mq_broker": true, "aws_mq_configuration": true}

// commentsAbove returns the comment lines directly above the block starting at byte start
// (line startLine) of src, in source order. Ranges are FS paths; the mapping applies display
// paths.
func commentsAbove(src []byte, start, startLine int, file string) []model.Directive {
	var above []model.Directive
	end := bytes.LastIndexByte(src[:start], '\n') + 1 // the start of the block's line
	line := startLine
	for end > 0 {
		lineStart := bytes.LastIndexByte(src[:end-1], '\n') + 1
		text := strings.TrimSpace(string(src[lineStart : end-1]))
		line--
		if !strings.HasPrefix(text, "#") && !strings.HasPrefix(text, "//") {
			break
		}
		above = append(above, model.Directive{Text: text, At: model.Range{File: file, StartLine: line, EndLine: line}})
		end = lineStart
	}
	for i, j := 0, len(above)-1; i < j; i, j = i+1, j-1 {
		above[i], above[j] = above[j], above[i]
	}
	return above
}
