# Starling: the two commands a newcomer needs are `make night` and `make test`.
# Each installs its own system packages first (scripts/install-deps, idempotent).

SWIFT ?= swift
RELEASE_BIN := .build/release/starling

.PHONY: night test bench deps build release clean

## Run a simulated night of the whole array (simulations/tonight.yaml): reports in out/night/reports/.
## Run again after an interruption and it resumes; `rm -rf out/night` for a fresh night.
night:
	scripts/install-deps
	$(SWIFT) build -c release --product starling
	$(RELEASE_BIN) validate
	$(RELEASE_BIN) night --out out/night

## Build and run every test (starts and stops the servers the tests need).
test:
	scripts/install-deps --test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## Run the benchmarks against their peer tools (release build; see Benchmarks/README.md), then
## check the default night's gravitational-wave coverage independently (healpy, ligo.skymap).
bench:
	scripts/install-deps --bench
	Benchmarks/run
	$(MAKE) night
	python3 Benchmarks/gw_coverage_check.py out/night

deps:
	scripts/install-deps

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product starling

clean:
	rm -rf .build
