"""Search: index N synthetic files (realistic names in a folder tree, a share of them with ~2 KB of text)
into SQLite FTS5 and into osmem-server (the in-memory OpenSearch stand-in), then time five kinds of query
on each, through the adapters PCS uses (snippets included).

Anchors, measured in the same run: for indexing, plain INSERTs of the same rows into a SQLite table; for
queries, the same five searches written as ``LIKE '%word%'`` over that table's name and path columns
(what an app without a search index would do).

With a running PCS stack (``make bench`` passes its own), two more figures go through the whole app:
search-after-upload latency (upload returns → the worker has indexed it → ``GET /api/v1/search`` finds
it), beside the time until the same upload shows in its folder's listing; and a one-word search through
the API (index + the gate's check of every hit), beside listing the folder through the API.

`python -m bench.search` runs it alone (``--stack`` starts a private stack for the app figures);
``run(args, stack, api)`` returns the rows for the combined benchmark.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

GOAL_FTS5_P95_MS = 50.0
SEED = 20240601
NAME_WORDS = (
    "report invoice budget meeting notes photo holiday project design draft final contract summary plan review "
    "proposal agenda minutes presentation schedule receipt statement tax return payroll resume letter offer "
    "quote order delivery manual guide spec requirements architecture diagram sketch mockup wireframe logo "
    "banner poster flyer brochure newsletter article chapter thesis paper research data analysis results "
    "survey feedback interview transcript recording podcast video trailer clip music song album playlist "
    "backup archive export import config settings template sample example test demo prototype release "
    "changelog roadmap strategy forecast quarterly annual monthly weekly daily sprint retro onboarding "
    "training workshop conference travel itinerary ticket booking hotel flight visa passport insurance "
    "medical lease mortgage bank loan grocery recipe wedding birthday party family kids school homework"
).split()
TOP_FOLDERS = (
    "Projects Photos Documents Work Personal Finance Clients Archive Music Videos Shared Taxes Travel School "
    "Recipes Design Research Backups Inbox Scans"
).split()
SUB_FOLDERS = "2019 2020 2021 2022 2023 2024 2025 Acme Globex Initech Umbrella Drafts Old Final Misc".split()
EXTS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "txt": "text/plain",
    "md": "text/markdown",
    "jpg": "image/jpeg",
    "png": "image/png",
    "mp4": "video/mp4",
    "mp3": "audio/mpeg",
    "zip": "application/zip",
    "py": "text/x-python",
    "csv": "text/csv",
}
OWNERS = 4
ME = 1


def _log(msg: str) -> None:
    print(f"[bench search {time.strftime('%H:%M:%S')}] {msg}", flush=True)


@dataclass(frozen=True)
class Folder:
    id: str
    owner: int
    ancestors: tuple[str, ...]  # from the root down to this folder's parent
    path: str  # this folder's own display path


def _content_vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    syllables = "ka lo mi ne ra to su vi de pa gu ber lin mon tas rel fin dor wex quo sam tel".split()
    words = {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(size * 2)}
    return sorted(words)[:size] + NAME_WORDS


def _folders(rng: random.Random) -> list[Folder]:
    out: list[Folder] = []
    for owner in range(1, OWNERS + 1):
        root = f"root{owner}"
        for top in TOP_FOLDERS:
            t = Folder(f"f{owner}-{top}", owner, (root,), f"/{top}")
            out.append(t)
            for sub in rng.sample(SUB_FOLDERS, 8):
                s = Folder(f"{t.id}-{sub}", owner, (root, t.id), f"{t.path}/{sub}")
                out.append(s)
                for third in rng.sample(NAME_WORDS, 3):
                    out.append(Folder(f"{s.id}-{third}", owner, (root, t.id, s.id), f"{s.path}/{third.title()}"))
    return out


def _name(rng: random.Random) -> tuple[str, str]:
    ext = rng.choice(list(EXTS))
    w1, w2 = rng.sample(NAME_WORDS, 2)
    year = rng.randint(2015, 2025)
    pattern = rng.randrange(7)
    if ext in ("jpg", "png") and pattern < 4:
        day = datetime(2015, 1, 1) + timedelta(seconds=rng.randrange(10 * 365 * 86400))
        if ext == "png":
            return f"Screenshot {day:%Y-%m-%d} at {day:%H.%M.%S}.png", ext
        return f"IMG_{day:%Y%m%d_%H%M%S}.jpg", ext
    if pattern == 0:
        return f"{w1}-{w2}-{rng.choice(['final', 'draft', f'v{rng.randint(1, 9)}'])}.{ext}", ext
    if pattern == 1:
        return f"{w1.title()}{w2.title()}{year}.{ext}", ext
    if pattern == 2:
        return f"{w1} {w2} {year}.{ext}", ext
    if pattern == 3:
        return f"{w1}_{w2}_{rng.randint(1, 999):03d}.{ext}", ext
    if pattern == 4:
        return f"q{rng.randint(1, 4)}-{w1}-{year}.{ext}", ext
    if pattern == 5:
        return f"{w1.title()} {w2}.{ext}", ext
    return f"{w1}.{ext}", ext


def make_docs(count: int, content_share: float) -> tuple[list[Any], list[Folder]]:
    """``count`` files and folders as SearchDocs, deterministic for a given count."""
    from pcs_app.adapters.search import SearchDoc, classify

    rng = random.Random(SEED)
    vocab = _content_vocabulary(rng)
    weights = [1 / (i + 1) for i in range(len(vocab))]  # Zipf-like
    folders = _folders(rng)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    docs: list[Any] = []
    for f in folders[:count]:
        when = start + timedelta(seconds=rng.randrange(5 * 365 * 86400))
        docs.append(
            SearchDoc(
                f.id, f.owner, list(f.ancestors), f.path.rsplit("/", 1)[-1], f.path.rsplit("/", 1)[0] or "/",
                "folder", "folder", "", 0, when, when,
            )
        )  # fmt: skip
    n = 0
    while len(docs) < count:
        parent = rng.choice(folders)
        name, ext = _name(rng)
        when = start + timedelta(seconds=rng.randrange(5 * 365 * 86400))
        content = ""
        if rng.random() < content_share:
            content = " ".join(rng.choices(vocab, weights, k=330))  # about 2 KB
        mime = EXTS[ext]
        docs.append(
            SearchDoc(
                f"file{n:07d}", parent.owner, [*parent.ancestors, parent.id], name, parent.path, "file",
                classify(mime, name), mime, int(rng.lognormvariate(11, 2)), when, when, content,
            )
        )  # fmt: skip
        n += 1
    return docs, folders


@dataclass(frozen=True)
class QueryCase:
    kind: str
    text: str
    filters: dict[str, Any]
    like_sql: str
    like_args: tuple[Any, ...]


LIKE_BASE = "SELECT id FROM files WHERE owner_id = ? AND {cond} ORDER BY modified_ms DESC LIMIT 50"


def make_queries(runs: int, docs: list[Any], folders: list[Folder]) -> dict[str, list[QueryCase]]:
    """``runs`` queries of each kind, the same for every backend and the anchor."""
    rng = random.Random(SEED + 1)
    my_tops = [f for f in folders if f.owner == ME and len(f.ancestors) == 1]
    phrases = [
        d.name.rsplit(".", 1)[0].split(" ")[:2] for d in docs if d.name.count(" ") == 2 and "Screenshot" not in d.name
    ]
    out: dict[str, list[QueryCase]] = {k: [] for k in ("one word", "prefix", "phrase", "type+size", "in folder")}
    for _ in range(runs):
        w = rng.choice(NAME_WORDS)
        out["one word"].append(
            QueryCase(
                "one word", w + " ", {}, LIKE_BASE.format(cond="(name LIKE ? OR path LIKE ?)"), (ME, f"%{w}%", f"%{w}%")
            )
        )
        p = rng.choice(NAME_WORDS)[:3]
        out["prefix"].append(
            QueryCase("prefix", p, {}, LIKE_BASE.format(cond="(name LIKE ? OR path LIKE ?)"), (ME, f"%{p}%", f"%{p}%"))
        )
        a, b = rng.choice(phrases)
        out["phrase"].append(
            QueryCase("phrase", f'"{a} {b}"', {}, LIKE_BASE.format(cond="name LIKE ?"), (ME, f"%{a} {b}%"))
        )
        w = rng.choice(NAME_WORDS)
        out["type+size"].append(
            QueryCase(
                "type+size",
                w + " ",
                {"types": ["document"], "min_size": 10_000, "max_size": 5_000_000},
                LIKE_BASE.format(cond="(name LIKE ? OR path LIKE ?) AND type = ? AND size BETWEEN ? AND ?"),
                (ME, f"%{w}%", f"%{w}%", "document", 10_000, 5_000_000),
            )
        )
        w, top = rng.choice(NAME_WORDS), rng.choice(my_tops)
        out["in folder"].append(
            QueryCase(
                "in folder",
                w + " ",
                {"within": top.id},
                LIKE_BASE.format(cond="(name LIKE ? OR path LIKE ?) AND path LIKE ?"),
                (ME, f"%{w}%", f"%{w}%", f"{top.path}%"),
            )
        )
    return out


def _percentile(values: list[float], pct: float) -> float:
    data = sorted(values)
    rank = max(1, -(-len(data) * pct // 100))
    return data[int(rank) - 1]


def _timed_queries(cases: list[QueryCase], one: Callable[[QueryCase], int]) -> tuple[list[float], float]:
    """Latencies (ms) of each case, after a few warm-up calls, and the mean number of hits."""
    for c in cases[:10]:
        one(c)
    lat: list[float] = []
    hits = 0
    for c in cases:
        t = time.perf_counter()
        hits += one(c)
        lat.append((time.perf_counter() - t) * 1000)
    return lat, hits / len(cases)


def _batches(docs: list[Any], size: int = 1000) -> Iterator[list[Any]]:
    for i in range(0, len(docs), size):
        yield docs[i : i + size]


def _anchor_table(path: Path, docs: list[Any]) -> tuple[sqlite3.Connection, float]:
    """The same rows in a plain SQLite table (WAL, like PCS's metadata): docs/s of the INSERTs."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(
        "CREATE TABLE files (id TEXT PRIMARY KEY, owner_id INTEGER, name TEXT, path TEXT, type TEXT, size INTEGER,"
        " modified_ms INTEGER, content TEXT)"
    )
    conn.execute("CREATE INDEX files_owner ON files (owner_id, modified_ms)")
    t0 = time.perf_counter()
    for batch in _batches(docs):
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (d.id, d.owner_id, d.name, d.path, d.type, d.size, int(d.modified_at.timestamp() * 1000), d.content)
                for d in batch
            ],
        )
        conn.execute("COMMIT")
    return conn, len(docs) / (time.perf_counter() - t0)


def _bulk_index(index: Any, docs: list[Any]) -> float:
    """docs/s of a full build through ``rebuild()`` (what a reindex does), commit included."""
    t0 = time.perf_counter()
    with index.rebuild() as rebuild:
        for batch in _batches(docs):
            rebuild.upsert(batch)
    return len(docs) / (time.perf_counter() - t0)


def run(args: argparse.Namespace | None = None, stack: Any = None, api: Any = None) -> list[dict[str, Any]]:
    """Run the benchmark; one row per figure, each beside its anchor measured in this run.

    With ``stack`` and ``api`` (a running PCS and a signed-up client), the through-the-app figures too."""
    from pcs_app.adapters.search import SearchQuery, create_index

    count = int(getattr(args, "search_docs", 100_000))
    runs = int(getattr(args, "search_runs", 200))
    share = float(getattr(args, "search_content_share", 0.2))
    backends = [b.strip() for b in str(getattr(args, "search_backends", "fts5,opensearch")).split(",") if b.strip()]
    shared_roots = [f"f2-{TOP_FOLDERS[0]}", f"f2-{TOP_FOLDERS[1]}"]  # two of user 2's folders are shared with user 1
    work = Path(tempfile.mkdtemp(prefix="pcs-bench-search-"))
    rows: list[dict[str, Any]] = []
    server: Any = None
    try:
        _log(f"making {count:,} documents ({share:.0%} with ~2 KB of text)")
        docs, folders = make_docs(count, share)
        queries = make_queries(runs, docs, folders)
        anchor, anchor_rate = _anchor_table(work / "anchor.db", docs)
        _log(f"anchor: plain SQLite INSERT {anchor_rate:,.0f} docs/s")

        def like(c: QueryCase) -> int:
            return len(anchor.execute(c.like_sql, c.like_args).fetchall())

        like_lat = {kind: _timed_queries(cases, like) for kind, cases in queries.items()}
        for backend in backends:
            if backend == "fts5":
                index = create_index("fts5", path=work / "search.db")
                label = "FTS5"
            elif backend == "opensearch":
                from osmem_server import OsmemServer

                server = OsmemServer.start(addr="127.0.0.1:0", japanese=False)
                # osmem-server's search_after skips ties: page by offset there (see adapters/search/opensearch.py).
                index = create_index("opensearch", url=server.url, prefix="pcs-bench", search_after=False, replicas=0)
                label = "OpenSearch (osmem-server stand-in)"
            else:
                raise ValueError(f"unknown backend {backend!r}")
            try:
                _log(f"{label}: indexing")
                rate = _bulk_index(index, docs)
                assert index.count() == count, (index.count(), count)
                _log(f"{label}: {rate:,.0f} docs/s")
                rows.append(
                    {
                        "name": f"{label}: index {count:,} files ({share:.0%} with ~2 KB text)",
                        "value": round(rate, 1),
                        "unit": "docs/s",
                        "anchor": "plain SQLite INSERT of the same rows (no text index), same run",
                        "anchor_value": round(anchor_rate, 1),
                        "goal": "(for reference)",
                        "met": None,
                        "note": "a full build through rebuild(): words split and folded in Python, bulk writes, commit",
                    }
                )

                def ask(c: QueryCase, index: Any = index) -> int:
                    q = SearchQuery(c.text, ME, shared_roots=shared_roots, limit=50, **c.filters)
                    return len(index.search(q).hits)

                for kind, cases in queries.items():
                    lat, hits = _timed_queries(cases, ask)
                    a_lat, a_hits = like_lat[kind]
                    for pct in (50, 95):
                        value, anchor_value = _percentile(lat, pct), _percentile(a_lat, pct)
                        goal = f"< {GOAL_FTS5_P95_MS:g} ms" if backend == "fts5" and pct == 95 else "(for reference)"
                        rows.append(
                            {
                                "name": f"{label}: {kind} query p{pct} ({runs} runs)",
                                "value": round(value, 2),
                                "unit": "ms",
                                "anchor": f"SQLite LIKE '%word%' on a node table's name/path, {count:,} rows, same run",
                                "anchor_value": round(anchor_value, 2),
                                "goal": goal,
                                "met": value < GOAL_FTS5_P95_MS if goal.startswith("<") else None,
                                "note": f"mean hits per page: PCS {hits:.1f}, anchor {a_hits:.1f} (50 at most)",
                            }
                        )
                    _log(f"{label} {kind}: p50 {_percentile(lat, 50):.1f} ms, p95 {_percentile(lat, 95):.1f} ms")
            finally:
                index.close()
        anchor.close()
    finally:
        if server is not None:
            server.close()
        shutil.rmtree(work, ignore_errors=True)
    if stack is not None and api is not None:
        from .search_app import run_app

        rows += run_app(api, int(getattr(args, "search_app_rounds", 30)))
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__)
    p.add_argument("--search-docs", type=int, default=100_000, help="files and folders to index")
    p.add_argument("--search-runs", type=int, default=200, help="timed queries of each kind")
    p.add_argument("--search-content-share", type=float, default=0.2, help="share of files with ~2 KB of text")
    p.add_argument("--search-backends", default="fts5,opensearch", help="comma-separated: fts5, opensearch")
    p.add_argument("--search-app-rounds", type=int, default=30, help="uploads timed until searchable")
    p.add_argument("--stack", action="store_true", help="also measure through a private running PCS stack")
    args = p.parse_args(argv)
    if args.stack:
        import secrets

        from .stack import Api, running_stack

        with (
            tempfile.TemporaryDirectory(prefix="pcs-bench-search-stack-") as tmp,
            running_stack(Path(tmp) / "data") as st,
        ):
            api = Api(st.url)
            api.signup(f"bench-{secrets.token_hex(4)}@example.com", secrets.token_urlsafe(16))
            try:
                rows = run(args, st, api)
            finally:
                api.close()
    else:
        rows = run(args)
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
