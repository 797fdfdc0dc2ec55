"""Name rules: NFC storage, clear refusals, never a silent rewrite."""

import unicodedata

import pytest

from pcs_app.services.errors import InvalidName
from pcs_app.services.names import name_key, numbered, validate_name

BAD = [
    "",
    "   ",
    "a/b",
    "/etc/passwd",
    "../x",
    "..",
    ".",
    "a\\b",
    "nul\x00byte",
    "tab\tname",
    "line\nbreak",
    "del\x7f",
    "é" * 256,
    "x" * 256,
    "lone \udbbe surrogate",
    None,
    42,
]


@pytest.mark.parametrize("name", BAD, ids=repr)
def test_invalid_names_are_refused_with_a_message(name: object) -> None:
    with pytest.raises(InvalidName) as err:
        validate_name(name)
    assert err.value.message


def test_names_are_stored_nfc_and_case_preserved() -> None:
    decomposed = unicodedata.normalize("NFD", "Café Résumé.TXT")
    assert validate_name(decomposed) == unicodedata.normalize("NFC", "Café Résumé.TXT")
    assert validate_name("x" * 255) == "x" * 255
    assert validate_name("é" * 255) == "é" * 255  # characters count, not bytes
    assert validate_name("%2e%2e") == "%2e%2e"  # literal percent signs are a legal name, not a path


def test_name_key_ignores_case_only() -> None:
    assert name_key("Report.PDF") == name_key("report.pdf")
    assert name_key("a") != name_key("b")


def test_numbered_keeps_the_extension() -> None:
    assert numbered("report.pdf", 1) == "report (1).pdf"
    assert numbered("folder", 2) == "folder (2)"
    assert numbered(".bashrc", 1) == ".bashrc (1)"
