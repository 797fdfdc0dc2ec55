"""File content: uploads (streamed, hash-first, large-file sessions), downloads and versions."""

from .commit import Incoming, commit_content, new_blob_key
from .download import Download, open_download, read_head, read_range
from .rules import SHA256_PATTERN, UPLOAD_CONFLICTS
from .sessions import SessionInfo, abort_session, complete_session, start_session
from .uploads import upload, upload_known
from .versions import (
    VersionEntry,
    apply_retention,
    delete_version,
    history,
    list_versions,
    pin_version,
    restore_version,
)

__all__ = [
    "SHA256_PATTERN",
    "UPLOAD_CONFLICTS",
    "Download",
    "Incoming",
    "SessionInfo",
    "VersionEntry",
    "abort_session",
    "apply_retention",
    "commit_content",
    "complete_session",
    "delete_version",
    "history",
    "list_versions",
    "new_blob_key",
    "open_download",
    "pin_version",
    "read_head",
    "read_range",
    "restore_version",
    "start_session",
    "upload",
    "upload_known",
]
