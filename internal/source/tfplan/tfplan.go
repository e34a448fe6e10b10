// Package tfplan reads Terraform plans in the JSON format of `terraform show -json plan.out` into
// the model. A plan holds values Terraform has already evaluated: what it records is what will be
// applied. Values Terraform cannot know before apply are Unknown; sensitive values are never kept.
// It describes what the plan contains; it never decides compliance.
package tfplan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/mqguard/mqguard/internal/model"
)

// MaxPlanSize is the largest plan file Load reads. Plans of large configurations are big, but a
// plan beyond this size is refused rather than risking the memory of the scan.
const MaxPlanSize = 512 << 20

// Options tune a load.
type Options struct {
	Display func(fsPath string) string // maps an FS path to the path shown to users; identity when nil
}

// IsPlan reports whether data is `terraform show -json` output of a plan: a JSON object with a
// format_version and planned_values or resource_changes.
func IsPlan(data []byte) bool {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return false
	}
	return bytes.Contains(data, []byte(`"format_version"`)) &&
		(bytes.Contains(data, []byte(`"planned_values"`)) || bytes.Contains(data, []byte(`"resource_changes"`)))
}

// Load reads the named plan files (FS paths, slash-separated) of fsys. A file that cannot be read,
// is not valid JSON or has an unsupported format_version is an error diagnostic naming the file and
// line; the other files are still read.
func Load(ctx context.Context, fsys fs.FS, files []string, opts Options) (*model.Inventory, []model.Diagnostic) {
	if opts.Display == nil {
		opts.Display = func(p string) string { return p }
	}
	inv := &model.Inventory{}
	var diags []model.Diagnostic
	for _, name := range files {
		if err := ctx.Err(); err != nil {
			diags = append(diags, model.Diagnostic{Severity: model.DiagError, Source: model.SourceTFPlan,
				Message: "scan interrupted: " + err.Error()})
			break
		}
		display := opts.Display(name)
		data, err := readFile(fsys, name)
		if err != nil {
			diags = append(diags, model.Diagnostic{Severity: model.DiagError, Source: model.SourceTFPlan,
				At: model.Range{File: display}, Message: err.Error()})
			continue
		}
		fileInv, d := loadPlan(data, display)
		inv.Merge(fileInv)
		diags = append(diags, d...)
	}
	return inv, diags
}

// readFile reads name, refusing files larger than MaxPlanSize.
func readFile(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("cannot read plan: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > MaxPlanSize {
		return nil, fmt.Errorf("plan is larger than %d MiB; not read", MaxPlanSize>>20)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxPlanSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read plan: %w", err)
	}
	if len(data) > MaxPlanSize {
		return nil, fmt.Errorf("plan is larger than %d MiB; not read", MaxPlanSize>>20)
	}
	return data, nil
}

// loadPlan maps one plan document; file is its display path.
func loadPlan(data []byte, file string) (*model.Inventory, []model.Diagnostic) {
	fail := func(line int, msg string) (*model.Inventory, []model.Diagnostic) {
		return &model.Inventory{}, []model.Diagnostic{{Severity: model.DiagError, Source: model.SourceTFPlan,
			At: model.Range{File: file, StartLine: line, EndLine: line}, Message: msg}}
	}
	idx, err := indexPlan(data)
	if err != nil {
		var pe *posError
		if errors.As(err, &pe) {
			return fail(lineOf(data, pe.off), pe.msg)
		}
		return fail(1, err.Error())
	}
	var plan tfjson.Plan
	plan.UseJSONNumber(true)
	if err := json.Unmarshal(data, &plan); err != nil {
		line := idx.keyLines["format_version"]
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			// The message names the field and the JSON type, never the value.
			line = lineOf(data, int(te.Offset))
			return fail(line, "not a Terraform plan: "+te.Error())
		}
		if line == 0 {
			line = 1
		}
		return fail(line, "not a supported Terraform plan: "+err.Error())
	}
	m := newMapper(&plan, idx, file)
	m.run()
	sort.SliceStable(m.diags, func(i, j int) bool { return m.diags[i].At.StartLine < m.diags[j].At.StartLine })
	return m.inv, m.diags
}
