"""The client's knowledge of what the server must show, and the check of what it does show.

Every item has a set of states it may be in: (where, parent, sha256), where is live, trash or gone.
An answered operation leaves exactly one state; one whose answer never came (the server was killed)
adds the new state beside the old one, since it may have happened or not, but never half. After the
restart the server's listings must pick one allowed state per item, every listed file must be one the
client uploaded (or may have), and then the model adopts what it saw, so each iteration starts exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LIVE, TRASH, GONE = "live", "trash", "gone"
State = tuple[str, str | None, str | None]  # (where, parent when live, sha256 of a file)


@dataclass
class Item:
    id: str
    kind: str  # "file" | "folder"
    name: str
    parent: str
    states: set[State]
    contents: set[str] = field(default_factory=lambda: set[str]())  # every sha256 ever sent for it
    any_name: bool = False  # an unanswered restore may have named it 'name (restored)'

    @property
    def state(self) -> State:
        assert len(self.states) == 1, f"{self.id} is not settled: {self.states}"
        return next(iter(self.states))

    @property
    def sha(self) -> str | None:
        return self.state[2]


@dataclass
class Pending:
    """An upload or a new folder whose answer never came: it may exist now, under this name."""

    parent: str
    name: str
    kind: str
    shas: set[str]


@dataclass
class Seen:
    id: str
    kind: str
    name: str
    parent: str | None
    where: str
    sha: str | None
    size: int

    @classmethod
    def of(cls, row: dict[str, Any], where: str) -> Seen:
        kind = "file" if row["kind"] == "file" else "folder"
        return cls(row["id"], kind, row["name"], row["parent_id"], where, row["sha256"], row["size"])


class Model:
    def __init__(self, root: str, areas: list[str]) -> None:
        self.root = root
        self.areas = areas  # top folders, never touched: each iteration's operations use distinct ones
        self.items: dict[str, Item] = {}
        self.pending: list[Pending] = []
        self.touched: set[str] = set()

    # -- questions the planner asks (the model is settled between iterations) -------------------
    def visible(self, item_id: str) -> bool:
        if item_id == self.root or item_id in self.areas:
            return True
        item = self.items.get(item_id)
        return item is not None and item.state[0] == LIVE and self.visible(item.parent)

    def area_of(self, item_id: str) -> str:
        while item_id not in self.areas:
            item_id = self.items[item_id].parent
        return item_id

    def live(self, area: str, kind: str | None = None) -> list[Item]:
        return sorted(
            (
                i
                for i in self.items.values()
                if (kind is None or i.kind == kind) and self.visible(i.id) and self.area_of(i.id) == area
            ),
            key=lambda i: i.id,
        )

    def trashed(self, area: str) -> list[Item]:
        return sorted(
            (i for i in self.items.values() if i.state[0] == TRASH and self._home_area(i) == area),
            key=lambda i: i.id,
        )

    def _home_area(self, item: Item) -> str | None:
        try:
            return self.area_of(item.parent) if item.parent != self.root else None
        except KeyError:
            return None

    def names_in(self, folder: str) -> set[str]:
        return {i.name for i in self.items.values() if i.parent == folder and i.state[0] == LIVE}

    def below(self, folder: str) -> list[Item]:
        return [i for i in self.items.values() if i.parent == folder]

    # -- what an operation did, as far as the client knows --------------------------------------
    def _moved(self, item: Item, new: State, answered: bool) -> None:
        self.touched.add(item.id)
        item.states = {new} if answered else item.states | {new}

    def created(self, parent: str, name: str, kind: str, sha: str | None, body: dict[str, Any] | None) -> None:
        """An upload of a new name or a new folder; ``body`` is the answer (None: none came)."""
        if body is None:
            self.pending.append(Pending(parent, name, kind, {sha} if sha else set()))
            return
        item = Item(body["id"], kind, body["name"], parent, {(LIVE, parent, sha)}, {sha} if sha else set())
        self.items[item.id] = item
        self.touched.add(item.id)

    def content_changed(self, item: Item, sha: str, answered: bool) -> None:
        """An overwrite (a new version) or a version restore."""
        item.contents.add(sha)
        self._moved(item, (LIVE, item.parent, sha), answered)

    def trashed_now(self, item: Item, answered: bool) -> None:
        self._moved(item, (TRASH, None, item.sha), answered)

    def restored_now(self, item: Item, answered: bool, name: str | None) -> None:
        self._moved(item, (LIVE, item.parent, item.sha), answered)
        if answered and name is not None:
            item.name = name
        item.any_name = item.any_name or not answered

    def purged_now(self, item: Item, answered: bool) -> None:
        """Deleting for good takes the item and what it holds, except items trashed on their own
        before it (they stay in the trash, hung under the root)."""
        self._moved(item, (GONE, None, None), answered)
        for child in self.below(item.id):
            if child.state[0] == LIVE:
                self.purged_now(child, answered)

    # -- the check after a restart ---------------------------------------------------------------
    def check(self, seen: dict[str, Seen]) -> list[str]:
        """Compare the server's listings with the allowed states; adopt what was seen. Problems found."""
        problems: list[str] = []
        status = {self.root: "visible", **{a: "visible" for a in self.areas}}
        for a in self.areas:
            if a not in seen or seen[a].where != LIVE:
                problems.append(f"top folder {a} is not listed")
        for item in self._parents_first():
            status[item.id] = self._judge(item, seen.get(item.id), status.get(item.parent, "gone"), problems)
        known = set(self.items) | {self.root, *self.areas}
        for s in sorted(seen.values(), key=lambda s: s.id):
            if s.id in known:
                continue
            match = next(
                (
                    p
                    for p in self.pending
                    if s.where == LIVE
                    and p.parent == s.parent
                    and p.name == s.name
                    and p.kind == s.kind
                    and (s.kind == "folder" or s.sha in p.shas)
                ),
                None,
            )
            if match is None:
                problems.append(f"unexpected {s.kind} {s.name!r} ({s.id}, {s.where}, sha {s.sha}): nobody made it")
                continue
            self.pending.remove(match)
            self.items[s.id] = Item(s.id, s.kind, s.name, s.parent or "", {(LIVE, s.parent, s.sha)}, set(match.shas))
            self.touched.add(s.id)
        self.pending.clear()
        by_place: dict[tuple[str | None, str], list[str]] = {}
        for s in seen.values():
            if s.where == LIVE:
                by_place.setdefault((s.parent, s.name.casefold()), []).append(s.id)
        problems += [f"two live items named {k[1]!r} in {k[0]}: {v}" for k, v in by_place.items() if len(v) > 1]
        return problems

    def _parents_first(self) -> list[Item]:
        def depth(i: Item) -> int:
            d, p = 0, i.parent
            while p in self.items:
                d, p = d + 1, self.items[p].parent
            return d

        return sorted(self.items.values(), key=lambda i: (depth(i), i.id))

    def _judge(self, item: Item, s: Seen | None, parent: str, problems: list[str]) -> str:
        """Check one known item against what was seen; adopt it; its status for its children."""
        wheres = {st[0] for st in item.states}
        allowed = {(w, p if w == LIVE else None, sha) for w, p, sha in item.states}
        if s is not None:
            got = (s.where, s.parent if s.where == LIVE else None, s.sha)
            if s.kind != item.kind:
                problems.append(f"{item.id} was a {item.kind}, is listed as a {s.kind}")
            if got not in allowed:
                problems.append(
                    f"{item.kind} {item.name!r} ({item.id}) is {_fmt(got)}; allowed: "
                    + ", ".join(_fmt(a) for a in sorted(allowed, key=str))
                )
            if s.where == LIVE and s.name != item.name and not item.any_name:
                problems.append(f"{item.kind} {item.id} is named {s.name!r}, expected {item.name!r}")
            item.states = {(s.where, s.parent if s.where == LIVE else None, s.sha)}
            item.name, item.any_name = s.name, False
            if s.parent:
                item.parent = s.parent
            return "visible" if s.where == LIVE else "hidden"
        if parent == "visible":
            if GONE not in wheres:
                problems.append(
                    f"{item.kind} {item.name!r} ({item.id}) is missing; allowed: "
                    + ", ".join(_fmt(a) for a in sorted(allowed, key=str))
                )
            item.states = {(GONE, None, None)}
            return "gone"
        if parent == "hidden":  # inside a trashed folder: not listed anywhere, kept as it was
            live = {st for st in item.states if st[0] == LIVE}
            if live:
                item.states = live
                return "hidden"
            if GONE not in wheres:
                problems.append(f"{item.kind} {item.name!r} ({item.id}) was in the trash and is not listed there")
        elif GONE not in wheres:
            problems.append(f"{item.kind} {item.name!r} ({item.id}) outlived the folder that held it")
        item.states = {(GONE, None, None)}
        return "gone"

    def forget_gone(self) -> None:
        for item_id in [i.id for i in self.items.values() if i.state[0] == GONE]:
            del self.items[item_id]


def _fmt(st: State) -> str:
    where, parent, sha = st
    return where + (f" in {parent}" if parent else "") + (f" with {sha[:12]}" if sha else "")
