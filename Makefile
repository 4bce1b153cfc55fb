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

# One call of internal/run: it resolves the target (the CONFORMANCE_TARGET file, else the reference
# mock started in the run), probes every API at once (none answering ends the run with the
# reports, exit 1), runs the suites compiled from this checkout (cached between runs) in
# $(PROCS) parallel Ginkgo processes under --randomize-all, and builds the reports.
# Exit status: 0 conforms, 1 does not (or PROVE=1 found a deviation the run would miss),
# 2 usage or configuration error.
RUN_FLAGS = --from-source --procs $(PROCS) --out $(REPORTS) $(if $(WAIVERS),--waivers $(WAIVERS)) \
	$(if $(filter 1,$(REQUIRE_CONCLUSIVE)),--require-conclusive) $(if $(filter 1,$(PROVE)),--prove)

.PHONY: conformance
conformance: ## Run both suites against the reference mock (or the file named by CONFORMANCE_TARGET) and write reports/ (PROVE=1: add the run's detection power).
	@$(GO) run ./cmd/conformance run $(RUN_FLAGS)

# Four jobs side by side, each printing its output whole when it ends (-O):
# - vet;
# - the tests under the race detector;
# - the tests built only without the detector (//go:build !race): whole runs of the suites
#   against mocks served from the test process itself (explore's seeds and readings, the
#   mutation sample, prove, repeat runs), which the detector makes three to four times as
#   slow and in which it would see nothing that the tests beside them do not show it;
# - every benchmark once (-benchtime=1x, without the detector, as make bench runs them), so
#   that they cannot rot. They are a job of their own because go test runs packages one at a
#   time when it runs benchmarks.
# The tests spend much of their time waiting on child processes and on targets' deadlines:
# four test packages at once (-p 4) keep both cores busy.
# The jobs clear MAKEFLAGS, so that the make commands the tests run do not look for the
# jobserver of this one. GORACE's atexit_sleep_ms=0 drops the second the race runtime waits
# before any race-built process exits (each test binary, and the children the tests start
# from it): the tests wait for what they start, so that second only lengthens the run.
NORACE_FILES = $(shell grep -rl --include='*_test.go' '^//go:build !race' cmd internal suites)
NORACE_PKGS  = $(sort $(patsubst %/,./%,$(dir $(NORACE_FILES))))
# Only the tests of those files: the rest of their packages run in the race job.
NORACE_TESTS = $(shell grep -ho '^func Test[A-Za-z0-9_]*' $(NORACE_FILES) | cut -c6- | paste -sd'|' -)
BENCH_PKGS   = $(sort $(patsubst %/,./%,$(dir $(shell grep -rl --include='*_test.go' '^func Benchmark' cmd internal suites))))

.PHONY: test test-vet test-race test-norace test-bench-once
test: ## Run the project's own tests (vet, unit, suites against the mock, race detector, benchmarks once).
	@$(MAKE) --no-print-directory -j4 -O test-vet test-race test-norace test-bench-once

test-vet:
	MAKEFLAGS= $(GO) vet ./...

test-race:
	MAKEFLAGS= GORACE=atexit_sleep_ms=0 $(GO) test -p 4 -race -count=1 -timeout=30m ./...

test-norace:
	MAKEFLAGS= $(GO) test -p 4 -count=1 -timeout=30m -run '^($(NORACE_TESTS))$$' $(NORACE_PKGS)

test-bench-once:
	MAKEFLAGS= $(GO) test -count=1 -timeout=30m -run '^$$' -bench=. -benchtime=1x $(BENCH_PKGS)

# The full fault × configuration matrix and every reading under both profiles; make test runs
# a sample of it. CI runs both.
.PHONY: test-mutation
test-mutation: ## Run the full fault × configuration matrix test (every fault, every configuration, every reading) and explore's no-false-alarm tests over ten seeds each.
	MUTATION_MATRIX=full $(GO) test -count=1 -timeout=40m -run 'TestPristineMockPassesEverySpec|TestEveryFaultIsKilled|TestFaultConfigurationMatrix|TestEveryReadingIsTakenAndTolerated|TestFairnessHolds|TestOneCausePerPlantedFault' ./internal/mutation
	MUTATION_MATRIX=full $(GO) test -count=1 -timeout=40m -run 'TestNoFalseAlarm' ./internal/explore

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
fuzz: ## Fuzz the mock's request handling, the suites' and explore's reading of answers, FUZZTIME per target (default 30s).
	$(GO) test -run='^$$' -fuzz=FuzzKooPhoneRequest -fuzztime=$(FUZZTIME) ./internal/mock
	$(GO) test -run='^$$' -fuzz=FuzzVBSRequest -fuzztime=$(FUZZTIME) ./internal/mock
	$(GO) test -run='^$$' -fuzz=FuzzExchange -fuzztime=$(FUZZTIME) ./internal/conformance
	$(GO) test -run='^$$' -fuzz=FuzzExplore -fuzztime=$(FUZZTIME) ./internal/explore
	$(GO) test -run='^$$' -fuzz=FuzzValidateResponse -fuzztime=$(FUZZTIME) ./internal/contract
	$(GO) test -run='^$$' -fuzz=FuzzRead -fuzztime=$(FUZZTIME) ./internal/runrecord

.PHONY: inventory
inventory: ## Regenerate docs/conformance-inventory.md (the list of conformance specs).
	$(GO) run ./cmd/conformance inventory --write docs/conformance-inventory.md

.PHONY: doc-counts
doc-counts: ## Rewrite the counted figures of README.md and docs/ (specs, requirements, planted faults, readings) from their sources.
	$(GO) generate ./internal/doccount

.PHONY: dist
dist: ## Build dist/: the conformance binary and the compiled suites, static, to run without Go (docs/distribution.md).
	@rm -rf $(DIST) && mkdir -p $(DIST)/suites
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(DIST)/conformance ./cmd/conformance
	@set -e; for s in $(SUITES); do \
		echo "CGO_ENABLED=0 $(GO) test -c -trimpath -ldflags='-s -w' -o $(DIST)/suites/$$s.test ./suites/$$s"; \
		CGO_ENABLED=0 $(GO) test -c -trimpath -ldflags='-s -w' -o $(DIST)/suites/$$s.test ./suites/$$s; \
	done
	cp docs/distribution.md $(DIST)/README.md

# The image of docs/engines/Dockerfile, built from dist/ and run with podman (Debian's, with
# runc; no Docker engine and no registry are needed: the image starts FROM scratch). Podman's
# settings come from docs/engines/podman-containers.conf and its storage (vfs, no overlay
# mounts) lives in .tools/containers, so nothing of /etc is edited. Three runs, each bounded
# by CONTAINER_TIMEOUT: the built-in mock (exit 0), a mock on the host network (exit 0) and
# one with a planted fault (exit 1), each writing the reports into a mounted folder of
# $(REPORTS)/container/ as the image's non-root user.
CONTAINER_IMAGE   ?= localhost/backup-conformance:test
CONTAINER_TIMEOUT ?= 300
CONTAINER_FAULT   ?= koophone-accepts-101-ids
PODMAN = env CONTAINERS_CONF=$(CURDIR)/docs/engines/podman-containers.conf podman \
	--root $(TOOLS)/containers/root --runroot $(TOOLS)/containers/run --storage-driver vfs

.PHONY: test-container
test-container: dist ## Build the image of docs/engines/Dockerfile with podman and run it against the mock (installs podman and runc when missing).
	@{ command -v podman && command -v runc && test -f /etc/ssl/certs/ca-certificates.crt; } >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc ca-certificates >/dev/null; }
	cp /etc/ssl/certs/ca-certificates.crt $(DIST)/
	$(PODMAN) build --pull=never -q -f docs/engines/Dockerfile -t $(CONTAINER_IMAGE) $(DIST)
	@$(PODMAN) image prune -f >/dev/null
	@set -u; out=$(abspath $(REPORTS))/container; rm -rf "$$out"; mkdir -p "$$out"; mock=; \
	trap '[ -z "$$mock" ] || kill $$mock 2>/dev/null' EXIT; \
	cid=$$($(PODMAN) create $(CONTAINER_IMAGE)) && $(PODMAN) cp "$$cid:/etc/ssl/certs/ca-certificates.crt" "$$out/ca.crt" && \
		$(PODMAN) rm "$$cid" >/dev/null && cmp -s "$$out/ca.crt" $(DIST)/ca-certificates.crt || \
		{ echo "test-container: the image lacks the CA bundle"; exit 1; }; \
	check() { \
		name=$$1 want=$$2 rc=$$3; \
		[ "$$rc" -eq "$$want" ] || { echo "test-container: $$name: exit $$rc, want $$want"; exit 1; }; \
		for f in conformance.json conformance.html summary.md junit.xml ginkgo.json; do \
			[ -s "$$out/$$name/$$f" ] || { echo "test-container: $$name: no $$f in $$out/$$name"; exit 1; }; \
		done; \
		[ "$$(stat -c %u "$$out/$$name/conformance.json")" = 65532 ] || { echo "test-container: $$name: reports not written by the image's user 65532"; exit 1; }; \
		echo "test-container: $$name: exit $$rc, reports in $$out/$$name"; \
	}; \
	run() { \
		name=$$1; shift; mkdir -m 0777 "$$out/$$name"; \
		timeout $(CONTAINER_TIMEOUT) $(PODMAN) run --rm -v "$$out/$$name:/reports" "$$@" >"$$out/$$name.log" 2>&1; \
	}; \
	hostmock() { \
		name=$$1; shift; \
		$(DIST)/conformance mock --listen 127.0.0.1:0 --write-target "$$out/$$name.yaml" --log none "$$@" 2>>"$$out/$$name.log" & mock=$$!; \
		for _ in $$(seq 100); do [ -s "$$out/$$name.yaml" ] && break; sleep 0.1; done; \
		chmod 0644 "$$out/$$name.yaml"; \
		rc=0; run "$$name" --network=host -v "$$out/$$name.yaml:/etc/conformance/target.yaml:ro" \
			$(CONTAINER_IMAGE) --target /etc/conformance/target.yaml || rc=$$?; \
		kill $$mock; wait $$mock 2>/dev/null; mock=; return $$rc; \
	}; \
	rc=0; run builtin $(CONTAINER_IMAGE) || rc=$$?; check builtin 0 $$rc; \
	rc=0; hostmock host || rc=$$?; check host 0 $$rc; \
	rc=0; hostmock fault --fault $(CONTAINER_FAULT) || rc=$$?; check fault 1 $$rc

.PHONY: clean
clean: ## Remove reports, installed tools and dist/.
	rm -rf $(REPORTS)/*.json $(REPORTS)/*.xml $(REPORTS)/*.html $(REPORTS)/*.md $(REPORTS)/*.png $(TOOLS) $(DIST)
