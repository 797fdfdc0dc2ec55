"""Batch upload: many files in one multipart/form-data request, one result per file.

The body is read as it arrives: each file part, once whole, goes to the batch (``services.content.
batch``), which stores it in S3 while the next parts arrive and commits the stored ones in groups.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from pcs_app.services import content
from pcs_app.services.content.batch import MAX_FILES, Batch, BatchItem
from pcs_app.services.errors import InvalidInput, PCSError, TooLarge
from pcs_app.wiring import get_core

from ..deps import Actor
from ..ids import NodeId
from ..responses import errors
from ..schemas import ErrorOut, NodeOut
from .uploads import BodyIncomplete

router = APIRouter(prefix="/api/v1", tags=["files"], responses=errors(400, 401, 404))
MANIFEST_LIMIT = 4 * 1024 * 1024


class ManifestEntry(BaseModel):
    path: str = Field(max_length=4096, description="Where the file goes, below the folder: 'a/b/c.txt'.")
    size: int | None = Field(None, ge=0, description="Its size in bytes, checked.")
    sha256: str | None = Field(None, pattern=content.SHA256_PATTERN, description="Its sha256, checked.")


_MANIFEST = TypeAdapter(list[ManifestEntry])


class BatchItemOut(BaseModel):
    path: str
    status: Literal["created", "updated", "unchanged", "failed"]
    node: NodeOut | None = None
    error: ErrorOut | None = None


class BatchOut(BaseModel):
    created: int
    updated: int
    unchanged: int
    failed: int
    items: list[BatchItemOut] = Field(description="One per file part, in the order they were sent.")


class _Parts:
    """multipart/form-data parts -> batch files, each handed over as soon as its part ends."""

    def __init__(self, batch: Batch, max_file: int) -> None:
        self.batch, self.max_file = batch, max_file
        self.manifest: list[ManifestEntry] | None = None
        self.files = 0
        self.ended = False
        self.headers: dict[bytes, bytes] = {}
        self.field, self.value, self.data = bytearray(), bytearray(), bytearray()
        self.name, self.filename, self.size = b"", b"", 0
        self.problem: PCSError | None = None

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda d, s, e: self.field.extend(d[s:e]),  # pyright: ignore[reportUnknownLambdaType, reportUnknownArgumentType]
            "on_header_value": lambda d, s, e: self.value.extend(d[s:e]),  # pyright: ignore[reportUnknownLambdaType, reportUnknownArgumentType]
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done,
            "on_part_data": self._data,
            "on_part_end": self._end,
            "on_end": self._finished,
        }

    def _begin(self) -> None:
        self.headers.clear()
        self.data = bytearray()
        self.name, self.filename, self.size = b"", b"", 0

    def _header_end(self) -> None:
        self.headers[bytes(self.field).lower()] = bytes(self.value)
        self.field.clear()
        self.value.clear()

    def _headers_done(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        self.name, self.filename = options.get(b"name", b""), options.get(b"filename", b"")

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.size += end - start
        limit = MANIFEST_LIMIT if self.name == b"manifest" else self.max_file
        if self.size <= limit:
            self.data += data[start:end]
        elif self.data:
            self.data = bytearray()  # too large: what follows is only counted

    def _end(self) -> None:
        if self.name == b"manifest":
            self._manifest()
        elif self.name == b"file":
            self._file()
        # other fields are ignored

    def _manifest(self) -> None:
        if self.manifest is not None or self.files:
            raise InvalidInput("The manifest must come once, before the files.")
        if self.size > MANIFEST_LIMIT:
            raise TooLarge(f"The manifest can be at most {MANIFEST_LIMIT} bytes.")
        try:
            self.manifest = _MANIFEST.validate_json(bytes(self.data))
        except ValidationError as e:
            raise InvalidInput(
                f"The manifest is not a list of {{path, size, sha256}}: {e.errors()[0]['msg']}."
            ) from None
        if len(self.manifest) > MAX_FILES:
            raise TooLarge(f"A batch holds at most {MAX_FILES} files.")

    def _file(self) -> None:
        index = self.files
        self.files += 1
        entry: ManifestEntry | None = None
        if self.manifest is not None:
            if index >= len(self.manifest):
                self.batch.reject(self._filename(), InvalidInput("This file has no entry in the manifest."))
                return
            entry = self.manifest[index]
        path = entry.path if entry is not None else self._filename()
        if self.size > self.max_file:
            self.batch.reject(path, TooLarge(f"Files in a batch can be at most {self.max_file} bytes; send it alone."))
            return
        size, sha = (entry.size, entry.sha256) if entry is not None else (None, None)
        self.batch.add(path, bytes(self.data), size=size, sha256=sha)
        self.data = bytearray()

    def _filename(self) -> str:
        try:
            return self.filename.decode("utf-8")
        except UnicodeDecodeError:
            return ""

    def _finished(self) -> None:
        self.ended = True
        if self.files == 0 and not self.manifest:
            raise InvalidInput("A batch needs at least one part named 'file'.")
        for entry in (self.manifest or [])[self.files :]:
            self.batch.reject(entry.path, InvalidInput("No file part arrived for this manifest entry."))


def _boundary(request: Request) -> bytes:
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise InvalidInput("Send the files as multipart/form-data (parts named 'file', and optionally 'manifest').")
    return boundary


Status = Literal["created", "updated", "unchanged", "failed"]
_STATUS: dict[str, Status] = {"created": "created", "updated": "updated", "unchanged": "unchanged"}


def _out(items: list[BatchItem]) -> BatchOut:
    rows = [
        BatchItemOut(
            path=it.path,
            status=_STATUS.get(it.status, "failed") if it.error is None else "failed",
            node=NodeOut.of(it.node) if it.node is not None and it.error is None else None,
            error=ErrorOut(error=it.error.code, message=it.error.message) if it.error is not None else None,
        )
        for it in items
    ]
    count = {s: sum(1 for r in rows if r.status == s) for s in ("created", "updated", "unchanged", "failed")}
    return BatchOut(**count, items=rows)


BODY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "manifest": {
            "type": "string",
            "description": "Optional, first: a JSON list with one {path, size, sha256} per file part, in order "
            "(path required; size and sha256 are checked).",
        },
        "file": {
            "type": "array",
            "items": {"type": "string", "format": "binary"},
            "description": "The files; without a manifest each part's filename is its path ('a/b/c.txt').",
        },
    },
    "required": ["file"],
}


@router.post(
    "/nodes/{node_id:id}/batch",
    response_model=BatchOut,
    responses=errors(403, 409),
    openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": BODY_SCHEMA}}}},
)
async def upload_batch(
    node_id: NodeId,
    request: Request,
    user: Actor,
    on_conflict: Annotated[
        Literal["replace", "rename", "fail"],
        Query(description="For a name that is taken. The same content already there is always 'unchanged'."),
    ] = "replace",
) -> BatchOut:
    """Upload many files into folder ``node_id`` in one request; each file gets its own result.

    Paths with folders ('photos/2024/a.jpg') find or create them. Each file is one object in storage,
    checked against its declared size and sha256 and committed on its own: a bad file fails alone
    and leaves nothing behind. If the request breaks off or turns malformed, the files that arrived
    whole before it are saved (the error says how many); send the batch again and they answer
    ``unchanged``.
    """
    boundary = _boundary(request)
    core = get_core()
    batch = await run_in_threadpool(content.start_batch, core, user, node_id, on_conflict)
    parts = _Parts(batch, core.settings.batch_max_file_size)
    parser = MultipartParser(boundary, parts.callbacks())  # pyright: ignore[reportArgumentType]
    problem: PCSError | None = None
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            if not batch.has_room():
                await anyio.to_thread.run_sync(batch.wait_room)
        parser.finalize()
        if not parts.ended:
            problem = BodyIncomplete("The body ended before its closing boundary.")
    except ClientDisconnect:
        problem = BodyIncomplete("The upload was cut off.")
    except MultipartParseError as e:
        problem = InvalidInput(f"The body is not valid multipart/form-data ({e}).")
    except PCSError as e:
        problem = e
    except BaseException:
        await run_in_threadpool(batch.abort)  # cancelled (the server is stopping): keep only what is committed
        raise
    # Whatever happened, the files that arrived whole are saved (each checked, each alone).
    out = _out(await run_in_threadpool(batch.finish))
    if problem is not None:
        saved = out.created + out.updated + out.unchanged
        problem.message = f"{problem.message} The {saved} files that arrived whole before it were saved."
        problem.details["saved"] = saved
        raise problem
    return out
