"""HTTP details shared by every route that serves bytes: ranges, validators, file names."""

from __future__ import annotations

import re
from urllib.parse import quote

from pcs_app.services.errors import PCSError

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(PCSError):
    code, status = "range_not_satisfiable", 416

    def __init__(self, size: int) -> None:
        super().__init__("That byte range is outside the file.", size=size)
        self.headers = {"Content-Range": f"bytes */{size}"}


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end) for a single satisfiable byte range; None for 'whole file'; 416 if unsatisfiable."""
    if not header:
        return None
    m = _RANGE.match(header.strip())
    if not m or (not m.group(1) and not m.group(2)):
        return None  # multiple or malformed ranges: RFC 9110 lets us send the whole file
    if m.group(1):
        start = int(m.group(1))
        end = int(m.group(2)) if m.group(2) else size - 1
        if start >= size or end < start:
            raise RangeNotSatisfiable(size)
        return start, min(end, size - 1)
    suffix = int(m.group(2))
    if suffix == 0 or size == 0:
        raise RangeNotSatisfiable(size)
    return max(size - suffix, 0), size - 1


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison for If-None-Match: '*', a list, and W/ prefixes all count."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


def content_disposition(name: str, inline: bool) -> str:
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "'").replace("\\", "_")
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 else "_" for ch in ascii_name)
    return f"{'inline' if inline else 'attachment'}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
