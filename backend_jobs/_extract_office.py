"""Text of Word, Excel and PowerPoint files (OOXML): the XML parts inside the zip, read with defusedxml's
SAX parser (no DTD, so no entity expansion), within a budget of unzipped bytes shared by every part and
at most ``MAX_ZIP_ENTRIES`` zip entries. Password-protected and pre-2007 (OLE) files are skipped."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable
from typing import IO, Any
from xml.sax.handler import ContentHandler, feature_namespaces

from defusedxml import DefusedXmlException
from defusedxml.sax import make_parser

from ._extract_common import CHUNK, Skip, Text

MAX_ZIP_ENTRIES = 10_000
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


class _Budget:
    """Bytes that may still be unzipped, across every part of one file."""

    def __init__(self, left: int) -> None:
        self.left = left


class _CappedReader:
    """A zip member's stream that gives up (too_large) past the shared budget, whatever its header claims."""

    def __init__(self, raw: IO[bytes], budget: _Budget) -> None:
        self.raw = raw
        self.budget = budget

    def read(self, n: int = -1) -> bytes:
        n = CHUNK if n is None or n < 0 or n > CHUNK else n
        data = self.raw.read(n)
        self.budget.left -= len(data)
        if self.budget.left < 0:
            raise Skip("too_large", "more XML than the unzip limit allows (a zip bomb?)")
        return data

    def close(self) -> None:
        self.raw.close()


class _XmlText(ContentHandler):
    """Text of the elements named in ``text_tags`` (local names), line breaks at ``break_tags``."""

    def __init__(
        self,
        out: Text,
        text_tags: frozenset[str],
        break_tags: frozenset[str],
        skip_tags: frozenset[str] = frozenset(),
        attr: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.out = out
        self.text_tags = text_tags
        self.break_tags = break_tags
        self.skip_tags = skip_tags
        self.attr = attr
        self.inside = 0
        self.skipping = 0

    def startElementNS(self, name: tuple[str | None, str], qname: str | None, attrs: Any) -> None:
        local = name[1]
        if local in self.skip_tags:
            self.skipping += 1
        elif local in self.text_tags:
            self.inside += 1
        elif local == "tab":
            self.out.add("\t")
        if self.attr and local == self.attr[0]:
            for (_, attr_local), value in attrs.items():
                if attr_local == self.attr[1]:
                    self.out.add(value + "\n")

    def endElementNS(self, name: tuple[str | None, str], qname: str | None) -> None:
        local = name[1]
        if local in self.skip_tags:
            self.skipping -= 1
        elif local in self.text_tags:
            self.inside -= 1
        if local in self.break_tags:
            self.out.add("\n")

    def characters(self, content: str) -> None:
        if self.inside > 0 and self.skipping == 0:
            self.out.add(content)


def _parse_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, handler: ContentHandler, budget: _Budget) -> None:
    if info.flag_bits & 0x1:
        raise Skip("encrypted", f"{info.filename} is encrypted")
    parser = make_parser()
    parser.forbid_dtd = True  # OOXML has no DTD; refusing one stops entity expansion (billion laughs)
    parser.setFeature(feature_namespaces, True)
    parser.setContentHandler(handler)
    with zf.open(info) as raw:
        try:
            parser.parse(_CappedReader(raw, budget))
        except DefusedXmlException as e:
            raise Skip("corrupt", f"{info.filename}: {type(e).__name__} (forbidden XML construct)") from e


def _numbered(infos: Iterable[zipfile.ZipInfo], pattern: str) -> list[zipfile.ZipInfo]:
    rx = re.compile(pattern)
    found = [(int(m.group(1)), i) for i in infos if (m := rx.fullmatch(i.filename))]
    return [i for _, i in sorted(found, key=lambda t: t[0])]


def extract_ooxml(path: str, fmt: str, out: Text, max_unzipped: int) -> None:
    with open(path, "rb") as f:
        magic = f.read(8)
    if magic == _OLE_MAGIC:  # Office wraps password-protected documents in an OLE container
        if _contains(path, _ENCRYPTED_PACKAGE):
            raise Skip("encrypted", "the document needs a password")
        raise Skip("unsupported", "an OLE (pre-2007) Office file")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as e:
        raise Skip("corrupt", f"not a zip: {e}") from e
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise Skip("too_large", f"{len(infos)} zip entries")
        by_name = {i.filename: i for i in infos}
        budget = _Budget(max_unzipped)
        parts: list[tuple[zipfile.ZipInfo, Callable[[], ContentHandler]]] = []
        if fmt == "docx":
            if "word/document.xml" not in by_name:
                raise Skip("corrupt", "no word/document.xml")

            def word() -> ContentHandler:
                return _XmlText(out, frozenset({"t"}), frozenset({"p", "br", "cr"}))

            names = ["word/document.xml", "word/footnotes.xml", "word/endnotes.xml", "word/comments.xml"]
            parts += [(by_name[n], word) for n in names if n in by_name]
            parts += [(i, word) for i in _numbered(infos, r"word/header(\d+)\.xml")]
            parts += [(i, word) for i in _numbered(infos, r"word/footer(\d+)\.xml")]
        elif fmt == "xlsx":
            if "xl/workbook.xml" not in by_name:
                raise Skip("corrupt", "no xl/workbook.xml")
            parts.append(
                (by_name["xl/workbook.xml"], lambda: _XmlText(out, frozenset(), frozenset(), attr=("sheet", "name")))
            )
            cells = frozenset({"t"}), frozenset({"si", "is"}), frozenset({"rPh"})
            if "xl/sharedStrings.xml" in by_name:
                parts.append((by_name["xl/sharedStrings.xml"], lambda: _XmlText(out, *cells)))
            else:
                # Inline strings live in the sheets themselves (files written without a shared-strings
                # part); sheets are not read otherwise: numbers are not worth the parsing time.
                sheets = _numbered(infos, r"xl/worksheets/sheet(\d+)\.xml")
                parts += [(i, lambda: _XmlText(out, *cells)) for i in sheets]
        else:
            slides = _numbered(infos, r"ppt/slides/slide(\d+)\.xml")
            if "ppt/presentation.xml" not in by_name:
                raise Skip("corrupt", "no ppt/presentation.xml")

            def drawing() -> ContentHandler:
                return _XmlText(out, frozenset({"t"}), frozenset({"p"}))

            parts += [(i, drawing) for i in slides]
            parts += [(i, drawing) for i in _numbered(infos, r"ppt/notesSlides/notesSlide(\d+)\.xml")]
        for info, make in parts:
            _parse_part(zf, info, make(), budget)


def _contains(path: str, needle: bytes) -> bool:
    with open(path, "rb") as f:
        tail = b""
        while chunk := f.read(1024 * 1024):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
    return False
