"""Draw the PWA icons (assets/icon-192.png, icon-512.png) without extra dependencies."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

ACCENT = (62, 99, 221)  # Radix indigo 9
WHITE = (255, 255, 255)


def _inside_cloud(x: float, y: float) -> bool:
    # Three circles over a rounded base, in a unit square.
    circles = [(0.38, 0.52, 0.16), (0.56, 0.45, 0.2), (0.70, 0.56, 0.13)]
    if any((x - cx) ** 2 + (y - cy) ** 2 <= r * r for cx, cy, r in circles):
        return True
    return 0.30 <= x <= 0.76 and 0.52 <= y <= 0.69


def draw(size: int) -> bytes:
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            x, y = (px + 0.5) / size, (py + 0.5) / size
            # maskable icons keep their content inside the central 80%; the background fills it all
            rgb = WHITE if _inside_cloud(x, y) else ACCENT
            row += bytes(rgb) + b"\xff"
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "assets"
    for size in (192, 512):
        (out / f"icon-{size}.png").write_bytes(draw(size))
    (out / "favicon.ico").write_bytes(draw(48))  # browsers accept a PNG served as favicon
