"""Crash tests: settings from the environment, one fork server per module, and the closing report.

PCS_CRASH_ITERATIONS  iterations per database (default: 50 on SQLite, 15 on PostgreSQL)
PCS_CRASH_SEED        the run's seed (default: a new one, printed); a failure prints the replay line
PCS_CRASH_MAX_MB      largest upload in MB (default 40, multipart from 8 MB; the long mode is 300)
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator

import pytest

from .procs import Zygote

# The app's settings refuse PCS_ names they do not know, and other tests build settings from this
# process's environment: take the crash tests' own knobs out of it once read.
ITERATIONS = int(os.environ.get("PCS_CRASH_ITERATIONS") or 0)
SEED = os.environ.pop("PCS_CRASH_SEED", "") or str(random.SystemRandom().randrange(10**6))
MAX_MB = int(os.environ.pop("PCS_CRASH_MAX_MB", "") or 40)

REPORT: list[str] = []


@pytest.fixture(scope="module")
def zygote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zygote]:
    z = Zygote(tmp_path_factory.mktemp("zygote") / "zygote.log")
    yield z
    z.close()


@pytest.fixture
def crash_report() -> list[str]:
    return REPORT


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORT:
        terminalreporter.section("crash tests")
        for line in REPORT:
            terminalreporter.write_line(line)
