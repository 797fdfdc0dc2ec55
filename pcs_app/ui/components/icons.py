"""Icons chosen by a Var from a fixed set of names.

``rx.icon(some_var)`` compiles to Lucide's dynamic icon, which makes every one of Lucide's ~1,600 icons a
module the build must emit and may fetch; a choice among the few names a Var can hold keeps the pages'
icons static, in the page's own bundle.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ..format import ENTRY_ICONS


def icon_of(tag: Any, names: tuple[str, ...], **props: Any) -> rx.Component | rx.Var[Any]:
    """The icon named by ``tag``, one of ``names`` (the last one for anything else)."""
    *known, fallback = names
    return rx.match(tag, *[(n, rx.icon(n, **props)) for n in known], rx.icon(fallback, **props))


def entry_icon(tag: Any, **props: Any) -> rx.Component | rx.Var[Any]:
    """A listing entry's icon (format.icon_for's names)."""
    return icon_of(tag, ENTRY_ICONS, **props)


def either_icon(cond: Any, yes: str, no: str, **props: Any) -> rx.Component:
    """One of two icons, by a condition."""
    return rx.cond(cond, rx.icon(yes, **props), rx.icon(no, **props))
