"""Builds the process-wide Core with everything plugged in (job queue included). Above every layer.

The UI, the API and the command line ask ``get_core()``; services and jobs receive the Core as an
argument. Nothing is built at import: the first call does it.
"""

from __future__ import annotations

import threading

from backend_jobs import build_queue
from pcs_app.services.core import Core
from pcs_app.settings import Settings, get_settings

_core: Core | None = None
_lock = threading.Lock()


def build_core(settings: Settings) -> Core:
    """A Core for ``settings`` whose job queue runs every registered job."""
    return Core.from_settings(settings, make_jobs=build_queue)


def get_core() -> Core:
    """The process-wide Core, created on first use (never at import)."""
    global _core
    if _core is None:
        with _lock:
            if _core is None:
                _core = build_core(get_settings())
    return _core


def set_core(core: Core | None) -> None:
    """Install a Core (tests, CLI)."""
    global _core
    _core = core
