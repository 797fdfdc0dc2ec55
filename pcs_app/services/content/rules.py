"""What an upload must satisfy, checked before any byte is sent where the size is known."""

from __future__ import annotations

import re

from sqlmodel import select

from pcs_app.models import FOLDER, User

from .. import quota
from ..access import Actor, Perm, check_folder
from ..core import Core
from ..errors import Conflict, InvalidInput, TooLarge
from ..tree.common import taken

SHA256_PATTERN = r"^[0-9a-fA-F]{64}$"
_SHA256 = re.compile(SHA256_PATTERN)
UPLOAD_CONFLICTS = ("replace", "rename", "fail")


def check_sha(sha256: object) -> str:
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        raise InvalidInput("sha256 must be 64 hexadecimal characters.")
    return sha256.lower()


def check_size(core: Core, size: object) -> int:
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise InvalidInput("size must be a whole number of bytes, 0 or more.")
    if size > core.settings.max_file_size:
        raise TooLarge(f"Files can be at most {core.settings.max_file_size} bytes.")
    return size


def check_conflict_mode(on_conflict: object) -> str:
    if not isinstance(on_conflict, str) or on_conflict not in UPLOAD_CONFLICTS:
        raise InvalidInput("on_conflict must be 'replace', 'rename' or 'fail'.")
    return on_conflict


def precheck(core: Core, actor: Actor, parent_id: object, name: str, on_conflict: str, size: int | None) -> int:
    """Fail before any byte is sent when the upload cannot succeed; returns the folder's owner."""
    with core.db.read() as s:
        parent = check_folder(s, actor, parent_id, Perm.WRITE)
        existing = taken(s, parent.id, name)
        if existing is not None and existing.kind == FOLDER and on_conflict != "rename":
            raise Conflict(f"A folder named '{existing.name}' is already here.", existing_id=existing.id)
        if existing is not None and on_conflict == "fail":
            raise Conflict(f"'{existing.name}' already exists in this folder.", existing_id=existing.id)
        if size is not None:
            used, limit = s.exec(select(User.used_bytes, User.quota_bytes).where(User.id == parent.owner_id)).one()
            quota.check(used, limit, size)
        return parent.owner_id
