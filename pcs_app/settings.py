"""Every PCS setting, read once from the environment (prefix ``PCS_``) and validated."""

from __future__ import annotations

import difflib
import functools
import json
import os
import secrets
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MiB = 1024 * 1024
GiB = 1024 * MiB
PREFIX = "PCS_"
# PCS_ variables that are not settings of the app: knobs of the test suite and the benchmarks.
NOT_SETTINGS = ("PCS_TEST_", "PCS_BENCH_", "PCS_REQUIRE_SERVICES", "PCS_CRASH_ITERATIONS")


class Settings(BaseSettings):
    """PCS configuration. Each field is the env var ``PCS_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, extra="forbid")

    data_dir: Path = Field(
        Path("data"), description="Where the SQLite database, the embedded S3 data and its credentials live."
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default SQLite at <data_dir>/pcs.db. postgresql+psycopg://… for PostgreSQL."
    )
    host: str = Field("127.0.0.1", description="Address the app listens on.")
    port: int = Field(3000, description="Port of the app (UI and API on one port).")
    public_url: str | None = Field(
        None, description="The address users reach the app at, for links in mail (default http://localhost:<port>)."
    )
    allowed_origins: str = Field(
        "",
        description="Comma-separated extra origins allowed to call the API from a browser "
        "(the app's own origin, from public_url, is always allowed).",
    )
    trusted_proxies: str = Field(
        "",
        description="Comma-separated addresses or networks (CIDR) of load balancers in front of the app: "
        "requests from them give the client's address in X-Forwarded-For. Empty: the TCP peer is the client.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Server secret for signed values; default: generated once into <data_dir>/secret.key. "
        "Set it (the same on every instance) when several instances serve one site.",
    )

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
    batch_concurrency: int = Field(16, description="Files of one batch upload sent to S3 at once.")
    batch_max_file_size: int = Field(
        16 * MiB, description="Largest file accepted in a batch upload (larger ones go on their own)."
    )
    session_part_size: int = Field(16 * MiB, description="Part size offered to clients of large-file sessions.")
    max_file_size: int = Field(5 * 1024 * GiB, description="Largest file accepted (S3's limit is 5 TiB).")
    upload_session_ttl_seconds: int = Field(24 * 3600, description="Lifetime of an unfinished large-file session.")

    signup_open: bool = Field(True, description="Whether anyone may create an account.")
    default_quota_bytes: int | None = Field(
        None, description="Storage quota of new accounts in bytes (unset: unlimited); `pcs users quota` changes one."
    )
    versions_keep_all_days: int = Field(7, description="Every version of a file is kept this many days.")
    versions_max: int = Field(
        100, description="Most versions kept per file (pinned ones and the current one always stay)."
    )
    trash_days: int = Field(30, description="Days an item stays in the trash before it is deleted for good (0: never).")
    retention_interval_minutes: int = Field(
        60, description="How often the worker thins old versions and empties old trash (0: never)."
    )
    token_ttl_days: int = Field(90, description="Lifetime of API and sign-in tokens, in days.")
    login_window_seconds: int = Field(900, description="Window over which failed sign-ins are counted.")
    login_free_failures: int = Field(
        3, description="Failed sign-ins from one address to one account before each further try must wait."
    )
    login_max_delay_seconds: int = Field(
        900, description="Longest wait imposed between tries of one address on one account (doubling up to it)."
    )
    login_max_failures_account: int = Field(
        50,
        description="Failed sign-ins per account per window (from all addresses) before only addresses "
        "that signed in to it before may try.",
    )
    login_max_failures_ip: int = Field(
        200,
        description="Failed sign-ins per client address per window (all accounts) before only accounts "
        "that signed in from it before may try.",
    )
    signup_max_per_ip: int = Field(10, description="Accounts one client address may create per hour.")
    password_min_length: int = Field(8, description="Shortest accepted password.")

    redis_url: str | None = Field(
        None, description="Redis URL for the change broker and the job queue across instances."
    )
    web_workers: int = Field(0, description="App processes with UI state in Redis (REFLEX_REDIS_URL); 0: one per CPU.")
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

    search_backend: Literal["auto", "fts5", "opensearch"] = Field(
        "auto",
        description="Search index: fts5 (SQLite FTS5), opensearch, or auto (OpenSearch when PCS_OPENSEARCH_URL is set).",
    )
    search_db: Path | None = Field(
        None, description="SQLite file of the FTS5 search index; default <data_dir>/search.db."
    )
    search_sweep_minutes: int = Field(
        1,
        description="How often the worker catches the search index up on changes no job told it of "
        "(lost jobs, or PCS_JOBS_ENQUEUE=false) and drops text no file holds (0: never).",
    )
    opensearch_url: SecretStr | None = Field(
        None, description="OpenSearch URL (credentials may be in it: https://user:password@host:443)."
    )
    opensearch_prefix: str = Field(
        "pcs-files", description="Name of the OpenSearch alias searched (indexes are <prefix>-…)."
    )
    opensearch_username: str | None = Field(None, description="OpenSearch user for basic auth (unless in the URL).")
    opensearch_password: SecretStr | None = Field(None, description="Password of opensearch_username.")
    opensearch_aws_region: str | None = Field(
        None,
        description="Sign OpenSearch requests with AWS SigV4 for this region (Amazon OpenSearch Service, IAM auth).",
    )
    opensearch_verify_certs: bool = Field(True, description="Check the OpenSearch server's TLS certificate.")
    opensearch_ca_certs: str | None = Field(None, description="CA bundle file for the OpenSearch server's certificate.")
    opensearch_timeout_seconds: float = Field(30.0, description="Longest wait for one OpenSearch request.")
    opensearch_shards: int = Field(1, description="Primary shards of each new OpenSearch index.")
    opensearch_replicas: int | None = Field(
        None, description="Replicas of each new OpenSearch index (unset: the cluster's default)."
    )
    opensearch_search_after: bool = Field(
        True, description="Page with search_after; false pages with from/size (for stand-ins such as osmem-server)."
    )
    extract_max_chars: int = Field(100_000, description="Characters of text per file kept for search.")
    extract_max_file_bytes: int = Field(
        64 * MiB, description="PDF and Office files larger than this are searched by name only; text is read this far."
    )
    extract_max_unzipped_bytes: int = Field(
        64 * MiB, description="Most bytes unzipped from one Office file while reading its text."
    )
    extract_timeout_seconds: float = Field(30.0, description="Longest the text of one file may take to read.")

    # -- mail, notifications, audit and usage (issue 12) --
    mail_backend: Literal["outbox", "smtp", "ses"] = Field(
        "outbox", description="Where mail goes: outbox (.eml files in mail_outbox_dir), smtp, or ses (Amazon SES)."
    )
    mail_from: str = Field("PCS <pcs@localhost>", description="The From address of the mail PCS sends.")
    mail_outbox_dir: Path | None = Field(
        None, description="Folder of the outbox backend's .eml files; default <data_dir>/outbox."
    )
    mail_max_age_hours: int = Field(
        72, description="A mail that could not be sent for this long is given up (kept, marked expired)."
    )
    smtp_host: str | None = Field(None, description="SMTP server (PCS_MAIL_BACKEND=smtp).")
    smtp_port: int = Field(587, description="SMTP port (587 starttls, 465 ssl, 25 none).")
    smtp_security: Literal["none", "starttls", "ssl"] = Field("starttls", description="SMTP connection security.")
    smtp_username: str | None = Field(None, description="SMTP login (with smtp_password).")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_timeout: float = Field(30.0, description="Longest wait for the SMTP server, in seconds.")
    smtp_ca_file: str | None = Field(None, description="CA bundle for a private SMTP server certificate.")
    ses_region: str | None = Field(None, description="Amazon SES region (PCS_MAIL_BACKEND=ses); default s3_region.")
    ses_endpoint: str | None = Field(None, description="SES endpoint URL (a stand-in); default AWS's.")
    ses_configuration_set: str | None = Field(
        None, description="SES configuration set that records deliveries, bounces and complaints."
    )
    password_reset_minutes: int = Field(60, description="Lifetime of a password-reset link, in minutes.")
    password_reset_max_per_hour: int = Field(
        5, description="Password-reset mails per account, and reset requests per client address, per hour."
    )
    audit_stdout: bool = Field(True, description="Also write every audit event to stdout as a JSON line.")
    usage_rollup_minutes: int = Field(
        1, description="How often the worker folds new usage events into the daily tables (0: never)."
    )
    # -- sign-in through Amazon Cognito (issue 14) --
    auth: Literal["local", "cognito"] = Field("local", description="Who checks passwords: local or cognito.")
    cognito_user_pool_id: str | None = Field(None, description="Cognito user pool id (PCS_AUTH=cognito).")
    cognito_client_id: str | None = Field(None, description="The pool's app client id (no secret).")
    cognito_region: str | None = Field(None, description="AWS region of the Cognito user pool.")
    cognito_endpoint_url: str | None = Field(None, description="Cognito endpoint (a stand-in); default AWS's.")

    @model_validator(mode="before")
    @classmethod
    def _no_unknown_keys(cls, data: Any) -> Any:
        known = {PREFIX + name.upper() for name in cls.model_fields}
        for key in os.environ:
            if key.startswith(PREFIX) and key not in known and not key.startswith(NOT_SETTINGS):
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise ValueError(f"{key} is not a PCS setting{hint}; see the settings table in README.md")
        return data

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
        if self.batch_concurrency < 1 or self.batch_max_file_size < 1:
            raise ValueError("PCS_BATCH_CONCURRENCY and PCS_BATCH_MAX_FILE_SIZE must be >= 1")
        if self.jobs_workers < 1 or self.web_workers < 0:
            raise ValueError("PCS_JOBS_WORKERS must be >= 1 and PCS_WEB_WORKERS >= 0 (0: one per CPU)")
        if self.thumb_memory_mb < 256:
            raise ValueError("PCS_THUMB_MEMORY_MB must be at least 256")
        if self.default_quota_bytes is not None and self.default_quota_bytes < 0:
            raise ValueError("PCS_DEFAULT_QUOTA_BYTES must be 0 or more (unset it for no quota)")
        if self.versions_max < 1 or self.versions_keep_all_days < 0 or self.trash_days < 0:
            raise ValueError("PCS_VERSIONS_MAX must be >= 1; PCS_VERSIONS_KEEP_ALL_DAYS and PCS_TRASH_DAYS >= 0")
        return self

    @model_validator(mode="after")
    def _cluster(self) -> Settings:
        try:
            _ = self.proxy_networks
        except ValueError as e:
            raise ValueError(f"PCS_TRUSTED_PROXIES must be addresses or networks like 10.0.0.0/8: {e}") from e
        if self.redis_url is not None and self.secret_key is None:
            raise ValueError(
                "PCS_SECRET_KEY must be set (the same on every instance) when PCS_REDIS_URL is set: instances "
                "that each generated their own secret would not recognise each other's signed values"
            )
        return self

    @model_validator(mode="after")
    def _search(self) -> Settings:
        if self.search_backend == "opensearch" and self.opensearch_url is None:
            raise ValueError("PCS_SEARCH_BACKEND=opensearch needs PCS_OPENSEARCH_URL")
        if self.extract_max_chars < 0 or self.extract_max_file_bytes < 0 or self.extract_max_unzipped_bytes < 0:
            raise ValueError("PCS_EXTRACT_MAX_CHARS, _FILE_BYTES and _UNZIPPED_BYTES must be 0 or more")
        if self.extract_timeout_seconds <= 0 or self.opensearch_timeout_seconds <= 0 or self.opensearch_shards < 1:
            raise ValueError("PCS_EXTRACT_TIMEOUT_SECONDS and PCS_OPENSEARCH_TIMEOUT_SECONDS must be > 0, shards >= 1")
        return self

    @model_validator(mode="after")
    def _mail(self) -> Settings:
        if self.mail_backend == "smtp" and not self.smtp_host:
            raise ValueError("PCS_MAIL_BACKEND=smtp needs PCS_SMTP_HOST")
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise ValueError("PCS_SMTP_USERNAME and PCS_SMTP_PASSWORD go together")
        if self.password_reset_minutes < 1 or self.password_reset_max_per_hour < 1 or self.mail_max_age_hours < 1:
            raise ValueError("PCS_PASSWORD_RESET_MINUTES, _MAX_PER_HOUR and PCS_MAIL_MAX_AGE_HOURS must be >= 1")
        if self.usage_rollup_minutes < 0:
            raise ValueError("PCS_USAGE_ROLLUP_MINUTES must be 0 or more")
        return self

    @model_validator(mode="after")
    def _auth(self) -> Settings:
        names = ("cognito_user_pool_id", "cognito_client_id", "cognito_region")
        if self.auth == "cognito" and (missing := [f"PCS_{n.upper()}" for n in names if not getattr(self, n)]):
            raise ValueError(f"PCS_AUTH=cognito needs {', '.join(missing)}")
        if self.auth == "cognito" and not str(self.cognito_user_pool_id).startswith(f"{self.cognito_region}_"):
            raise ValueError("PCS_COGNITO_USER_POOL_ID must be <PCS_COGNITO_REGION>_<id>, e.g. eu-west-1_AbC123")
        return self

    @property
    def effective_outbox_dir(self) -> Path:
        return self.mail_outbox_dir or self.data_dir / "outbox"

    @property
    def effective_search_backend(self) -> str:
        """fts5 or opensearch: what ``search_backend`` means with the other settings."""
        if self.search_backend == "auto":
            return "fts5" if self.opensearch_url is None else "opensearch"
        return self.search_backend

    @property
    def effective_search_db(self) -> Path:
        return self.search_db or self.data_dir / "search.db"

    @property
    def effective_public_url(self) -> str:
        return (self.public_url or f"http://localhost:{self.port}").rstrip("/")

    @property
    def origins(self) -> list[str]:
        """Browser origins allowed to call the API with credentials: the app's own, plus configured ones."""
        own = urlsplit(self.effective_public_url)
        found = [f"{own.scheme}://{own.netloc}"]
        if self.public_url is None:
            found.append(f"http://127.0.0.1:{self.port}")
        found += [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]
        return list(dict.fromkeys(found))

    @property
    def proxy_networks(self) -> list[IPv4Network | IPv6Network]:
        return [ip_network(p.strip(), strict=False) for p in self.trusted_proxies.split(",") if p.strip()]

    @property
    def secret_file(self) -> Path:
        return self.data_dir / "secret.key"

    def server_secret(self) -> bytes:
        """The server secret: the setting, else a key generated once into <data_dir>/secret.key."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        return _ensure_file(self.secret_file, lambda: secrets.token_urlsafe(48)).encode()

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


def _ensure_file(path: Path, make: Any) -> str:
    """The content of ``path``, written once (owner-only) from ``make()`` if it does not exist yet."""
    if path.exists():
        return path.read_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(make())
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)  # first writer wins; a concurrent start reads the winner's value
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text()


def ensure_embedded_credentials(settings: Settings) -> dict[str, str]:
    """Create the embedded SeaweedFS key pair once, readable by the owner only."""
    text = _ensure_file(
        settings.credentials_file,
        lambda: json.dumps({"accessKey": "pcs" + secrets.token_hex(8), "secretKey": secrets.token_urlsafe(30)}),
    )
    creds: dict[str, str] = json.loads(text)
    return creds


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, validated on first use."""
    return Settings.model_validate({})
