"""The quota rule and its message, in one place (checked before bytes are sent and again at commit)."""

from __future__ import annotations

from .errors import QuotaExceeded


def free_bytes(used: int, quota: int | None) -> int | None:
    """Bytes still free under ``quota`` (None: unlimited)."""
    return None if quota is None else max(quota - used, 0)


def check(used: int, quota: int | None, adding: int) -> None:
    """Raise QuotaExceeded when ``adding`` more bytes would not fit."""
    if adding > 0 and quota is not None and used + adding > quota:
        raise QuotaExceeded(
            f"Not enough space: this needs {adding} bytes and {free_bytes(used, quota)} are free.",
            needed=adding,
            free=free_bytes(used, quota),
        )
