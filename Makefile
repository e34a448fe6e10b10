# mqguard developer tasks. `make` alone lists them.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/mqguard/mqguard/internal/cli.buildVersion=$(VERSION)

# golangci-lint is pinned and installed into .bin/<version>/ so every machine lints alike and a
# new pin installs afresh.
GOLANGCI_LINT_VERSION := v2.6.2
GOLANGCI_LINT         := $(CURDIR)/.bin/golangci-lint-$(GOLANGCI_LINT_VERSION)/golangci-lint

# How long `make fuzz` runs each fuzz target.
FUZZTIME ?= 10s

.PHONY: help
help: ## List the targets
	@grep -E '^[a-zA-Z_.-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build bin/mqguard
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/mqguard ./cmd/mqguard

.PHONY: test
test: ## Run every test with the race detector (includes the stale-docs check)
	$(GO) test -race ./...

.PHONY: lint
lint: fmt-check vet lint-golangci ## gofmt, go vet and golangci-lint

.PHONY: vet
vet: ## go vet
	$(GO) vet ./...

.PHONY: lint-golangci
lint-golangci: $(GOLANGCI_LINT) ## golangci-lint (pinned; see .golangci.yml)
	$(GOLANGCI_LINT) run ./...

.PHONY: fmt-check
fmt-check: ## Fail when a Go file (outside testdata) is not gofmt-formatted
	@unformatted="$$(find . -name '*.go' -not -path './.git/*' -not -path './.bin/*' \
		-not -path '*/testdata/*' -not -path './bench/.corpus/*' -print0 | xargs -0 -r gofmt -l)"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi

.PHONY: tools
tools: $(GOLANGCI_LINT) ## Install the pinned tools into .bin/

$(GOLANGCI_LINT):
	GOBIN=$(dir $(GOLANGCI_LINT)) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

.PHONY: generate
generate: ## Regenerate docs/rules and the README rule table
	$(GO) run ./internal/tools/gendocs

.PHONY: bench
bench: ## Run the benchmarks
	bash bench/run.sh

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME (default 10s)
	@for file in $$(grep -rl --include='*_test.go' '^func Fuzz' internal cmd 2>/dev/null); do \
		dir=$$(dirname "$$file"); \
		for target in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' "$$file" | sed 's/^func //'); do \
			echo "== $$dir $$target"; \
			$(GO) test -run='^$$' -fuzz="^$$target$$" -fuzztime=$(FUZZTIME) "./$$dir"; \
		done; \
	done

.PHONY: tidy-check
tidy-check: ## Fail when go.mod or go.sum is not tidy
	$(GO) mod tidy -diff

.PHONY: cover
cover: ## Test with coverage; writes coverage.out
	$(GO) test -coverprofile=coverage.out ./...
	$(GO) tool cover -func=coverage.out | tail -n 1
