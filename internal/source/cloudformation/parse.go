package cloudformation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mqguard/mqguard/internal/model"
)

const (
	// MaxTemplateSize is the largest template file read. CloudFormation itself accepts at most
	// 1 MB (a template body in S3; 51,200 bytes inline), but the files scanned are not always
	// what is deployed (SAM and preprocessor sources, generated templates split before upload),
	// and describing a template CloudFormation would refuse costs nothing; the limit only bounds
	// memory. A larger template is an error naming the file, never skipped silently.
	MaxTemplateSize = 10 << 20
	// maxExpandedNodes bounds the number of nodes a document may have once its aliases are
	// expanded; beyond it the document is refused as an alias bomb.
	maxExpandedNodes = 1_000_000
)

// parseError is a template that cannot be read, with the line it names (0 when unknown).
type parseError struct {
	line int
	msg  string
}

func (e *parseError) Error() string { return e.msg }

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseDocument parses a YAML or JSON template into its root node. Errors carry the line they name
// and never quote the document.
func parseDocument(data []byte) (*yaml.Node, error) {
	if len(data) > MaxTemplateSize {
		return nil, &parseError{msg: tooLarge(int64(len(data))).Error()}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		pe := yamlError(err)
		if pe.line == 0 {
			pe.line = jsonErrorLine(data)
		}
		return nil, pe
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &parseError{msg: "empty document"}
	}
	root := doc.Content[0]
	if n, ok := expandedSize(root, map[*yaml.Node]int{}, 0); !ok || n > maxExpandedNodes {
		return nil, &parseError{line: 1, msg: fmt.Sprintf("document refused: its aliases expand to more than %d nodes (alias bomb)", maxExpandedNodes)}
	}
	return root, nil
}

// yamlError turns a parser error into a parseError, keeping only the parser's own words.
func yamlError(err error) *parseError {
	msg := err.Error()
	if te := (*yaml.TypeError)(nil); errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimSpace(strings.SplitN(msg, "\n", 2)[0])
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &parseError{line: line, msg: "invalid template: " + m[2]}
	}
	return &parseError{msg: "invalid template: " + strings.TrimPrefix(msg, "yaml: ")}
}

// jsonErrorLine returns the line of the first syntax error of a JSON document, 0 when data
// does not look like JSON or has none.
func jsonErrorLine(data []byte) int {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || (trimmed[0] != '{' && trimmed[0] != '[') {
		return 0
	}
	var v any
	var se *json.SyntaxError
	if err := json.Unmarshal(data, &v); errors.As(err, &se) {
		off := min(int(se.Offset), len(data))
		return 1 + bytes.Count(data[:off], []byte("\n"))
	}
	return 0
}

// expandedSize counts the nodes of n with aliases expanded, memoised per node so that the count
// itself is linear; it stops (ok false) past the limit or on a too deep document.
func expandedSize(n *yaml.Node, memo map[*yaml.Node]int, depth int) (int, bool) {
	if n == nil {
		return 0, true
	}
	if depth > 10000 {
		return 0, false
	}
	if v, ok := memo[n]; ok {
		return v, v <= maxExpandedNodes
	}
	memo[n] = maxExpandedNodes + 1 // an alias cycle counts as too large
	size := 1
	if n.Kind == yaml.AliasNode {
		s, ok := expandedSize(n.Alias, memo, depth+1)
		if !ok {
			return 0, false
		}
		size += s
	}
	for _, c := range n.Content {
		s, ok := expandedSize(c, memo, depth+1)
		if !ok {
			return 0, false
		}
		size += s
		if size > maxExpandedNodes {
			return size, false
		}
	}
	memo[n] = size
	return size, size <= maxExpandedNodes
}

// duplicateKeys reports keys written twice in the same mapping. CloudFormation deploys the last
// one, and so does mqguard, but other tools on the way refuse the template (cfn-lint, the YAML
// reader of `aws cloudformation deploy`) and a duplicate is nearly always a copy-paste slip: the
// value the author meant, and the one a pipeline ends up deploying, are in doubt. Where the
// duplicate can change what is read about a broker, the findings cannot be trusted and it is an
// error (the scan is incomplete): in the sections that are evaluated (Parameters, Conditions,
// Mappings) and in the resources the mapper reads (see brokerRelated). Elsewhere (a bucket's
// properties, Outputs, Metadata) nothing a rule sees depends on it, and it is a note: the
// template is still scanned completely. Aliases are not followed.
func duplicateKeys(root *yaml.Node, file string, out *[]model.Diagnostic) {
	report := func(sev model.DiagSeverity, k *yaml.Node, first int) {
		*out = append(*out, model.Diagnostic{Severity: sev, Source: model.SourceCloudFormation,
			At:      model.Range{File: file, StartLine: k.Line, EndLine: k.Line},
			Message: fmt.Sprintf("duplicate key %q at lines %d and %d; the value at line %d is used", truncate(k.Value, 80), first, k.Line, k.Line)})
	}
	// mapping reports the duplicates of one mapping, with the severity sev returns for a key
	// (given every value written for it), and returns its key/value pairs, duplicates included.
	mapping := func(n *yaml.Node, sev func(key string, values []*yaml.Node) model.DiagSeverity) [][2]*yaml.Node {
		var kvs [][2]*yaml.Node
		values := map[string][]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			kvs = append(kvs, [2]*yaml.Node{k, v})
			if k.Kind == yaml.ScalarNode {
				values[k.Value] = append(values[k.Value], v)
			}
		}
		first := map[string]int{}
		for _, kv := range kvs {
			k := kv[0]
			if k.Kind != yaml.ScalarNode {
				continue
			}
			if line, ok := first[k.Value]; ok {
				report(sev(k.Value, values[k.Value]), k, line)
			}
			first[k.Value] = k.Line
		}
		return kvs
	}
	var walk func(n *yaml.Node, sev model.DiagSeverity, depth int)
	walk = func(n *yaml.Node, sev model.DiagSeverity, depth int) {
		if n == nil || depth > 10000 {
			return
		}
		if n.Kind == yaml.MappingNode {
			mapping(n, func(string, []*yaml.Node) model.DiagSeverity { return sev })
		}
		for _, c := range n.Content {
			walk(c, sev, depth+1)
		}
	}
	if root == nil || root.Kind != yaml.MappingNode {
		walk(root, model.DiagError, 0)
		return
	}
	sectionSev := func(key string, _ []*yaml.Node) model.DiagSeverity {
		if evaluatedSections[key] {
			return model.DiagError
		}
		return model.DiagNote
	}
	for _, kv := range mapping(root, sectionSev) {
		k, v := kv[0], kv[1]
		walk(k, model.DiagError, 1)
		if k.Kind != yaml.ScalarNode || k.Value != "Resources" || v.Kind != yaml.MappingNode {
			walk(v, sectionSev(k.Value, nil), 1)
			continue
		}
		// A logical ID written twice drops one of the resources: an error when either may be
		// one the mapper reads.
		idSev := func(_ string, defs []*yaml.Node) model.DiagSeverity { return resourceSeverity(defs...) }
		for _, r := range mapping(v, idSev) {
			walk(r[0], model.DiagError, 2)
			walk(r[1], resourceSeverity(r[1]), 2)
		}
	}
}

// resourceSeverity is the severity of a duplicate key in (or naming) the resource definitions defs.
func resourceSeverity(defs ...*yaml.Node) model.DiagSeverity {
	for _, d := range defs {
		if brokerRelated(d) {
			return model.DiagError
		}
	}
	return model.DiagNote
}

// evaluatedSections are the top-level sections whose values can reach a broker's.
var evaluatedSections = map[string]bool{"Parameters": true, "Conditions": true, "Mappings": true, "Resources": true}

// brokerRelatedPrefixes are the resource types whose properties the mapper reads, or that lead
// to a template that may declare a broker.
var brokerRelatedPrefixes = []string{"AWS::AmazonMQ::", "AWS::EC2::SecurityGroup", "AWS::KMS::",
	"AWS::SecretsManager::", "AWS::SSM::Parameter", "AWS::CloudFormation::Stack", "AWS::Serverless::Application"}

// brokerRelated reports whether a resource definition may be read for a broker: one of its Type
// values (all of them, when Type is written twice) is broker-related, or its type cannot be read.
// Other resources only ever reach a broker through Ref or Fn::GetAtt, whose values are deploy-time
// attributes that do not depend on the resource's properties.
func brokerRelated(def *yaml.Node) bool {
	def = deref(def)
	if def == nil || def.Kind != yaml.MappingNode {
		return true
	}
	typed := false
	for i := 0; i+1 < len(def.Content); i += 2 {
		if def.Content[i].Value != "Type" {
			continue
		}
		typ := deref(def.Content[i+1])
		if typ == nil || typ.Kind != yaml.ScalarNode {
			return true
		}
		typed = true
		if brokerRelatedType(typ.Value) {
			return true
		}
	}
	return !typed
}

// brokerRelatedType reports whether resources of type typ may be read for a broker.
func brokerRelatedType(typ string) bool {
	for _, p := range brokerRelatedPrefixes {
		if strings.HasPrefix(typ, p) {
			return true
		}
	}
	return false
}

// lookup returns the value of key in mapping m (the last one when written twice).
func lookup(m *yaml.Node, key string) (k, v *yaml.Node) {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := len(m.Content) - 2; i >= 0; i -= 2 {
		if m.Content[i].Value == key && m.Content[i].Kind == yaml.ScalarNode {
			return m.Content[i], deref(m.Content[i+1])
		}
	}
	return nil, nil
}

// pairs returns the key/value pairs of a mapping, keeping only the last of duplicate keys, in
// document order.
func pairs(m *yaml.Node) [][2]*yaml.Node {
	m = deref(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	last := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		last[m.Content[i].Value] = i
	}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if last[m.Content[i].Value] == i {
			out = append(out, [2]*yaml.Node{m.Content[i], deref(m.Content[i+1])})
		}
	}
	return out
}

// deref follows aliases and documents.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 100; i++ {
		switch n.Kind {
		case yaml.AliasNode:
			n = n.Alias
		case yaml.DocumentNode:
			if len(n.Content) == 0 {
				return nil
			}
			n = n.Content[0]
		default:
			return n
		}
	}
	return n
}

// lastLine is the last line of n's own subtree (aliases not followed).
func lastLine(n *yaml.Node) int {
	end := 0
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > 10000 {
			return
		}
		l := n.Line
		if n.Kind == yaml.ScalarNode && (n.Style&(yaml.LiteralStyle|yaml.FoldedStyle)) != 0 {
			l += strings.Count(strings.TrimRight(n.Value, "\n"), "\n") + 1
		}
		if l > end {
			end = l
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return end
}

var (
	formatVersionRE = regexp.MustCompile(`(?m)(^\s*|")AWSTemplateFormatVersion["']?\s*:`)
	awsTypeRE       = regexp.MustCompile(`["']?Type["']?\s*:\s*["']?AWS::[A-Za-z0-9]+::`)
	serverlessRE    = regexp.MustCompile(`["']?Transform["']?\s*:[^\n]*AWS::Serverless`)
)

// IsTemplate reports whether data is a CloudFormation template (JSON or YAML): a top-level
// AWSTemplateFormatVersion, or Resources whose entries have a Type starting "AWS::" (SAM's
// Transform too). It scans the bytes without parsing them.
func IsTemplate(data []byte) bool {
	if len(data) > MaxTemplateSize {
		// Too large to be loaded; still recognised by its first bytes so it is reported.
		data = data[:1<<20]
	}
	// Each pattern is tried only on a file holding its literal part: most files read while
	// looking for templates hold none, and a regular expression over a large file is slow.
	if bytes.Contains(data, []byte("AWSTemplateFormatVersion")) && formatVersionRE.Match(data) {
		return true
	}
	if !bytes.Contains(data, []byte("AWS::")) {
		return false
	}
	if bytes.Contains(data, []byte("AWS::Serverless")) && serverlessRE.Match(data) {
		return true
	}
	return bytes.Contains(data, []byte("Resources")) && awsTypeRE.Match(data)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
