# DCAgent — the two commands (README.md):
#   make run    set up this machine, build, start the demo site (simulator + daemon) in the foreground
#   make test   install what the tests need, build, run every test suite
SHELL := /bin/bash
SWIFT ?= swift

.PHONY: run test build bootstrap bench clean

run:
	@scripts/bootstrap
	@echo "[make run] building (the first build takes several minutes)…"
	@$(SWIFT) build --product dcagent
	@$(SWIFT) build --product dcagent-sim
	@scripts/run-demo

build:
	@scripts/bootstrap
	@$(SWIFT) build

test:
	@scripts/bootstrap --test
	@echo "[make test] building the package and its tests…"
	@$(SWIFT) build --build-tests
	@echo "[make test] running every test suite…"
	@$(SWIFT) test --skip-build --disable-xctest

# make bench: the short form (docs/benchmarks.md); make bench FULL=1: the long form.
FULL ?= 0
bench:
	@scripts/bootstrap --bench
	@$(SWIFT) build -c release --product dcagent
	@$(SWIFT) build -c release --product dcagent-sim
	@FULL=$(FULL) Benchmarks/ingest.sh
	@Benchmarks/drivers.sh release
	@Benchmarks/rules.sh
	@Benchmarks/itsm.sh
	@FULL=$(FULL) Benchmarks/polling.sh
	@FULL=$(FULL) Benchmarks/scale.sh

clean:
	rm -rf .build run
