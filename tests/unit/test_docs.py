"""The docs stay true to the code: every setting is in the README, every route in docs/API.md."""

from __future__ import annotations

import re
from pathlib import Path

from pcs_app.api.app import create_api
from pcs_app.settings import Settings
from scripts.settings_table import table

ROOT = Path(__file__).resolve().parents[2]


def test_readme_configuration_table_matches_settings() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- settings-table:start -->")[1].split("<!-- settings-table:end -->")[0].strip()
    assert block == table(), "README's settings table is stale: paste the output of scripts/settings_table.py"
    for name in Settings.model_fields:
        assert f"PCS_{name.upper()}" in readme


def test_every_api_route_is_in_the_api_doc() -> None:
    doc = (ROOT / "docs" / "API.md").read_text()
    spec = create_api().openapi()
    for path in spec["paths"]:
        pattern = re.sub(r"\{[^}]+\}", "{[^}]+}", path).replace("/", r"/")
        assert re.search(pattern, doc), f"{path} is not described in docs/API.md"


def test_readme_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
