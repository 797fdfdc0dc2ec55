"""The shape of the house: migrations match the models, settings refuse unknown keys, modules keep
to their size and do not reach into each other's private parts, big copies commit in chunks."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from pcs_app import models  # noqa: F401 - registers the tables
from pcs_app.models import User
from pcs_app.services import content, tree
from pcs_app.services.core import Core

copy_mod = importlib.import_module("pcs_app.services.tree.copy")  # the package exports the function as `copy`
ROOT = Path(__file__).resolve().parents[2]
SOURCES = [p for d in ("pcs_app", "backend_jobs") for p in (ROOT / d).rglob("*.py") if "migrations" not in p.parts]
MAX_LINES = 430  # "under ~400 lines"


def test_migrations_match_the_models(core: Core) -> None:
    """Alembic autogenerate against the migrated database finds nothing left to do."""
    with core.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], f"the models and the migrations differ; add a migration: {diff}"


def test_an_unknown_pcs_setting_stops_the_start_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PCS_")}
    env.update({"PCS_DATA_DIR": str(tmp_path), "PCS_LIST_PAGE_MAXX": "5"})
    out = subprocess.run(
        [sys.executable, "-m", "pcs_app.cli", "migrate"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "pcs: PCS_LIST_PAGE_MAXX is not a PCS setting (did you mean PCS_LIST_PAGE_MAX?); "
        "see the settings table in README.md"
    ]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it along its seams"


def test_no_module_imports_another_packages_private_names() -> None:
    """`_name` is private to its module's package: other packages call public functions instead."""
    found = []
    for path in SOURCES:
        package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                target = node.module if node.level == 0 else _resolve(package, node.module, node.level)
                for alias in node.names:
                    names = [*target.split("."), alias.name]
                    private = any(p.startswith("_") and not p.startswith("__") for p in names)
                    if private and not target.startswith(package):
                        found.append(f"{path.relative_to(ROOT)}: from {target} import {alias.name}")
    assert found == []


def _resolve(package: str, module: str, level: int) -> str:
    parts = package.split(".")
    return ".".join([*parts[: len(parts) - level + 1], module])


def test_a_big_folder_copy_commits_in_chunks_and_stays_hidden_until_done(
    core: Core, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = tree.create_folder(core, user, user.root_id, "big")
    sub = tree.create_folder(core, user, src.id, "sub")
    for i in range(7):
        content.upload(core, user, src.id, f"f{i}.txt", [b"x" * i])
        content.upload(core, user, sub.id, f"g{i}.txt", [b"y"])
    monkeypatch.setattr(copy_mod, "COPY_CHUNK", 4)
    chunks: list[list[str]] = []
    real = copy_mod._copy_chunk

    def watch(tx: object, actor: User, pending: list[object]) -> None:
        real(tx, actor, pending)  # type: ignore[arg-type]
        # Between chunks nothing of the copy is visible in the destination.
        shown = [n.name for n in tree.list_children(core, user, user.root_id).items]
        chunks.append(shown)

    monkeypatch.setattr(copy_mod, "_copy_chunk", watch)
    copied = tree.copy(core, user, src.id, user.root_id, on_conflict="rename")
    assert len(chunks) >= 4  # 15 items, 4 per transaction
    assert all(names == ["big"] for names in chunks)
    assert copied.name == "big (1)"
    names = sorted(n.name for n in tree.list_children(core, user, copied.id).items)
    assert names == sorted(["sub"] + [f"f{i}.txt" for i in range(7)])
