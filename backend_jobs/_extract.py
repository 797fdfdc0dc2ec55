"""Text for the search index from one local file: plain text, Markdown, source code, CSV, JSON, HTML, PDF
(pypdfium2) and Word/Excel/PowerPoint (the XML inside the zip, read with defusedxml's SAX parser, in
``_extract_office``; what both share, ``Skip`` and the capped ``Text``, is in ``_extract_common``).

Pure and framework-free: a path in, text out. Run it through ``extract_in_sandbox`` (a child process
with an address-space limit and a timeout, shared with thumbnail rendering) so a hostile file costs
one child process, never the worker. Every bound is explicit: characters returned (``max_chars``),
bytes read from a file (``max_file_bytes``: PDF and Office files larger than that are skipped, text
and HTML are read that far), bytes unzipped (``max_unzipped_bytes``), zip entries, PDF pages.

``Extracted.skipped_reason`` (a short stable word) says why extraction stopped short of the file's end
other than ``max_chars``; the text read until then (maybe "") is still in ``text``:
``too_large``, ``unsupported``, ``corrupt``, ``encrypted``, ``empty``, ``timeout``, ``out_of_memory``,
``crashed`` (the child died twice), ``error`` (not the file's fault, e.g. the disk: retry the job).
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from html.parser import HTMLParser

from ._extract_common import CHUNK, Enough, Skip, Text
from ._extract_office import MAX_ZIP_ENTRIES as MAX_ZIP_ENTRIES  # re-exported: a bound of extract_text
from ._extract_office import extract_ooxml

DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
MAX_PDF_PAGES = 5_000

TEXT_EXTENSIONS = frozenset(
    (
        "txt text md markdown rst log csv tsv json jsonl ndjson yaml yml toml ini cfg conf env properties "
        "py pyi js mjs cjs ts tsx jsx java kt kts scala go rs c h cc cpp cxx hpp cs rb php pl pm swift m mm "
        "sh bash zsh fish ps1 bat sql r lua dart ex exs erl hs clj vue svelte css scss less xml svg tex "
        "gradle makefile dockerfile gitignore srt vtt"
    ).split()
)
_OOXML_MIMES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
}
_TEXT_MIMES = {"application/json", "application/xml", "application/javascript", "application/x-sh", "application/toml"}
_GENERIC_MIMES = {"", "application/octet-stream", "application/zip", "application/x-zip-compressed"}


@dataclass
class Extracted:
    """The text of a file (at most max_chars), whether more was left out, and why extraction stopped early."""

    text: str
    truncated: bool = False
    skipped_reason: str | None = None
    detail: str = ""
    peak_rss_kb: int | None = None  # of the process that extracted, when it was a sandbox


@dataclass(frozen=True)
class ExtractRequest:
    """One extraction, as sent to a sandbox child."""

    input: str
    mime_type: str
    name: str
    max_chars: int
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES


def file_format(mime_type: str, name: str) -> str | None:
    """text, html, pdf, docx, xlsx or pptx; None when there is no extractor for this file."""
    mime = (mime_type or "").split(";", 1)[0].strip().lower()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else name.lower()
    if mime in _OOXML_MIMES:
        return _OOXML_MIMES[mime]
    if mime == "application/pdf":
        return "pdf"
    if mime in ("text/html", "application/xhtml+xml"):
        return "html"
    if mime in _GENERIC_MIMES or mime == "text/plain":
        if ext in ("docx", "xlsx", "pptx"):
            return ext
        if ext == "pdf":
            return "pdf"
        if ext in ("html", "htm", "xhtml"):
            return "html"
        if ext in TEXT_EXTENSIONS or mime == "text/plain":
            return "text"
        return None
    if mime.startswith("text/") or mime in _TEXT_MIMES or mime.endswith(("+json", "+xml")):
        return "text"
    return None


def extract_text(
    path: str,
    mime_type: str,
    name: str,
    max_chars: int,
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES,
) -> Extracted:
    """The searchable text of the file at ``path`` (in this process: use ``extract_in_sandbox`` for uploads)."""
    fmt = file_format(mime_type, name)
    if fmt is None:
        return Extracted("", skipped_reason="unsupported", detail=f"no text extractor for {mime_type or name!r}")
    try:
        size = os.path.getsize(path)
    except OSError as e:
        return Extracted("", skipped_reason="error", detail=f"{type(e).__name__}: {e}"[:300])
    if size == 0:
        return Extracted("", skipped_reason="empty")
    if fmt not in ("text", "html") and size > max_file_bytes:
        return Extracted("", skipped_reason="too_large", detail=f"{size} bytes is over {max_file_bytes}")
    out = Text(max(0, max_chars))
    reason: str | None = None
    detail = ""
    try:
        try:
            if fmt == "text":
                _plain(path, out, max_file_bytes)
            elif fmt == "html":
                _html(path, out, max_file_bytes)
            elif fmt == "pdf":
                _pdf(path, out)
            else:
                extract_ooxml(path, fmt, out, max_unzipped_bytes)
        except Enough:
            pass
    except Skip as e:
        reason, detail = e.reason, e.detail
    except MemoryError:
        reason, detail = "out_of_memory", "over the sandbox's memory limit"
    except OSError as e:  # the file could not be read: not the file's fault
        reason, detail = "error", f"{type(e).__name__}: {e}"[:300]
    except Exception as e:  # noqa: BLE001 - any parser failure on untrusted bytes means "corrupt"
        reason, detail = "corrupt", f"{type(e).__name__}: {e}"[:300]
    return Extracted(out.text(), out.truncated, reason, detail)


# -- plain text and HTML -------------------------------------------------------------------------


def _codec(head: bytes, complete: bool) -> str:
    """How to decode a file that starts with ``head``: its BOM, else UTF-8 if valid, else Windows-1252.

    Binary data (NUL bytes, many control characters) is corrupt, whatever the file's name says.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:CHUNK]
    if b"\x00" in sample:
        raise Skip("corrupt", "binary data, not text")
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    if controls > len(sample) // 20:
        raise Skip("corrupt", "binary data, not text")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        # A character cut by the end of what was read is still UTF-8.
        if complete or e.reason != "unexpected end of data":
            return "cp1252"
    return "utf-8"


def _plain(path: str, out: Text, max_bytes: int) -> None:
    """The start of the file: never more than max_chars can need (4 bytes a character), nor max_bytes."""
    with open(path, "rb") as f:
        head = f.read(min(out.limit * 4 + 4, max_bytes))
        more = bool(f.read(1))
    decoder = codecs.getincrementaldecoder(_codec(head, complete=not more))(errors="replace")
    text = decoder.decode(head, final=not more)
    if more:
        out.truncated = True
    out.add(text)


class _HtmlText(HTMLParser):
    _SKIP = frozenset(("script", "style", "noscript", "template", "svg", "math", "iframe", "object"))
    _BLOCK = frozenset(
        "p div br li tr td th h1 h2 h3 h4 h5 h6 title section article header footer table ul ol pre blockquote".split()
    )

    def __init__(self, out: Text) -> None:
        super().__init__(convert_charrefs=True)
        self.out = out
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.out.add("\n")
        elif tag == "img" and not self.skipping:
            alt = dict(attrs).get("alt")
            if alt:
                self.out.add(f" {alt} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.out.add("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.add(data)


def _html(path: str, out: Text, max_bytes: int) -> None:
    parser = _HtmlText(out)
    read = 0
    with open(path, "rb") as f:
        head = f.read(CHUNK)
        decoder = codecs.getincrementaldecoder(_codec(head, complete=len(head) < CHUNK))(errors="replace")
        parser.feed(decoder.decode(head))
        read = len(head)
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                break
            read += len(chunk)
            if read > max_bytes:
                out.truncated = True
                raise Skip("too_large", f"HTML over {max_bytes} bytes")
            parser.feed(decoder.decode(chunk))
    parser.feed(decoder.decode(b"", final=True))
    parser.close()


# -- PDF -----------------------------------------------------------------------------------------


def _pdf(path: str, out: Text) -> None:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as e:
        if e.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise Skip("encrypted", "the PDF needs a password") from e
        raise Skip("corrupt", f"PDF: {e}") from e
    try:
        pages = len(pdf)
        for i in range(min(pages, MAX_PDF_PAGES)):
            page = pdf[i]
            try:
                textpage = page.get_textpage()
                try:
                    out.add(textpage.get_text_range())
                    out.add("\n")
                finally:
                    textpage.close()
            finally:
                page.close()
        if pages > MAX_PDF_PAGES:
            out.truncated = True
    finally:
        pdf.close()


# -- in the sandbox ------------------------------------------------------------------------------


def run(req: ExtractRequest) -> Extracted:
    """What the sandbox child runs for one request."""
    return extract_text(
        req.input,
        req.mime_type,
        req.name,
        req.max_chars,
        max_file_bytes=req.max_file_bytes,
        max_unzipped_bytes=req.max_unzipped_bytes,
    )


def extract_in_sandbox(
    path: str,
    mime_type: str,
    name: str,
    max_chars: int,
    memory_mb: int,
    timeout: float,
    *,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES,
) -> Extracted:
    """``extract_text`` in a sandbox child (``memory_mb`` of address space, ``timeout`` seconds).

    Raises ``_sandbox.SandboxUnavailable`` when no child can start (this machine's problem: retry the job);
    a file that crashes or hangs the child comes back as ``crashed`` or ``timeout``.
    """
    from ._sandbox import shared_sandbox

    req = ExtractRequest(path, mime_type, name, max_chars, max_file_bytes, max_unzipped_bytes)
    return shared_sandbox(memory_mb).extract(req, timeout)
