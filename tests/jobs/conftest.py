"""Fixtures for the job tests: media files made on the spot (valid and hostile) and running workers.

The shared fixtures (``weed``, ``core`` on SQLite and PostgreSQL, ``user``) come from tests/conftest.py.
"""

from __future__ import annotations

import io
import struct
import subprocess
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from pcs_app.adapters.queue import RunningWorkers
from pcs_app.services.core import Core

ORIENTATION = 0x0112


def jpeg(size: tuple[int, int] = (640, 480), color: str = "red", orientation: int | None = None, **kw: object) -> bytes:
    """A JPEG whose left half is ``color`` and right half blue, optionally with an EXIF orientation."""
    im = Image.new("RGB", size, color)
    im.paste("blue", (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, exif=exif.tobytes(), **kw)
    return buf.getvalue()


def encode(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def animated_gif() -> bytes:
    """Two frames: red, then blue (the thumbnail must show the first)."""
    frames = [Image.new("RGB", (400, 300), c) for c in ("red", "blue")]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def heic() -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    return encode(Image.new("RGB", (300, 200), "green"), "HEIF", quality=80)


def pdf() -> bytes:
    """A one-page PDF (Pillow writes the page as an image) that is red all over."""
    return encode(Image.new("RGB", (600, 800), "red"), "PDF", resolution=72.0)


def mp4(seconds: float = 2, size: str = "320x240") -> bytes:
    """A short red H.264 video, made by the ffmpeg shipped in imageio-ffmpeg."""
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "v.mp4"
        cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi"]
        cmd += ["-i", f"color=c=red:s={size}:d={seconds}:r=10", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(out)]
        subprocess.run(cmd, capture_output=True, check=True)
        return out.read_bytes()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int = 10_000, height: int = 10_000) -> bytes:
    """A valid grey PNG of width x height black pixels that compresses to a few hundred KB.

    Written row by row, so making it never holds the decoded image in memory.
    """
    z = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte + one byte per pixel
    parts = [z.compress(row) for _ in range(height)]
    body = b"".join(parts) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def png_header_only(width: int = 65_535, height: int = 65_535) -> bytes:
    """A PNG that claims huge dimensions and carries almost no data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 100))
        + _chunk(b"IEND", b"")
    )


def png_corrupt() -> bytes:
    """A PNG with a sound header and garbage where the compressed pixels belong."""
    ihdr = struct.pack(">IIBBBBB", 400, 300, 8, 2, 0, 0, 0)
    garbage = bytes(range(256)) * 8
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", garbage) + _chunk(b"IEND", b"")


def jpeg_huge_header() -> bytes:
    """A small JPEG whose frame header is rewritten to claim 65,500 x 65,500 pixels."""
    data = bytearray(jpeg((64, 64)))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 65_500, 65_500)
    return bytes(data)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def bomb_png(media_dir: Path) -> Path:
    """The 100-megapixel decompression bomb, made once."""
    path = media_dir / "bomb-100mp.png"
    path.write_bytes(png_bomb())
    return path


@pytest.fixture
def workers(core: Core) -> Iterator[RunningWorkers]:
    """Two worker threads consuming ``core``'s queue for the duration of one test."""
    running = core.jobs.start_workers(2)
    yield running
    running.stop()
