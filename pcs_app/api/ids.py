"""Ids in paths. Routes use ``{node_id:id}``: a path whose id segment is not the shape of one of our
ids matches no route (404 before any query), and ``/nodes/root`` never reaches ``/nodes/{node_id}``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from starlette.convertors import Convertor, register_url_convertor

from pcs_app.models import ID_LENGTH, ID_PATTERN


class IdConvertor(Convertor[str]):
    regex = f"[A-Za-z0-9_-]{{{ID_LENGTH}}}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


class NumberConvertor(Convertor[str]):
    """A row number such as a version id: digits only, so ``…/versions/None`` matches no route (404)."""

    regex = "[0-9]{1,10}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


class AnythingConvertor(Convertor[str]):
    """Any rest of a path, newlines included (Starlette's ``path`` stops at one)."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("id", IdConvertor())
register_url_convertor("num", NumberConvertor())
register_url_convertor("anything", AnythingConvertor())

NodeId = Annotated[str, Path(pattern=ID_PATTERN, min_length=ID_LENGTH, max_length=ID_LENGTH, description="A node id.")]
SessionId = Annotated[
    str,
    Path(pattern=ID_PATTERN, min_length=ID_LENGTH, max_length=ID_LENGTH, description="An upload session id."),
]
