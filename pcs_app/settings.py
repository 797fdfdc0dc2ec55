"""Every PCS setting, read once from the environment (prefix ``PCS_``) and validated."""

from __future__ import annotations

import functools
import json
import secrets
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB = 1024 * 1024
GiB = 1024 * MiB


class Settings(BaseSettings):
    """PCS configuration. Each field is the env var ``PCS_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="PCS_", extra="ignore")

    data_dir: Path = Field(
        Path("data"), description="Where the SQLite database, the embedded S3 data and its credentials live."
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default SQLite at <data_dir>/pcs.db. postgresql+psycopg://… for PostgreSQL."
    )
    host: str = Field("127.0.0.1", description="Address the app listens on.")
    port: int = Field(3000, description="Port of the app (UI and API on one port).")

    s3_endpoint: str | None = Field(
        None, description="S3 endpoint URL. Unset: embedded SeaweedFS on 127.0.0.1:<s3_port>. Empty string: AWS S3."
    )
    s3_port: int = Field(8333, description="Port of the embedded SeaweedFS S3 API.")
    weed_ports: str = Field(
        "9333,8380,8888,23646",
        description="Embedded SeaweedFS master,volume,filer,admin ports (gRPC on each +10000).",
    )
    s3_region: str = Field("us-east-1", description="S3 region.")
    s3_bucket: str = Field("pcs", description="Bucket holding every file's bytes.")
    s3_access_key: str | None = Field(
        None, description="S3 access key; default: generated once into <data_dir>/s3-credentials.json (embedded)."
    )
    s3_secret_key: str | None = Field(None, description="S3 secret key; see s3_access_key.")
    s3_public_endpoint: str | None = Field(
        None, description="Endpoint used in presigned URLs given to clients (default: s3_endpoint)."
    )

    multipart_threshold: int = Field(8 * MiB, description="Uploads larger than this use S3 multipart.")
    multipart_part_size: int = Field(16 * MiB, description="Part size for streamed multipart uploads.")
    upload_concurrency: int = Field(6, description="Parts of one streamed upload sent to S3 at once.")
    session_part_size: int = Field(64 * MiB, description="Part size offered to clients of large-file sessions.")
    max_file_size: int = Field(5 * 1024 * GiB, description="Largest file accepted (S3's limit is 5 TiB).")
    upload_session_ttl_seconds: int = Field(24 * 3600, description="Lifetime of an unfinished large-file session.")

    signup_open: bool = Field(True, description="Whether anyone may create an account.")
    token_ttl_days: int = Field(90, description="Lifetime of API and sign-in tokens, in days.")
    login_window_seconds: int = Field(900, description="Window over which failed sign-ins are counted.")
    login_max_failures_account: int = Field(5, description="Failed sign-ins per account per window before refusal.")
    login_max_failures_ip: int = Field(30, description="Failed sign-ins per client address per window.")
    password_min_length: int = Field(8, description="Shortest accepted password.")

    redis_url: str | None = Field(
        None, description="Redis URL for the change broker and the job queue across instances."
    )
    longpoll_max_seconds: float = Field(60.0, description="Longest wait of GET /api/v1/changes.")
    gc_grace_seconds: int = Field(3600, description="Age before an unreferenced S3 object may be reclaimed.")
    list_page_max: int = Field(1000, description="Largest page of a folder listing.")

    jobs_db: Path | None = Field(
        None, description="SQLite file of the job queue; default <data_dir>/jobs.db (unused when PCS_REDIS_URL is set)."
    )
    jobs_queue_name: str = Field("pcs", description="Name of the job queue (keeps deployments sharing a Redis apart).")
    jobs_workers: int = Field(2, description="Worker threads in each `pcs worker` process.")
    jobs_poll_seconds: float = Field(
        0.5, description="Longest pause of an idle worker between looks at a SQLite queue."
    )
    jobs_enqueue: bool = Field(
        True,
        description="Whether the app queues jobs itself; false when S3 events feed the Lambda entry point instead.",
    )
    gc_interval_minutes: int = Field(60, description="How often the worker runs garbage collection (0: never).")
    thumb_max_pixels: int = Field(
        64_000_000, description="Largest image decoded for a thumbnail, in pixels (JPEGs count after reduced decoding)."
    )
    thumb_max_input_bytes: int = Field(256 * MiB, description="Largest image or PDF file given a thumbnail.")
    thumb_max_video_bytes: int = Field(
        2 * GiB, description="Largest video given a poster frame (it is copied to a temporary file first)."
    )
    thumb_memory_mb: int = Field(1024, description="Address-space limit of each thumbnail sandbox process, in MiB.")
    thumb_timeout_seconds: float = Field(60.0, description="Longest one thumbnail may take before it is given up.")

    @field_validator("s3_bucket")
    @classmethod
    def _bucket(cls, v: str) -> str:
        if not (3 <= len(v) <= 63) or not all(c.islower() or c.isdigit() or c in "-." for c in v):
            raise ValueError("PCS_S3_BUCKET must be 3-63 lowercase letters, digits, '-' or '.'")
        return v

    @field_validator("weed_ports")
    @classmethod
    def _weed_ports(cls, v: str) -> str:
        parts = v.split(",")
        if len(parts) != 4 or not all(p.strip().isdigit() and 0 < int(p) < 55536 for p in parts):
            raise ValueError("PCS_WEED_PORTS must be four ports: master,volume,filer,admin")
        return v

    @model_validator(mode="after")
    def _sizes(self) -> Settings:
        if self.multipart_part_size < 5 * MiB or self.session_part_size < 5 * MiB:
            raise ValueError("S3 parts must be at least 5 MiB")
        if self.upload_concurrency < 1:
            raise ValueError("PCS_UPLOAD_CONCURRENCY must be >= 1")
        if self.jobs_workers < 1:
            raise ValueError("PCS_JOBS_WORKERS must be >= 1")
        if self.thumb_memory_mb < 256:
            raise ValueError("PCS_THUMB_MEMORY_MB must be at least 256")
        return self

    @property
    def embedded_s3(self) -> bool:
        """True when PCS runs its own SeaweedFS (no external endpoint configured)."""
        return self.s3_endpoint is None

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'pcs.db').resolve()}"

    @property
    def effective_s3_endpoint(self) -> str | None:
        if self.s3_endpoint is None:
            return f"http://127.0.0.1:{self.s3_port}"
        return self.s3_endpoint or None

    @property
    def effective_jobs_db(self) -> Path:
        return self.jobs_db or self.data_dir / "jobs.db"

    @property
    def credentials_file(self) -> Path:
        return self.data_dir / "s3-credentials.json"

    def s3_credentials(self) -> tuple[str | None, str | None]:
        """Access/secret key: explicit settings, else the embedded store's generated pair."""
        if self.s3_access_key and self.s3_secret_key:
            return self.s3_access_key, self.s3_secret_key
        if self.embedded_s3:
            creds = ensure_embedded_credentials(self)
            return creds["accessKey"], creds["secretKey"]
        return None, None  # boto3's own chain (IAM role on AWS)


def ensure_embedded_credentials(settings: Settings) -> dict[str, str]:
    """Create the embedded SeaweedFS key pair once, readable by the owner only."""
    path = settings.credentials_file
    if path.exists():
        return json.loads(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    creds = {"accessKey": "pcs" + secrets.token_hex(8), "secretKey": secrets.token_urlsafe(30)}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(creds))
    tmp.chmod(0o600)
    tmp.replace(path)
    return creds


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, validated on first use."""
    return Settings()
