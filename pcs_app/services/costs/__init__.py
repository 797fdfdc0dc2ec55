"""Monthly AWS cost of a PCS deployment: a dated us-east-1 price table and a usage model.

Pure: no I/O, no AWS calls. ``estimate(usage, sizing)`` prices one month, one line per service, each
split into a fixed part (always-on capacity, paid at zero use) and a usage-driven part. ``Sizing``'s
defaults are the example environment's (infra/envs/example/terraform.tfvars; a test keeps them
equal), and infra/README.md's cost table is ``cost_table_markdown()`` verbatim.

No free tier is applied anywhere (CloudFront's always-free 1 TB, Cognito's 10,000 free monthly
users, Lambda's and SQS's free requests, the first three dashboards): the figures are what an
account that has used its allowances pays.
"""

from .ballpark import (
    BALLPARK_TEXT,
    PUBLISHED_BALLPARK,
    STORAGE_EGRESS_SERVICES,
    Ballpark,
    Comparison,
    compare_with_ballpark,
    explain,
)
from .model import Estimate, Line, Sizing, Usage, estimate, project, typical_usage
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
    REGION,
    REQUESTS_PER_ACTIVE_USER,
    S3_REQUEST_METRICS,
    SECRETS,
    SQS_IDLE_REQUESTS,
    USERS_PER_WEB_TASK,
    WAF_RULES,
    Prices,
)

__all__ = [
    "ALARM_METRICS",
    "AURORA_EXTRA_ACU_HOURS_PER_ACTIVE_USER",
    "AURORA_IO_PER_REQUEST",
    "AURORA_IO_PER_UPLOAD",
    "AVERAGE_FILE_MB",
    "BALLPARK_TEXT",
    "CONTAINER_INSIGHTS_METRICS",
    "DB_GB_PER_STORED_GB",
    "ECR_GB",
    "EGRESS_GB_PER_ACTIVE_USER",
    "FLOW_LOGS_GB",
    "HOURS_PER_MONTH",
    "KMS_KEYS",
    "KMS_REQUESTS",
    "LAMBDA_SECONDS_PER_UPLOAD",
    "LOGS_COMPRESSION",
    "LOGS_INGEST_GB",
    "LOG_BUCKET_GB",
    "MULTIPART_PART_MB",
    "NAT_GB",
    "PRICES",
    "PRICES_AS_OF",
    "PUBLISHED_BALLPARK",
    "PUTS_PER_UPLOAD",
    "REGION",
    "REQUESTS_PER_ACTIVE_USER",
    "S3_REQUEST_METRICS",
    "SECRETS",
    "SQS_IDLE_REQUESTS",
    "STORAGE_EGRESS_SERVICES",
    "USERS_PER_WEB_TASK",
    "WAF_RULES",
    "Ballpark",
    "Comparison",
    "Estimate",
    "Line",
    "Prices",
    "Sizing",
    "Usage",
    "compare_with_ballpark",
    "estimate",
    "explain",
    "project",
    "typical_usage",
]
