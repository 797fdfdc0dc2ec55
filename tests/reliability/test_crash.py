"""kill -9 at random moments loses nothing and shows no half file.

Each iteration runs a few operations at once — uploads (streamed; over 8 MB multipart), overwrites,
trash, restore, delete for good, version restore, new folders — or a `pcs gc`, and SIGKILLs the API,
the worker, both, or the `pcs gc` at a random moment of them (by bytes sent for an upload, else by
time). Then it restarts what died, runs `pcs fsck --repair` (and `pcs fsck` when something was
repaired: clean, or the test fails with their output), checks that no multipart upload is left in
the bucket, lists everything and checks it against what the client knows (model.py): an answered
operation took effect, an unanswered one took effect or not but never half, every listed file
downloads whole with the sha256 it is listed with, which is one the client sent for it. At the end
`pcs gc` then `pcs fsck` are clean, nothing unowned is left in S3, and every file downloads whole.

Seeded: PCS_CRASH_SEED=S PCS_CRASH_ITERATIONS=N replays a run's operations and kill points (the
timing of a kill against the server's work can differ from run to run).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from pcs_app.adapters.seaweed import PrivateS3, free_port
from tests.conftest import fresh_pg_database

from .client import Content
from .conftest import ITERATIONS, MAX_MB, SEED
from .procs import CrashStack, Zygote, api_settings
from .runner import CrashFailure, CrashRun

DEFAULT_ITERATIONS = {"sqlite": 50, "postgresql": 15}


@contextlib.contextmanager
def crash_run(db: str, weed: PrivateS3, zygote: Zygote, tmp_path: Path) -> Iterator[CrashRun]:
    """A fresh bucket and database, the API and worker started, an account with four top folders."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(fresh_pg_database()) if db == "postgresql" else None
        bucket = f"crash-{db[:2]}-{secrets.token_hex(4)}"
        s3 = boto3.client(
            "s3",
            endpoint_url=weed.endpoint,
            aws_access_key_id=weed.access_key,
            aws_secret_access_key=weed.secret_key,
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket=bucket)
        crash = CrashStack(zygote, tmp_path, api_settings(tmp_path / "data", weed, bucket, url), free_port())
        stack.callback(crash.stop)
        run = CrashRun(crash, s3, bucket, SEED, db, MAX_MB)
        run.setup()
        yield run


@pytest.mark.slow
@pytest.mark.timeout(900 + 60 * (ITERATIONS or 0) * max(1, MAX_MB // 40))
@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_kill_9_at_random_moments_loses_nothing_and_shows_no_half_file(
    db: str, weed: PrivateS3, zygote: Zygote, tmp_path: Path, crash_report: list[str]
) -> None:
    iterations = ITERATIONS or DEFAULT_ITERATIONS[db]
    with crash_run(db, weed, zygote, tmp_path) as run:
        for i in range(iterations):
            run.iteration(i)
        problems = run.final()
        if problems:
            raise CrashFailure(
                f"crash test ({db}): seed {SEED}, after all {iterations} iterations: INCONSISTENT\n"
                f"replay: PCS_CRASH_SEED={SEED} PCS_CRASH_ITERATIONS={iterations} pytest tests/reliability -k {db}\n"
                "problems:\n  - " + "\n  - ".join(problems) + f"\nlogs: {tmp_path}"
            )
        crash_report.extend(run.report(iterations))


@pytest.mark.slow
def test_the_check_catches_a_changed_a_lost_a_stray_and_a_half_file(
    weed: PrivateS3, zygote: Zygote, tmp_path: Path
) -> None:
    """The crash test's check is not blind: changes made behind the client's back are caught."""
    with crash_run("sqlite", weed, zygote, tmp_path) as run:
        api, model = run.api, run.model
        assert model is not None
        a, b = model.areas[:2]
        first, second = Content(10**6 + 1, 70_001), Content(10**6 + 2, 9 * 1024 * 1024 + 3)
        for area, name, content in ((a, "one.bin", first), (b, "two.bin", second)):
            model.created(area, name, "file", content.sha256, api.upload(area, name, content).body)
        assert run.check_now() == []

        one, two = (next(i for i in model.items.values() if i.name == n) for n in ("one.bin", "two.bin"))
        changed = Content(10**6 + 3, 123_457)
        assert api.upload(a, "one.bin", changed).acked  # an overwrite the client never heard of
        assert any(f"'one.bin' ({one.id}) is live in {a} with {changed.sha256[:12]}" in p for p in run.check_now())

        assert api.call("DELETE", f"/api/v1/nodes/{two.id}").acked  # a file gone to the trash unasked
        assert any(f"'two.bin' ({two.id}) is trash" in p for p in run.check_now())

        stray = api.upload(b, "stray.bin", Content(10**6 + 4, 10)).body  # a file nobody made
        assert any("unexpected file 'stray.bin'" in p for p in run.check_now())
        assert api.call("DELETE", f"/api/v1/nodes/{stray['id']}").acked
        assert api.call("DELETE", f"/api/v1/trash/{stray['id']}").acked
        assert run.check_now() == []

        # Half a file: its object loses its tail behind the app's back.
        objects = run.s3.list_objects_v2(Bucket=run.bucket, Prefix="blobs/")["Contents"]
        key = next(o["Key"] for o in objects if o["Size"] == changed.length)
        run.s3.put_object(Bucket=run.bucket, Key=key, Body=b"".join(changed.chunks())[: changed.length // 2])
        problems = run.check_now()
        assert any("`pcs fsck --repair` left problems" in p for p in problems), problems
        assert any(f"'one.bin' ({one.id}) is listed as {changed.length} bytes" in p for p in problems), problems
