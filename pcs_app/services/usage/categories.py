"""The six kinds of file the usage dashboard counts: one rule, the search filter's, folded to six."""

from __future__ import annotations

from pcs_app.adapters.search import classify

TYPES = ("image", "video", "audio", "document", "archive", "other")
_FOLD = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "archive": "archive",
    "document": "document",
    "spreadsheet": "document",
    "presentation": "document",
    "pdf": "document",
    "code": "document",
}


def category(mime_type: str | None, name: str) -> str:
    """image, video, audio, document, archive or other: the content type decides, the extension helps."""
    return _FOLD.get(classify(mime_type or "", name), "other")
