"""Serving a file's bytes: Range, validators, and headers that never let stored content run script here."""

from __future__ import annotations

import logging

from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from pcs_app.services import content, mime, usage
from pcs_app.services.content import Download
from pcs_app.services.core import Core
from pcs_app.services.errors import Unavailable

from .http import content_disposition, etag_matches, parse_range

log = logging.getLogger(__name__)

# A body up to this size is read whole and sent as one response: one worker-thread hop instead of a
# stream's hop per chunk (small files are most files). Larger ones stream.
SMALL_BODY = 256 * 1024


def file_response(
    core: Core, dl: Download, request: Request, *, inline: bool, range_header: str, if_none_match: str
) -> Response:
    """A download with Range, ETag/304 and headers that never let stored content run script here.

    Runs in a worker thread (a small body is read here, whole)."""
    size, mime_type = dl.version.size, dl.version.mime_type or "application/octet-stream"
    etag = f'"{dl.version.sha256}"'
    show_inline = inline and mime.inline_safe(mime_type)
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition(dl.node.name, show_inline),
        "X-Content-Type-Options": "nosniff",
        # Never let a stored file run script on our origin. (Chromium's PDF viewer refuses to run
        # in a sandboxed document, so an inline PDF gets the same policy without the sandbox.)
        "Content-Security-Policy": ("" if show_inline and mime_type == "application/pdf" else "sandbox; ")
        + "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'",
        "Cache-Control": "private, max-age=0, must-revalidate",
    }
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    rng = parse_range(range_header, size)
    if request.method == "GET" and (rng is None or rng[0] == 0):  # a download begins (not a resume)
        usage.events.downloaded(core, dl.node, size)
    start, end = rng if rng else (0, size - 1)
    status = 206 if rng else 200
    if rng:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    headers["Content-Length"] = str(end - start + 1 if size else 0)
    if request.method == "HEAD" or size == 0:
        return Response(status_code=status, headers=headers, media_type=mime_type)
    if end - start + 1 <= SMALL_BODY:
        try:
            body = b"".join(content.read_range(core, dl, start, end))
        except FileNotFoundError as e:  # a row whose object is gone: fsck reports it
            log.error("the object of version %s is missing: %s", dl.version.id, e)
            raise Unavailable("The file's content could not be read from storage.") from e
        return Response(body, status_code=status, headers=headers, media_type=mime_type)
    return StreamingResponse(
        content.read_range(core, dl, start, end), status_code=status, headers=headers, media_type=mime_type
    )
