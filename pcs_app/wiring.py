"""Builds the process-wide Core with everything plugged in (job queue included). Above every layer.

The UI, the API and the command line ask ``get_core()``; services and jobs receive the Core as an
argument. Nothing is built at import: the first call does it.
"""

from __future__ import annotations

import threading

from backend_jobs import build_queue
from pcs_app.adapters.auth import IdentityProvider, create_identity_provider
from pcs_app.adapters.mail import Mailer, create_mailer
from pcs_app.adapters.search import SearchIndex, create_index
from pcs_app.services.core import Core
from pcs_app.settings import Settings, get_settings

_core: Core | None = None
_lock = threading.Lock()


def build_core(settings: Settings) -> Core:
    """A Core for ``settings`` whose job queue runs every registered job, with the search index it names."""
    return Core.from_settings(
        settings,
        make_jobs=build_queue,
        make_search=build_search,
        make_mailer=build_mailer,
        make_identity=build_identity if settings.auth == "cognito" else None,
    )


def build_identity(core: Core) -> IdentityProvider:
    """The Cognito user pool the settings name (PCS_AUTH=cognito); its keys are fetched on first use."""
    s = core.settings
    assert s.cognito_region and s.cognito_user_pool_id and s.cognito_client_id  # checked by Settings
    return create_identity_provider(
        "cognito",
        region=s.cognito_region,
        user_pool_id=s.cognito_user_pool_id,
        client_id=s.cognito_client_id,
        endpoint_url=s.cognito_endpoint_url,
    )


def build_mailer(core: Core) -> Mailer:
    """The mail backend the settings choose: an outbox folder of .eml files, an SMTP server, or Amazon SES."""
    s = core.settings
    if s.mail_backend == "outbox":
        return create_mailer("outbox", directory=s.effective_outbox_dir)
    if s.mail_backend == "smtp":
        assert s.smtp_host is not None  # checked by Settings
        return create_mailer(
            "smtp",
            host=s.smtp_host,
            port=s.smtp_port,
            security=s.smtp_security,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            timeout=s.smtp_timeout,
            ca_file=s.smtp_ca_file,
        )
    return create_mailer(
        "ses",
        region=s.ses_region or s.s3_region,
        endpoint_url=s.ses_endpoint,
        configuration_set=s.ses_configuration_set,
    )


def build_search(core: Core) -> SearchIndex:
    """The search backend the settings choose: SQLite FTS5 in its own file, or OpenSearch."""
    s = core.settings
    if s.effective_search_backend == "fts5":
        return create_index("fts5", path=s.effective_search_db)
    assert s.opensearch_url is not None  # checked by Settings
    return create_index(
        "opensearch",
        url=s.opensearch_url.get_secret_value(),
        prefix=s.opensearch_prefix,
        username=s.opensearch_username,
        password=s.opensearch_password.get_secret_value() if s.opensearch_password else None,
        aws_region=s.opensearch_aws_region,
        verify_certs=s.opensearch_verify_certs,
        ca_certs=s.opensearch_ca_certs,
        timeout=s.opensearch_timeout_seconds,
        shards=s.opensearch_shards,
        replicas=s.opensearch_replicas,
        search_after=s.opensearch_search_after,
    )


def get_core() -> Core:
    """The process-wide Core, created on first use (never at import)."""
    global _core
    if _core is None:
        with _lock:
            if _core is None:
                _core = build_core(get_settings())
    return _core


def set_core(core: Core | None) -> None:
    """Install a Core (tests, CLI)."""
    global _core
    _core = core
