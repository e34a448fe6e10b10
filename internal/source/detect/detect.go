// Package detect finds, under the paths a user names, the inputs of each kind: Terraform root
// directories, CloudFormation templates (CDK cloud assemblies included) and Terraform plan JSON
// files. CloudFormation and plans are recognised by their content, not their names.
package detect

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/source/brokerconf"
	"github.com/mqguard/mqguard/internal/source/cloudformation"
	"github.com/mqguard/mqguard/internal/source/tfplan"
	"github.com/mqguard/mqguard/internal/source/walk"
)

// Kind is an input kind a user may force with --input-type.
type Kind string

// Kinds.
const (
	Auto           Kind = ""
	Terraform      Kind = "terraform"
	CloudFormation Kind = "cloudformation"
	TFPlan         Kind = "tfplan"
	// BrokerConf: the configuration files of self-managed brokers (activemq.xml, rabbitmq.conf,
	// Erlang-terms configs, definitions exports, Kubernetes and Helm files embedding them).
	BrokerConf Kind = "brokerconf"
)

// Kinds lists the values --input-type accepts.
func Kinds() []Kind { return []Kind{Terraform, CloudFormation, TFPlan, BrokerConf} }

// Inputs are the inputs found, as FS paths, each list sorted.
type Inputs struct {
	// Terraform holds the named directories and .tf files: the Terraform source walks them.
	Terraform []string
	// CloudFormation holds template files and CDK cloud assembly directories (cdk.out).
	CloudFormation []string
	// Plans holds Terraform plan JSON files.
	Plans []string
	// BrokerConf maps each broker configuration file found to what it holds; the brokerconf
	// source reads the files it names beside them (properties files, enabled_plugins) itself.
	BrokerConf map[string]brokerconf.FileKind
}

// sniffSize is how much of a file is read to recognise a plan or a broker configuration (what
// brokerconf.Sniff needs); templates are read whole up to
// maxTemplateSniff. A larger YAML/JSON file is recognised by its head alone (the plan check needs
// only the head; a template's format version or first resources come first), and a template
// that large is refused by the CloudFormation source with an error naming the file.
const (
	sniffSize        = brokerconf.SniffSize
	maxTemplateSniff = 10 << 20
)

// Find walks roots in fsys. force restricts the search to one kind (and treats every named file
// as that kind). A named path that cannot be read or is no input becomes an error diagnostic
// naming it.
//
// Directories are walked as the Terraform source walks them (package walk: links followed,
// loops cut, FIFOs, sockets and devices never opened). What the walk meets below a root (an
// unreadable directory, a loop, a pipe) is reported once: by the Terraform source, which walks
// the same directories, unless force excludes Terraform; then by Find.
func Find(fsys fs.FS, roots []string, force Kind) (Inputs, []model.Diagnostic) {
	var in Inputs
	var diags []model.Diagnostic
	seen := map[string]bool{}
	add := func(list *[]string, p string) {
		if !seen[p] {
			seen[p] = true
			*list = append(*list, p)
		}
	}
	reportWalk := force == CloudFormation || force == TFPlan || force == BrokerConf
	addConf := func(p string, k brokerconf.FileKind) {
		if in.BrokerConf == nil {
			in.BrokerConf = map[string]brokerconf.FileKind{}
		}
		in.BrokerConf[p] = k
	}
	for _, root := range roots {
		info, err := fs.Stat(fsys, root)
		if err != nil {
			diags = append(diags, errDiag(root, "cannot read: "+errText(err)))
			continue
		}
		if !info.IsDir() {
			if !info.Mode().IsRegular() {
				// Never opened: a FIFO would block forever.
				diags = append(diags, errDiag(root, "not a regular file ("+walk.TypeName(info.Mode())+")"))
				continue
			}
			switch k, ck := fileKind(fsys, root, force, true); k {
			case Terraform:
				add(&in.Terraform, root)
			case CloudFormation:
				add(&in.CloudFormation, root)
			case TFPlan:
				add(&in.Plans, root)
			case BrokerConf:
				addConf(root, ck)
			default:
				diags = append(diags, errDiag(root, "not a Terraform, CloudFormation, Terraform plan or broker configuration file"))
			}
			continue
		}
		if force == Auto || force == Terraform {
			add(&in.Terraform, root)
		}
		if force == Terraform {
			// The Terraform source walks it; a named directory that cannot be listed is still
			// the request's error, as in the walk below.
			if _, err := fs.ReadDir(fsys, root); err != nil {
				diags = append(diags, walk.Entry{Path: root, Kind: walk.Unreadable, Err: err}.Diagnostic(""))
			}
			continue
		}
		err = walk.Walk(fsys, root, func(e walk.Entry) error {
			switch e.Kind {
			case walk.Dir:
				if e.Path != root && walk.Skipped(path.Base(e.Path)) {
					return fs.SkipDir
				}
				if isCloudAssembly(fsys, e.Path) && (force == Auto || force == CloudFormation) {
					add(&in.CloudFormation, e.Path)
					return fs.SkipDir
				}
			case walk.File:
				switch k, ck := fileKind(fsys, e.Path, force, false); k {
				case CloudFormation:
					add(&in.CloudFormation, e.Path)
				case TFPlan:
					add(&in.Plans, e.Path)
				case BrokerConf:
					addConf(e.Path, ck)
				}
			case walk.Unreadable:
				// A named directory that cannot be listed is reported whoever walks it: the
				// request cannot be scanned.
				if e.Path == root || reportWalk {
					diags = append(diags, e.Diagnostic(""))
				}
			default:
				if reportWalk {
					diags = append(diags, e.Diagnostic(""))
				}
			}
			return nil
		})
		if err != nil {
			diags = append(diags, errDiag(root, "cannot walk: "+errText(err)))
		}
	}
	sort.Strings(in.Terraform)
	sort.Strings(in.CloudFormation)
	sort.Strings(in.Plans)
	dropTerraformBodies(fsys, in.BrokerConf, roots)
	return in, diags
}

// dropTerraformBodies removes from conf the files that Terraform code beside them (in their
// directory or its parent) names, unless the user named the file itself: an activemq.xml or
// rabbitmq.conf read with file() or templatefile() is the body of an aws_mq_configuration,
// which the Terraform source judges with its broker, not a self-managed broker of its own.
func dropTerraformBodies(fsys fs.FS, conf map[string]brokerconf.FileKind, named []string) {
	tfText := map[string][]byte{} // directory -> its .tf files' text, read once
	text := func(dir string) []byte {
		if t, ok := tfText[dir]; ok {
			return t
		}
		var all []byte
		entries, _ := fs.ReadDir(fsys, dir)
		for _, e := range entries {
			if n := e.Name(); e.Type().IsRegular() && (strings.HasSuffix(n, ".tf") || strings.HasSuffix(n, ".tf.json")) {
				if data, err := fs.ReadFile(fsys, path.Join(dir, n)); err == nil {
					all = append(all, data...)
				}
			}
		}
		tfText[dir] = all
		return all
	}
	for p := range conf {
		if slices.Contains(named, p) {
			continue
		}
		base := []byte(path.Base(p))
		dir := path.Dir(p)
		if bytes.Contains(text(dir), base) || (dir != "." && bytes.Contains(text(path.Dir(dir)), base)) {
			delete(conf, p)
		}
	}
}

// isCloudAssembly reports whether dir is a CDK cloud assembly: a cdk.out directory, or any
// directory holding a manifest.json next to *.template.json files.
func isCloudAssembly(fsys fs.FS, dir string) bool {
	if _, err := fs.Stat(fsys, path.Join(dir, "manifest.json")); err != nil {
		return false
	}
	if path.Base(dir) == "cdk.out" {
		return true
	}
	m, _ := fs.Glob(fsys, path.Join(escapeGlob(dir), "*.template.json"))
	return len(m) > 0
}

// fileKind recognises one file. named is true for a file the user named: Terraform files are
// then accepted too (while walking, the Terraform source finds them itself). For a broker
// configuration file it also says what the file holds.
func fileKind(fsys fs.FS, p string, force Kind, named bool) (Kind, brokerconf.FileKind) {
	base := path.Base(p)
	isTF := strings.HasSuffix(base, ".tf") || strings.HasSuffix(base, ".tf.json")
	if force == BrokerConf {
		if isTF || !brokerconf.Candidate(base) {
			return Auto, brokerconf.NotBrokerConf
		}
		head, _, err := readHead(fsys, p, sniffSize)
		if err != nil {
			return Auto, brokerconf.NotBrokerConf
		}
		if k := brokerconf.Sniff(p, head); k != brokerconf.NotBrokerConf {
			return BrokerConf, k
		}
		return Auto, brokerconf.NotBrokerConf
	}
	if force != Auto {
		if named || (force != Terraform && !isTF && candidate(base)) {
			return force, brokerconf.NotBrokerConf
		}
		return Auto, brokerconf.NotBrokerConf
	}
	switch {
	case isTF:
		if named {
			return Terraform, brokerconf.NotBrokerConf
		}
		return Auto, brokerconf.NotBrokerConf
	case strings.HasSuffix(base, ".tfvars") || strings.HasSuffix(base, ".tfvars.json"):
		return Auto, brokerconf.NotBrokerConf
	case !candidate(base) && !brokerconf.Candidate(base):
		return Auto, brokerconf.NotBrokerConf
	}
	limit := int64(sniffSize)
	if candidate(base) {
		limit = maxTemplateSniff
	}
	head, whole, err := readHead(fsys, p, limit)
	if err != nil {
		return Auto, brokerconf.NotBrokerConf
	}
	if candidate(base) {
		if strings.HasSuffix(base, ".json") && isPlan(head, whole) {
			return TFPlan, brokerconf.NotBrokerConf
		}
		w := whole
		if w == nil {
			// Too large to read whole: recognised by its head, so that the CloudFormation
			// source reports it as too large (an error entry) instead of it being skipped
			// silently.
			w = head
		}
		if cloudformation.IsTemplate(w) {
			return CloudFormation, brokerconf.NotBrokerConf
		}
	}
	if k := brokerconf.Sniff(p, head); k != brokerconf.NotBrokerConf {
		return BrokerConf, k
	}
	return Auto, brokerconf.NotBrokerConf
}

// isPlan recognises a plan from the whole file, or, for a file too large to read whole, from
// its head: `terraform show -json` writes format_version and terraform_version first.
func isPlan(head, whole []byte) bool {
	if whole != nil {
		return tfplan.IsPlan(whole)
	}
	h := strings.TrimLeft(string(head), " \t\r\n\ufeff")
	return strings.HasPrefix(h, "{") && strings.Contains(h, `"format_version"`) && strings.Contains(h, `"terraform_version"`)
}

// candidate reports whether a file name may hold a template or a plan.
func candidate(base string) bool {
	for _, ext := range []string{".yaml", ".yml", ".json", ".template"} {
		if strings.HasSuffix(strings.ToLower(base), ext) {
			return true
		}
	}
	return false
}

// readHead returns the first sniffSize bytes of p, and the whole file when it is at most limit
// bytes (limit is at least sniffSize).
func readHead(fsys fs.FS, p string, limit int64) (head, whole []byte, err error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, nil, err
	}
	head = data
	if len(head) > sniffSize {
		head = head[:sniffSize]
	}
	if int64(len(data)) <= limit {
		whole = data
	}
	return head, whole, nil
}

func escapeGlob(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)
	return r.Replace(s)
}

func errDiag(p, msg string) model.Diagnostic {
	return model.Diagnostic{Severity: model.DiagError, At: model.Range{File: p}, Message: msg}
}

// errText is an error's text without the path, which the diagnostic already names.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
