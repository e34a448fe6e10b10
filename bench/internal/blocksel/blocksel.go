// Package blocksel decides which top-level blocks of a .tf file mqguard's
// Terraform fast path parses at once, so that the benchmark tools measure
// the same bytes mqguard must parse.
//
// The selection is a copy of unexported code in
// internal/source/terraform: skippedBlockTypes and lazyKey in fastpath.go,
// with isEagerType built from eagerResourcePrefixes (fastpath.go) and
// interesting (mapping.go). Keep the two in step when either changes.
package blocksel

import (
	"strings"

	"github.com/mqguard/mqguard/internal/source/terraform/hclscan"
)

// skipped are the block types the loader never reads (skippedBlockTypes).
var skipped = map[string]bool{
	"terraform": true, "moved": true, "import": true, "removed": true, "check": true,
}

// mapped are the resource types mapped to the model (interesting).
var mapped = map[string]bool{
	"aws_mq_broker": true, "aws_mq_configuration": true, "aws_security_group": true,
	"aws_security_group_rule": true, "aws_vpc_security_group_ingress_rule": true,
	"aws_kms_key": true, "aws_kms_alias": true,
}

// eagerPrefixes are the other resource and data source types parsed at once:
// they decide where a secret comes from (eagerResourcePrefixes).
var eagerPrefixes = []string{"random_", "aws_secretsmanager_", "aws_ssm_parameter", "aws_kms_", "aws_mq_", "aws_security_group", "aws_vpc_security_group_"}

// Parsed reports whether mqguard parses block b as soon as it reads the file.
// Other resources and data sources are parsed only when a parsed block
// refers to them, so Parsed selects the least mqguard has to parse.
func Parsed(b hclscan.Block) bool {
	if skipped[b.Type] {
		return false
	}
	if (b.Type == "resource" || b.Type == "data") && len(b.Labels) == 2 {
		return eager(b.Labels[0])
	}
	// Variables, locals, module calls, providers, outputs and anything
	// unusual are always parsed.
	return true
}

func eager(typ string) bool {
	if mapped[typ] {
		return true
	}
	for _, p := range eagerPrefixes {
		if strings.HasPrefix(typ, p) {
			return true
		}
	}
	return false
}
