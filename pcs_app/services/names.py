"""File and folder name rules: stored NFC, refused (never rewritten) when invalid."""

from __future__ import annotations

import re
import unicodedata

from .errors import InvalidName

MAX_NAME_CHARS = 255
# C0 and C1 control characters, and the bidirectional controls that can make a name display a
# fake extension ("invoice\u202Efdp.exe" shows as "invoiceexe.pdf").
_CONTROLS = r"\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{_CONTROLS}]")
# Spaces that are not control characters (what str.strip() removes, less the controls above).
_SPACES = r" \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# The same rule as a JSON-schema pattern for the API's schema, written without look-arounds (the
# schema validator's regex engine has none): a name holds a character that is neither a space nor a
# dot, or it is dots and spaces with at least one of each, or three or more dots; never '/', '\' or
# the characters above.
NAME_PATTERN = (
    rf"^(?:[^/\\{_CONTROLS}]*[^/\\{_CONTROLS}\s.][^/\\{_CONTROLS}]*"
    rf"|[{_SPACES}.]*(?:\.[{_SPACES}]|[{_SPACES}]\.)[{_SPACES}.]*"
    r"|\.{3,})$"
)


def validate_name(name: object) -> str:
    """Return ``name`` in NFC, or raise InvalidName saying what is wrong with it."""
    if not isinstance(name, str):
        raise InvalidName("A name must be text.")
    nfc = unicodedata.normalize("NFC", name)
    if nfc.strip() == "":
        raise InvalidName("A name cannot be empty or only spaces.")
    if "/" in nfc or "\\" in nfc:
        raise InvalidName("A name cannot contain '/' or '\\'.", name=name)
    if _CONTROL.search(nfc):
        raise InvalidName("A name cannot contain control or text-direction characters.")
    if nfc in (".", ".."):
        raise InvalidName("'.' and '..' are not valid names.", name=name)
    if len(nfc) > MAX_NAME_CHARS:
        raise InvalidName(f"A name can be at most {MAX_NAME_CHARS} characters.")
    try:
        nfc.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidName("A name must be valid Unicode text (it holds a lone surrogate).") from None
    return nfc


def name_key(nfc_name: str) -> str:
    """Key for uniqueness and sorting: names differing only by case collide, as on macOS and Windows."""
    return nfc_name.casefold()


def numbered(name: str, n: int | str) -> str:
    """'report.pdf', 2 -> 'report (2).pdf'; folders and dotfiles keep their whole name as stem."""
    dot = name.rfind(".")
    if dot <= 0:
        return f"{name} ({n})"
    return f"{name[:dot]} ({n}){name[dot:]}"
