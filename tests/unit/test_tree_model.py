"""A seeded random walk over the tree, checked against an in-memory model after every step.

Random create / upload / overwrite / rename / move / copy / trash / restore, including ones that
must fail (a taken name, a folder into itself). After each step every live folder's listing, the
account's used_bytes and the change feed (gapless, one change of the expected kind per success)
must agree with the model. A failure names its seed; replay it with PCS_TEST_TREE_SEED=<seed>.
"""

from __future__ import annotations

import os
import random
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from pcs_app.models import User
from pcs_app.services import accounts, changes, content, tree
from pcs_app.services.core import Core
from pcs_app.services.errors import PCSError
from pcs_app.services.names import name_key, numbered
from tests.conftest import PASSWORD

STEPS = int(os.environ.get("PCS_TEST_TREE_STEPS", "120"))
SEEDS = [int(os.environ["PCS_TEST_TREE_SEED"])] if "PCS_TEST_TREE_SEED" in os.environ else [11, 2026]
# Some differ only by case or by Unicode form ("E" + combining accent is "É" in NFC): the same name here.
NAMES = ["a", "B", "c.txt", "C.TXT", "notes.md", "d", "photo.jpg", "x y", "é", "E\u0301"]


@dataclass
class MNode:
    id: str
    parent: str | None
    name: str
    kind: str  # folder | file
    size: int = 0
    trashed: bool = False  # this node or an ancestor is in the trash
    trash_root: bool = False
    trashed_from: list[str] = field(default_factory=list)  # folder names from the root, when trashed


@dataclass
class Model:
    nodes: dict[str, MNode] = field(default_factory=dict)
    used: int = 0
    feed: list[str] = field(default_factory=list)
    nodes_alias: dict[str, str] = field(default_factory=dict)  # placeholder id -> the server's

    def live_children(self, folder: str) -> list[MNode]:
        return [n for n in self.nodes.values() if n.parent == folder and not n.trashed]

    def taken(self, folder: str, name: str, exclude: str | None = None) -> MNode | None:
        key = name_key(unicodedata.normalize("NFC", name))
        return next((n for n in self.live_children(folder) if name_key(n.name) == key and n.id != exclude), None)

    def free_name(self, folder: str, name: str) -> str:
        if self.taken(folder, name) is None:
            return name
        n = 1
        while self.taken(folder, numbered(name, n)) is not None:
            n += 1
        return numbered(name, n)

    def restored_name(self, folder: str, name: str) -> str:
        """'name', else 'name (restored)', 'name (restored 2)', ..."""
        if self.taken(folder, name) is None:
            return name
        n = 1
        while self.taken(folder, numbered(name, "restored" if n == 1 else f"restored {n}")) is not None:
            n += 1
        return numbered(name, "restored" if n == 1 else f"restored {n}")

    def path_names(self, folder: str) -> list[str]:
        return [self.nodes[a].name for a in reversed([folder, *self.ancestors(folder)])][1:]

    def below(self, node_id: str) -> list[MNode]:
        out, todo = [], [node_id]
        while todo:
            cur = todo.pop()
            for n in self.nodes.values():
                if n.parent == cur:
                    out.append(n)
                    todo.append(n.id)
        return out

    def ancestors(self, node_id: str) -> list[str]:
        out, cur = [], self.nodes[node_id].parent
        while cur is not None:
            out.append(cur)
            cur = self.nodes[cur].parent
        return out

    def folders(self) -> list[MNode]:
        return [n for n in self.nodes.values() if n.kind == "folder" and not n.trashed]


class Walk:
    def __init__(self, core: Core, user: User, rng: random.Random) -> None:
        self.core, self.user, self.rng = core, user, rng
        assert user.root_id
        self.root = user.root_id
        self.m = Model(nodes={self.root: MNode(self.root, None, "", "folder")})
        self.log: list[str] = []

    def pick(self, kinds: tuple[str, ...] = ("folder", "file"), *, live: bool = True) -> MNode | None:
        pool = [
            n for n in self.m.nodes.values() if n.kind in kinds and n.id != self.root and (not live or not n.trashed)
        ]
        return self.rng.choice(pool) if pool else None

    def folder(self) -> MNode:
        return self.rng.choice(self.m.folders())

    def expect(self, ok: bool, action: str, fn: Callable[..., Any], *args: object, **kw: object) -> Any:
        self.log.append(action)
        try:
            got = fn(self.core, self.user, *args, **kw)
        except PCSError as e:
            assert not ok, f"{action}: refused ({e.message}) but the model allows it"
            return None
        assert ok, f"{action}: succeeded but the model refuses it"
        return got

    def step(self) -> None:
        op = self.rng.choice(["mkdir", "upload", "upload", "rename", "move", "copy", "trash", "restore"])
        getattr(self, op)()

    def mkdir(self) -> None:
        parent, name = self.folder(), self.rng.choice(NAMES)
        ok = self.m.taken(parent.id, name) is None
        node = self.expect(ok, f"mkdir {parent.name}/{name}", tree.create_folder, parent.id, name)
        if node is not None:
            self.m.nodes[node.id] = MNode(node.id, parent.id, node.name, "folder")
            self.m.feed.append("created")

    def upload(self) -> None:
        parent, name = self.folder(), self.rng.choice(NAMES)
        data = secrets.token_bytes(self.rng.randint(0, 300))
        clash = self.m.taken(parent.id, name)
        ok = clash is None or clash.kind == "file"
        node = self.expect(ok, f"upload {parent.name}/{name}", content.upload, parent.id, name, [data])
        if node is None:
            return
        self.m.used += len(data)
        if clash is not None:
            clash.size = len(data)
            self.m.feed.append("updated")
        else:
            self.m.nodes[node.id] = MNode(node.id, parent.id, node.name, "file", len(data))
            self.m.feed.append("created")

    def rename(self) -> None:
        node = self.pick()
        if node is None:
            return
        name = unicodedata.normalize("NFC", self.rng.choice(NAMES))
        assert node.parent is not None
        same = name == node.name
        ok = same or self.m.taken(node.parent, name, exclude=node.id) is None
        if self.expect(ok, f"rename {node.name} -> {name}", tree.rename, node.id, name) is not None and not same:
            node.name = name
            self.m.feed.append("renamed")

    def move(self) -> None:
        node, dest = self.pick(), self.folder()
        if node is None:
            return
        cycle = node.kind == "folder" and (dest.id == node.id or node.id in self.m.ancestors(dest.id))
        same = dest.id == node.parent
        ok = same or (not cycle and self.m.taken(dest.id, node.name) is None)
        if self.expect(ok, f"move {node.name} -> {dest.name}", tree.move, node.id, dest.id) is not None and not same:
            node.parent = dest.id
            self.m.feed.append("moved")

    def copy(self) -> None:
        src, dest = self.pick(), self.folder()
        if src is None:
            return
        cycle = src.kind == "folder" and (dest.id == src.id or src.id in self.m.ancestors(dest.id))
        top = self.expect(
            not cycle, f"copy {src.name} -> {dest.name}", tree.copy, src.id, dest.id, on_conflict="rename"
        )
        if top is None:
            return
        self.m.feed.append("created")
        # The copy's ids are the server's: read them back, checking the shape as we go.
        mapping = {src.id: top.id}
        self.m.nodes[top.id] = MNode(top.id, dest.id, self.m.free_name(dest.id, src.name), src.kind, src.size)
        self.m.used += src.size
        for old in sorted(
            (n for n in self.m.below(src.id) if not n.trashed), key=lambda n: len(self.m.ancestors(n.id))
        ):
            new_parent = mapping[old.parent]
            kids = tree.list_children(self.core, self.user, new_parent, limit=1000).items
            twin = next(k for k in kids if k.name == old.name)
            mapping[old.id] = twin.id
            self.m.nodes[twin.id] = MNode(twin.id, new_parent, old.name, old.kind, old.size)
            self.m.used += old.size

    def trash(self) -> None:
        node = self.pick()
        if node is None:
            return
        if self.expect(True, f"trash {node.name}", tree.trash, node.id) is not None:
            assert node.parent is not None
            node.trashed, node.trash_root, node.trashed_from = True, True, self.m.path_names(node.parent)
            for n in self.m.below(node.id):
                if not n.trashed:
                    n.trashed = True
            self.m.feed.append("trashed")

    def restore(self) -> None:
        roots = [n for n in self.m.nodes.values() if n.trash_root]
        if not roots:
            return
        node = self.rng.choice(roots)
        assert node.parent is not None
        # Back to its folder if that is live; else the folders of its old path, made again where
        # missing (a file in the way of a folder name gives 'name (restored)').
        made: list[tuple[str, str]] = []  # (parent in the model, name) of folders the server makes
        parent = node.parent
        if self.m.nodes[node.parent].trashed:
            parent = self.root
            for part in node.trashed_from:
                found = self.m.taken(parent, part)
                if found is not None and found.kind == "folder":
                    parent = found.id
                    continue
                name = part if found is None else self.m.restored_name(parent, part)
                made.append((parent, name))
                parent = f"new:{len(made)}"
                self.m.nodes[parent] = MNode(parent, made[-1][0], name, "folder")
        final = self.m.restored_name(parent, node.name)
        got = self.expect(True, f"restore {node.name}", tree.restore, node.id)
        assert got is not None and got.name == final, f"restored as {got.name!r}, model says {final!r}"
        for i, (_, name) in enumerate(made, start=1):  # learn the ids the server gave the new folders
            tmp = self.m.nodes.pop(f"new:{i}")
            real_parent = tmp.parent if not str(tmp.parent).startswith("new:") else self.m.nodes_alias[tmp.parent]
            kids = tree.list_children(self.core, self.user, real_parent, limit=1000).items
            twin = next(k for k in kids if k.name == name and k.kind == "folder")
            self.m.nodes_alias[f"new:{i}"] = twin.id
            self.m.nodes[twin.id] = MNode(twin.id, real_parent, name, "folder")
            self.m.feed.append("created")
        if str(parent).startswith("new:"):
            parent = self.m.nodes_alias[parent]
        below_same = [n for n in self.m.below(node.id) if n.trashed and not n.trash_root]
        node.trashed, node.trash_root, node.parent, node.name = False, False, parent, final
        for n in below_same:
            if not any(self.m.nodes[a].trash_root for a in self.m.ancestors(n.id)):
                n.trashed = False
        self.m.feed.append("restored")

    def check(self) -> None:
        for folder in self.m.folders():
            want = sorted((n.name, n.kind, n.size) for n in self.m.live_children(folder.id))
            got = tree.list_children(self.core, self.user, folder.id, limit=1000).items
            have = sorted((n.name, "folder" if n.kind == "dir" else "file", n.size) for n in got)
            assert have == want, f"listing of {folder.name or '/'}"
        assert accounts.get_user(self.core, self.user.id).used_bytes == self.m.used, "used_bytes"
        page = changes.changes_since(self.core, self.user, 0, limit=5000)
        assert [c.seq for c in page.changes] == list(range(1, len(page.changes) + 1)), "the feed has a gap"
        assert [c.kind for c in page.changes] == self.m.feed, "the feed's kinds"


@pytest.mark.parametrize("seed", SEEDS)
def test_random_walk_agrees_with_the_model(core: Core, seed: int) -> None:
    user = accounts.create_user(core, f"walk{secrets.token_hex(5)}@example.com", PASSWORD)
    walk = Walk(core, user, random.Random(seed))
    for i in range(STEPS):
        try:
            walk.step()
            walk.check()
        except AssertionError as e:
            recent = "\n  ".join(walk.log[-8:])
            raise AssertionError(
                f"seed {seed}, step {i}: {e}\n  last actions:\n  {recent}\n"
                f"replay: PCS_TEST_TREE_SEED={seed} pytest {__file__}"
            ) from e
