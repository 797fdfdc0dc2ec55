"""The crash loop: plan an iteration, run its operations while SIGKILL lands, restart, repair, and
check that nothing acknowledged was lost and nothing half-made is visible."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .checks import FINDING, SUMMARY, observe, s3_quiet, verify_bytes
from .client import Api
from .model import GONE, LIVE, TRASH, Model
from .plan import Op, Plan, Planner
from .procs import Child, CrashStack

PASSWORD = "correct horse battery staple"


class CrashFailure(AssertionError):
    pass


@dataclass
class Outcomes:
    """What the run saw, for its report."""

    kills: Counter[str]
    answered: Counter[str]
    unanswered_happened: Counter[str]
    unanswered_not: Counter[str]
    refused: Counter[str]
    repaired: Counter[str]
    prepared: Counter[str]


class CrashRun:
    def __init__(self, stack: CrashStack, s3: Any, bucket: str, seed: str, label: str, max_mb: int) -> None:
        self.stack, self.s3, self.bucket, self.seed, self.label = stack, s3, bucket, seed, label
        self.planner = Planner(max_mb)
        self.api = Api(stack.url)
        self.stats = Outcomes(*(Counter[str]() for _ in range(7)))
        self.model: Model | None = None
        self.phases: Counter[str] = Counter()  # seconds spent per phase, for the report

    def _phase(self, name: str, since: float) -> float:
        now = time.monotonic()
        self.phases[name] += now - since
        return now

    # -- setup -----------------------------------------------------------------------------------
    def setup(self) -> None:
        code, out = self.stack.cli("migrate")
        assert code == 0, out
        self.stack.start_worker()
        self.stack.start_api()
        body = self.api.must(
            "POST", "/api/v1/auth/signup", json={"email": f"crash-{self.label}@example.com", "password": PASSWORD}
        )
        self.api.token = body["token"]
        root = body["user"]["root_id"]
        areas = [
            self.api.must("POST", f"/api/v1/nodes/{root}/folders", json={"name": f"area{i}"})["id"] for i in range(4)
        ]
        self.model = Model(root, areas)
        # A first `pcs gc`, whole, tells how long one takes here: kills land inside that window.
        child = self.stack.spawn_cli("gc")
        assert child.wait(120) == 0, child.tail()
        self.planner.durations["gc"] = self.stack.zygote.exit_times[child.pid] - child.started

    # -- one iteration ---------------------------------------------------------------------------
    def iteration(self, i: int) -> None:
        assert self.model is not None
        rng = random.Random(f"{self.seed}/{self.label}/{i}")
        t = time.monotonic()
        prep = self.planner.prep(rng, self.model, self.api)
        for op in prep:
            self._run_op(op, 0, None, threading.Event())
            assert op.outcome is not None
            if not op.outcome.acked and not op.outcome.refused:
                raise CrashFailure(self._failure(i, Plan(prep, []), [f"with no kill, {op}"], ""))
            self._apply(Plan([op], []), count=False)
        plan = self.planner.plan(rng, self.model, self.api)
        t = self._phase("plan", t)
        self._execute(plan)
        t = self._phase("operations and kill", t)
        # Restart what died; `pcs fsck --repair` runs meanwhile (it needs no API, and nothing is
        # sent to the API before it answers its health check).
        self.stack.ensure_running(wait=False)
        wrong = self._apply(plan)
        problems, repair_out = self._settle(random.Random(f"{self.seed}/{self.label}/{i}/check"), plan)
        self._phase("restart, fsck and checks", t)
        problems = wrong + problems
        if problems:
            raise CrashFailure(self._failure(i, plan, problems, repair_out))

    def _execute(self, plan: Plan) -> None:
        stack = self.stack
        if "worker" in plan.victims:
            # Give the worker work to be killed in: garbage collection and retention, queued now.
            jobs = [stack.spawn_cli("jobs", "enqueue", name) for name in ("collect_garbage", "apply_retention")]
            for job in jobs:
                job.wait(60)
        fire = threading.Event()
        gc: Child | None = None
        if plan.gc_grace is not None:
            gc = stack.spawn_cli("gc", grace=plan.gc_grace)

        def killer() -> None:
            fire.wait()
            time.sleep(plan.kill_after)
            for victim in plan.victims:
                child = {"api": stack.api, "worker": stack.worker, "gc": gc}[victim]
                if child is not None:
                    self.stats.kills[victim + (" (had ended)" if not child.alive else "")] += 1
                    child.kill()

        kill_thread = threading.Thread(target=killer)
        kill_thread.start()
        if plan.kill_at_bytes is None:
            fire.set()
        with ThreadPoolExecutor(max(1, len(plan.ops))) as pool:
            for f in [pool.submit(self._run_op, op, n, plan, fire) for n, op in enumerate(plan.ops)]:
                f.result()
        fire.set()  # the upload ended before its mark (refused early): kill now
        kill_thread.join()
        if gc is not None:
            code = gc.wait(300)
            if code == 0:  # it finished before the kill: a measure of how long one takes
                took = stack.zygote.exit_times[gc.pid] - gc.started
                self.planner.durations["gc"] = 0.7 * self.planner.durations.get("gc", took) + 0.3 * took
        for child in (stack.api, stack.worker):
            if child is not None and child.killed:
                child.wait(30)

    def _run_op(self, op: Op, n: int, plan: Plan | None, fire: threading.Event) -> None:
        time.sleep(op.delay)
        start = time.monotonic()
        api = self.api
        body_sent = [0.0]
        if op.kind in ("upload_new", "overwrite"):
            assert op.content is not None
            mark = plan.kill_at_bytes[1] if plan and plan.kill_at_bytes and plan.kill_at_bytes[0] == n else None

            def progress(sent: int) -> None:
                if sent >= op.content.length:  # type: ignore[union-attr]
                    body_sent[0] = time.monotonic()
                if mark is not None and sent >= mark:
                    fire.set()

            op.outcome = api.upload(
                op.folder,
                op.name,
                op.content,
                send_length=op.send_length,
                send_sha=op.send_sha,
                progress=progress,
            )
        elif op.kind == "upload_known":
            assert op.content is not None
            known = {"name": op.name, "sha256": op.content.sha256, "size": op.content.length}
            op.outcome = api.call("POST", f"/api/v1/nodes/{op.folder}/files/by-hash", json=known)
        elif op.kind == "trash":
            assert op.target is not None
            op.outcome = api.call("DELETE", f"/api/v1/nodes/{op.target.id}")
        elif op.kind == "restore":
            assert op.target is not None
            op.outcome = api.call("POST", f"/api/v1/nodes/{op.target.id}/restore", json={"on_conflict": "rename"})
        elif op.kind == "purge":
            assert op.target is not None
            op.outcome = api.call("DELETE", f"/api/v1/trash/{op.target.id}")
        elif op.kind == "version_restore":
            assert op.target is not None and op.version is not None
            op.outcome = api.call("POST", f"/api/v1/nodes/{op.target.id}/versions/{op.version[0]}/restore")
        else:
            op.outcome = api.call("POST", f"/api/v1/nodes/{op.folder}/folders", json={"name": op.name})
        op.seconds = time.monotonic() - start
        if op.outcome.acked:
            d = self.planner.durations
            d[op.kind] = 0.7 * d.get(op.kind, op.seconds) + 0.3 * op.seconds
            if op.kind in ("upload_new", "overwrite") and body_sent[0]:
                # From the body's last byte to the answer: storing the last part, completing, committing.
                tail = time.monotonic() - body_sent[0]
                d["upload_tail"] = 0.7 * d.get("upload_tail", tail) + 0.3 * tail

    # -- what the answers say --------------------------------------------------------------------
    def _apply(self, plan: Plan, count: bool = True) -> list[str]:
        """Tell the model what each operation did, as far as its answer says. Answers that are wrong
        in themselves (an overwrite that made another file) are problems."""
        model, wrong = self.model, []
        assert model is not None
        for op in plan.ops:
            out = op.outcome
            assert out is not None
            if out.refused:
                self.stats.refused[f"{op.kind} {out.status} {(out.body or {}).get('error', '')}"] += 1
                continue  # a definite no: nothing may have changed, and the check will see to it
            answered = out.acked
            body = out.body if answered else None
            if count:
                (self.stats.answered if answered else self.stats.unanswered_not)[op.kind] += 1
            else:
                self.stats.prepared[op.kind] += 1
            t = op.target
            if op.kind in ("upload_new", "upload_known"):
                assert op.content is not None
                model.created(op.folder, op.name, "file", op.content.sha256, body)
                if body is not None and (body["sha256"] != op.content.sha256 or body["name"] != op.name):
                    wrong.append(f"upload answered {body}, sent {op.name!r} with sha {op.content.sha256}")
            elif op.kind == "overwrite":
                assert op.content is not None and t is not None
                if body is not None and body["id"] != t.id:
                    wrong.append(f"overwrite of {t.id} answered with another file: {body}")
                model.content_changed(t, op.content.sha256, answered)
            elif op.kind == "version_restore":
                assert op.version is not None and t is not None
                model.content_changed(t, op.version[1], answered)
            elif op.kind == "trash":
                assert t is not None
                model.trashed_now(t, answered)
            elif op.kind == "restore":
                assert t is not None
                model.restored_now(t, answered, body["name"] if body else None)
            elif op.kind == "purge":
                assert t is not None
                model.purged_now(t, answered)
            else:
                model.created(op.folder, op.name, "folder", None, body)
        return wrong

    def _happened(self, op: Op) -> bool:
        """After the check: did this unanswered operation take effect?"""
        assert self.model is not None
        if op.kind in ("upload_new", "upload_known", "mkdir"):
            return any(i.parent == op.folder and i.name == op.name for i in self.model.items.values())
        assert op.target is not None
        where, _, sha = op.target.state
        if op.kind == "overwrite":
            return op.content is not None and sha == op.content.sha256
        if op.kind == "version_restore":
            return op.version is not None and sha == op.version[1]
        return where == {"trash": TRASH, "restore": LIVE, "purge": GONE}[op.kind]

    # -- after the restart -----------------------------------------------------------------------
    def _settle(self, rng: random.Random, plan: Plan) -> tuple[list[str], str]:
        model = self.model
        assert model is not None
        problems: list[str] = []
        t = time.monotonic()
        s3_quiet(self.s3, self.bucket, 1.0)
        code, repair = self.stack.cli("fsck", "--repair")
        if code == 0 and self.s3.list_multipart_uploads(Bucket=self.bucket).get("Uploads"):
            # A part still landed after that (a loaded S3 can take seconds): settle longer, again.
            self.stats.repaired["(second pass: a part landed late)"] += 1
            s3_quiet(self.s3, self.bucket, 5.0)
            code, more = self.stack.cli("fsck", "--repair")
            repair += more
        self.stats.repaired.update(FINDING.findall(repair))
        if code != 0:
            problems.append(f"`pcs fsck --repair` left problems (exit {code})")
        found = [int(m.group(4)) for m in SUMMARY.finditer(repair)]
        if not found:
            problems.append("`pcs fsck --repair` printed no summary")
        elif code == 0 and any(found):
            # It repaired something: a plain check must now find nothing. (When the repair found
            # nothing, it was that clean check already.)
            code, after = self.stack.cli("fsck")
            m = SUMMARY.search(after)
            if code != 0 or m is None or m.group(4) != "0":
                problems.append(f"`pcs fsck` after the repair is not clean (exit {code}):\n{after}")
        left = self.s3.list_multipart_uploads(Bucket=self.bucket).get("Uploads", [])
        if left:
            problems.append(f"{len(left)} multipart uploads left after the repair: {[u['Key'] for u in left]}")
        t = self._phase("(of which fsck)", t)
        self.stack.wait_api()
        self._phase("(of which waiting for the API)", t)
        seen = observe(self.api, model)
        problems += model.check(seen)
        for op in plan.ops:
            out = op.outcome
            if out is not None and not out.acked and not out.refused and self._happened(op):
                self.stats.unanswered_not[op.kind] -= 1
                self.stats.unanswered_happened[op.kind] += 1
        problems += verify_bytes(self.api, model, rng, seen, sample=1)
        model.forget_gone()
        model.touched.clear()
        return problems, repair

    def check_now(self) -> list[str]:
        """The after-crash check on its own (fsck --repair, leftovers, listings, bytes): problems."""
        self.stack.ensure_running()
        problems, _ = self._settle(random.Random(0), Plan([], []))
        return problems

    # -- the end ---------------------------------------------------------------------------------
    def final(self) -> list[str]:
        """`pcs gc` then `pcs fsck`: clean, nothing unowned left in S3, every file whole."""
        self.stack.ensure_running()
        problems: list[str] = []
        code, gc_out = self.stack.cli("gc")
        if code != 0:
            problems.append(f"`pcs gc` failed (exit {code}):\n{gc_out}")
        code, out = self.stack.cli("fsck")
        m = SUMMARY.search(out)
        if code != 0 or m is None or m.group(4) != "0":
            problems.append(f"`pcs fsck` after `pcs gc` is not clean (exit {code}):\n{out}")
        elif m.group(1) != m.group(2):
            problems.append(f"after `pcs gc` the blobs and the objects differ in number: {m.group(0)}")
        left = self.s3.list_multipart_uploads(Bucket=self.bucket).get("Uploads", [])
        if left:
            problems.append(f"{len(left)} multipart uploads left after gc: {[u['Key'] for u in left]}")
        model = self.model
        assert model is not None
        seen = observe(self.api, model)
        problems += model.check(seen)
        problems += verify_bytes(self.api, model, random.Random(0), seen, sample=None)
        self.gc_line, self.fsck_line = gc_out.strip().splitlines()[-1:], (m.group(0) if m else out)
        return problems

    def _failure(self, i: int, plan: Plan, problems: list[str], repair: str) -> str:
        replay = f"PCS_CRASH_SEED={self.seed} PCS_CRASH_ITERATIONS={i + 1}"
        return (
            f"crash test ({self.label}): seed {self.seed}, iteration {i} (of the run): INCONSISTENT\n"
            f"replay: {replay} pytest tests/reliability -k {self.label} -p no:cacheprovider\n"
            f"the iteration: {plan}\n"
            "problems:\n  - " + "\n  - ".join(problems) + f"\n`pcs fsck --repair` said:\n{repair}\n"
            f"logs: {self.stack.workdir}"
        )

    def report(self, iterations: int) -> list[str]:
        s = self.stats
        return [
            f"crash test ({self.label}): {iterations} iterations, seed {self.seed}: all consistent",
            f"  kills: {dict(sorted(s.kills.items()))}",
            f"  before the kill (not killed): {dict(sorted(s.prepared.items()))}",
            f"  answered: {dict(sorted(s.answered.items()))}",
            f"  unanswered, then found done: {dict(sorted(s.unanswered_happened.items()))}; "
            f"found not done: {dict(sorted((+s.unanswered_not).items()))}",
            f"  refused (nothing done): {dict(sorted(s.refused.items()))}",
            f"  fsck --repair fixed: {dict(sorted(s.repaired.items()))}",
            f"  end: {' '.join(self.gc_line)}; fsck: {self.fsck_line}",
            "  typical durations (s): " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(self.planner.durations.items())),
            "  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in self.phases.items()),
        ]
