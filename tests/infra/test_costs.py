"""The cost model: the READMEs show what it computes, its sizing is the example's, and it behaves."""

from __future__ import annotations

import dataclasses
import itertools
import re

import pytest

from pcs_app.services import costs
from pcs_app.services.costs import Sizing, Usage, estimate, project, typical_usage
from tests.infra.cost_tables import ballpark_table_markdown, cost_table_markdown
from tests.infra.hcl import load, unquote
from tests.infra.tools import EXAMPLE, INFRA, ROOT


def _between(text: str, marker: str) -> str:
    m = re.search(rf"<!-- {marker}:start -->\n(.*?)\n<!-- {marker}:end -->", text, re.S)
    assert m, (
        f"markers <!-- {marker}:start --> / <!-- {marker}:end --> not found: put the table that "
        "`python -m tests.infra.cost_tables` prints between them"
    )
    return m.group(1).strip()


def test_infra_readme_shows_the_costs_the_model_computes_for_the_example_sizing() -> None:
    readme = (INFRA / "README.md").read_text()
    assert _between(readme, "cost-table") == cost_table_markdown()
    assert _between(readme, "cost-ballpark") == ballpark_table_markdown()
    assert costs.PRICES_AS_OF in readme


def test_the_project_readme_shows_the_current_ballpark_comparison() -> None:
    assert _between((ROOT / "README.md").read_text(), "cost-ballpark") == ballpark_table_markdown()


def test_sizing_defaults_are_the_example_environments_tfvars() -> None:
    tfvars = load(EXAMPLE / "terraform.tfvars")
    for f in dataclasses.fields(Sizing):
        assert f.name in tfvars, f"terraform.tfvars has no {f.name}"
        value = tfvars[f.name]
        value = [unquote(v) for v in value] if isinstance(value, list) else value
        value = unquote(value) if isinstance(value, str) else value
        default = list(f.default) if isinstance(f.default, tuple) else f.default
        assert value == default, f"{f.name}: tfvars {value!r}, Sizing {default!r}"


GROWTH = [0, 0.1, 0.5, 1, 2, 5, 10, 40, 200]


def test_cost_never_falls_when_usage_grows() -> None:
    base = typical_usage(50)
    estimates = [estimate(project(base, m)) for m in GROWTH]
    for small, large in itertools.pairwise(estimates):
        assert large.usage_usd >= small.usage_usd and large.total_usd >= small.total_usd
        for a, b in zip(small.lines, large.lines, strict=True):
            assert b.usage_usd >= a.usage_usd, a.service
    assert estimates[-1].usage_usd > 10 * estimates[2].usage_usd


def test_the_fixed_part_does_not_depend_on_usage_and_idle_costs_only_it() -> None:
    idle = estimate(project(typical_usage(50), 0))
    assert idle.usage_usd == 0
    assert idle.total_usd == idle.fixed_usd > 0
    for m in GROWTH:
        e = estimate(project(typical_usage(500), m))
        assert [x.fixed_usd for x in e.lines] == [x.fixed_usd for x in idle.lines]


def test_every_line_states_its_quantity_and_assumption_and_the_sums_add_up() -> None:
    e = estimate(typical_usage(500))
    services = [x.service for x in e.lines]
    for needed in ("S3 storage", "CloudFront", "ECS Fargate: web", "ECS Fargate: worker", "Aurora Serverless v2"):
        assert needed in services
    for needed in ("OpenSearch", "ElastiCache (Valkey)", "SES", "Application Load Balancer", "NAT gateway"):
        assert needed in services
    for needed in ("KMS", "Secrets Manager", "CloudWatch"):
        assert needed in services
    for x in e.lines:
        assert x.assumption and x.unit and x.quantity >= 0 and x.monthly_usd >= 0
    assert e.total_usd == pytest.approx(sum(x.monthly_usd for x in e.lines), abs=0.011)
    assert e.total_usd == pytest.approx(e.fixed_usd + e.usage_usd, abs=0.001)


def test_the_example_always_on_cost_is_fargate_aurora_search_cache_nat_and_alb() -> None:
    e = estimate(typical_usage(50))
    s = Sizing()
    web = s.web_min_count * costs.HOURS_PER_MONTH * (1 * 0.04048 + 2 * 0.004445)
    assert e.line("ECS Fargate: web").fixed_usd == pytest.approx(web, abs=0.01)
    assert e.line("Aurora Serverless v2").fixed_usd == pytest.approx(0.5 * 730 * 0.12, abs=0.01)
    assert e.line("NAT gateway").fixed_usd >= 730 * 0.045
    assert e.line("Application Load Balancer").fixed_usd == pytest.approx(730 * 0.0225, abs=0.01)
    assert e.line("OpenSearch").fixed_usd > 0 and e.line("ElastiCache (Valkey)").fixed_usd > 0


def test_many_users_add_web_tasks_up_to_the_maximum() -> None:
    s = Sizing()
    one_task = estimate(typical_usage(50)).line("ECS Fargate: web").fixed_usd / s.web_min_count
    busy = dataclasses.replace(typical_usage(50), active_users=3 * costs.USERS_PER_WEB_TASK)
    assert estimate(busy).line("ECS Fargate: web").usage_usd == pytest.approx(one_task, abs=0.02)
    flooded = dataclasses.replace(typical_usage(50), active_users=10_000)
    extra = s.web_max_count - s.web_min_count
    assert estimate(flooded).line("ECS Fargate: web").usage_usd == pytest.approx(extra * one_task, abs=0.05)


def test_usage_driven_parts_are_within_the_published_ballpark_or_explained() -> None:
    assert [(b.stored_gb, b.low_usd, b.high_usd) for b in costs.PUBLISHED_BALLPARK] == [(50, 5, 10), (500, 15, 25)]
    for c in costs.compare_with_ballpark():
        text = costs.explain(c)
        assert f"At {c.ballpark.stored_gb:g} GB" in text
        if not c.within:
            where = "above" if c.estimate.usage_usd > c.ballpark.high_usd else "below"
            assert f"That is why it is {where} the ballpark" in text
        for always_on in ("Fargate", "Aurora", "OpenSearch", "ElastiCache", "NAT", "Load Balancer"):
            assert always_on in text, always_on
        assert f"${c.estimate.total_usd:,.2f}" in text and f"${c.estimate.fixed_usd:,.2f}" in text
    small = costs.compare_with_ballpark()[0]
    assert small.within, "50 GB: storing and serving the bytes should cost what the ballpark says"


def test_projection_scales_every_quantity() -> None:
    base = typical_usage(50)
    assert project(base, 1) == base
    double = project(base, 2)
    assert double.stored_gb == 2 * base.stored_gb and double.active_users == 2 * base.active_users
    assert double.uploads == 2 * base.uploads and double.mails == 2 * base.mails
    with pytest.raises(ValueError):
        project(base, -1)


def test_bad_inputs_are_refused_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="stored_gb"):
        Usage(-1, 0, 0, 0, 0, 0, 0, 0)
    with pytest.raises(KeyError, match="known: "):
        estimate(typical_usage(50), Sizing(opensearch_instance_type="x9.huge.search"))
    with pytest.raises(KeyError, match="ElastiCache"):
        estimate(typical_usage(50), Sizing(cache_node_type="cache.nope"))
