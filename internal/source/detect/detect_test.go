package detect

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
)

const (
	template = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::AmazonMQ::Broker\n"
	samLike  = "{\"Resources\": {\"B\": {\"Type\": \"AWS::AmazonMQ::Broker\", \"Properties\": {}}}}"
	plan     = `{"format_version":"1.2","terraform_version":"1.9.0","planned_values":{"root_module":{}}}`
)

func TestFind(t *testing.T) {
	fsys := fstest.MapFS{
		"infra/main.tf":                       {Data: []byte(`resource "aws_mq_broker" "b" {}`)},
		"infra/terraform.tfvars.json":         {Data: []byte(`{"a": 1}`)},
		"infra/x.tf.json":                     {Data: []byte(`{"resource": {}}`)},
		"infra/cfn/broker.yaml":               {Data: []byte(template)},
		"infra/cfn/broker.json":               {Data: []byte(samLike)},
		"infra/cfn/not-a-template.yaml":       {Data: []byte("name: ci\non: push\n")},
		"infra/package.json":                  {Data: []byte(`{"name": "x", "version": "1.0.0"}`)},
		"infra/plan.json":                     {Data: []byte(plan)},
		"infra/cdk.out/manifest.json":         {Data: []byte(`{"version": "36.0.0", "artifacts": {}}`)},
		"infra/cdk.out/Stack.template.json":   {Data: []byte(samLike)},
		"infra/node_modules/x/template.yaml":  {Data: []byte(template)},
		"infra/.terraform/modules/m/t.yaml":   {Data: []byte(template)},
		"infra/assembly/manifest.json":        {Data: []byte(`{"version": "36.0.0"}`)},
		"infra/assembly/App.template.json":    {Data: []byte(samLike)},
		"infra/other/manifest.json":           {Data: []byte(`{"version": "1"}`)},
		"infra/other/readme.md":               {Data: []byte(`AWSTemplateFormatVersion`)},
		"infra/big/" + strings.Repeat("a", 3): {Data: []byte(template)},
	}
	got, diags := Find(fsys, []string{"infra"}, Auto)
	if len(diags) != 0 {
		t.Fatalf("diagnostics: %v", diags)
	}
	want := Inputs{
		Terraform:      []string{"infra"},
		CloudFormation: []string{"infra/assembly", "infra/cdk.out", "infra/cfn/broker.json", "infra/cfn/broker.yaml"},
		Plans:          []string{"infra/plan.json"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Find = %+v\nwant  %+v", got, want)
	}
}

func TestFindNamedFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"main.tf":     {Data: []byte(`resource "aws_mq_broker" "b" {}`)},
		"stack.yaml":  {Data: []byte(template)},
		"plan.json":   {Data: []byte(plan)},
		"odd.txt":     {Data: []byte("hello")},
		"params.json": {Data: []byte(`[]`)},
	}
	got, diags := Find(fsys, []string{"main.tf", "stack.yaml", "plan.json", "odd.txt", "missing.yaml"}, Auto)
	want := Inputs{Terraform: []string{"main.tf"}, CloudFormation: []string{"stack.yaml"}, Plans: []string{"plan.json"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Find = %+v, want %+v", got, want)
	}
	if len(diags) != 2 || diags[0].At.File != "odd.txt" || diags[1].At.File != "missing.yaml" {
		t.Errorf("diagnostics = %v, want one for odd.txt and one for missing.yaml", diags)
	}
}

func TestFindForced(t *testing.T) {
	fsys := fstest.MapFS{
		"dir/main.tf":       {Data: []byte(`resource "aws_mq_broker" "b" {}`)},
		"dir/a.yaml":        {Data: []byte("Resources: {}\n")},
		"dir/plan.json":     {Data: []byte(plan)},
		"named.template":    {Data: []byte("{}")},
		"dir/sub/b.yml":     {Data: []byte("x: 1\n")},
		"dir/sub/c.tf.json": {Data: []byte(`{}`)},
	}
	got, _ := Find(fsys, []string{"dir", "named.template"}, CloudFormation)
	want := Inputs{CloudFormation: []string{"dir/a.yaml", "dir/plan.json", "dir/sub/b.yml", "named.template"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("forced cloudformation = %+v, want %+v", got, want)
	}
	got, _ = Find(fsys, []string{"dir"}, Terraform)
	if want := (Inputs{Terraform: []string{"dir"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("forced terraform = %+v, want %+v", got, want)
	}
}

// TestFindOversized: a template too large to read whole is still found, in a directory or named,
// so that the CloudFormation source reports it as too large instead of it vanishing from the
// scan; a large file that is no template is still ignored in a directory.
func TestFindOversized(t *testing.T) {
	pad := strings.Repeat("# padding\n", maxTemplateSniff/10+1)
	bigJSON := `{"Resources": {"B": {"Type": "AWS::AmazonMQ::Broker", "Properties": {"X": "` + strings.Repeat("x", maxTemplateSniff) + `"}}}}`
	fsys := fstest.MapFS{
		"dir/big.yaml":  {Data: []byte(template + pad)},
		"dir/big.json":  {Data: []byte(bigJSON)},
		"dir/data.json": {Data: []byte(`{"rows": ["` + strings.Repeat("x", maxTemplateSniff) + `"]}`)},
		"dir/data.yaml": {Data: []byte("rows:\n" + strings.Repeat("- x\n", maxTemplateSniff/4+1))},
	}
	tests := []struct {
		name  string
		roots []string
		want  []string
	}{
		{"directory", []string{"dir"}, []string{"dir/big.json", "dir/big.yaml"}},
		{"named", []string{"dir/big.yaml"}, []string{"dir/big.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags := Find(fsys, tt.roots, Auto)
			if len(diags) != 0 {
				t.Errorf("diagnostics: %v", diags)
			}
			if !reflect.DeepEqual(got.CloudFormation, tt.want) {
				t.Errorf("CloudFormation = %v, want %v", got.CloudFormation, tt.want)
			}
		})
	}
}

// deniedFS is fsys with the listing of some directories denied, as chmod 000 does for users
// other than root (tests run as root, where permissions are not enforced).
type deniedFS struct {
	fs.FS
	denied map[string]bool
}

func (d deniedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if d.denied[name] {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrPermission}
	}
	return fs.ReadDir(d.FS, name)
}

func (d deniedFS) Stat(name string) (fs.FileInfo, error) { return fs.Stat(d.FS, name) }

// The walk's problems below a root are reported by the Terraform source when it walks the
// same directories, else by Find; a named root that cannot be listed always by Find.
func TestFindWalkProblems(t *testing.T) {
	fsys := deniedFS{fstest.MapFS{
		"infra/stack.yaml":        {Data: []byte(template)},
		"infra/locked/other.yaml": {Data: []byte(template)},
		"locked/main.tf":          {},
	}, map[string]bool{"infra/locked": true, "locked": true}}
	tests := []struct {
		force Kind
		roots []string
		want  []string // diagnostics, "file: message"
	}{
		{Auto, []string{"infra"}, nil},
		{CloudFormation, []string{"infra"}, []string{"infra/locked: cannot read directory: permission denied"}},
		{TFPlan, []string{"infra"}, []string{"infra/locked: cannot read directory: permission denied"}},
		{Auto, []string{"locked"}, []string{"locked: cannot read directory: permission denied"}},
		{CloudFormation, []string{"locked"}, []string{"locked: cannot read directory: permission denied"}},
		{Terraform, []string{"locked"}, []string{"locked: cannot read directory: permission denied"}},
		{Terraform, []string{"infra"}, nil},
	}
	for _, tc := range tests {
		in, diags := Find(fsys, tc.roots, tc.force)
		var got []string
		for _, d := range diags {
			got = append(got, d.At.File+": "+d.Message)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Find(%v, %q) diagnostics = %q, want %q", tc.roots, tc.force, got, tc.want)
		}
		if tc.roots[0] == "infra" && (tc.force == Auto || tc.force == CloudFormation) && !reflect.DeepEqual(in.CloudFormation, []string{"infra/stack.yaml"}) {
			t.Errorf("Find(%v, %q) templates = %q, want the readable one", tc.roots, tc.force, in.CloudFormation)
		}
	}
}

// Links are followed (a linked directory under the link's path, a linked template); a FIFO is
// never opened, found or named.
func TestFindLinksAndSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{"tpl/broker.yaml": template, "one.yaml": template, "infra/main.tf": ""} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{"infra/cfn": "../tpl", "infra/one.yaml": "../one.yaml", "infra/loop": "."} {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	for _, fifo := range []string{"infra/pipe.yaml", "pipe.yaml", "pipe.tf"} {
		if err := syscall.Mkfifo(filepath.Join(dir, fifo), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fsys := os.DirFS(dir)

	in, diags := Find(fsys, []string{"infra"}, Auto)
	if want := []string{"infra/cfn/broker.yaml", "infra/one.yaml"}; !reflect.DeepEqual(in.CloudFormation, want) {
		t.Errorf("templates = %q, want %q", in.CloudFormation, want)
	}
	if len(diags) != 0 {
		t.Errorf("diagnostics = %v, want none (the Terraform walk reports the FIFO and the loop)", diags)
	}

	in, diags = Find(fsys, []string{"infra"}, CloudFormation)
	var got []string
	for _, d := range diags {
		got = append(got, d.At.File+": "+d.Message)
	}
	want := []string{
		"infra/loop: symbolic link loop (leads back to the directory it is in); not followed",
		"infra/pipe.yaml: not a regular file (named pipe); skipped",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("forced diagnostics = %q, want %q", got, want)
	}
	if want := []string{"infra/cfn/broker.yaml", "infra/one.yaml"}; !reflect.DeepEqual(in.CloudFormation, want) {
		t.Errorf("forced templates = %q, want %q", in.CloudFormation, want)
	}

	for _, named := range []string{"pipe.yaml", "pipe.tf"} {
		in, diags = Find(fsys, []string{named}, Auto)
		if len(diags) != 1 || diags[0].At.File != named || diags[0].Message != "not a regular file (named pipe)" {
			t.Errorf("Find(%s) diagnostics = %v, want one: not a regular file", named, diags)
		}
		if in.Terraform != nil || in.CloudFormation != nil {
			t.Errorf("Find(%s) = %+v, want nothing", named, in)
		}
	}
}
