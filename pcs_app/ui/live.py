"""Which browser tabs are still connected (background loops stop when their tab has gone)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from reflex.utils.prerequisites import get_and_validate_app

from pcs_app.models import User
from pcs_app.services import changes
from pcs_app.services.core import Core


@functools.cache
def _app() -> Any:
    # The running Reflex app, found the way Reflex itself finds it (no import of the app module here).
    return get_and_validate_app().app


def connected(token: str) -> bool:
    """Whether the tab behind ``token`` still has its websocket open."""
    ns = _app().event_namespace
    return ns is None or token in ns.token_to_sid


async def follow(core: Core, user: User, still: Callable[[], Awaitable[bool]]) -> AsyncIterator[changes.ChangePage]:
    """Each page of the user's change feed from now on, for as long as ``still()`` says the loop is
    wanted (its panel open, its tab connected): the one loop every live view runs."""
    cursor = await asyncio.to_thread(changes.current_cursor, core, user)
    while True:
        page = await changes.wait_for_changes(core, user, cursor, timeout=25)
        if not await still():
            return
        cursor = page.cursor
        yield page
