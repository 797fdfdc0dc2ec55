"""Text extraction for search: each format from samples made here; hostile files (zip bomb, billion laughs,
truncated PDF, binary garbage, a 200 MB text file) end as a reason, in a sandbox child, with the worker
(this process) unharmed and the next file extracted as usual."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend_jobs._extract import (
    DEFAULT_MAX_UNZIPPED_BYTES,
    Extracted,
    ExtractRequest,
    extract_in_sandbox,
    extract_text,
    file_format,
)
from backend_jobs._sandbox import Sandbox

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


# -- samples -------------------------------------------------------------------------------------


def zip_of(parts: dict[str, str | bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def docx(*paragraphs: str, header: str = "", document_xml: str | None = None) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    parts: dict[str, str | bytes] = {
        "word/document.xml": document_xml
        or f'<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'
    }
    if header:
        parts["word/header1.xml"] = f'<w:hdr xmlns:w="{W}"><w:p><w:r><w:t>{header}</w:t></w:r></w:p></w:hdr>'
    return zip_of(parts)


def xlsx(sheets: list[str], strings: list[str]) -> bytes:
    sheet_xml = "".join(f'<sheet name="{n}" sheetId="{i}"/>' for i, n in enumerate(sheets, 1))
    si = "".join(f"<si><t>{s}</t><rPh><t>ignored-phonetic</t></rPh></si>" for s in strings)
    return zip_of(
        {
            "xl/workbook.xml": f'<workbook xmlns="{S}"><sheets>{sheet_xml}</sheets></workbook>',
            "xl/sharedStrings.xml": f'<sst xmlns="{S}">{si}</sst>',
            "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{S}"><sheetData/></worksheet>',
        }
    )


def pptx(slides: list[str], notes: str = "") -> bytes:
    parts: dict[str, str | bytes] = {"ppt/presentation.xml": f'<p:presentation xmlns:p="{P}"/>'}
    for i, text in enumerate(slides, 1):
        parts[f"ppt/slides/slide{i}.xml"] = (
            f'<p:sld xmlns:p="{P}" xmlns:a="{A}"><p:cSld><p:spTree><p:sp><p:txBody>'
            f"<a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )
    if notes:
        parts["ppt/notesSlides/notesSlide1.xml"] = (
            f'<p:notes xmlns:p="{P}" xmlns:a="{A}"><a:p><a:t>{notes}</a:t></a:p></p:notes>'
        )
    return zip_of(parts)


def pdf(lines: list[str], encrypted: bool = False) -> bytes:
    """A one-page PDF with Helvetica text, written by hand (offsets and xref computed here)."""

    def esc(s: str) -> bytes:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")

    stream = b"BT /F1 12 Tf 72 720 Td " + b" ".join(b"(" + esc(s) + b") Tj 0 -16 Td" for s in lines) + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    if encrypted:  # standard security handler with an owner/user key no empty password opens
        objects.append(b"<< /Filter /Standard /V 1 /R 2 /O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> /P -4 >>")
    out = b"%PDF-1.4\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    extra = b" /Encrypt 6 0 R /ID [<00112233445566778899aabbccddeeff><00112233445566778899aabbccddeeff>]"
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\n" % (len(objects) + 1, extra if encrypted else b"")
    return out + b"startxref\n%d\n%%%%EOF\n" % xref


def write(tmp_path: Path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A .docx whose document.xml unzips to 256 MiB of whitespace (about 250 KB on disk)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>start</w:t></w:r></w:p>'.encode())
            block = b" " * (1024 * 1024)
            for _ in range(256):
                f.write(block)
            f.write(b"</w:body></w:document>")
    assert path.stat().st_size < 2_000_000
    return str(path)


@pytest.fixture(scope="module")
def huge_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A 200 MB plain-text file."""
    path = tmp_path_factory.mktemp("huge") / "huge.txt"
    line = b"the quick brown fox jumps over the lazy dog 0123456789\n"
    block = line * (1024 * 1024 // len(line))
    with open(path, "wb") as f:
        while f.tell() < 200_000_000:
            f.write(block)
    return str(path)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + f']><w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'
)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox(memory_mb=1024)
    yield box
    box.close()


def sandboxed(
    box: Sandbox, path: str, mime: str, name: str, max_chars: int = 100_000, timeout: float = 30
) -> Extracted:
    return box.extract(ExtractRequest(path, mime, name, max_chars), timeout)


# -- every format --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, mime, data, expected",
    [
        ("notes.txt", "text/plain", "Plain words here.\nSecond line.", "Plain words here.\nSecond line."),
        ("README.md", "text/markdown", "# Title\n\n*Markdown* text", "# Title\n*Markdown* text"),
        ("main.py", "text/x-python", "def hello():\n    return 'world'\n", "def hello():\nreturn 'world'"),
        ("data.csv", "text/csv", "name,city\nAda,London\n", "name,city\nAda,London"),
        ("data.json", "application/json", '{"greeting": "héllo wörld"}', '{"greeting": "héllo wörld"}'),
        ("code.rs", "application/octet-stream", "fn main() {}", "fn main() {}"),
        ("latin1.txt", "text/plain", "café crème".encode("cp1252"), "café crème"),
        ("utf16.txt", "text/plain", "\ufeffwide text".encode("utf-16-le"), "wide text"),
    ],
)
def test_text_formats(tmp_path: Path, name: str, mime: str, data: str | bytes, expected: str) -> None:
    got = extract_text(write(tmp_path, name, data), mime, name, 10_000)
    assert (got.text, got.truncated, got.skipped_reason) == (expected, False, None)


def test_html_keeps_the_words_and_drops_tags_scripts_and_styles(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Trip &amp; Plans</title><style>body{color:red}</style>"
        "<script>var secret = 'do not index';</script></head>"
        "<body><h1>Lisbon</h1><p>Day one: <b>tram</b> 28</p><img alt='sunset photo'><!-- comment --></body></html>"
    )
    got = extract_text(write(tmp_path, "page.html", page), "text/html", "page.html", 10_000)
    assert got.skipped_reason is None
    assert "Trip & Plans" in got.text and "Lisbon" in got.text and "tram 28" in got.text
    assert "sunset photo" in got.text
    for hidden in ("secret", "color", "comment", "<"):
        assert hidden not in got.text


def test_pdf_text(tmp_path: Path) -> None:
    got = extract_text(
        write(tmp_path, "a.pdf", pdf(["Hello PDF world", "Invoice 2024-113"])), "application/pdf", "a.pdf", 10_000
    )
    assert got.skipped_reason is None
    assert "Hello PDF world" in got.text and "Invoice 2024-113" in got.text


def test_docx_text_with_header(tmp_path: Path) -> None:
    data = docx("First paragraph", "Second &amp; last", header="Company Confidential")
    got = extract_text(write(tmp_path, "a.docx", data), DOCX, "a.docx", 10_000)
    assert got.skipped_reason is None
    assert got.text == "First paragraph\nSecond & last\nCompany Confidential"


def test_xlsx_sheet_names_and_cells(tmp_path: Path) -> None:
    got = extract_text(write(tmp_path, "a.xlsx", xlsx(["Budget", "Q3"], ["Rent", "Travel"])), XLSX, "a.xlsx", 10_000)
    assert got.skipped_reason is None
    assert got.text.split("\n") == ["Budget", "Q3", "Rent", "Travel"]


def test_pptx_slides_in_order_then_notes(tmp_path: Path) -> None:
    slides = [f"Slide {i}" for i in range(1, 12)]  # slide10 and slide11 come after slide2
    got = extract_text(write(tmp_path, "a.pptx", pptx(slides, notes="Speaker notes")), PPTX, "a.pptx", 10_000)
    assert got.skipped_reason is None
    assert got.text.split("\n") == [*slides, "Speaker notes"]


def test_office_files_named_but_sent_as_zip_are_recognised() -> None:
    assert file_format("application/zip", "report.docx") == "docx"
    assert file_format("application/octet-stream", "a.PPTX") == "pptx"
    assert file_format("text/plain", "main.go") == "text"
    assert file_format("image/png", "photo.png") is None
    assert file_format("application/octet-stream", "program.exe") is None


def test_max_chars_truncates(tmp_path: Path) -> None:
    got = extract_text(write(tmp_path, "a.docx", docx("word " * 1000)), DOCX, "a.docx", 100)
    assert got.truncated and len(got.text) <= 100 and got.skipped_reason is None


# -- reasons -------------------------------------------------------------------------------------


def test_unsupported_empty_and_too_large(tmp_path: Path) -> None:
    assert (
        extract_text(write(tmp_path, "a.png", b"\x89PNG...."), "image/png", "a.png", 100).skipped_reason
        == "unsupported"
    )
    assert extract_text(write(tmp_path, "e.txt", b""), "text/plain", "e.txt", 100).skipped_reason == "empty"
    big = write(tmp_path, "big.pdf", pdf(["x"]))
    got = extract_text(big, "application/pdf", "big.pdf", 100, max_file_bytes=100)
    assert got.skipped_reason == "too_large"


def test_encrypted_pdf_and_office_files(tmp_path: Path) -> None:
    got = extract_text(write(tmp_path, "e.pdf", pdf(["secret"], encrypted=True)), "application/pdf", "e.pdf", 100)
    assert got.skipped_reason == "encrypted" and got.text == ""
    # Password-protected Office documents are OLE containers holding an "EncryptedPackage" stream.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100
    assert extract_text(write(tmp_path, "e.docx", ole), DOCX, "e.docx", 100).skipped_reason == "encrypted"


def test_truncated_pdf(tmp_path: Path) -> None:
    data = pdf(["Hello PDF world"])
    got = extract_text(write(tmp_path, "t.pdf", data[: len(data) // 3]), "application/pdf", "t.pdf", 100)
    assert (got.skipped_reason, got.text) == ("corrupt", "")


def test_binary_garbage_named_txt_is_corrupt(tmp_path: Path) -> None:
    got = extract_text(write(tmp_path, "g.txt", os.urandom(200_000)), "text/plain", "g.txt", 1000)
    assert (got.skipped_reason, got.text) == ("corrupt", "")


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    data = docx(document_xml=BILLION_LAUGHS)
    got = extract_text(write(tmp_path, "lol.docx", data), DOCX, "lol.docx", 1000)
    assert got.skipped_reason == "corrupt" and "lol" not in got.text


def test_broken_zip_is_corrupt(tmp_path: Path) -> None:
    data = docx("hello")
    got = extract_text(write(tmp_path, "b.docx", data[:200]), DOCX, "b.docx", 1000)
    assert got.skipped_reason == "corrupt"


def test_zip_bomb_stops_at_the_unzip_limit(zip_bomb: str) -> None:
    got = extract_text(zip_bomb, DOCX, "bomb.docx", 1000, max_unzipped_bytes=8 * 1024 * 1024)
    assert got.skipped_reason == "too_large" and got.text == "start"


def test_huge_text_file_is_read_only_as_far_as_needed(huge_text: str) -> None:
    got = extract_text(huge_text, "text/plain", "huge.txt", 50_000)
    assert got.truncated and got.skipped_reason is None
    assert 49_000 <= len(got.text) <= 50_000 and got.text.startswith("the quick brown fox")
    got = extract_text(huge_text, "text/plain", "huge.txt", 10**9, max_file_bytes=1_000_000)
    assert got.truncated and got.skipped_reason is None and 990_000 <= len(got.text) <= 1_000_000


# -- in the sandbox ------------------------------------------------------------------------------


def test_each_format_through_the_sandbox(tmp_path: Path, sandbox: Sandbox) -> None:
    cases = [
        ("a.txt", "text/plain", b"sandboxed words", "sandboxed words"),
        ("a.pdf", "application/pdf", pdf(["sandboxed pdf"]), "sandboxed pdf"),
        ("a.docx", DOCX, docx("sandboxed docx"), "sandboxed docx"),
        ("a.xlsx", XLSX, xlsx(["Sheet"], ["sandboxed xlsx"]), "sandboxed xlsx"),
        ("a.pptx", PPTX, pptx(["sandboxed pptx"]), "sandboxed pptx"),
        ("a.html", "text/html", b"<p>sandboxed html</p>", "sandboxed html"),
    ]
    for name, mime, data, expected in cases:
        got = sandboxed(sandbox, write(tmp_path, name, data), mime, name)
        assert got.skipped_reason is None and expected in got.text, (name, got)
        assert got.peak_rss_kb is not None  # it ran in a child


def test_hostile_files_in_the_sandbox_end_as_reasons(
    tmp_path: Path, sandbox: Sandbox, zip_bomb: str, huge_text: str
) -> None:
    data = pdf(["Hello"])
    hostile: list[tuple[str, str, str, set[str | None]]] = [
        (zip_bomb, DOCX, "bomb.docx", {"too_large"}),
        (write(tmp_path, "lol.docx", docx(document_xml=BILLION_LAUGHS)), DOCX, "lol.docx", {"corrupt"}),
        (write(tmp_path, "t.pdf", data[: len(data) // 3]), "application/pdf", "t.pdf", {"corrupt"}),
        (write(tmp_path, "g.txt", os.urandom(100_000)), "text/plain", "g.txt", {"corrupt"}),
        (huge_text, "text/plain", "huge.txt", {None}),
    ]
    for path, mime, name, reasons in hostile:
        got = sandboxed(sandbox, path, mime, name)
        assert got.skipped_reason in reasons, (name, got.skipped_reason, got.detail)
        assert len(got.text) <= 100_000
    # The bomb was unzipped only up to the limit, a few MiB at a time, never held whole.
    bomb = sandboxed(sandbox, zip_bomb, DOCX, "bomb.docx")
    assert bomb.peak_rss_kb is not None and bomb.peak_rss_kb < 200 * 1024, bomb.peak_rss_kb
    assert DEFAULT_MAX_UNZIPPED_BYTES < 256 * 1024 * 1024
    # The worker is still here and the same pool goes on extracting.
    ok = sandboxed(sandbox, write(tmp_path, "ok.txt", b"still working"), "text/plain", "ok.txt")
    assert ok.text == "still working"


def test_running_out_of_memory_is_a_reason_not_a_crash(tmp_path: Path, huge_text: str) -> None:
    box = Sandbox(memory_mb=300)
    try:
        req = ExtractRequest(huge_text, "text/plain", "huge.txt", 150_000_000, max_file_bytes=10**9)  # ~600 MB
        got = box.extract(req, 30)
        assert got.skipped_reason == "out_of_memory"
        ok = sandboxed(box, write(tmp_path, "ok.txt", b"fine"), "text/plain", "ok.txt")
        assert ok.text == "fine"
    finally:
        box.close()


def test_a_slow_file_times_out_and_the_next_one_is_served(tmp_path: Path, sandbox: Sandbox, zip_bomb: str) -> None:
    got = sandboxed(sandbox, zip_bomb, DOCX, "bomb.docx", timeout=0.01)
    assert got.skipped_reason == "timeout"
    ok = sandboxed(sandbox, write(tmp_path, "ok.txt", b"next one"), "text/plain", "ok.txt")
    assert ok.text == "next one"


def test_extract_in_sandbox_for_jobs(tmp_path: Path) -> None:
    path = write(tmp_path, "a.docx", docx("from a job"))
    got = extract_in_sandbox(path, DOCX, "a.docx", 1000, memory_mb=1024, timeout=30)
    assert got.text == "from a job" and got.skipped_reason is None


def test_thumbnails_and_extraction_share_the_children(tmp_path: Path, sandbox: Sandbox) -> None:
    from PIL import Image

    from backend_jobs._render import RenderRequest

    img = tmp_path / "img.png"
    Image.new("RGB", (300, 200), "red").save(img)
    for _ in range(2):
        assert sandbox.render(RenderRequest(str(img), str(tmp_path), "image", (64,), 10_000_000), 30).ok
        got = sandboxed(sandbox, write(tmp_path, "a.txt", b"mixed"), "text/plain", "a.txt")
        assert got.text == "mixed"
    assert len(sandbox._idle) == 1  # one child served both kinds
