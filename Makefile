# One entry point for everything. `make conformance` is the main job; `make test` is the
# project's own test suite (what CI runs). Nothing is installed by hand: Go tools are pinned
# in go.mod (`go tool ginkgo`), npm and Debian packages are installed by the targets that
# need them, into .tools/.

GO            ?= go
GINKGO        := $(GO) tool ginkgo
REPORTS       ?= reports
PROCS         ?= 2
TOOLS         := $(CURDIR)/.tools
REDOCLY_VER   := 1.34.5
REDOCLY       := $(TOOLS)/node_modules/.bin/redocly
FUZZTIME      ?= 30s
ACTIONLINT_VER     := v1.7.12
DOCKERFILELINT_VER := 1.8.0
K8S_MODELS_VER     := 5.1.0
YAML_JS_VER        := 2.9.1
DOCKERFILELINT     := $(TOOLS)/node_modules/.bin/dockerfilelint
ENGINE_FILES       := docs/engines/kubernetes-job.yaml docs/engines/sonobuoy-plugin.yaml
WORKFLOWS          := docs/ci-example.yml docs/github-actions-matrix.yml
DIST          ?= dist
# Every suite package (suites/<name>/<name>_suite_test.go) becomes dist/suites/<name>.test.
SUITES        := $(patsubst suites/%/,%,$(dir $(wildcard suites/*/*_suite_test.go)))

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets.
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The preflight probes every API of the CONFORMANCE_TARGET file at once before any suite is compiled:
# when none answers it writes the reports itself and the run ends (exit 1) within about one
# timeout; otherwise its verdict (preflight.json) stops the suite of an API that did not answer
# before its first request.
REPORT_FLAGS  = $(if $(WAIVERS),--waivers $(WAIVERS)) $(if $(filter 1,$(REQUIRE_CONCLUSIVE)),--require-conclusive)

.PHONY: conformance
conformance: ## Run both suites against the reference mock (or the file named by CONFORMANCE_TARGET) and write reports/ (PROVE=1: add the run's detection power).
	@mkdir -p $(REPORTS)
	@$(GO) run ./cmd/conformance preflight --out $(REPORTS) $(REPORT_FLAGS) || exit $$?; \
	rc=0; \
	CONFORMANCE_PREFLIGHT=$(abspath $(REPORTS))/preflight.json \
	$(GINKGO) -p -procs=$(PROCS) --randomize-all --keep-going --timeout=20m \
		--json-report=ginkgo.json --junit-report=junit.xml --output-dir=$(REPORTS) \
		./suites/... || rc=$$?; \
	prove=; if [ "$(PROVE)" = 1 ]; then \
		$(GO) run ./cmd/conformance prove --ginkgo $(REPORTS)/ginkgo.json --out $(REPORTS); r=$$?; \
		[ $$r -gt 1 ] || prove="--prove $(REPORTS)/prove.json"; [ $$rc -ne 0 ] || rc=$$r; \
	fi; \
	$(GO) run ./cmd/conformance report build --ginkgo $(REPORTS)/ginkgo.json --out $(REPORTS) $(REPORT_FLAGS) $$prove || { r=$$?; [ $$rc -ne 0 ] || rc=$$r; }; \
	exit $$rc

.PHONY: test
test: ## Run the project's own tests (vet, unit, suites against the mock, race detector, benchmarks once).
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout=30m ./...
	$(GO) test -run='^$$' -bench=. -benchtime=1x -count=1 ./...

.PHONY: lint
lint: $(REDOCLY) ## Lint the OpenAPI specs with Redocly CLI (installed through npm into .tools/).
	$(REDOCLY) lint --config specs/redocly.yaml specs/koophone-instance-backup.yaml specs/vbs-backup-policy-resources.yaml

# hadolint and kubeconform cannot run here: hadolint is in neither Debian nor npm, and
# kubeconform downloads its schemas at run time. docs/distribution.md says what replaces them.
.PHONY: lint-dist
lint-dist: $(DOCKERFILELINT) ## Lint the engine files: workflows (actionlint + shellcheck), Dockerfile, Kubernetes Job and Sonobuoy plugin.
	@command -v shellcheck >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null; }
	$(GO) run github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VER) $(WORKFLOWS)
	$(DOCKERFILELINT) docs/engines/Dockerfile
	NODE_MODULES=$(TOOLS)/node_modules node docs/engines/check-manifests.mjs $(ENGINE_FILES)

$(DOCKERFILELINT):
	@mkdir -p $(TOOLS)
	npm install --silent --no-audit --no-fund --prefix $(TOOLS) dockerfilelint@$(DOCKERFILELINT_VER) kubernetes-models@$(K8S_MODELS_VER) yaml@$(YAML_JS_VER)

$(REDOCLY):
	@mkdir -p $(TOOLS)
	npm install --silent --no-audit --no-fund --prefix $(TOOLS) @redocly/cli@$(REDOCLY_VER)

.PHONY: test-browser
test-browser: ## Check reports/conformance.html in headless Chromium (installs Debian's chromium when missing).
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	$(GO) test -count=1 -tags browser -run TestBrowser ./internal/report/...

.PHONY: mutation
mutation: ## Run the suites against every planted fault of the mock and write reports/mutation.{json,md}.
	$(GO) run ./cmd/conformance mutate --out $(REPORTS)

.PHONY: bench
bench: ## Run the benchmarks and write reports/bench.{md,json} with ratios to in-run baselines.
	$(GO) run ./cmd/conformance bench --out $(REPORTS)

.PHONY: bench-peers
bench-peers: ## Benchmark against Stoplight Prism (installed through npm into .tools/); not in CI.
	$(GO) run ./cmd/conformance bench --peers --tools $(TOOLS) --out $(REPORTS)

.PHONY: fuzz
fuzz: ## Fuzz the mock's request handling, FUZZTIME per target (default 30s).
	$(GO) test -run='^$$' -fuzz=FuzzKooPhoneRequest -fuzztime=$(FUZZTIME) ./internal/mock
	$(GO) test -run='^$$' -fuzz=FuzzVBSRequest -fuzztime=$(FUZZTIME) ./internal/mock

.PHONY: inventory
inventory: ## Regenerate docs/conformance-inventory.md (the list of conformance specs).
	$(GO) run ./cmd/conformance inventory --write docs/conformance-inventory.md

.PHONY: dist
dist: ## Build dist/: the conformance binary and the compiled suites, static, to run without Go (docs/distribution.md).
	@rm -rf $(DIST) && mkdir -p $(DIST)/suites
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(DIST)/conformance ./cmd/conformance
	@set -e; for s in $(SUITES); do \
		echo "CGO_ENABLED=0 $(GO) test -c -trimpath -ldflags='-s -w' -o $(DIST)/suites/$$s.test ./suites/$$s"; \
		CGO_ENABLED=0 $(GO) test -c -trimpath -ldflags='-s -w' -o $(DIST)/suites/$$s.test ./suites/$$s; \
	done
	cp docs/distribution.md $(DIST)/README.md

.PHONY: clean
clean: ## Remove reports, installed tools and dist/.
	rm -rf $(REPORTS)/*.json $(REPORTS)/*.xml $(REPORTS)/*.html $(REPORTS)/*.md $(REPORTS)/*.png $(TOOLS) $(DIST)
