"""How many app server processes `pcs web` asks Reflex for."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pcs_app.cli.launch import set_web_workers
from pcs_app.settings import Settings


def _settings(tmp_path: Path, **extra: object) -> Settings:
    return Settings(data_dir=tmp_path, **extra)  # type: ignore[arg-type]


def test_one_process_per_cpu_with_state_in_redis(tmp_path: Path) -> None:
    env = {"REFLEX_REDIS_URL": "redis://127.0.0.1:6379/0"}
    set_web_workers(_settings(tmp_path), env)
    assert env["GRANIAN_WORKERS"] == str(os.cpu_count() or 1)
    env = {"REFLEX_REDIS_URL": "redis://127.0.0.1:6379/0"}
    set_web_workers(_settings(tmp_path, web_workers=3), env)
    assert env["GRANIAN_WORKERS"] == "3"


def test_an_explicit_granian_count_and_no_redis_are_left_alone(tmp_path: Path) -> None:
    env = {"REFLEX_REDIS_URL": "redis://127.0.0.1:6379/0", "GRANIAN_WORKERS": "7"}
    set_web_workers(_settings(tmp_path, web_workers=3), env)
    assert env["GRANIAN_WORKERS"] == "7"
    env = {}
    set_web_workers(_settings(tmp_path, web_workers=3), env)  # UI state in memory: one process only
    assert "GRANIAN_WORKERS" not in env


def test_a_negative_count_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PCS_WEB_WORKERS"):
        _settings(tmp_path, web_workers=-1)
