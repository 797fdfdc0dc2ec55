"""Two app instances behind nginx vs one instance, measured in the same run against the same services.

One cluster (tests/cluster_stack.py: nginx round-robin in front of two `python -m pcs_app.cli web`,
one worker; PostgreSQL, Redis and one SeaweedFS shared) serves both sides: (a) every request through
nginx, spread over both instances; (b) every request straight to instance A's own port, B idle. So
the only difference is the second instance (and nginx in the path). Sides alternate, so neither always
meets a warmer or busier machine. CPU time of each part is read from /proc (psutil) over each pass, so
the table says what the cores were busy with.

`python -m bench.cluster` runs it alone; ``run(args)`` returns the rows for the combined benchmark.
Needs nginx (apt-get install -y nginx), PostgreSQL and Redis on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil

from .common import MB, log
from .stack import Api
from .upload import make_random_file, pcs_download, pcs_upload, sha256_file

GOAL_SMALL = 1.3
GOAL_LARGE = 0.9
PG_ADMIN_URL = os.environ.get("PCS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PCS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WARMUP = 64


class CpuMeter:
    """CPU seconds used by each part of the set-up (process trees by group, services by name)."""

    def __init__(self, groups: dict[str, int], names: dict[str, tuple[str, ...]]) -> None:
        self.groups, self.names = groups, names
        self.me = psutil.Process()

    def _parts(self) -> dict[str, float]:
        used = dict.fromkeys([*self.groups, *self.names, "client (this process)"], 0.0)
        for p in psutil.process_iter(["pid", "name", "cpu_times"]):
            t = p.info["cpu_times"]
            if t is None or p.pid == self.me.pid:
                continue
            try:
                pgid = os.getpgid(p.pid)
            except OSError:
                continue
            secs = t.user + t.system
            for part, g in self.groups.items():
                if pgid == g:
                    used[part] += secs
                    break
            else:
                for part, prefixes in self.names.items():
                    if (p.info["name"] or "").startswith(prefixes):
                        used[part] += secs
                        break
        t = self.me.cpu_times()
        used["client (this process)"] = t.user + t.system
        cpu = psutil.cpu_times()
        used["whole machine"] = cpu.user + cpu.system + cpu.nice + getattr(cpu, "irq", 0) + getattr(cpu, "softirq", 0)
        return used

    def measure(self, fn: Callable[[], None]) -> tuple[float, dict[str, float]]:
        """Run ``fn``; (wall seconds, cores used by each part over that time)."""
        before = self._parts()
        t0 = time.perf_counter()
        fn()
        wall = time.perf_counter() - t0
        after = self._parts()
        cores = {k: max(0.0, after[k] - before.get(k, 0.0)) / wall for k in after}
        cores["others on this machine"] = max(
            0.0, cores["whole machine"] - sum(v for k, v in cores.items() if k != "whole machine")
        )
        return wall, cores


def fmt_cores(cores: dict[str, float]) -> str:
    parts = [f"{k} {v:.2f}" for k, v in cores.items() if k != "whole machine" and v >= 0.01]
    return f"{cores['whole machine']:.2f} of {psutil.cpu_count()} cores busy: " + ", ".join(parts)


def _pool(workers: int, n: int, one: Callable[[int], None]) -> None:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for f in [pool.submit(one, i) for i in range(n)]:
            f.result()


def run(args: argparse.Namespace | None = None) -> list[dict[str, Any]]:
    """Run the benchmark; one row per figure, (a) two instances via nginx beside (b) one instance direct."""
    from pcs_app.adapters.seaweed import private_seaweed
    from tests.cluster_stack import forget_queue, nginx_binary, start_cluster, temporary_database

    files = int(getattr(args, "files", 2000))
    size = int(float(getattr(args, "file_kib", 4)) * 1024)
    conc = int(getattr(args, "concurrency", 16))
    size_mib = int(getattr(args, "size_mib", 1024))
    rounds = int(getattr(args, "cluster_rounds", 2))
    large_rounds = int(getattr(args, "cluster_large_rounds", 2))
    users = int(getattr(args, "cluster_users", 1))
    granian = getattr(args, "cluster_granian_workers", None)
    pg_admin = str(getattr(args, "pg_url", PG_ADMIN_URL))
    redis_url = str(getattr(args, "redis_url", REDIS_URL))
    if nginx_binary() is None:
        raise RuntimeError("nginx is not installed (apt-get install -y nginx)")

    work = Path(tempfile.mkdtemp(prefix="pcs-bench-cluster-"))
    small: dict[str, list[tuple[float, dict[str, float]]]] = {"a": [], "b": []}
    large: dict[str, dict[str, list[tuple[float, dict[str, float]]]]] = {
        "a": {"up": [], "down": []},
        "b": {"up": [], "down": []},
    }
    try:
        with private_seaweed(work / "seaweed") as s3, temporary_database(pg_admin) as db:
            extra = {"GRANIAN_WORKERS": str(granian)} if granian else {}
            log("starting nginx, two app instances and a worker (PostgreSQL, Redis, one SeaweedFS)")
            t0 = time.monotonic()
            cluster = start_cluster(
                work / "cluster",
                s3_endpoint=s3.endpoint,
                s3_access_key=s3.access_key,
                s3_secret_key=s3.secret_key,
                database_url=db,
                redis_url=redis_url,
                extra_env=extra,
            )
            log(f"cluster ready in {time.monotonic() - t0:.0f} s: {cluster.url} -> {[i.url for i in cluster.web]}")
            try:
                a, b = cluster.web
                meter = CpuMeter(
                    {
                        "SeaweedFS": s3.pid,  # its own session: pgid == pid
                        "instance A": a.pid,
                        "instance B": b.pid,
                        "worker": cluster.worker.pid if cluster.worker else -1,
                        "nginx": cluster.nginx.pid,
                    },
                    {"PostgreSQL": ("postgres",), "Redis": ("redis-server",)},
                )
                base = {"a": cluster.url, "b": a.url}
                apis = {
                    side: [Api(url, max_connections=max(64, conc)) for _ in range(users)] for side, url in base.items()
                }
                for side, group in apis.items():
                    for api in group:
                        api.signup(f"bench-{side}-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(16))
                folders = {side: [api.mkdir(api.root_id, "small") for api in group] for side, group in apis.items()}

                def small_pass(side: str, tag: str, n: int) -> Callable[[], None]:
                    data = [os.urandom(size) for _ in range(n)]
                    shas = [hashlib.sha256(d).hexdigest() for d in data]

                    def one(i: int) -> None:
                        api = apis[side][i % users]
                        r = api.http.put(
                            f"/nodes/{folders[side][i % users]}/files",
                            params={"name": f"{tag}-{i:06d}.bin"},
                            content=data[i],
                            headers={"X-Content-SHA256": shas[i], "Content-Type": "application/octet-stream"},
                        )
                        if r.status_code != 201:
                            raise RuntimeError(f"small upload ({side}) answered {r.status_code}: {r.text[:300]}")

                    return lambda: _pool(conc, n, one)

                for side in ("a", "b"):
                    small_pass(side, "warmup", WARMUP)()
                for r in range(rounds):
                    for side in ("b", "a") if r % 2 == 0 else ("a", "b"):
                        wall, cores = meter.measure(small_pass(side, f"r{r}", files))
                        small[side].append((wall, cores))
                        log(f"small files, round {r + 1}/{rounds}, side {side}: {files / wall:.0f} files/s")
                        log(f"  {fmt_cores(cores)}")

                src = work / f"random-{size_mib}MiB.bin"
                log(f"writing {size_mib} MiB of random bytes")
                sha = make_random_file(src, size_mib * 1024 * 1024)
                nbytes = src.stat().st_size
                dest = work / "download.bin"
                large_folders = {side: apis[side][0].mkdir(apis[side][0].root_id, "large") for side in apis}
                for side in [s for r in range(large_rounds) for s in (("b", "a") if r % 2 == 0 else ("a", "b"))]:
                    api = apis[side][0]
                    folder = large_folders[side]
                    node: dict[str, object] = {}

                    def up(api: Api = api, folder: str = folder, node: dict[str, object] = node) -> None:
                        node.update(pcs_upload(api, folder, src, nbytes, sha))

                    wall, cores = meter.measure(up)
                    if node.get("sha256") != sha:
                        raise RuntimeError(f"large upload ({side}) stored sha256 {node.get('sha256')}, expected {sha}")
                    large[side]["up"].append((wall, cores))
                    log(f"{size_mib} MiB upload, side {side}: {nbytes / MB / wall:.0f} MB/s; {fmt_cores(cores)}")
                    got = 0

                    def down(api: Api = api, node_id: str = str(node["id"])) -> None:
                        nonlocal got
                        got = pcs_download(api, node_id, dest)

                    wall, cores = meter.measure(down)
                    if got != nbytes or sha256_file(dest) != sha:
                        raise RuntimeError(f"large download ({side}): {got} bytes or sha256 mismatch")
                    dest.unlink()
                    large[side]["down"].append((wall, cores))
                    log(f"{size_mib} MiB download, side {side}: {nbytes / MB / wall:.0f} MB/s; {fmt_cores(cores)}")
                src.unlink()
                for group in apis.values():
                    for api in group:
                        api.close()
                served = cluster.nginx.upstreams("/api/v1/nodes/")
                spread = {i.addr: served.count(i.addr) for i in cluster.web}
            finally:
                cluster.stop()
                forget_queue(redis_url, cluster.env["PCS_JOBS_QUEUE_NAME"])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def rate(samples: list[tuple[float, dict[str, float]]], amount: float) -> float:
        return amount * len(samples) / sum(w for w, _ in samples)

    def cores_note(samples: list[tuple[float, dict[str, float]]]) -> str:
        keys = samples[0][1].keys()
        mean = {k: sum(c[k] for _, c in samples) / len(samples) for k in keys}
        return fmt_cores(mean)

    workers = granian or f"PCS's default with Redis, one per CPU ({os.cpu_count()})"
    what = f"{files:,} x {size / 1024:g} KiB, {conc} concurrent clients of {users} account(s)"
    small_a, small_b = rate(small["a"], files), rate(small["b"], files)
    rows: list[dict[str, Any]] = [
        {
            "name": f"small uploads via nginx to 2 instances: {what}",
            "value": round(small_a, 1),
            "unit": "files/s",
            "anchor": "the same uploads straight to one instance (B idle), same services, same run",
            "anchor_value": round(small_b, 1),
            "goal": f">= {GOAL_SMALL}x",
            "met": small_a >= GOAL_SMALL * small_b,
            "note": (
                f"{rounds} rounds per side after {WARMUP} warm-up files, alternating; per round via nginx "
                f"{[round(files / w) for w, _ in small['a']]}, direct {[round(files / w) for w, _ in small['b']]} files/s; "
                f"nginx sent the API requests to {spread}; app workers per instance: {workers}. "
                f"CPU via nginx: {cores_note(small['a'])}. CPU direct: {cores_note(small['b'])}"
            ),
        }
    ]
    for way, label in (("up", "upload"), ("down", "download")):
        va, vb = rate(large["a"][way], nbytes / MB), rate(large["b"][way], nbytes / MB)
        rows.append(
            {
                "name": f"{size_mib} MiB {label} via nginx (one of 2 instances)",
                "value": round(va, 1),
                "unit": "MB/s",
                "anchor": f"the same {label} straight to one instance, same run",
                "anchor_value": round(vb, 1),
                "goal": f">= {GOAL_LARGE}x",
                "met": va >= GOAL_LARGE * vb,
                "note": f"{large_rounds} rounds per side, alternating; per round via nginx "
                f"{[round(nbytes / MB / w) for w, _ in large['a'][way]]}, direct "
                f"{[round(nbytes / MB / w) for w, _ in large['b'][way]]} MB/s; sha256 checked; CPU via nginx: {cores_note(large['a'][way])}. CPU direct: {cores_note(large['b'][way])}",
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__)
    p.add_argument("--files", type=int, default=2000, help="number of small files per pass")
    p.add_argument("--file-kib", type=float, default=4, help="size of each small file (KiB)")
    p.add_argument("--concurrency", type=int, default=16, help="concurrent clients for the small files")
    p.add_argument("--size-mib", type=int, default=1024, help="size of the large file (MiB)")
    p.add_argument("--cluster-rounds", type=int, default=2, help="small-file passes per side")
    p.add_argument("--cluster-large-rounds", type=int, default=2, help="large-file uploads+downloads per side")
    p.add_argument("--cluster-users", type=int, default=1, help="accounts the small-file clients are spread over")
    p.add_argument("--cluster-granian-workers", type=int, default=None, help="app worker processes per instance")
    p.add_argument("--pg-url", default=PG_ADMIN_URL, help="PostgreSQL admin URL (a fresh database is made)")
    p.add_argument("--redis-url", default=REDIS_URL)
    rows = run(p.parse_args(argv))
    for r in rows:
        ratio = r["value"] / r["anchor_value"] if r["anchor_value"] else float("nan")
        met = "" if r["met"] is None else ("  met" if r["met"] else "  NOT met")
        print(
            f"{r['name']}\n  PCS {r['value']} {r['unit']}  anchor {r['anchor_value']}  ({ratio:.2f}x, goal {r['goal']}){met}"
        )
        print(f"  anchor: {r['anchor']}\n  note: {r['note']}")
    print(json.dumps(rows, indent=2))
    return 0 if all(r["met"] is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
