"""Shared pieces: result rows, percentiles, the final table and the JSON report."""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
MB = 1_000_000


@dataclass
class Row:
    """One figure: PCS beside its anchor, with the goal it is judged against (display only)."""

    bench: str
    measure: str
    unit: str
    pcs: float | None
    anchor: float | None
    goal: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.pcs is None or self.anchor is None or self.anchor == 0:
            return None
        return self.pcs / self.anchor


@dataclass
class Section:
    """The rows of one benchmark plus what its anchor is and free-form notes."""

    name: str
    anchor: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    samples: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def percentile(values: Iterable[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    data = sorted(values)
    if not data:
        return math.nan
    rank = max(1, math.ceil(pct / 100 * len(data)))
    return data[rank - 1]


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def timed(fn: Callable[[], object]) -> float:
    """Seconds taken by one call of ``fn``."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    if v == 0:
        return "0"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def _cells(r: Row) -> tuple[str, ...]:
    met = "-" if r.met is None else ("yes" if r.met else "NO")
    ratio = "-" if r.ratio is None else f"{r.ratio:.2f}x"
    return (r.measure, r.unit, _fmt(r.pcs), _fmt(r.anchor), ratio, r.goal, met)


def render_table(sections: list[Section]) -> str:
    """A plain-text table, one block per benchmark, every PCS figure beside its anchor."""
    head = ("measure", "unit", "PCS", "anchor", "PCS/anchor", "goal", "met")
    body = [_cells(r) for sec in sections for r in sec.rows]
    widths = [max([len(head[i])] + [len(b[i]) for b in body]) for i in range(len(head))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(widths[i]) if i in (2, 3, 4) else c.ljust(widths[i]) for i, c in enumerate(cells))

    total = sum(widths) + 2 * (len(widths) - 1)
    lines: list[str] = []
    for sec in sections:
        lines += ["=" * total, f"{sec.name}  (anchor: {sec.anchor}; {sec.seconds:.0f} s)", "-" * total, line(head)]
        lines += [line(_cells(r)).rstrip() for r in sec.rows]
        lines += [f"  note: {n}" for n in sec.notes]
    lines.append("=" * total)
    return "\n".join(lines)


def write_json(sections: list[Section], meta: dict[str, Any]) -> Path:
    """Write every row, note and raw sample to bench/results/bench-<time>.json."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    doc = {
        "meta": meta,
        "sections": [
            {
                "name": s.name,
                "anchor": s.anchor,
                "seconds": round(s.seconds, 2),
                "rows": [{**asdict(r), "ratio": r.ratio} for r in s.rows],
                "notes": s.notes,
                "samples": s.samples,
            }
            for s in sections
        ],
    }
    path.write_text(json.dumps(doc, indent=2, default=str))
    return path
