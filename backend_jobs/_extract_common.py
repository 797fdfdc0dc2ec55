"""What the extractors share: ``Skip`` (extraction cannot go on, and why), ``Text`` (the text collected
so far, up to ``max_chars``) and ``Enough`` (raised by ``Text.add`` once the limit is passed)."""

from __future__ import annotations

import re

CHUNK = 64 * 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Skip(Exception):
    """Extraction cannot go on; ``reason`` is a short stable word."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail


class Enough(Exception):
    """max_chars reached: stop reading."""


class Text:
    """Collects text up to a limit; ``add`` raises Enough once the limit is passed."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0
        self.truncated = False

    def add(self, s: str) -> None:
        if not s:
            return
        room = self.limit - self.size
        if len(s) > room:
            self.parts.append(s[:room])
            self.size = self.limit
            self.truncated = True
            raise Enough
        self.parts.append(s)
        self.size += len(s)

    def text(self) -> str:
        joined = _CONTROL.sub(" ", "".join(self.parts))
        return re.sub(r"[ \t]*\n[ \t\n]*", "\n", joined).strip()
