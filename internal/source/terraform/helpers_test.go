package terraform

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mqguard/mqguard/internal/model"
)

// mapFS builds an FS from name -> content.
func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, src := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}

func load(t *testing.T, files map[string]string, opts Options) (*model.Inventory, []model.Diagnostic) {
	t.Helper()
	return Load(context.Background(), mapFS(files), []string{"."}, opts)
}

// errorsOf returns the DiagError diagnostics.
func errorsOf(diags []model.Diagnostic) []model.Diagnostic {
	var out []model.Diagnostic
	for _, d := range diags {
		if d.Severity == model.DiagError {
			out = append(out, d)
		}
	}
	return out
}

func noErrors(t *testing.T, diags []model.Diagnostic) {
	t.Helper()
	for _, d := range errorsOf(diags) {
		t.Errorf("unexpected error: %s", d.Error())
	}
}

func brokerByAddr(t *testing.T, inv *model.Inventory, addr string) *model.Broker {
	t.Helper()
	for _, b := range inv.Brokers {
		if b.ID.Address == addr {
			return b
		}
	}
	var addrs []string
	for _, b := range inv.Brokers {
		addrs = append(addrs, b.ID.Address)
	}
	t.Fatalf("no broker %s; have %s", addr, strings.Join(addrs, ", "))
	return nil
}

func dump(v any) string {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}
