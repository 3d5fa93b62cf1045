# Starling: the three commands a newcomer needs are `make night`, `make test` and `make serve`.
# Each installs its own system packages first (scripts/install-deps, idempotent).

SWIFT ?= swift
RELEASE_BIN := .build/release/starling
PREFIX ?= $(HOME)/.local

.PHONY: night test bench serve deps build release install cli-docs api-docs clean

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

## Run the live network: tonight's simulated night at 60x real time, the dashboard and API at
## http://127.0.0.1:8080/ (open to read on this machine; writing needs a token:
## .build/release/starling token create --role operator). Ctrl-C closes every telescope first.
serve:
	scripts/install-deps
	$(SWIFT) build -c release --product starling
	$(RELEASE_BIN) serve simulations/tonight.yaml --clock simulated --speed 60 --read-access open

## Run the benchmarks against their peer tools (release build; see Benchmarks/README.md), then
## check the default night's gravitational-wave coverage independently (healpy, ligo.skymap),
## then plan a night with a real local reasoning model and check what it changed (scripts/model-check).
bench:
	scripts/install-deps --bench
	Benchmarks/run
	$(MAKE) night
	python3 Benchmarks/gw_coverage_check.py out/night
	scripts/model-check

deps:
	scripts/install-deps

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product starling

## Install the binary as $(PREFIX)/bin/starling and the configuration under $(PREFIX)/share/starling
## (PREFIX defaults to ~/.local); the installed binary finds that configuration by itself.
install: release
	install -d "$(PREFIX)/bin" "$(PREFIX)/share/starling"
	install -m 755 "$(RELEASE_BIN)" "$(PREFIX)/bin/starling"
	rm -rf "$(PREFIX)/share/starling/sites" "$(PREFIX)/share/starling/catalogs" "$(PREFIX)/share/starling/simulations" "$(PREFIX)/share/starling/proposals.yaml"
	cp -R sites catalogs simulations proposals.yaml "$(PREFIX)/share/starling/"
	@echo "installed $(PREFIX)/bin/starling (configuration in $(PREFIX)/share/starling)"
	@case ":$$PATH:" in *":$(PREFIX)/bin:"*) echo "$(PREFIX)/bin is on your PATH: run starling --help";; \
	  *) echo "$(PREFIX)/bin is not on your PATH; add it, e.g.: echo 'export PATH=\"$(PREFIX)/bin:\$$PATH\"' >> ~/.profile";; esac

## Rewrite the reference section of docs/cli.md from every command's --help (a test checks it).
cli-docs:
	$(SWIFT) build --build-tests
	STARLING_WRITE_CLI_DOCS=1 $(SWIFT) test --skip-build --filter CLIReferenceTests/theReferenceIsEveryCommandsHelp

## Rewrite the endpoint tables of docs/api.md from the OpenAPI document (a test checks them).
api-docs:
	$(SWIFT) build --build-tests
	STARLING_WRITE_API_DOCS=1 $(SWIFT) test --skip-build --filter APIDocsTests/theEndpointTablesAreTheOpenAPIDocument

clean:
	rm -rf .build
