"""Which browser tabs are still connected (background loops stop when their tab has gone)."""

from __future__ import annotations

import functools
from typing import Any

from reflex.utils.prerequisites import get_and_validate_app


@functools.cache
def _app() -> Any:
    # The running Reflex app, found the way Reflex itself finds it (no import of the app module here).
    return get_and_validate_app().app


def connected(token: str) -> bool:
    """Whether the tab behind ``token`` still has its websocket open."""
    ns = _app().event_namespace
    return ns is None or token in ns.token_to_sid
