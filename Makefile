# PCS: `make run` starts everything on http://localhost:3000; `make test` runs the whole suite.
# Both install what is missing first and do nothing more when nothing changed.

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
# pip warns about each machine-local index folder it cannot use; only real messages are shown.
QUIET_PIP := grep -v 'neither a file nor a directory' || true
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := .tools
NODE_BIN := $(CURDIR)/$(TOOLS)/node_modules/.bin
CHECKOV_STAMP := $(TOOLS)/.stamp-checkov
export PATH := $(NODE_BIN):$(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test bench fuzz cluster-bench lint format setup setup-dev worker gc clean infra-check image

run: setup
	@$(PY) -m pcs_app.cli run

test: setup-dev
	@bash scripts/test.sh

bench: setup-dev
	@$(PY) -m bench

# The API fuzzing of make test, longer: at least 5,000 generated cases, every check, stateful phase.
fuzz: setup-dev
	@PCS_TEST_FUZZ_EXAMPLES=150 PCS_TEST_FUZZ_MIN_CASES=5000 $(PY) -m pytest tests/api/test_schemathesis.py -s -q

lint: setup-dev
	@bash scripts/lint.sh

format: setup-dev
	@$(VENV)/bin/ruff format . && $(VENV)/bin/ruff check --fix .

gc: setup
	@$(PY) -m pcs_app.cli gc

# One more job consumer (with PCS_REDIS_URL set, run as many as you like, on any machine).
worker: setup
	@$(PY) -m pcs_app.cli worker

setup: $(VENV)/.stamp-runtime $(TOOLS)/.stamp-node

setup-dev: setup $(VENV)/.stamp-dev /usr/bin/chromium /usr/sbin/nginx $(CHECKOV_STAMP)

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null || { echo "pcs: Python 3.11+ is needed (python3 not found)"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "pcs: Python 3.11+ is needed"; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { echo "pcs: creating the virtualenv failed; on Debian/Ubuntu: apt-get install python3-venv"; exit 1; }

$(VENV)/.stamp-runtime: requirements.txt $(VENV)/bin/python
	@echo "pcs: installing Python packages (requirements.txt)"
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt 2>&1 | { $(QUIET_PIP); }
	@touch $@

$(VENV)/.stamp-dev: requirements-dev.txt $(VENV)/.stamp-runtime
	@echo "pcs: installing test packages (requirements-dev.txt)"
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt 2>&1 | { $(QUIET_PIP); }
	@touch $@

# Reflex 0.10 needs Node >= 22.22 and bun; both come from the npm registry into .tools (git-ignored).
$(TOOLS)/.stamp-node: scripts/tools-package.json
	@echo "pcs: installing node 22 and bun into $(TOOLS)"
	@mkdir -p $(TOOLS) && cp scripts/tools-package.json $(TOOLS)/package.json
	@cd $(TOOLS) && npm install --no-audit --no-fund --loglevel=error >/dev/null
	@$(NODE_BIN)/node --version >/dev/null && $(NODE_BIN)/bun --version >/dev/null
	@touch $@

# checkov pins its own boto3 and HCL parser, so it gets its own virtualenv (tests/infra runs it).
$(CHECKOV_STAMP): infra/requirements-checkov.txt
	@echo "pcs: installing checkov into $(TOOLS)/checkov"
	@$(PYTHON) -m venv $(TOOLS)/checkov
	@$(TOOLS)/checkov/bin/pip install -q --disable-pip-version-check -r infra/requirements-checkov.txt 2>&1 | { $(QUIET_PIP); }
	@touch $@

infra-check: setup-dev
	@$(PY) -m pytest tests/infra -q

# The container image (the same one runs `web` or `worker`); needs a Docker engine.
image:
	@if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then \
	  echo "pcs: no Docker engine here, so no image was built. The Dockerfile is linted by hadolint (make infra-check); build it where Docker runs: docker build -t pcs ."; exit 1; fi
	docker build -t pcs .

# The multi-instance tests put Debian's nginx in front of two app instances (run as the tests' own
# process on free ports; the system service is not used).
/usr/sbin/nginx:
	@echo "pcs: installing Debian's nginx for the cluster tests"
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx >/dev/null

cluster-bench: setup-dev
	@$(PY) -m bench.cluster

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
/usr/bin/chromium:
	@echo "pcs: installing Debian's chromium for the browser tests"
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null

clean:
	rm -rf .web .states test-artifacts
