"""What one iteration does: a few operations at once (each in its own top folder, so their outcomes
are independent), whom it kills (API, worker, both, or a `pcs gc`), and when (after so many bytes of
an upload, or at a random moment of the operations' usual duration)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .client import Api, Content, Outcome
from .model import Item, Model

MiB = 1024 * 1024
UPLOADS = ("upload_new", "overwrite")  # the operations that send bytes
# How often each operation is picked (where it can be): for the killed ones, and for those run
# before the kill to grow the history they meet (more trash, so that restores and deletes have work).
CRASH = {
    "upload_new": 20,
    "overwrite": 20,
    "trash": 12,
    "restore": 10,
    "purge": 14,
    "version_restore": 12,
    "mkdir": 4,
    "upload_known": 4,
}
PREP = {"upload_new": 20, "overwrite": 25, "trash": 30, "restore": 5, "purge": 8, "version_restore": 10, "mkdir": 5}


@dataclass
class Op:
    kind: str  # upload_new | upload_known (hash-first) | overwrite | trash | restore | purge | version_restore | mkdir
    area: str
    folder: str = ""
    target: Item | None = None
    name: str = ""
    content: Content | None = None
    version: tuple[int, str] | None = None  # (id, sha256) of the version to restore
    send_length: bool = True
    send_sha: bool = False
    delay: float = 0.0  # seconds before it starts (to meet a `pcs gc` in the middle of its work)
    outcome: Outcome | None = None
    seconds: float = 0.0

    def __str__(self) -> str:
        what = self.kind
        if self.target is not None:
            what += f" {self.target.kind} {self.target.name!r} ({self.target.id})"
        elif self.name:
            what += f" {self.name!r} in {self.folder}"
        if self.content is not None:
            what += f" content {self.content} sha {self.content.sha256[:12]}"
            what += " (chunked)" if not self.send_length else ""
        if self.version is not None:
            what += f" version {self.version[0]} sha {self.version[1][:12]}"
        what += f" after {self.delay:.3f}s" if self.delay else ""
        return what + (f" -> {self.outcome}" if self.outcome is not None else "")


@dataclass
class Plan:
    ops: list[Op]
    victims: list[str]  # "api", "worker", "gc"
    gc_grace: int | None = None  # a `pcs gc` runs (and is killed) in this iteration, with this grace
    kill_at_bytes: tuple[int, int] | None = None  # (op index, bytes sent) of an upload
    kill_after: float = 0.0  # seconds: after the start, or after the upload's body was sent
    notes: list[str] = field(default_factory=lambda: list[str]())

    def __str__(self) -> str:
        when = (
            f"when op {self.kill_at_bytes[0]} has sent {self.kill_at_bytes[1]} bytes, +{self.kill_after:.3f}s"
            if self.kill_at_bytes
            else f"after {self.kill_after:.3f}s"
        )
        gc = f"; pcs gc (grace {self.gc_grace}s)" if self.gc_grace is not None else ""
        ops = "".join(f"\n    {i}: {op}" for i, op in enumerate(self.ops))
        return f"kill {'+'.join(self.victims)} {when}{gc}{ops}"


class Planner:
    def __init__(self, max_mb: int) -> None:
        self.max_mb = max_mb
        self.counter = 0
        self.contents: list[Content] = []  # every content sent so far (reused: identical content)
        self.dead: list[Content] = []  # contents of files deleted for good (GC may be reclaiming them)
        self.durations: dict[str, float] = {}  # typical seconds per operation kind (answered ones)

    def new_content(self, rng: random.Random, small: bool = False) -> Content:
        if self.contents and rng.random() < 0.2:
            pool = [c for c in self.contents if not small or c.length <= 64 * 1024]
            if pool:
                return rng.choice(pool)
        self.counter += 1
        r = rng.random() * (0.35 if small else 1)
        if r < 0.05:
            c = Content(self.counter, 0, png=True)
        elif r < 0.10:
            c = Content(self.counter, 0)
        elif r < 0.35:
            c = Content(self.counter, rng.randint(1, 4096))
        elif r < 0.60:
            c = Content(self.counter, rng.randint(4096, MiB))
        elif r < 0.80:
            c = Content(self.counter, rng.randint(MiB, 8 * MiB))
        else:  # multipart: over the 8 MiB threshold, 5 MiB parts
            c = Content(self.counter, rng.randint(8 * MiB + 1, self.max_mb * MiB))
        self.contents.append(c)
        return c

    def prep(self, rng: random.Random, model: Model, api: Api) -> list[Op]:
        """Operations run before the crash, with no kill, answered: they grow the history (versions,
        trash, folders) that the killed operations then meet. Small contents: they only add state."""
        return [self._op(rng, model, api, area, PREP) for area in rng.sample(model.areas, rng.choice([0, 1, 1, 2]))]

    def plan(self, rng: random.Random, model: Model, api: Api) -> Plan:
        if rng.random() < 0.15:
            return self._gc_plan(rng, model)
        areas = rng.sample(model.areas, rng.choice([1, 1, 1, 2, 3]))
        ops = [self._op(rng, model, api, area) for area in areas]
        victims = rng.choices([["api"], ["worker"], ["api", "worker"]], weights=[50, 20, 30])[0]
        plan = Plan(ops, victims)
        self._when(rng, plan)
        return plan

    def _gc_plan(self, rng: random.Random, model: Model) -> Plan:
        """A `pcs gc` killed midway; half the time beside uploads, some of content just deleted for
        good (the race: GC must not delete a blob an upload is about to reuse)."""
        ops: list[Op] = []
        grace = 0
        if rng.random() < 0.5:
            grace = 120  # uploads in flight: the grace period production has
            for area in rng.sample(model.areas, rng.choice([1, 2])):
                content = rng.choice(self.dead) if self.dead and rng.random() < 0.7 else self.new_content(rng)
                op = self._upload_new(rng, model, area, content)
                op.delay = rng.uniform(0, self.durations.get("gc", 0.5))
                ops.append(op)
        victims = ["gc"] + rng.choices([[], ["api"], ["worker"]], weights=[60, 25, 15])[0]
        plan = Plan(ops, victims, gc_grace=grace)
        plan.kill_after = rng.uniform(0, self.durations.get("gc", 0.5))
        return plan

    def _when(self, rng: random.Random, plan: Plan) -> None:
        big = [i for i, op in enumerate(plan.ops) if op.kind in UPLOADS and op.content and op.content.length > MiB]
        if big and rng.random() < 0.7:
            i = rng.choice(big)
            content = plan.ops[i].content
            assert content is not None
            length = content.length
            if rng.random() < 0.6:  # while the body is being sent (and parts stored)
                plan.kill_at_bytes = (i, rng.randrange(length))
            else:  # after its last byte: while the server stores the last part, completes and commits
                plan.kill_at_bytes = (i, length)
                plan.kill_after = rng.uniform(0, 1.3 * self.durations.get("upload_tail", 0.1))
            return
        typical = max([self.durations.get(op.kind, 0.05) for op in plan.ops] + [0.02])
        if "worker" in plan.victims:
            typical = max(typical, self.durations.get("worker_jobs", 0.3))
        plan.kill_after = rng.uniform(0, typical * 1.2)

    def _op(self, rng: random.Random, model: Model, api: Api, area: str, weights: dict[str, int] = CRASH) -> Op:
        small = weights is PREP
        files = model.live(area, "file")
        folders = model.live(area, "folder")
        trashed = model.trashed(area)
        restorable = [i for i in trashed if i.parent != model.root and model.visible(i.parent)]
        possible = {
            "upload_new": True,
            "overwrite": bool(files),
            "trash": bool(files or folders),
            "restore": bool(restorable),
            "purge": bool(trashed),
            "version_restore": bool(files),
            "mkdir": len(folders) < 4,
            "upload_known": bool(self.contents),
        }
        kinds = [k for k in weights if possible[k]]
        kind = rng.choices(kinds, weights=[weights[k] for k in kinds])[0]
        if kind == "upload_new":
            return self._upload_new(rng, model, area, self.new_content(rng, small))
        if kind == "upload_known":  # no bytes: content the account may still store (else 404, nothing done)
            op = self._upload_new(rng, model, area, rng.choice(self.contents))
            op.kind = "upload_known"
            return op
        if kind == "overwrite":
            target = rng.choice(files)
            content = self.new_content(rng, small)
            return self._upload(rng, Op("overwrite", area, target.parent, target, target.name, content))
        if kind == "trash":
            # Folders now and then: their whole subtree goes (and comes back) in one step.
            pool = folders if folders and (not files or rng.random() < 0.25) else files
            return Op("trash", area, target=rng.choice(pool))
        if kind == "restore":
            return Op("restore", area, target=rng.choice(restorable))
        if kind == "purge":
            target = rng.choice(trashed)
            if target.kind == "file":
                self.dead += [c for c in self.contents if c.sha256 == target.sha][:1]
            return Op("purge", area, target=target)
        if kind == "version_restore":
            target = rng.choice(files)
            versions = api.must("GET", f"/api/v1/nodes/{target.id}/versions")
            older = [v for v in versions if not v["current"]]
            if not older:
                content = self.new_content(rng, small)
                return self._upload(rng, Op("overwrite", area, target.parent, target, target.name, content))
            v = rng.choice(older)
            return Op("version_restore", area, target=target, version=(v["id"], v["sha256"]))
        self.counter += 1
        parent = rng.choice([area, *[f.id for f in folders if f.parent == area]])
        return Op("mkdir", area, folder=parent, name=f"d{self.counter}")

    def _upload_new(self, rng: random.Random, model: Model, area: str, content: Content) -> Op:
        self.counter += 1
        folders = [area, *[f.id for f in model.live(area, "folder")]]
        name = f"f{self.counter}" + (".png" if content.png else ".bin")
        return self._upload(rng, Op("upload_new", area, rng.choice(folders), None, name, content))

    def _upload(self, rng: random.Random, op: Op) -> Op:
        op.send_length = rng.random() < 0.7
        op.send_sha = rng.random() < 0.3
        return op
