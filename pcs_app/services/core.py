"""The service container: settings, database, blob store, broker and job queue, built once per process, lazily."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pcs_app.adapters.blobstore import BlobStore, S3Config
from pcs_app.adapters.broker import LocalBroker, create_broker
from pcs_app.db import Database
from pcs_app.settings import Settings, get_settings

if TYPE_CHECKING:
    from pcs_app.adapters.queue import JobQueue


@dataclass
class Core:
    settings: Settings
    db: Database
    blobs: BlobStore
    broker: LocalBroker
    _jobs: JobQueue | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> Core:
        access, secret = settings.s3_credentials()
        blobs = BlobStore(
            S3Config(
                bucket=settings.s3_bucket,
                endpoint_url=settings.effective_s3_endpoint,
                region=settings.s3_region,
                access_key=access,
                secret_key=secret,
                public_endpoint_url=settings.s3_public_endpoint,
                part_size=settings.multipart_part_size,
                threshold=settings.multipart_threshold,
                concurrency=settings.upload_concurrency,
            )
        )
        return cls(settings, Database(settings.effective_database_url), blobs, create_broker(settings.redis_url))

    @property
    def jobs(self) -> JobQueue:
        """The background job queue, created on first use."""
        if self._jobs is None:
            with _lock:
                if self._jobs is None:
                    # Imported here: the jobs themselves use the services, which import this module.
                    from backend_jobs import build_queue

                    self._jobs = build_queue(self)
        return self._jobs

    def close(self) -> None:
        if self._jobs is not None:
            self._jobs.close()
        self.broker.close()
        self.db.dispose()


_core: Core | None = None
_lock = threading.Lock()


def get_core() -> Core:
    """The process-wide Core, created on first use (never at import)."""
    global _core
    if _core is None:
        with _lock:
            if _core is None:
                _core = Core.from_settings(get_settings())
    return _core


def set_core(core: Core | None) -> None:
    """Install a Core (tests, CLI)."""
    global _core
    _core = core
