"""The cost tables of infra/README.md and README.md, generated from pcs_app.services.costs.

`python -m tests.infra.cost_tables` prints both; tests/infra/test_costs.py checks that the READMEs
contain them verbatim, so a price or sizing change cannot leave the documentation behind.
"""

from __future__ import annotations

from pcs_app.services.costs import PRICES_AS_OF, REGION, Sizing, compare_with_ballpark


def _usd(x: float) -> str:
    return f"${x:,.2f}"


def ballpark_table_markdown(sizing: Sizing | None = None) -> str:
    """The README table: published ballpark vs this model's usage-driven part vs its full total."""
    rows = [
        "| stored | published ballpark (storage/egress only) | this model: usage-driven | this model: full total |",
        "|---:|---:|---:|---:|",
    ]
    for c in compare_with_ballpark(sizing):
        b, e = c.ballpark, c.estimate
        rows.append(
            f"| {b.stored_gb:g} GB | ${b.low_usd:g}–{b.high_usd:g} | {_usd(e.usage_usd)} | {_usd(e.total_usd)} |"
        )
    rows.append("")
    rows.append(f"AWS list prices, {REGION}, as of {PRICES_AS_OF}; usage from `costs.typical_usage()`.")
    return "\n".join(rows)


def cost_table_markdown(sizing: Sizing | None = None) -> str:
    """infra/README.md's table: every service's monthly cost for the example sizing at 50 GB and 500 GB."""
    small, large = (c.estimate for c in compare_with_ballpark(sizing))
    rows = [
        "| service | always on | usage-driven, 50 GB | usage-driven, 500 GB | what is counted (500 GB) |",
        "|---|---:|---:|---:|---|",
    ]
    for a, z in zip(small.lines, large.lines, strict=True):
        rows.append(
            f"| {a.service} | {_usd(a.fixed_usd)} | {_usd(a.usage_usd)} | {_usd(z.usage_usd)} | {z.assumption} |"
        )
    rows.append(
        f"| **sum** | **{_usd(small.fixed_usd)}** | **{_usd(small.usage_usd)}** | **{_usd(large.usage_usd)}** | |"
    )
    rows.append(
        f"| **monthly total** | | **{_usd(small.total_usd)}** | **{_usd(large.total_usd)}** | always on + usage-driven |"
    )
    rows.append("")
    rows.append("| usage profile | stored | uploaded | downloaded | served (egress) | mails | active users |")
    rows.append("|---|---:|---:|---:|---:|---:|---:|")
    for e in (small, large):
        u = e.usage
        rows.append(
            f"| {u.stored_gb:g} GB | {u.stored_gb:,.0f} GB | {u.uploads:,} files, {u.upload_gb:,.0f} GB | "
            f"{u.downloads:,} files, {u.download_gb:,.0f} GB | {u.egress_gb:,.1f} GB | {u.mails:,} | "
            f"{u.active_users:,} |"
        )
    rows.append("")
    rows.append(f"AWS list prices, {REGION}, as of {PRICES_AS_OF}, no free tier applied.")
    return "\n".join(rows)


if __name__ == "__main__":
    print(cost_table_markdown())
    print()
    print(ballpark_table_markdown())
