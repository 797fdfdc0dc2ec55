"""The published ballpark for this kind of system, and why the full estimate is higher."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Estimate, Sizing, estimate, typical_usage

# --- the published ballpark, and why this model's full figure is higher ------------------------------


@dataclass(frozen=True)
class Ballpark:
    """A published monthly figure for this kind of system, counting storage/egress-type costs only."""

    stored_gb: float
    low_usd: float
    high_usd: float


PUBLISHED_BALLPARK: tuple[Ballpark, ...] = (Ballpark(50, 5, 10), Ballpark(500, 15, 25))
BALLPARK_TEXT = "about $5–10/month at 50 GB and $15–25/month at 500 GB"
STORAGE_EGRESS_SERVICES = ("S3 storage", "S3 requests", "CloudFront")


@dataclass(frozen=True)
class Comparison:
    """This model's estimate for a library of the ballpark's size, beside the ballpark."""

    ballpark: Ballpark
    estimate: Estimate

    @property
    def within(self) -> bool:
        return self.ballpark.low_usd <= self.estimate.usage_usd <= self.ballpark.high_usd

    @property
    def storage_egress_usd(self) -> float:
        return round(sum(self.estimate.line(s).usage_usd for s in STORAGE_EGRESS_SERVICES), 2)


def compare_with_ballpark(sizing: Sizing | None = None) -> tuple[Comparison, ...]:
    """One comparison per published figure, with typical_usage() of that library size."""
    return tuple(Comparison(b, estimate(typical_usage(b.stored_gb), sizing)) for b in PUBLISHED_BALLPARK)


def _usd(x: float) -> str:
    return f"${x:,.2f}"


def explain(c: Comparison) -> str:
    """Plain words: how the usage-driven part compares with the ballpark, and why the total is higher."""
    b, e = c.ballpark, c.estimate
    where = "within" if c.within else ("above" if e.usage_usd > b.high_usd else "below")
    extra = round(e.usage_usd - c.storage_egress_usd, 2)
    parts = [
        f"At {b.stored_gb:g} GB the published ballpark is ${b.low_usd:g}–{b.high_usd:g} a month and counts only "
        f"storing and serving the bytes. This model's usage-driven part is {_usd(e.usage_usd)}, {where} it: "
        f"S3 storage, S3 requests and CloudFront come to {_usd(c.storage_egress_usd)}, and {_usd(extra)} more is "
        "what such a figure leaves out (WAF and load balancer charges per request and per GB, Aurora I/O and "
        "bursts, thumbnail Lambda runs, Cognito users, mail)."
    ]
    if not c.within:
        subset = "within" if b.low_usd <= c.storage_egress_usd <= b.high_usd else "outside"
        parts.append(
            f"That is why it is {where} the ballpark; the storage and egress lines alone are {subset} it. The "
            f"assumed month has {e.usage.active_users} active users, {e.usage.upload_gb:,.0f} GB uploaded and "
            f"{e.usage.egress_gb:,.0f} GB served."
        )
    fixed = sorted((x for x in e.lines if x.fixed_usd >= 1), key=lambda x: -x.fixed_usd)
    biggest = ", ".join(f"{x.service} {_usd(x.fixed_usd)}" for x in fixed)
    parts.append(
        f"The full estimate is {_usd(e.total_usd)} because PCS on AWS also keeps services running that cost "
        f"the same when nobody uses them: {_usd(e.fixed_usd)} a month: {biggest}. A storage-only "
        "figure has none of these: they buy the web tier, the database, search, the cache and the network "
        "paths that make it a service rather than a bucket."
    )
    parts.append(
        "To lower the fixed part: one web task instead of two (no redundancy during deploys and failures), "
        "Graviton (ARM) tasks (about 20% less) or Fargate Spot for the worker, Aurora with a 0 ACU minimum "
        "(it pauses when idle and the next request waits for it), a smaller cache node or ElastiCache "
        "Serverless, Container Insights off, and no WAF. Free tiers (CloudFront's 1 TB a month, 10,000 "
        "Cognito users) are not counted; they would remove most of the usage-driven part."
    )
    return "\n\n".join(parts)
