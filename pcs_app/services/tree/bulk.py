"""One action over many items (move, copy, trash, restore): each item succeeds or fails on its own,
and the caller gets every outcome. The web UI, the API and drag-and-drop all use these."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pcs_app.models import Node

from ..access import Actor, Perm, check_folder, check_node
from ..core import Core
from ..errors import InvalidInput, PCSError
from .copy import copy
from .edit import move
from .listing import child_ids, get_node
from .purge import delete_forever
from .trash import restore, restore_many, trash, trash_many

MAX_ITEMS = 1000
STEP = 100  # a whole-folder action reports progress this often
Status = Literal["done", "unchanged", "failed"]
OPS = ("move", "copy", "trash", "restore", "delete")  # delete: for good, from the trash


@dataclass(frozen=True)
class Outcome:
    id: str
    status: Status
    node: Node | None = None
    error: PCSError | None = None


@dataclass
class BulkResult:
    outcomes: list[Outcome] = field(default_factory=lambda: list[Outcome]())

    @property
    def done(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "done"]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def unchanged(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "unchanged"]


def _ids(ids: Sequence[object]) -> list[str]:
    if not ids or len(ids) > MAX_ITEMS:
        raise InvalidInput(f"Choose between 1 and {MAX_ITEMS} items.")
    seen: list[str] = []
    for i in ids:
        if not isinstance(i, str):
            raise InvalidInput("Every id must be text.")
        if i not in seen:
            seen.append(i)
    return seen


def apply(core: Core, actor: Actor, op: str, ids: Sequence[object], dest_id: object = None) -> BulkResult:
    """Run ``op`` on every id (move/copy into ``dest_id``); never stops at the first failure."""
    if op not in OPS:
        raise InvalidInput(f"op must be one of {', '.join(OPS)}.")
    if op in ("move", "copy") and dest_id is None:
        raise InvalidInput("Choose the folder to move or copy into.")
    actions: dict[str, Callable[[str], Node]] = {
        "move": lambda i: move(core, actor, i, dest_id),
        "copy": lambda i: copy(core, actor, i, dest_id, on_conflict="rename"),
        "trash": lambda i: trash(core, actor, i),
        "restore": lambda i: restore(core, actor, i),
        "delete": lambda i: _delete_forever(core, actor, i),
    }
    result = BulkResult()
    if op in ("trash", "restore"):  # one transaction for many: a whole folder is not one commit per item
        many = trash_many if op == "trash" else restore_many
        wanted = _ids(ids)
        got_all = many(core, actor, wanted)
        for node_id in wanted:
            got = got_all[node_id]
            if isinstance(got, PCSError):
                result.outcomes.append(Outcome(node_id, "failed", error=got))
            else:
                result.outcomes.append(Outcome(node_id, "done", got))
        return result
    for node_id in _ids(ids):
        try:
            if op == "move" and (node_id == dest_id or get_node(core, actor, node_id).parent_id == dest_id):
                result.outcomes.append(Outcome(node_id, "unchanged"))
                continue
            node = actions[op](node_id)
        except PCSError as e:
            result.outcomes.append(Outcome(node_id, "failed", error=e))
            continue
        result.outcomes.append(Outcome(node_id, "done", node))
    return result


def _delete_forever(core: Core, actor: Actor, node_id: str) -> Node:
    with core.db.read() as s:
        node = check_node(s, actor, node_id, Perm.OWN, allow_trashed=True)
    delete_forever(core, actor, node_id)
    return node


def apply_folder(
    core: Core,
    actor: Actor,
    op: str,
    folder_id: object,
    exclude: Sequence[object] = (),
    dest_id: object = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> BulkResult:
    """Run ``op`` on everything in ``folder_id`` except ``exclude`` ("select all N in this folder"),
    in steps of at most ``MAX_ITEMS``, calling ``on_progress(handled, total)`` after each step."""
    if op not in ("move", "copy", "trash"):
        raise InvalidInput("A whole folder can be moved, copied or trashed.")
    if op in ("move", "copy") and dest_id is None:
        raise InvalidInput("Choose the folder to move or copy into.")
    if len(exclude) > MAX_ITEMS * 100 or not all(isinstance(i, str) for i in exclude):
        raise InvalidInput("exclude must be a list of ids.")
    if dest_id is not None:
        if op == "trash":
            raise InvalidInput("Moving to the trash takes no destination folder.")
        with core.db.read() as s:  # refused at once, whatever the folder holds (even nothing)
            check_folder(s, actor, dest_id, Perm.WRITE)
    ids = child_ids(core, actor, folder_id, {str(i) for i in exclude})
    result = BulkResult()
    for start in range(0, len(ids), STEP):
        result.outcomes.extend(apply(core, actor, op, ids[start : start + STEP], dest_id).outcomes)
        if on_progress is not None:
            on_progress(min(start + STEP, len(ids)), len(ids))
    return result
