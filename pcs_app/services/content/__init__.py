"""File content: uploads (streamed, hash-first, large-file sessions), downloads and versions."""

from .commit import Incoming, commit_content, new_blob_key
from .download import Download, open_download, read_head, read_range
from .rules import SHA256_PATTERN, UPLOAD_CONFLICTS
from .sessions import SessionInfo, abort_session, complete_session, start_session
from .uploads import upload, upload_known
from .versions import list_versions

__all__ = [
    "SHA256_PATTERN",
    "UPLOAD_CONFLICTS",
    "Download",
    "Incoming",
    "SessionInfo",
    "abort_session",
    "commit_content",
    "complete_session",
    "list_versions",
    "new_blob_key",
    "open_download",
    "read_head",
    "read_range",
    "start_session",
    "upload",
    "upload_known",
]
