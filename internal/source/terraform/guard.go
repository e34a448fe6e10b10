package terraform

import (
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/mqguard/mqguard/internal/source/terraform/hclscan"
)

// checkSource is the guard of every configuration and variable file before a parser sees it
// (hclscan.Check): a file nested too deep to parse safely, or that is not text, is one error
// naming its line, and is not parsed. Go's stack overflow is fatal, and hclsyntax reports one
// error per byte of a binary file.
func checkSource(name string, src []byte) *hcl.Diagnostic {
	syn := hclscan.Native
	if strings.HasSuffix(name, ".json") {
		syn = hclscan.JSON
	}
	p := hclscan.Check(src, syn)
	if p == nil {
		return nil
	}
	pos := hcl.Pos{Line: p.Line, Column: 1}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: p.Msg + "; not parsed", Subject: &hcl.Range{Filename: name, Start: pos, End: pos}}
}

// checkBlock is checkSource for one top-level block the block scanner found, located in its file.
func checkBlock(name string, src []byte, b hclscan.Block) *hcl.Diagnostic {
	d := checkSource(name, src[b.Start:b.End])
	if d != nil {
		line := d.Subject.Start.Line + b.Line - 1
		pos := hcl.Pos{Line: line, Column: 1}
		d.Subject = &hcl.Range{Filename: name, Start: pos, End: pos}
	}
	return d
}

// checkTemplate is checkSource for a templatefile template: why it is not parsed, or "".
func checkTemplate(src []byte) string {
	if p := hclscan.Check(src, hclscan.Template); p != nil {
		return p.Error()
	}
	return ""
}
