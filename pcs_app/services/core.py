"""The service container: settings, database, blob store, broker, job queue and search index.

Built by ``pcs_app.wiring`` (once per process, lazily); services receive it as their first argument
and never build or look it up themselves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from pcs_app.adapters.auth import IdentityProvider
from pcs_app.adapters.blobstore import BlobStore, S3Config
from pcs_app.adapters.broker import LocalBroker, create_broker
from pcs_app.adapters.mail import Mailer
from pcs_app.adapters.queue import JobQueue
from pcs_app.adapters.search import SearchIndex
from pcs_app.db import Database
from pcs_app.settings import Settings


@dataclass
class Core:
    settings: Settings
    db: Database
    blobs: BlobStore
    broker: LocalBroker
    # Builds the job queue on first use; the wiring module supplies it (the jobs live a layer up).
    make_jobs: Callable[[Core], JobQueue] | None = field(default=None, repr=False)
    # Builds the search index on first use (the wiring module chooses the backend from settings).
    make_search: Callable[[Core], SearchIndex] | None = field(default=None, repr=False)
    # Builds the mailer on first use (the backend the settings name; see pcs_app.wiring).
    make_mailer: Callable[[Core], Mailer] | None = field(default=None, repr=False)
    # Builds the external user directory on first use (PCS_AUTH=cognito; None with local accounts).
    make_identity: Callable[[Core], IdentityProvider] | None = field(default=None, repr=False)
    _jobs: JobQueue | None = field(default=None, init=False, repr=False)
    _search: SearchIndex | None = field(default=None, init=False, repr=False)
    _mailer: Mailer | None = field(default=None, init=False, repr=False)
    _identity: IdentityProvider | None = field(default=None, init=False, repr=False)
    # Run by close() first: e.g. the audit log's buffer writes what it still holds.
    _closers: list[Callable[[], None]] = field(
        default_factory=lambda: list[Callable[[], None]](), init=False, repr=False
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        make_jobs: Callable[[Core], JobQueue] | None = None,
        make_search: Callable[[Core], SearchIndex] | None = None,
        make_mailer: Callable[[Core], Mailer] | None = None,
        make_identity: Callable[[Core], IdentityProvider] | None = None,
    ) -> Core:
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
        return cls(
            settings,
            Database(settings.effective_database_url),
            blobs,
            create_broker(settings.redis_url),
            make_jobs,
            make_search,
            make_mailer,
            make_identity,
        )

    @property
    def jobs(self) -> JobQueue:
        """The background job queue, created on first use."""
        if self._jobs is None:
            with self._lock:
                if self._jobs is None:
                    if self.make_jobs is None:
                        raise RuntimeError("this Core was built without a job queue (see pcs_app.wiring)")
                    self._jobs = self.make_jobs(self)
        return self._jobs

    @property
    def has_search(self) -> bool:
        """Whether this Core was built with a search index (see pcs_app.wiring)."""
        return self.make_search is not None

    @property
    def search(self) -> SearchIndex:
        """The search index, created on first use."""
        if self._search is None:
            with self._lock:
                if self._search is None:
                    if self.make_search is None:
                        raise RuntimeError("this Core was built without a search index (see pcs_app.wiring)")
                    self._search = self.make_search(self)
        return self._search

    @property
    def mailer(self) -> Mailer:
        """The mailer, created on first use."""
        if self._mailer is None:
            with self._lock:
                if self._mailer is None:
                    if self.make_mailer is None:
                        raise RuntimeError("this Core was built without a mailer (see pcs_app.wiring)")
                    self._mailer = self.make_mailer(self)
        return self._mailer

    @property
    def identity(self) -> IdentityProvider | None:
        """The external user directory (PCS_AUTH=cognito), created on first use; None: local accounts."""
        if self._identity is None and self.make_identity is not None:
            with self._lock:
                if self._identity is None:
                    self._identity = self.make_identity(self)
        return self._identity

    def on_close(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` when this Core closes (before anything is released)."""
        self._closers.append(fn)

    def close(self) -> None:
        for fn in self._closers:
            fn()
        if self._mailer is not None:
            self._mailer.close()
        if self._identity is not None:
            self._identity.close()
        if self._search is not None:
            self._search.close()
        if self._jobs is not None:
            self._jobs.close()
        self.broker.close()
        self.db.dispose()
