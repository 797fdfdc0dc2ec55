"""The documented error answers of routes, for the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from .schemas import ErrorOut

Responses = dict[int | str, dict[str, Any]]
_WHY = {
    400: "The request does not follow the schema or a rule it states.",
    401: "Not signed in (no token, or an unknown, expired or revoked one); for a link: password_required.",
    403: "Signed in, but not allowed to do this.",
    404: "No such item, or not yours to see (the two look the same).",
    409: "The current state does not allow it (a name is taken, a folder into itself, …).",
    410: "The link was revoked, has expired or was used up (it says nothing more).",
    413: "Too large.",
    416: "The range is outside the file; Content-Range says its size.",
    422: "The bytes do not match the declared size or sha256; nothing was saved.",
    429: "Too many tries; wait as Retry-After says.",
    507: "Not enough space left in the quota.",
    503: "A service sign-in depends on (the Cognito user pool, PCS_AUTH=cognito) is not answering; try again.",
}


def errors(*codes: int) -> Responses:
    """``{code: {"model": ErrorOut, "description": …}}`` for each code."""
    return {code: {"model": ErrorOut, "description": _WHY[code]} for code in codes}


# Operations that take a node id, by what the node must be; links let clients (and the schema's
# stateful tests) follow a created item to what can be done with it next.
ON_FOLDERS = ("get_node", "list_children", "create_folder", "upload_file", "patch_node", "copy_node", "delete_node")
ON_FILES = ("get_node", "download", "list_versions", "get_thumbnail", "patch_node", "copy_node", "delete_node")


def links(status: int, operations: tuple[str, ...], param: str = "node_id") -> Responses:
    """OpenAPI links from this operation's ``status`` answer (its body's ``id``) to ``operations``."""
    return {
        status: {"links": {op: {"operationId": op, "parameters": {param: "$response.body#/id"}} for op in operations}}
    }
