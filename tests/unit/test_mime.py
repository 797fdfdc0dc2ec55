"""Content type from magic bytes first, then the extension, then a text check."""

from pcs_app.services.mime import detect


def test_content_beats_a_wrong_extension() -> None:
    assert detect("photo.txt", b"\x89PNG\r\n\x1a\n" + b"\0" * 20) == "image/png"
    assert detect("doc.jpg", b"%PDF-1.7\n") == "application/pdf"


def test_extension_refines_generic_containers() -> None:
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert detect("letter.docx", b"PK\x03\x04rest") == docx
    assert detect("archive", b"PK\x03\x04rest") == "application/zip"


def test_text_and_binary_without_extension() -> None:
    assert detect("README", "héllo wörld\n".encode()) == "text/plain"
    assert detect("blob", b"\x00\x01\x02") == "application/octet-stream"
    assert detect("empty", b"") == "application/octet-stream"
    assert detect("notes.md", b"# title") in ("text/markdown", "text/x-markdown")
