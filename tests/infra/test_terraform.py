"""The Terraform in infra/ parses, and every reference resolves as `terraform validate` would check.

(No terraform binary can be installed here; see tests/infra/tools.py.)
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from pcs_app.settings import Settings
from tests.infra.hcl import MODULE_META, Module, load, module_dirs, unquote
from tests.infra.tools import EXAMPLE, INFRA, ROOT, hcl_tools_package, node, terraform_files

MODULES = module_dirs(INFRA)

# Settings the infrastructure sets that are being added to pcs_app/settings.py alongside it. Remove a
# name once settings.py has it; the test below then keeps infra and settings in step.
PENDING_SETTINGS: set[str] = set()


def _rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


@pytest.mark.parametrize("path", terraform_files(".tf", ".tfvars"), ids=_rel)
def test_every_terraform_file_parses(path: Path) -> None:
    assert load(path) is not None


FORMAT = """
import { format } from "@cdktf/hcl-tools";
import { readFileSync } from "node:fs";
const out = {};
for (const path of process.argv.slice(1)) out[path] = await format(readFileSync(path, "utf8"));
console.log(JSON.stringify(out));
"""


def test_terraform_files_are_formatted_as_terraform_fmt_would() -> None:
    package = hcl_tools_package()
    files = terraform_files(".tf", ".tfvars")
    proc = subprocess.run(
        [str(node()), "--input-type=module", "-e", FORMAT, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=package.parents[1],  # node resolves "@cdktf/hcl-tools" from .tools/node_modules
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    formatted = json.loads(proc.stdout)
    unformatted = [_rel(p) for p in files if formatted[str(p)] != p.read_text()]
    assert not unformatted, f"not formatted like terraform fmt: {unformatted}"


def test_there_is_one_module_per_concern_and_an_example_environment() -> None:
    names = {p.name for p in (INFRA / "modules").iterdir() if p.is_dir()}
    assert {"network", "storage", "cdn", "alb", "ecs_cluster", "ecs_service", "database", "search", "cache"} <= names
    assert {"auth", "mail", "monitoring", "github_oidc", "jobs_lambda", "ecr", "kms", "iam_app"} <= names
    for f in ("main.tf", "variables.tf", "outputs.tf", "terraform.tfvars"):
        assert (EXAMPLE / f).is_file(), f


def reference_problems(m: Module) -> list[str]:
    """References that do not resolve inside module m."""
    problems: list[str] = []
    for ref in m.references():
        if ref.kind == "var" and ref.name not in m.variables:
            problems.append(f"{ref.text}: no variable {ref.name!r}")
        elif ref.kind == "local" and ref.name not in m.locals:
            problems.append(f"{ref.text}: no local {ref.name!r}")
        elif ref.kind == "data" and (ref.name, ref.detail) not in m.data:
            problems.append(f"{ref.text}: no data block {ref.name}.{ref.detail}")
        elif ref.kind == "resource" and (ref.name, ref.detail) not in m.resources:
            problems.append(f"{ref.text}: no resource {ref.name}.{ref.detail}")
        elif ref.kind == "module":
            if ref.name not in m.modules:
                problems.append(f"{ref.text}: no module {ref.name!r}")
            elif ref.detail and ref.detail not in Module.read(m.module_source(ref.name)).outputs:
                problems.append(f"{ref.text}: module {ref.name} has no output {ref.detail!r}")
    return sorted(set(problems))


def module_call_problems(m: Module) -> list[str]:
    """Module blocks of m missing a required input, passing an unknown one, or lacking a provider alias."""
    problems: list[str] = []
    for name, body in m.modules.items():
        source = m.module_source(name)
        if not source.is_dir():
            problems.append(f"module {name}: source {source} does not exist")
            continue
        child = Module.read(source)
        given = {k for k in body if not k.startswith("__")} - MODULE_META
        required = {v for v, has_default in child.variables.items() if not has_default}
        if missing := required - given:
            problems.append(f"module {name}: missing required inputs {sorted(missing)}")
        if unknown := given - set(child.variables):
            problems.append(f"module {name}: unknown inputs {sorted(unknown)}")
        passed = {unquote(k).strip("${}") for k in body.get("providers", {})}
        if missing_aliases := child.configuration_aliases - passed:
            problems.append(f"module {name}: providers {sorted(missing_aliases)} not passed")
    return problems


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_every_reference_resolves(path: Path) -> None:
    problems = reference_problems(Module.read(path))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", MODULES, ids=_rel)
def test_every_module_call_passes_the_required_inputs_and_no_unknown_one(path: Path) -> None:
    problems = module_call_problems(Module.read(path))
    assert not problems, "\n".join(problems)


def test_every_variable_and_output_is_described() -> None:
    problems = []
    for path in MODULES:
        for tf in sorted(path.glob("*.tf")):
            doc = load(tf)
            for kind in ("variable", "output"):
                for block in doc.get(kind, []):
                    for name, body in block.items():
                        if "description" not in body:
                            problems.append(f"{_rel(tf)}: {kind} {unquote(name)} has no description")
    assert not problems, "\n".join(problems)


def test_the_example_tfvars_sets_every_required_variable_and_nothing_else() -> None:
    env = Module.read(EXAMPLE)
    tfvars = {k for k in load(EXAMPLE / "terraform.tfvars") if not k.startswith("__")}
    required = {v for v, has_default in env.variables.items() if not has_default}
    # The deploy workflow passes the image tag (the commit id) on the command line.
    assert required - tfvars == {"image_tag"}
    assert tfvars <= set(env.variables), sorted(tfvars - set(env.variables))


def test_the_app_settings_the_infrastructure_sets_exist() -> None:
    known = {f"PCS_{name.upper()}" for name in Settings.model_fields}
    text = "\n".join(p.read_text() for p in terraform_files(".tf")) + (ROOT / "Dockerfile").read_text()
    used = set(re.findall(r"\bPCS_[A-Z0-9_]+\b", text))
    unknown = used - known - PENDING_SETTINGS
    assert not unknown, f"not settings of pcs_app/settings.py: {sorted(unknown)}"


def test_web_and_worker_sign_in_through_the_cognito_pool_the_terraform_creates() -> None:
    """PCS_AUTH=cognito, with module.auth's pool and app client and the deployment's region, reaches
    both task definitions (Settings refuses cognito without all three)."""
    local = {k: v for block in load(EXAMPLE / "main.tf")["locals"] for k, v in block.items()}
    common = local["common_environment"]
    assert common["PCS_AUTH"] == '"cognito"'
    assert common["PCS_COGNITO_USER_POOL_ID"] == "${module.auth.user_pool_id}"
    assert common["PCS_COGNITO_CLIENT_ID"] == "${module.auth.client_id}"
    assert common["PCS_COGNITO_REGION"] == "${var.region}"
    env = Module.read(EXAMPLE)
    for process in ("web", "worker"):
        assert env.modules[process]["environment"] == f"${{local.{process}_environment}}"
        assert local[f"{process}_environment"].startswith("${merge(local.common_environment, {")


def test_web_and_worker_run_the_procfile_commands_and_lambda_the_handler() -> None:
    procfile = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    env = Module.read(EXAMPLE)
    for process in ("web", "worker"):
        command = [unquote(a) for a in env.modules[process]["command"]]
        assert command == procfile[process].split(), process
    assert '["backend_jobs.lambda_handler.handler"]' in (INFRA / "modules/jobs_lambda/main.tf").read_text()


def test_the_resolver_catches_what_terraform_validate_would(tmp_path: Path) -> None:
    child = tmp_path / "child"
    child.mkdir()
    (child / "main.tf").write_text(
        'variable "needed" {\n  description = "x"\n  type = string\n}\n'
        'output "ok" {\n  description = "x"\n  value = var.needed\n}\n'
    )
    env = tmp_path / "env"
    env.mkdir()
    (env / "main.tf").write_text(
        "locals {\n  a = var.missing\n  b = local.nope\n  c = module.child.not_an_output\n"
        '  d = aws_s3_bucket.undeclared.arn\n  e = data.aws_region.undeclared.region\n  f = "${module.ghost.x}"\n}\n'
        'module "child" {\n  source = "../child"\n  surprise = 1\n}\n'
    )
    m = Module.read(env)
    found = "\n".join(reference_problems(m) + module_call_problems(m))
    for mistake in (
        "no variable 'missing'",
        "no local 'nope'",
        "module child has no output 'not_an_output'",
        "no module 'ghost'",
        "no resource aws_s3_bucket.undeclared",
        "no data block aws_region.undeclared",
        "missing required inputs ['needed']",
        "unknown inputs ['surprise']",
    ):
        assert mistake in found, mistake
