package rules

import "testing"

func TestEveryRuleHasACategory(t *testing.T) {
	for _, r := range All() {
		if r.Category() == "" {
			t.Errorf("%s has no category: add it to categories", r.ID)
		}
	}
}
