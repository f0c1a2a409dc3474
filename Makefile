# pipemon — every target installs what it needs, so a fresh Debian machine needs only Node 20.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM ?= npm
PIPEMON := node bin/pipemon.js

.PHONY: help install build generate check-generated validate lint typecheck test test-deps update-snapshots demo bench ci clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

install: node_modules/.package-lock.json ## install npm dependencies (npm ci)

dist/cli/main.js: node_modules/.package-lock.json $(shell find src -name '*.ts' 2>/dev/null) tsconfig.json tsconfig.build.json scripts/postbuild.mjs
	npx tsc -p tsconfig.build.json
	node scripts/postbuild.mjs
	@touch $@

build: dist/cli/main.js ## compile TypeScript to dist/

validate: build ## validate the bundled specs/
	$(PIPEMON) validate

generate: build ## the main job: validate specs/ and write generated/
	$(PIPEMON) generate

check-generated: build ## fail when generated/ is stale against specs/
	$(PIPEMON) generate --check

lint: install ## static checks beyond the compiler (unused code, import rules: .dependency-cruiser.cjs)
	npx tsc -p tsconfig.json --noEmit --noUnusedLocals --noUnusedParameters
	npx depcruise src --config .dependency-cruiser.cjs
	node scripts/check-computed-imports.mjs

typecheck: install ## strict type check of src, test and bench
	npx tsc -p tsconfig.json --noEmit

test-deps: ## install Prometheus, Alertmanager, the Pushgateway, zsh and Chromium (Debian packages) when missing
	@missing=""; \
	for tool in promtool:prometheus prometheus:prometheus prometheus-alertmanager:prometheus-alertmanager amtool:prometheus-alertmanager prometheus-pushgateway:prometheus-pushgateway zsh:zsh; do \
	  command -v $${tool%%:*} >/dev/null || missing="$$missing $${tool#*:}"; \
	done; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  pkgs=$$(echo $$missing | tr ' ' '\n' | sort -u | tr '\n' ' '); \
	  echo "installing Debian packages: $$pkgs"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$pkgs >/dev/null; \
	fi

test: install test-deps ## every test: unit, golden CLI, emulators, plan/apply end to end, promtool, live Prometheus + Alertmanager
	npx vitest run

update-snapshots: install ## rewrite the runbook snapshots after an intended change (read the diff before committing)
	npx vitest run -u test/compile/runbooks

demo: build ## plan → apply → plan on specs/ against local Grafana and Datadog emulators (no account needed)
	node scripts/demo.mjs

bench: build test-deps ## time validate + generate (1,000 and 10,000 pipelines), plan/apply (1,000 pipelines, +20 ms per request) and pipemon run's overhead
	node bench/generate-bench.mjs
	node bench/plan-bench.mjs
	node bench/run-bench.mjs
	node bench/backtest-bench.mjs

ci: install typecheck lint test check-generated ## what CI runs

clean: ## remove build output
	rm -rf dist .bench
