package rules

// Tri is a three-valued answer.
type Tri uint8

// Tri values.
const (
	No Tri = iota
	Yes
	Maybe // could not be decided
)

// and3 is the three-valued conjunction: No wins, then Maybe.
func and3(a, b Tri) Tri {
	switch {
	case a == No || b == No:
		return No
	case a == Yes && b == Yes:
		return Yes
	default:
		return Maybe
	}
}
