"""Which of the search filter's types a file belongs to, from its MIME type and its name."""

from __future__ import annotations

_EXT: dict[str, str] = {}
for _kind, _exts in {
    "image": "jpg jpeg png gif webp bmp tif tiff heic heif avif svg ico raw cr2 nef arw dng psd",
    "document": "doc docx odt rtf txt md markdown rst tex pages epub log",
    "spreadsheet": "xls xlsx xlsm ods csv tsv numbers",
    "presentation": "ppt pptx odp key",
    "pdf": "pdf",
    "video": "mp4 m4v mov avi mkv webm wmv flv mpg mpeg 3gp",
    "audio": "mp3 m4a aac wav flac ogg oga opus wma aiff mid midi",
    "archive": "zip tar gz tgz bz2 xz zst 7z rar iso dmg",
    "code": (
        "py pyi js mjs cjs ts tsx jsx java kt kts scala go rs c h cc cpp cxx hpp cs rb php pl pm swift m mm "
        "sh bash zsh fish ps1 bat sql r lua dart ex exs erl hs clj vue svelte css scss less html htm xml "
        "json yaml yml toml ini cfg conf gradle makefile dockerfile ipynb"
    ),
}.items():
    for _e in _exts.split():
        _EXT[_e] = _kind

_MIME_EXACT = {
    "application/pdf": "pdf",
    "application/msword": "document",
    "application/rtf": "document",
    "application/epub+zip": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/vnd.oasis.opendocument.text": "document",
    "application/vnd.ms-excel": "spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet": "spreadsheet",
    "text/csv": "spreadsheet",
    "text/tab-separated-values": "spreadsheet",
    "application/vnd.ms-powerpoint": "presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "presentation",
    "application/vnd.oasis.opendocument.presentation": "presentation",
    "application/zip": "archive",
    "application/gzip": "archive",
    "application/x-tar": "archive",
    "application/x-7z-compressed": "archive",
    "application/x-rar-compressed": "archive",
    "application/vnd.rar": "archive",
    "application/x-bzip2": "archive",
    "application/x-xz": "archive",
    "application/zstd": "archive",
    "application/json": "code",
    "application/javascript": "code",
    "application/xml": "code",
    "application/x-sh": "code",
    "application/x-python-code": "code",
    "text/html": "code",
    "text/css": "code",
    "text/javascript": "code",
    "text/x-python": "code",
    "text/xml": "code",
    "text/plain": "document",
    "text/markdown": "document",
}
_MIME_MAJOR = {"image": "image", "video": "video", "audio": "audio"}


def classify(mime_type: str, name: str, kind: str = "file") -> str:
    """One of base.TYPES: "folder" for folders; else the MIME type decides when it is specific, the extension when
    it is generic (application/octet-stream, application/zip for a .docx, text/plain for a .py)."""
    if kind == "folder":
        return "folder"
    mime = (mime_type or "").split(";", 1)[0].strip().lower()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else name.lower()
    by_ext = _EXT.get(ext)
    if mime in ("", "application/octet-stream", "application/zip", "text/plain", "application/x-zip-compressed"):
        if by_ext:
            return by_ext
    if mime in _MIME_EXACT:
        return _MIME_EXACT[mime]
    major = mime.split("/", 1)[0]
    if major in _MIME_MAJOR:
        return _MIME_MAJOR[major]
    if major == "text":
        return by_ext or "document"
    return by_ext or "other"
