"""The dated AWS price table (us-east-1) and the documented assumptions of the cost model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

PRICES_AS_OF = "2026-11"
REGION = "us-east-1"
HOURS_PER_MONTH = 730.0


@dataclass(frozen=True)
class Prices:
    """On-demand list prices in USD, us-east-1, as of PRICES_AS_OF."""

    # https://aws.amazon.com/s3/pricing/ (Standard, first 50 TB; PUT/COPY/POST/LIST and GET/HEAD)
    s3_gb_month: float = 0.023
    s3_put_per_1000: float = 0.005
    s3_get_per_1000: float = 0.0004
    # https://aws.amazon.com/cloudfront/pricing/ (North America/Europe, first 10 TB; HTTPS requests)
    cloudfront_egress_gb: float = 0.085
    cloudfront_https_per_10000: float = 0.01
    # https://aws.amazon.com/waf/pricing/
    waf_web_acl_month: float = 5.0
    waf_rule_month: float = 1.0
    waf_per_million_requests: float = 0.60
    # https://aws.amazon.com/fargate/pricing/ (Linux, x86)
    fargate_vcpu_hour: float = 0.04048
    fargate_gb_hour: float = 0.004445
    # https://aws.amazon.com/rds/aurora/pricing/ (Aurora Standard; Serverless v2)
    aurora_acu_hour: float = 0.12
    aurora_gb_month: float = 0.10
    aurora_per_million_io: float = 0.20
    # https://aws.amazon.com/opensearch-service/pricing/ (on-demand instances; gp3 storage)
    opensearch_instance_hour: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(
            {
                "t3.small.search": 0.036,
                "t3.medium.search": 0.073,
                "c6g.large.search": 0.113,
                "m6g.large.search": 0.128,
                "r6g.large.search": 0.167,
            }
        )
    )
    opensearch_gp3_gb_month: float = 0.122
    # https://aws.amazon.com/elasticache/pricing/ (Valkey on-demand nodes, 20% below Redis OSS)
    elasticache_node_hour: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType(
            {
                "cache.t4g.micro": 0.0128,
                "cache.t4g.small": 0.0256,
                "cache.t4g.medium": 0.052,
                "cache.m7g.large": 0.1264,
                "cache.r7g.large": 0.1752,
            }
        )
    )
    # https://aws.amazon.com/elasticloadbalancing/pricing/ (Application Load Balancer)
    alb_hour: float = 0.0225
    alb_lcu_hour: float = 0.008
    # https://aws.amazon.com/vpc/pricing/ (NAT gateway hour and data processed; public IPv4 addresses)
    nat_hour: float = 0.045
    nat_gb: float = 0.045
    public_ipv4_hour: float = 0.005
    # https://aws.amazon.com/lambda/pricing/ (x86) and https://aws.amazon.com/sqs/pricing/ (standard)
    lambda_gb_second: float = 0.0000166667
    lambda_per_million_requests: float = 0.20
    sqs_per_million_requests: float = 0.40
    # https://aws.amazon.com/ses/pricing/ (outbound mail)
    ses_per_1000_mails: float = 0.10
    # https://aws.amazon.com/cognito/pricing/ (Essentials tier, per monthly active user)
    cognito_mau: float = 0.015
    # https://aws.amazon.com/kms/pricing/ and https://aws.amazon.com/secrets-manager/pricing/
    kms_key_month: float = 1.0
    kms_per_10000_requests: float = 0.03
    secret_month: float = 0.40
    # https://aws.amazon.com/cloudwatch/pricing/ (logs, custom metrics, alarm metrics, dashboards;
    # vended logs to S3 for VPC flow logs)
    logs_ingest_gb: float = 0.50
    logs_store_gb_month: float = 0.03
    metric_month: float = 0.30
    alarm_metric_month: float = 0.10
    dashboard_month: float = 3.0
    vended_logs_to_s3_gb: float = 0.25
    # https://aws.amazon.com/ecr/pricing/
    ecr_gb_month: float = 0.10


PRICES = Prices()

# --- what the deployment does besides serving users (documented assumptions) ----------------------
USERS_PER_WEB_TASK = 250  # active users one web task (1 vCPU) serves before autoscaling adds one
REQUESTS_PER_ACTIVE_USER = 15_000  # HTTP requests a month: pages, API calls, thumbnails, long-polls
MULTIPART_PART_MB = 16  # PCS_MULTIPART_PART_SIZE: each part of a large upload is one PUT
PUTS_PER_UPLOAD = 3  # the file and its two thumbnails
LAMBDA_SECONDS_PER_UPLOAD = 1.5  # one thumbnail run per upload
AURORA_IO_PER_UPLOAD = 100
AURORA_IO_PER_REQUEST = 2
AURORA_EXTRA_ACU_HOURS_PER_ACTIVE_USER = 0.2  # bursts above the minimum capacity
DB_GB_PER_STORED_GB = 0.004  # rows (node, version, blob, change) and indexes per ~1 MB of content: ~4 KB
EGRESS_GB_PER_ACTIVE_USER = 0.25  # pages, scripts and thumbnails besides downloaded files
AVERAGE_FILE_MB = 4.0
NAT_GB = 10.0  # image pulls, AWS API calls and logs leaving through NAT (S3 uses the gateway endpoint)
SQS_IDLE_REQUESTS = 650_000  # the Lambda event source's long-polling pollers, busy or not
KMS_REQUESTS = 100_000  # with S3 bucket keys and SQS data-key reuse, KMS calls barely grow with use
LOGS_INGEST_GB = 3.0  # task, Lambda, database and OpenSearch logs
LOGS_COMPRESSION = 0.2  # CloudWatch bills stored logs compressed
FLOW_LOGS_GB = 3.0
LOG_BUCKET_GB = 18.0  # ~6 GB a month of ALB, CloudFront, S3 access and flow logs, kept 90 days
ECR_GB = 5.0  # a few image versions (layers shared between them)
CONTAINER_INSIGHTS_METRICS = 40
S3_REQUEST_METRICS = 13  # the bucket's request metrics that report (no Select requests)
WAF_RULES = 4  # common rule set, known bad inputs, IP reputation, rate limit
ALARM_METRICS = 11  # nine alarms; the 5xx-rate alarm reads three metrics
SECRETS = 5  # secret key, Aurora master, database URL, OpenSearch URL, Redis URL
KMS_KEYS = 1
