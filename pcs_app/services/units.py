"""Byte counts for people: 1536 -> '1.5 KiB', and '50G' -> 53687091200."""

from __future__ import annotations

import re

from .errors import InvalidInput

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGTP]?)(i?B?)\s*$", re.IGNORECASE)


def human_size(n: int) -> str:
    """1536 -> '1.5 KiB'."""
    size = float(n)
    for unit in _UNITS:
        if size < 1024 or unit == _UNITS[-1]:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def parse_size(text: str) -> int:
    """'50G', '1.5 TiB', '200MB', '1024' -> bytes (binary units: 1K = 1024)."""
    m = _SIZE.match(text)
    if not m:
        raise InvalidInput(f"'{text}' is not a size; write e.g. 500M, 50G or 2T.")
    factor = 1024 ** " KMGTP".index((m.group(2) or " ").upper())
    return int(float(m.group(1)) * factor)
