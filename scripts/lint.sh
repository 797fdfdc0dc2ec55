#!/usr/bin/env bash
# make lint: formatting, lint rules, the layers contract (imports point down only) and types.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== ruff"
.venv/bin/ruff format --check .
.venv/bin/ruff check .
echo "== import contracts"
.venv/bin/lint-imports --no-cache
echo "== pyright"
.tools/node_modules/.bin/pyright --pythonpath .venv/bin/python
