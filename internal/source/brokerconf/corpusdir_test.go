package brokerconf

import (
	"testing"

	"github.com/mqguard/mqguard/internal/testcorpus"
)

// corpusDir is the shared test corpus (see testcorpus.Dir).
func corpusDir(t testing.TB) string { return testcorpus.Dir(t) }
