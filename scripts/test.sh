#!/usr/bin/env bash
# The whole suite: lint, then every test. pytest's "no tests collected" (exit 5) is a failure here.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
bash scripts/lint.sh || exit 1
echo "== pytest"
mkdir -p test-artifacts
$PY -m pytest "$@"
code=$?
if [ $code -eq 5 ]; then
  echo "pcs: pytest collected no tests; that is a failure" >&2
  exit 1
fi
exit $code
