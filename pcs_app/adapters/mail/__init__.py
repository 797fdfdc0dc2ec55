"""Outgoing email behind one interface: an outbox folder (.eml files), any SMTP server, or Amazon SES.

``create_mailer(backend, **config)`` picks the backend by name; every backend takes an
``email.message.EmailMessage`` (build one with ``compose``) and either returns an id or raises
``MailError`` (transient: queue the job again later) or ``MailRejected`` (permanent: do not retry).
A malformed message raises ``InvalidMessage`` before anything is sent.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from pcs_app.adapters.mail.message import InvalidMessage, Prepared, compose, parse_addresses, prepare

__all__ = [
    "BACKENDS",
    "InvalidMessage",
    "MailError",
    "MailRejected",
    "Mailer",
    "Prepared",
    "compose",
    "create_mailer",
    "parse_addresses",
    "prepare",
]

BACKENDS = ("outbox", "smtp", "ses")


class MailError(Exception):
    """Sending failed for now (server down, timeout, throttled, 4xx): the same message may succeed later."""


class MailRejected(Exception):
    """The message was refused for good (unknown recipient, unverified sender, 5xx): retrying will not help.

    ``recipients`` maps each refused address to the server's reply when the backend names them.
    ``partial`` is True when other recipients did receive the message, so a resend would duplicate it.
    """

    def __init__(self, message: str, recipients: Mapping[str, str] | None = None, *, partial: bool = False) -> None:
        super().__init__(message)
        self.recipients: dict[str, str] = dict(recipients or {})
        self.partial = partial


class Mailer(ABC):
    """Sends one message at a time. Safe to share between threads; ``close`` releases what it holds."""

    name: str = "mailer"

    @abstractmethod
    def send(self, msg: EmailMessage) -> str:
        """Send ``msg``; return the id the backend knows it by (outbox file name, Message-ID, SES MessageId)."""

    def close(self) -> None:
        """Release connections or clients; the mailer must not be used afterwards."""
        return None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def create_mailer(backend: str, **config: Any) -> Mailer:
    """The mailer called ``backend`` (outbox, smtp or ses) built from its constructor's keyword arguments."""
    # Imported here so that choosing the outbox never loads boto3, and the modules can import this one.
    if backend == "outbox":
        from pcs_app.adapters.mail.outbox import OutboxMailer

        return OutboxMailer(**config)
    if backend == "smtp":
        from pcs_app.adapters.mail.smtp import SmtpMailer

        return SmtpMailer(**config)
    if backend == "ses":
        from pcs_app.adapters.mail.ses import SesMailer

        return SesMailer(**config)
    raise ValueError(f"unknown mail backend {backend!r}; expected one of {', '.join(BACKENDS)}")
