package scan

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mqguard/mqguard/internal/model"
	"github.com/mqguard/mqguard/internal/report"
	"github.com/mqguard/mqguard/internal/rules"
	"github.com/mqguard/mqguard/internal/source/terraform"
)

var asOf = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// tree is a small monorepo: two root modules, one calling a shared local module and reading a
// configuration body with file(), the other an installed registry module.
var tree = map[string]string{
	"modules/mq/main.tf": `
variable "name" { type = string }
variable "public" { type = bool }
resource "aws_mq_broker" "this" {
  broker_name         = var.name
  engine_type         = "ActiveMQ"
  engine_version      = "5.18"
  host_instance_type  = "mq.m5.large"
  deployment_mode     = "ACTIVE_STANDBY_MULTI_AZ"
  publicly_accessible = var.public
  user {
    username = "app"
    password = "literal-password-1"
  }
}
`,
	"app1/main.tf": `
variable "public" { default = false }
module "mq" {
  source = "../modules/mq"
  name   = "app1"
  public = var.public
}
resource "aws_mq_configuration" "c" {
  name           = "app1"
  engine_type    = "ActiveMQ"
  engine_version = "5.18"
  data           = file("${path.module}/activemq.xml")
}
`,
	"app1/activemq.xml": `<broker xmlns="http://activemq.apache.org/schema/core"><plugins/></broker>`,
	"app2/main.tf": `
module "reg" {
  source  = "example/mq/aws"
  version = "1.0.0"
}
`,
	"app2/.terraform/modules/modules.json": `{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"reg","Source":"registry.terraform.io/example/mq/aws","Version":"1.0.0","Dir":".terraform/modules/reg"}]}`,
	"app2/.terraform/modules/reg/main.tf": `
resource "aws_mq_broker" "this" {
  broker_name         = "app2"
  engine_type         = "RabbitMQ"
  engine_version      = "3.13"
  host_instance_type  = "mq.m5.large"
  deployment_mode     = "CLUSTER_MULTI_AZ"
  publicly_accessible = false
  user {
    username = "app"
    password = "literal-password-2"
  }
}
`,
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		write(t, at(dir, name), body)
	}
	return dir
}

// at is the OS path of a slash-separated path under dir.
func at(dir, rel string) string { return filepath.Join(dir, filepath.FromSlash(rel)) }

func write(t *testing.T, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// request scans dir as a relative path would be shown.
func request(dir, cacheDir string) Request {
	return Request{
		FS:         os.DirFS(dir),
		Paths:      []string{"."},
		AsOf:       asOf,
		Version:    "test",
		CacheDir:   cacheDir,
		ShowPassed: true,
	}
}

// run scans and returns the JSON report.
func run(t *testing.T, req Request) (string, *Result) {
	t.Helper()
	res, err := Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := report.Lookup("json")
	var buf bytes.Buffer
	if err := f.Write(&buf, res.Report, report.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.String(), res
}

func TestRunFindsEveryRootModule(t *testing.T) {
	dir := writeTree(t, tree)
	out, res := run(t, request(dir, ""))
	if res.TerraformRoots != 2 || res.Report.Summary.Brokers != 2 {
		t.Fatalf("roots = %d, brokers = %d; want 2 and 2\n%s", res.TerraformRoots, res.Report.Summary.Brokers, out)
	}
	for _, want := range []string{`"module.mq.aws_mq_broker.this"`, `"module.reg.aws_mq_broker.this"`, `"MQG018"`} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	if strings.Contains(out, "literal-password") {
		t.Error("the report holds a password")
	}
	if res.Incomplete() {
		t.Errorf("errors: %+v", res.Report.Errors)
	}
}

// TestRunIsDeterministic scans the same tree many times: root modules are evaluated by
// concurrent workers and brokers on every core, yet the report is the same bytes every time.
func TestRunIsDeterministic(t *testing.T) {
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{writeTree(t, tree), examples} {
		first, _ := run(t, request(dir, ""))
		for range 20 {
			if got, _ := run(t, request(dir, "")); got != first {
				t.Fatalf("%s: reports differ between runs", dir)
			}
		}
	}
}

func TestRunRequestErrors(t *testing.T) {
	dir := writeTree(t, map[string]string{"notes.txt": "hello", "main.tf": ""})
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"unknown rule", Request{FS: os.DirFS(dir), Paths: []string{"."}, Rules: []string{"MQG999"}}, `unknown rule "MQG999"`},
		{"unknown skipped rule", Request{FS: os.DirFS(dir), Paths: []string{"."}, SkipRules: []string{"nope"}}, `unknown rule "nope"`},
		{"named file is no input", Request{FS: os.DirFS(dir), Paths: []string{"notes.txt"}}, "not a Terraform, CloudFormation, Terraform plan or broker configuration file"},
		{"live and snapshot", Request{AWS: &AWS{}, Snapshot: dir}, "exclude each other"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.req)
			var rerr *RequestError
			if !errors.As(err, &rerr) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a request error containing %q", err, tt.want)
			}
		})
	}
}

func TestRunRuleSelectionByEveryName(t *testing.T) {
	dir := writeTree(t, tree)
	for _, name := range []string{"MQG001", "public-access", "CKV_AWS_69", "checkov:CKV_AWS_69", "mqguard:mqg001", "tfsec:AVD-AWS-0072"} {
		_, res := run(t, Request{FS: os.DirFS(dir), Paths: []string{"."}, AsOf: asOf, Rules: []string{name}})
		if len(res.Rules) != 1 || res.Rules[0].ID != "MQG001" {
			t.Errorf("--rules %s selected %d rules", name, len(res.Rules))
		}
	}
}

func TestRunStreamsParts(t *testing.T) {
	dir := writeTree(t, tree)
	req := request(dir, "")
	parts := make(chan *model.Inventory, 16)
	req.OnPart = func(p *model.Inventory) { parts <- p }
	_, res := run(t, req)
	close(parts)
	brokers := 0
	for p := range parts {
		brokers += len(p.Brokers)
	}
	if brokers != res.Report.Summary.Brokers {
		t.Errorf("parts hold %d brokers, the report %d", brokers, res.Report.Summary.Brokers)
	}
}

func TestResultFails(t *testing.T) {
	r := &Result{HasFail: true, WorstFail: rules.Medium, HasUnknown: true, WorstUnknown: rules.High}
	tests := []struct {
		failOn       rules.Severity
		allowUnknown bool
		want         bool
	}{
		{rules.Info, false, true},
		{rules.Medium, true, true},
		{rules.High, true, false},
		{rules.High, false, true},
		{rules.Critical, false, false},
	}
	for _, tt := range tests {
		if got := r.Fails(tt.failOn, tt.allowUnknown); got != tt.want {
			t.Errorf("Fails(%v, %v) = %v, want %v", tt.failOn, tt.allowUnknown, got, tt.want)
		}
	}
}

// TestCacheKeepsTheReport: a cold and a warm cache give the report a scan without a cache
// gives, byte for byte, and the warm scan evaluates nothing.
func TestCacheKeepsTheReport(t *testing.T) {
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{writeTree(t, tree), examples} {
		cache := t.TempDir()
		want, _ := run(t, request(dir, ""))
		cold, res := run(t, request(dir, cache))
		if res.CacheHits != 0 {
			t.Errorf("%s: cold cache had %d hits", dir, res.CacheHits)
		}
		warm, res := run(t, request(dir, cache))
		if res.CacheHits != res.TerraformRoots || res.TerraformRoots == 0 {
			t.Errorf("%s: warm cache: %d hits of %d roots", dir, res.CacheHits, res.TerraformRoots)
		}
		if cold != want || warm != want {
			t.Errorf("%s: reports differ with the cache", dir)
		}
		checkNoSecret(t, cache)
	}
}

// checkNoSecret fails when a cache file holds a password of the tree.
func checkNoSecret(t *testing.T, cache string) {
	t.Helper()
	err := filepath.Walk(cache, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte("literal-password")) {
			t.Errorf("cache file %s holds a password", p)
		}
		if info.Mode().Perm()&0o077 != 0 {
			t.Errorf("cache file %s is readable by others: %v", p, info.Mode())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCacheInvalidation changes one input at a time: the root modules that read it are
// evaluated again (the others still come from the cache) and the report is the one a scan
// without a cache gives.
func TestCacheInvalidation(t *testing.T) {
	tests := []struct {
		name string
		// change edits the tree (dir) or the request; hits is how many of the 2 roots may
		// still come from the cache.
		change func(t *testing.T, dir string, req *Request)
		hits   int
	}{
		{"nothing", func(*testing.T, string, *Request) {}, 2},
		{"touched, same content", func(t *testing.T, dir string, _ *Request) {
			later := time.Now().Add(time.Hour)
			if err := os.Chtimes(at(dir, "app1/main.tf"), later, later); err != nil {
				t.Fatal(err)
			}
		}, 2},
		{"root module file", func(t *testing.T, dir string, _ *Request) {
			write(t, at(dir, "app1/main.tf"), strings.Replace(tree["app1/main.tf"], "default = false", "default = true", 1))
		}, 1},
		{"called module file", func(t *testing.T, dir string, _ *Request) {
			write(t, at(dir, "modules/mq/main.tf"), strings.Replace(tree["modules/mq/main.tf"], "5.18", "5.15", 1))
		}, 1},
		{"new file in a called module", func(t *testing.T, dir string, _ *Request) {
			write(t, at(dir, "modules/mq/tags.tf"), `locals { x = 1 }`)
		}, 1},
		{"file removed", func(t *testing.T, dir string, _ *Request) {
			if err := os.Remove(at(dir, "app1/activemq.xml")); err != nil {
				t.Fatal(err)
			}
		}, 1},
		{"file() target", func(t *testing.T, dir string, _ *Request) {
			write(t, at(dir, "app1/activemq.xml"), `<broker xmlns="http://activemq.apache.org/schema/core"><plugins><authorizationPlugin><map><authorizationMap/></map></authorizationPlugin></plugins></broker>`)
		}, 1},
		{"terraform.tfvars appears", func(t *testing.T, dir string, _ *Request) {
			write(t, at(dir, "app1/terraform.tfvars"), "public = true\n")
		}, 1},
		{"auto.tfvars appears", func(t *testing.T, dir string, _ *Request) {
			write(t, at(dir, "app1/prod.auto.tfvars"), "public = true\n")
		}, 1},
		{"installed module", func(t *testing.T, dir string, _ *Request) {
			p := at(dir, "app2/.terraform/modules/reg/main.tf")
			write(t, p, strings.Replace(tree["app2/.terraform/modules/reg/main.tf"], "publicly_accessible = false", "publicly_accessible = true", 1))
		}, 1},
		{"modules.json", func(t *testing.T, dir string, _ *Request) {
			write(t, at(dir, "app2/.terraform/modules/modules.json"), `{"Modules":[]}`)
		}, 1},
		{"--var", func(_ *testing.T, _ string, req *Request) {
			req.TFVars = []terraform.VarArg{{Assign: "public=true"}}
		}, 0},
		{"--var-file added", func(t *testing.T, dir string, req *Request) {
			write(t, filepath.Join(dir, "vars.tfvars"), "public = false\n")
			req.TFVars = []terraform.VarArg{{File: "vars.tfvars"}}
		}, 0},
		{"TF_VAR_", func(_ *testing.T, _ string, req *Request) {
			req.TFEnv = []string{"TF_VAR_public=true"}
		}, 0},
		{"version", func(_ *testing.T, _ string, req *Request) {
			req.Version = "other"
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, tree)
			cache := t.TempDir()
			run(t, request(dir, cache))
			req := request(dir, cache)
			tt.change(t, dir, &req)
			got, res := run(t, req)
			if res.CacheHits != tt.hits {
				t.Errorf("cache hits = %d of %d roots, want %d", res.CacheHits, res.TerraformRoots, tt.hits)
			}
			nocache := req
			nocache.CacheDir = ""
			if want, _ := run(t, nocache); got != want {
				t.Errorf("report differs from a scan without the cache")
			}
		})
	}
}

// TestCacheVarFileChange: a var file is an input like any other.
func TestCacheVarFileChange(t *testing.T) {
	dir := writeTree(t, tree)
	write(t, filepath.Join(dir, "vars.tfvars"), "public = false\n")
	cache := t.TempDir()
	req := request(dir, cache)
	req.TFVars = []terraform.VarArg{{File: "vars.tfvars"}}
	run(t, req)
	write(t, filepath.Join(dir, "vars.tfvars"), "public = true\n")
	got, res := run(t, req)
	if res.CacheHits != 0 {
		t.Errorf("cache hits = %d after the var file changed, want 0", res.CacheHits)
	}
	if !strings.Contains(got, `"status": "FAIL"`) || !strings.Contains(got, `"rule_id": "MQG001"`) {
		t.Errorf("the changed var file did not make the brokers public:\n%s", got)
	}
}

// TestCacheIgnoresBadEntries: a corrupt entry is a miss, never an error or a wrong report.
func TestCacheIgnoresBadEntries(t *testing.T) {
	dir := writeTree(t, tree)
	cache := t.TempDir()
	want, _ := run(t, request(dir, cache))
	err := filepath.Walk(cache, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		return os.WriteFile(p, []byte("not an entry"), 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, res := run(t, request(dir, cache))
	if got != want || res.CacheHits != 0 || res.Incomplete() {
		t.Errorf("corrupt cache: hits = %d, same report = %v", res.CacheHits, got == want)
	}
}

func TestRunEmpty(t *testing.T) {
	empty := writeTree(t, map[string]string{"README.md": "# notes", "values.yaml": "replicas: 3\n"})
	if _, res := run(t, request(empty, "")); !res.Empty() {
		t.Error("a tree without inputs is not empty")
	}
	noBroker := writeTree(t, map[string]string{"main.tf": `resource "aws_s3_bucket" "b" {}`})
	if _, res := run(t, request(noBroker, "")); res.Empty() {
		t.Error("a root module without brokers is empty")
	}
	if _, res := run(t, Request{Snapshot: t.TempDir()}); res.Empty() {
		t.Error("a live scan is empty")
	}
}

// TestCacheTrim: entries unused for a week are removed by the next scan's daily trim; entries in
// use are kept.
func TestCacheTrim(t *testing.T) {
	dir := writeTree(t, tree)
	cache := t.TempDir()
	run(t, request(dir, cache))
	old := time.Now().Add(-8 * 24 * time.Hour)
	stale := at(cache, "terraform/00/stale-entry")
	write(t, stale, "from another build")
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	// The last trim was long ago.
	if err := os.Chtimes(at(cache, "terraform/trimmed"), old, old); err != nil {
		t.Fatal(err)
	}
	_, res := run(t, request(dir, cache))
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a stale entry survived the trim: %v", err)
	}
	if _, res2 := run(t, request(dir, cache)); res2.CacheHits != res.TerraformRoots {
		t.Errorf("entries in use were trimmed: %d hits of %d", res2.CacheHits, res.TerraformRoots)
	}
}

// TestUnknownSaysWhy: a configuration body read with file() from a file that is not there is
// UNKNOWN, and the finding names the file.
func TestUnknownSaysWhy(t *testing.T) {
	files := map[string]string{
		"modules/mq/main.tf": tree["modules/mq/main.tf"],
		"app1/main.tf":       strings.Replace(tree["app1/main.tf"], "activemq.xml", "conf/missing.xml", 1),
	}
	files["app1/main.tf"] = strings.Replace(files["app1/main.tf"], `  public = var.public
}`, `  public = var.public
}
resource "aws_mq_broker" "direct" {
  broker_name        = "direct"
  engine_type        = "ActiveMQ"
  engine_version     = "5.18"
  host_instance_type = "mq.m5.large"
  configuration {
    id       = aws_mq_configuration.c.id
    revision = aws_mq_configuration.c.latest_revision
  }
}`, 1)
	dir := writeTree(t, files)
	_, res := run(t, Request{FS: os.DirFS(dir), Paths: []string{"."}, AsOf: asOf, Rules: []string{"MQG018"}})
	found := false
	for _, f := range res.Report.Findings {
		if f.Resource.Address == "aws_mq_broker.direct" && f.Status == "UNKNOWN" {
			found = true
			if !strings.Contains(f.Message, `missing.xml`) || !strings.Contains(f.Message, "not found") {
				t.Errorf("message does not name the missing file: %s", f.Message)
			}
		}
	}
	if !found {
		t.Fatalf("no UNKNOWN MQG018 finding on the broker: %+v", res.Report.Findings)
	}
}
