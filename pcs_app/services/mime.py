"""Content type from the first bytes (magic numbers), then the extension, then a text check."""

from __future__ import annotations

import mimetypes

SNIFF_BYTES = 4096
_MAGIC: list[tuple[bytes, int, str]] = [
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
    (b"BM", 0, "image/bmp"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"\x1f\x8b", 0, "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", 0, "application/x-7z-compressed"),
    (b"PK\x03\x04", 0, "application/zip"),
    (b"OggS", 0, "audio/ogg"),
    (b"fLaC", 0, "audio/flac"),
    (b"ID3", 0, "audio/mpeg"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm"),
    (b"SQLite format 3\x00", 0, "application/vnd.sqlite3"),
]
# Containers whose real type the extension tells better (docx, xlsx, jar and epub are zips).
_GENERIC = {"application/zip", "application/gzip", "video/webm", "audio/ogg"}


def _riff_or_ftyp(head: bytes) -> str | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"):
            return "image/heic"
        if brand in (b"avif", b"avis"):
            return "image/avif"
        if brand == b"qt  ":
            return "video/quicktime"
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        return "video/mp4"
    return None


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        # A multi-byte character cut by the end of the sniffed window is still text.
        return e.start >= len(head) - 3
    return True


def detect(name: str, head: bytes) -> str:
    """Best content type for a file called ``name`` whose first bytes are ``head``."""
    by_ext = mimetypes.guess_type(name, strict=False)[0]
    sniffed = _riff_or_ftyp(head)
    if sniffed is None:
        for magic, offset, mime in _MAGIC:
            if head[offset : offset + len(magic)] == magic:
                sniffed = mime
                break
    if sniffed and not (sniffed in _GENERIC and by_ext):
        return sniffed
    if by_ext:
        return by_ext
    if head and _looks_like_text(head):
        return "text/plain"
    return "application/octet-stream"


# -- what a browser may be shown, and what we can draw thumbnails of (one home for these lists) ----

# Images browsers display themselves (shown inline and in the preview).
BROWSER_IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/avif"})
# Images our thumbnailer decodes: the browser ones plus formats browsers cannot show.
DECODABLE_IMAGES = BROWSER_IMAGES | {"image/heic", "image/heif", "image/tiff", "image/x-ms-bmp"}
# Text shown as text in the preview (never rendered as a page).
TEXT_TYPES = frozenset({"application/json", "application/xml", "application/javascript", "application/x-sh"})


def base_type(mime_type: str | None) -> str:
    """'text/plain; charset=utf-8' -> 'text/plain'."""
    return (mime_type or "").split(";")[0].strip().lower()


def preview_kind(mime_type: str | None) -> str:
    """How the preview shows a file: image, video, audio, pdf, text or none."""
    m = base_type(mime_type)
    if m in BROWSER_IMAGES:
        return "image"
    if m.startswith("video/"):
        return "video"
    if m.startswith("audio/"):
        return "audio"
    if m == "application/pdf":
        return "pdf"
    if m.startswith("text/") or m in TEXT_TYPES:
        return "text"
    return "none"


def inline_safe(mime_type: str | None) -> bool:
    """Whether a download may be shown inline in the browser (never HTML, SVG or anything scriptable)."""
    m = base_type(mime_type)
    return preview_kind(m) in ("image", "video", "audio", "pdf") or m == "text/plain"


def thumbnail_kind(mime_type: str | None) -> str | None:
    """How content of this type gets a thumbnail: image, pdf, video, or None for none."""
    m = base_type(mime_type)
    if m in DECODABLE_IMAGES:
        return "image"
    if m == "application/pdf":
        return "pdf"
    if m.startswith("video/"):
        return "video"
    return None
