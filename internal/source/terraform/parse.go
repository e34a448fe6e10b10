package terraform

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/json"
)

// maxFileSize is the largest file the loader parses; bigger files are refused.
const maxFileSize = 10 << 20

// parseFile parses one configuration file: native syntax for .tf and .tfvars, JSON for
// .tf.json and .tfvars.json. It is the single place where source bytes become bodies, so a
// block scanner can later hand it only the relevant blocks (hclsyntax.ParseConfig accepts the
// start position of a byte slice, which keeps line numbers right). The source is checked first
// (checkSource); callers that hand blocks to hclsyntax themselves check it before they scan.
func parseFile(name string, src []byte) (*hcl.File, hcl.Diagnostics) {
	if d := checkSource(name, src); d != nil {
		return nil, hcl.Diagnostics{d}
	}
	if strings.HasSuffix(name, ".json") {
		return json.Parse(src, name)
	}
	return hclsyntax.ParseConfig(src, name, hcl.InitialPos)
}

// body is a configuration body with its attributes and nested blocks made explicit, whatever
// the syntax. JSON bodies need to know which names are blocks; blockNames lists them.
type body struct {
	attrs  map[string]*hcl.Attribute
	blocks []*block
	rng    hcl.Range
	// traversals are the references of every expression in the body (see bodyTraversals).
	traversals []hcl.Traversal
	traversed  bool
}

type block struct {
	typ    string
	labels []string
	body   *body
	rng    hcl.Range // whole block
}

// nestedBlockNames are the names read as nested blocks in JSON bodies (native syntax needs no
// list: blocks are syntactically distinct there).
var nestedBlockNames = []string{
	"encryption_options", "logs", "ldap_server_metadata", "user", "configuration",
	"maintenance_window_start_time", "ingress", "egress", "lifecycle", "provisioner",
	"connection", "timeouts", "default_tags", "content", "assume_role", "ignore_tags",
}

var jsonBodySchema = func() *hcl.BodySchema {
	s := &hcl.BodySchema{}
	for _, n := range nestedBlockNames {
		s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: n})
	}
	s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: "dynamic", LabelNames: []string{"type"}})
	return s
}()

// toBody converts an hcl.Body into a body. Structural problems of JSON bodies are ignored: the
// parts that can be read are kept.
func toBody(b hcl.Body, depth int) *body {
	sb, native := b.(*hclsyntax.Body)
	if native {
		out := &body{attrs: make(map[string]*hcl.Attribute, len(sb.Attributes)), rng: sb.Range()}
		if depth > 64 {
			return out
		}
		if len(sb.Blocks) > 0 {
			out.blocks = make([]*block, 0, len(sb.Blocks))
		}
		// One allocation for all of a body's attributes (AsHCLAttribute allocates each).
		attrs := make([]hcl.Attribute, 0, len(sb.Attributes))
		for name, a := range sb.Attributes {
			attrs = append(attrs, hcl.Attribute{Name: a.Name, Expr: a.Expr, Range: a.SrcRange, NameRange: a.NameRange})
			out.attrs[name] = &attrs[len(attrs)-1]
		}
		for _, blk := range sb.Blocks {
			out.blocks = append(out.blocks, &block{
				typ: blk.Type, labels: blk.Labels, body: toBody(blk.Body, depth+1), rng: blk.Range(),
			})
		}
		return out
	}
	out := &body{attrs: map[string]*hcl.Attribute{}}
	if depth > 64 {
		return out
	}
	content, rest, _ := b.PartialContent(jsonBodySchema)
	if content != nil {
		for _, blk := range content.Blocks {
			out.blocks = append(out.blocks, &block{
				typ: blk.Type, labels: blk.Labels, body: toBody(blk.Body, depth+1), rng: blk.DefRange,
			})
		}
		out.rng = content.MissingItemRange
	}
	if rest != nil {
		attrs, _ := rest.JustAttributes()
		for name, a := range attrs {
			out.attrs[name] = a
		}
	}
	return out
}

// attr returns the named attribute or nil.
func (b *body) attr(name string) *hcl.Attribute {
	if b == nil {
		return nil
	}
	return b.attrs[name]
}

// blocksOf returns the nested blocks of the given type, in source order.
func (b *body) blocksOf(typ string) []*block {
	if b == nil {
		return nil
	}
	var out []*block
	for _, blk := range b.blocks {
		if blk.typ == typ {
			out = append(out, blk)
		}
	}
	return out
}
