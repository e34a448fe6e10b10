package policy

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse: whatever the input, Parse returns a policy or a *policy.Error, never panics.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile("testdata/example.mqguard.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte("rules: {MQG001: {enabled: false}}\n"))
	f.Add([]byte("exceptions:\n  - &a {rule: MQG001}\n  - *a\n"))
	f.Add([]byte("required_tags: {owner: [a, b]}\nproduction: {name_patterns: ['*']}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pol, err := Parse("f.yaml", data)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("error %v is not a *policy.Error", err)
			}
			return
		}
		if pol == nil {
			t.Fatal("nil policy without error")
		}
		for _, ex := range pol.Exceptions {
			if ex.Reason == "" || ex.ApprovedBy == "" || ex.Expires.IsZero() || len(ex.Rules) == 0 || ex.Scope.Empty() {
				t.Fatalf("incomplete exception accepted: %+v", ex)
			}
		}
	})
}
