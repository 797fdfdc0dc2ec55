"""Every service function that takes a node id asks the one gate (services/access.py) about it.

The functions are found by introspection, so a new service function cannot escape: each is called
with another account's id in each of its id parameters, and must both refuse (as 'not found') and
have asked the gate about exactly that id.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import pcs_app.services as services
from pcs_app.models import User
from pcs_app.services import access, content, tree
from pcs_app.services.content import Incoming
from pcs_app.services.core import Core
from pcs_app.services.errors import NotFound

FOLDER_PARAMS = {"parent_id", "folder_id", "dest_parent_id", "new_parent_id", "dest_id"}
NODE_PARAMS = {"node_id"}
LIST_PARAMS = {"ids"}
# Not node ids: upload sessions belong to their user and are checked by ownership (see the test below).
NOT_NODES = {"session_id", "version_id"}


def gated_functions() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Public service functions that take an actor and a node id (the gate itself excepted)."""
    for info in pkgutil.walk_packages(services.__path__, "pcs_app.services."):
        mod = importlib.import_module(info.name)
        if mod is access:
            continue
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ != mod.__name__ or name.startswith("_"):
                continue
            params = set(inspect.signature(fn).parameters)
            if "actor" in params and params & (FOLDER_PARAMS | NODE_PARAMS | LIST_PARAMS):
                yield f"{info.name.removeprefix('pcs_app.services.')}.{name}", fn


# Arguments that differ by function.
SPECIAL: dict[str, dict[str, Any]] = {"find": {"size": 256}}

GATED = sorted(gated_functions(), key=lambda x: x[0])


def test_the_gate_covers_the_functions_we_know_of() -> None:
    names = {n for n, _ in GATED}
    for expected in ("tree.edit.move", "tree.copy.copy", "content.uploads.upload", "archive.build", "thumbnails.find"):
        assert expected in names


@pytest.fixture
def world(core: Core, user: User, other_user: User) -> dict[str, Any]:  # ids: node ids, and a version id
    mine_folder = tree.create_folder(core, user, user.root_id, "mine")
    mine_file = content.upload(core, user, user.root_id, "mine.txt", [b"mine"])
    theirs_folder = tree.create_folder(core, other_user, other_user.root_id, "theirs")
    theirs_file = content.upload(core, other_user, other_user.root_id, "theirs.txt", [b"theirs"])
    return {
        "folder": mine_folder.id,
        "file": mine_file.id,
        "foreign_folder": theirs_folder.id,
        "foreign_file": theirs_file.id,
        "version": mine_file.version_id,
    }


def arguments(fn: Callable[..., Any], core: Core, actor: User, ids: dict[str, str], foreign: str) -> dict[str, Any]:
    """Plausible arguments for ``fn``, with the other account's node in parameter ``foreign``."""
    data = b"x"
    values: dict[str, Any] = {
        "core": core,
        "actor": actor,
        "name": "gate.txt",
        "new_name": "gate-renamed.txt",
        "chunks": [data],
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "item": Incoming("gate.txt", "rename", hashlib.sha256(data).hexdigest(), 1, "text/plain", None),
        "op": "move",
        "max_bytes": 10,
        "on_conflict": "rename",
        "email": "nobody-special@example.com",
        "role": "viewer",
        "version_id": ids["version"],
        "pinned": True,
        "offset": 0,
        "limit": 10,
        **SPECIAL.get(fn.__name__, {}),
    }
    out: dict[str, Any] = {}
    for p in inspect.signature(fn).parameters.values():
        if p.name in FOLDER_PARAMS:
            out[p.name] = ids["foreign_folder"] if p.name == foreign else ids["folder"]
        elif p.name in NODE_PARAMS:
            out[p.name] = ids["foreign_file"] if p.name == foreign else ids["file"]
        elif p.name in LIST_PARAMS:
            out[p.name] = [ids["foreign_file"]] if p.name == foreign else [ids["file"]]
        elif p.name in values:
            out[p.name] = values[p.name]
        elif p.default is inspect.Parameter.empty:
            raise AssertionError(f"{fn.__qualname__}: no test value for parameter {p.name!r}")
    return out


@pytest.mark.parametrize("name,fn", GATED, ids=[n for n, _ in GATED])
def test_every_id_parameter_goes_through_the_gate(
    name: str, fn: Callable[..., Any], core: Core, user: User, world: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[object] = []
    real = access.access

    def spy(s: Any, actor: User, node_id: object, **kw: Any) -> access.Access:
        asked.append(node_id)
        return real(s, actor, node_id, **kw)

    monkeypatch.setattr(access, "access", spy)
    id_params = [p for p in inspect.signature(fn).parameters if p in FOLDER_PARAMS | NODE_PARAMS | LIST_PARAMS]
    for param in id_params:
        asked.clear()
        args = arguments(fn, core, user, world, param)
        foreign = world["foreign_folder"] if param in FOLDER_PARAMS else world["foreign_file"]
        try:
            result = fn(**args)
        except NotFound:
            pass
        else:
            # Bulk actions report each item instead of raising (a list of outcomes, or id -> outcome).
            if isinstance(result, dict):
                refused = isinstance(result.get(foreign), NotFound)
            else:
                failed = getattr(result, "failed", None)
                refused = bool(failed) and isinstance(failed[0].error, NotFound)
            assert refused, f"{name}({param}=foreign) did not refuse"
        assert foreign in asked, f"{name} used {param} without asking services/access.py"


def test_upload_sessions_are_their_owners_alone(core: Core, user: User, other_user: User) -> None:
    info = content.start_session(core, user, user.root_id, "big.bin", 6 * 1024 * 1024)
    for fn in (content.complete_session, content.abort_session):
        with pytest.raises(NotFound):
            fn(core, other_user, info.session.id)
    content.abort_session(core, user, info.session.id)
