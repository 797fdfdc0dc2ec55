"""One month of a PCS deployment priced service by service: usage, sizing, and the estimate."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

from .prices import (
    ALARM_METRICS,
    AURORA_EXTRA_ACU_HOURS_PER_ACTIVE_USER,
    AURORA_IO_PER_REQUEST,
    AURORA_IO_PER_UPLOAD,
    AVERAGE_FILE_MB,
    CONTAINER_INSIGHTS_METRICS,
    DB_GB_PER_STORED_GB,
    ECR_GB,
    EGRESS_GB_PER_ACTIVE_USER,
    FLOW_LOGS_GB,
    HOURS_PER_MONTH,
    KMS_KEYS,
    KMS_REQUESTS,
    LAMBDA_SECONDS_PER_UPLOAD,
    LOG_BUCKET_GB,
    LOGS_COMPRESSION,
    LOGS_INGEST_GB,
    MULTIPART_PART_MB,
    NAT_GB,
    PRICES,
    PRICES_AS_OF,
    PUTS_PER_UPLOAD,
    REQUESTS_PER_ACTIVE_USER,
    S3_REQUEST_METRICS,
    SECRETS,
    SQS_IDLE_REQUESTS,
    USERS_PER_WEB_TASK,
    WAF_RULES,
    Prices,
)


@dataclass(frozen=True)
class Usage:
    """One month of use."""

    stored_gb: float
    uploads: int
    upload_gb: float
    downloads: int
    download_gb: float
    egress_gb: float
    mails: int
    active_users: int

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) < 0:
                raise ValueError(f"{f.name} must not be negative")


def project(usage: Usage, multiplier: float) -> Usage:
    """Usage scaled by a multiplier (the dashboard's projection slider); counts are rounded."""
    if multiplier < 0:
        raise ValueError("multiplier must not be negative")
    return Usage(
        stored_gb=usage.stored_gb * multiplier,
        uploads=round(usage.uploads * multiplier),
        upload_gb=usage.upload_gb * multiplier,
        downloads=round(usage.downloads * multiplier),
        download_gb=usage.download_gb * multiplier,
        egress_gb=usage.egress_gb * multiplier,
        mails=round(usage.mails * multiplier),
        active_users=round(usage.active_users * multiplier),
    )


def typical_usage(stored_gb: float) -> Usage:
    """A plausible month for a library of this size (the profile behind the README's figures).

    One active user per 10 GB; a tenth of the library uploaded each month; downloads of the whole
    library once a month up to 50 GB, then a ninth of each further GB (people re-read recent
    files, not the archive); files of 4 MB on average; 20 mails per user.
    """
    users = max(1, math.ceil(stored_gb / 10))
    upload_gb = stored_gb * 0.10
    download_gb = stored_gb if stored_gb <= 50 else 50 + (stored_gb - 50) / 9
    return Usage(
        stored_gb=stored_gb,
        uploads=round(upload_gb * 1024 / AVERAGE_FILE_MB),
        upload_gb=upload_gb,
        downloads=round(download_gb * 1024 / AVERAGE_FILE_MB),
        download_gb=download_gb,
        egress_gb=download_gb + users * EGRESS_GB_PER_ACTIVE_USER,
        mails=users * 20,
        active_users=users,
    )


@dataclass(frozen=True)
class Sizing:
    """Always-on capacity; field names and defaults are infra/envs/example/terraform.tfvars'."""

    availability_zones: tuple[str, ...] = ("us-east-1a", "us-east-1b")
    nat_gateways: int = 1
    web_cpu: int = 1024
    web_memory: int = 2048
    web_desired_count: int = 2
    web_min_count: int = 2
    web_max_count: int = 6
    worker_cpu: int = 512
    worker_memory: int = 2048
    worker_desired_count: int = 1
    worker_min_count: int = 1
    worker_max_count: int = 3
    aurora_min_acu: float = 0.5
    aurora_max_acu: float = 4
    aurora_instances: int = 1
    opensearch_instance_type: str = "t3.small.search"
    opensearch_instance_count: int = 1
    opensearch_volume_gb: int = 10
    cache_node_type: str = "cache.t4g.micro"
    cache_nodes: int = 1
    lambda_memory_mb: int = 2048
    log_retention_days: int = 365


@dataclass(frozen=True)
class Line:
    """One service's monthly cost: always-on part, usage-driven part, and what was counted."""

    service: str
    fixed_usd: float
    usage_usd: float
    quantity: float
    unit: str
    assumption: str

    @property
    def monthly_usd(self) -> float:
        return round(self.fixed_usd + self.usage_usd, 2)


@dataclass(frozen=True)
class Estimate:
    """A month's estimate: the lines and their sums."""

    usage: Usage
    sizing: Sizing
    lines: tuple[Line, ...]
    prices_as_of: str = PRICES_AS_OF

    @property
    def fixed_usd(self) -> float:
        return round(sum(x.fixed_usd for x in self.lines), 2)

    @property
    def usage_usd(self) -> float:
        return round(sum(x.usage_usd for x in self.lines), 2)

    @property
    def total_usd(self) -> float:
        return round(self.fixed_usd + self.usage_usd, 2)

    def line(self, service: str) -> Line:
        """The line of one service (KeyError if there is none)."""
        for x in self.lines:
            if x.service == service:
                return x
        raise KeyError(service)


def _line(*, service: str, fixed: float, usage: float, quantity: float, unit: str, assumption: str) -> Line:
    return Line(service, round(fixed, 2), round(usage, 2), quantity, unit, assumption)


def _task_month(cpu: int, memory: int, p: Prices) -> float:
    return HOURS_PER_MONTH * (cpu / 1024 * p.fargate_vcpu_hour + memory / 1024 * p.fargate_gb_hour)


def _hourly(table: Mapping[str, float], key: str, what: str) -> float:
    if key not in table:
        raise KeyError(f"no price for {what} {key!r}; known: {', '.join(sorted(table))}")
    return table[key]


def estimate(usage: Usage, sizing: Sizing | None = None, prices: Prices = PRICES) -> Estimate:
    """Price one month of `usage` on `sizing` (default: the example environment)."""
    s, p, u = sizing or Sizing(), prices, usage
    h = HOURS_PER_MONTH
    requests = u.active_users * REQUESTS_PER_ACTIVE_USER
    puts = u.uploads * PUTS_PER_UPLOAD + u.upload_gb * 1024 / MULTIPART_PART_MB
    gets = u.downloads + 2 * u.uploads + 0.2 * requests
    web_task = _task_month(s.web_cpu, s.web_memory, p)
    wanted = math.ceil(u.active_users / USERS_PER_WEB_TASK)
    extra_web = min(max(wanted - s.web_min_count, 0), s.web_max_count - s.web_min_count)
    worker_task = _task_month(s.worker_cpu, s.worker_memory, p)
    lambda_gb_s = u.uploads * LAMBDA_SECONDS_PER_UPLOAD * s.lambda_memory_mb / 1024
    sqs_requests = SQS_IDLE_REQUESTS + 3 * u.uploads
    extra_acu_h = u.active_users * AURORA_EXTRA_ACU_HOURS_PER_ACTIVE_USER
    db_gb = u.stored_gb * DB_GB_PER_STORED_GB
    io = u.uploads * AURORA_IO_PER_UPLOAD + requests * AURORA_IO_PER_REQUEST
    os_hour = _hourly(p.opensearch_instance_hour, s.opensearch_instance_type, "OpenSearch instance type")
    cache_hour = _hourly(p.elasticache_node_hour, s.cache_node_type, "ElastiCache node type")
    alb_gb = u.upload_gb + u.download_gb
    public_ips = len(s.availability_zones) + s.nat_gateways
    metrics = CONTAINER_INSIGHTS_METRICS + S3_REQUEST_METRICS + 1
    logs_stored = LOGS_INGEST_GB * s.log_retention_days / 30.4 * LOGS_COMPRESSION
    lines = (
        _line(
            service="S3 storage",
            fixed=0,
            usage=u.stored_gb * p.s3_gb_month,
            quantity=u.stored_gb,
            unit="GB-month",
            assumption=f"{u.stored_gb:,.0f} GB in S3 Standard at ${p.s3_gb_month}/GB",
        ),
        _line(
            service="S3 requests",
            fixed=0,
            usage=puts / 1000 * p.s3_put_per_1000 + gets / 1000 * p.s3_get_per_1000,
            quantity=puts + gets,
            unit="requests",
            assumption=f"{puts:,.0f} PUT ({PUTS_PER_UPLOAD} per upload + 16 MB parts), {gets:,.0f} GET/HEAD",
        ),
        _line(
            service="CloudFront",
            fixed=0,
            usage=u.egress_gb * p.cloudfront_egress_gb + requests / 10000 * p.cloudfront_https_per_10000,
            quantity=u.egress_gb,
            unit="GB out",
            assumption=f"{u.egress_gb:,.1f} GB to the internet, {requests:,} HTTPS requests",
        ),
        _line(
            service="WAF",
            fixed=p.waf_web_acl_month + WAF_RULES * p.waf_rule_month,
            usage=requests / 1e6 * p.waf_per_million_requests,
            quantity=requests,
            unit="requests",
            assumption=f"1 web ACL, {WAF_RULES} rules, {requests:,} requests inspected",
        ),
        _line(
            service="Application Load Balancer",
            fixed=h * p.alb_hour,
            usage=alb_gb * p.alb_lcu_hour,
            quantity=alb_gb,
            unit="GB processed",
            assumption=f"always on; 1 LCU-hour per GB of uploads and downloads ({alb_gb:,.1f} GB)",
        ),
        _line(
            service="ECS Fargate: web",
            fixed=s.web_min_count * web_task,
            usage=extra_web * web_task,
            quantity=s.web_min_count + extra_web,
            unit="tasks",
            assumption=f"{s.web_min_count} x ({s.web_cpu / 1024:g} vCPU, {s.web_memory / 1024:g} GB) always on; "
            f"one more per {USERS_PER_WEB_TASK} active users (+{extra_web})",
        ),
        _line(
            service="ECS Fargate: worker",
            fixed=s.worker_min_count * worker_task,
            usage=0,
            quantity=s.worker_min_count,
            unit="tasks",
            assumption=f"{s.worker_min_count} x ({s.worker_cpu / 1024:g} vCPU, {s.worker_memory / 1024:g} GB) always on",
        ),
        _line(
            service="Lambda + SQS (thumbnail jobs)",
            fixed=SQS_IDLE_REQUESTS / 1e6 * p.sqs_per_million_requests,
            usage=lambda_gb_s * p.lambda_gb_second
            + u.uploads / 1e6 * p.lambda_per_million_requests
            + 3 * u.uploads / 1e6 * p.sqs_per_million_requests,
            quantity=sqs_requests,
            unit="SQS requests",
            assumption=f"{u.uploads:,} runs of {LAMBDA_SECONDS_PER_UPLOAD} s at {s.lambda_memory_mb} MB; idle queue polling",
        ),
        _line(
            service="Aurora Serverless v2",
            fixed=s.aurora_min_acu * s.aurora_instances * h * p.aurora_acu_hour,
            usage=extra_acu_h * p.aurora_acu_hour + db_gb * p.aurora_gb_month + io / 1e6 * p.aurora_per_million_io,
            quantity=s.aurora_min_acu * s.aurora_instances * h + extra_acu_h,
            unit="ACU-hours",
            assumption=f"{s.aurora_min_acu:g} ACU minimum x {s.aurora_instances} always on; +{extra_acu_h:,.0f} ACU-hours, "
            f"{db_gb:,.1f} GB, {io / 1e6:,.1f} M I/Os",
        ),
        _line(
            service="OpenSearch",
            fixed=s.opensearch_instance_count * (h * os_hour + s.opensearch_volume_gb * p.opensearch_gp3_gb_month),
            usage=0,
            quantity=s.opensearch_instance_count,
            unit="nodes",
            assumption=f"{s.opensearch_instance_count} x {s.opensearch_instance_type} with {s.opensearch_volume_gb} GB gp3",
        ),
        _line(
            service="ElastiCache (Valkey)",
            fixed=s.cache_nodes * h * cache_hour,
            usage=0,
            quantity=s.cache_nodes,
            unit="nodes",
            assumption=f"{s.cache_nodes} x {s.cache_node_type}",
        ),
        _line(
            service="NAT gateway",
            fixed=s.nat_gateways * h * p.nat_hour + NAT_GB * p.nat_gb,
            usage=0,
            quantity=s.nat_gateways,
            unit="gateways",
            assumption=f"{s.nat_gateways} gateway{'s' if s.nat_gateways != 1 else ''}, {NAT_GB:g} GB of AWS API and image traffic",
        ),
        _line(
            service="Public IPv4 addresses",
            fixed=public_ips * h * p.public_ipv4_hour,
            usage=0,
            quantity=public_ips,
            unit="addresses",
            assumption=f"the load balancer's address in each of {len(s.availability_zones)} zones and each NAT "
            "gateway's",
        ),
        _line(
            service="SES",
            fixed=0,
            usage=u.mails / 1000 * p.ses_per_1000_mails,
            quantity=u.mails,
            unit="mails",
            assumption=f"{u.mails:,} mails",
        ),
        _line(
            service="Cognito",
            fixed=0,
            usage=u.active_users * p.cognito_mau,
            quantity=u.active_users,
            unit="monthly active users",
            assumption=f"{u.active_users:,} monthly active users (Essentials)",
        ),
        _line(
            service="KMS",
            fixed=KMS_KEYS * p.kms_key_month + KMS_REQUESTS / 10000 * p.kms_per_10000_requests,
            usage=0,
            quantity=KMS_KEYS,
            unit="keys",
            assumption=f"{KMS_KEYS} customer-managed key, ~{KMS_REQUESTS:,} requests (bucket keys on)",
        ),
        _line(
            service="Secrets Manager",
            fixed=SECRETS * p.secret_month,
            usage=0,
            quantity=SECRETS,
            unit="secrets",
            assumption=f"{SECRETS} secrets",
        ),
        _line(
            service="CloudWatch",
            fixed=p.dashboard_month
            + ALARM_METRICS * p.alarm_metric_month
            + metrics * p.metric_month
            + LOGS_INGEST_GB * p.logs_ingest_gb
            + logs_stored * p.logs_store_gb_month,
            usage=0,
            quantity=metrics,
            unit="metrics",
            assumption=f"1 dashboard, {ALARM_METRICS} alarm metrics, {metrics} metrics (Container Insights, S3 requests), "
            f"{LOGS_INGEST_GB:g} GB logs a month kept {s.log_retention_days} days",
        ),
        _line(
            service="VPC flow logs + log bucket",
            fixed=FLOW_LOGS_GB * p.vended_logs_to_s3_gb + LOG_BUCKET_GB * p.s3_gb_month,
            usage=0,
            quantity=FLOW_LOGS_GB,
            unit="GB",
            assumption=f"{FLOW_LOGS_GB:g} GB flow logs a month; ALB/CloudFront/S3 logs kept 90 days",
        ),
        _line(
            service="ECR",
            fixed=ECR_GB * p.ecr_gb_month,
            usage=0,
            quantity=ECR_GB,
            unit="GB",
            assumption=f"{ECR_GB:g} GB of images",
        ),
    )
    return Estimate(usage=u, sizing=s, lines=lines)
