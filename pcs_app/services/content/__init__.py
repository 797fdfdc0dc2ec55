"""File content: uploads (streamed, hash-first, large-file sessions), downloads and versions."""

from .batch import Batch, BatchItem, start_batch
from .commit import Incoming, new_blob_key
from .download import Download, open_download, read_head, read_range
from .group import commit_content
from .rules import SHA256_PATTERN, UPLOAD_CONFLICTS
from .sessions import SessionInfo, abort_session, complete_session, session_state, start_session
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
    "Batch",
    "BatchItem",
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
    "session_state",
    "start_batch",
    "start_session",
    "upload",
    "upload_known",
]
