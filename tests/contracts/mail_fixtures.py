"""Stand-ins for the mail contract suite: a recording aiosmtpd server, TLS material, and one harness per backend.

Each harness gives the suite a mailer and a way to read back what the stand-in received, so the
tests in ``test_mail.py`` are written once for every backend (the fsspec pattern).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from pcs_app.adapters.mail import Mailer
from tests.contracts.moto_server import MotoServer

# Addresses the SMTP stand-in answers with a fixed reply instead of accepting them.
REFUSED = "nobody@refused.example"  # 550: permanent
DEFERRED = "later@deferred.example"  # 450: try again later


@dataclass
class Received:
    """One message as the stand-in got it: envelope and raw bytes."""

    sender: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        msg = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        return msg


class RecordingHandler:
    """aiosmtpd handler: keeps every accepted message; answers REFUSED with 550 and DEFERRED with 450."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.replies = {REFUSED: "550 5.1.1 No such user here", DEFERRED: "450 4.2.0 Mailbox busy, try later"}
        self._lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        reply = self.replies.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted for delivery"

    def find(self, message_id: str) -> Received:
        with self._lock:
            found = [m for m in self.messages if m.message["Message-ID"] == message_id]
        assert len(found) == 1, f"expected one message {message_id}, the SMTP stand-in has {len(found)}"
        return found[0]


class PasswordCheck:
    """aiosmtpd authenticator accepting one login/password pair."""

    def __init__(self, login: str, password: str) -> None:
        self.login = login.encode()
        self.password = password.encode()

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            self.login,
            self.password,
        )
        return AuthResult(success=ok, handled=False)


@dataclass(frozen=True)
class Tls:
    """A self-signed certificate for 127.0.0.1: the server's context and the file a client trusts."""

    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx


def make_tls(directory: Path) -> Tls:
    """Write a fresh key and self-signed certificate (SAN 127.0.0.1 and localhost) into ``directory``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pcs-test-smtp")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return Tls(cert_file, key_file)


@contextmanager
def smtp_server(handler: RecordingHandler, port: int, **smtp_options: Any) -> Iterator[Controller]:
    """A real aiosmtpd server on 127.0.0.1:``port`` (extra options go to aiosmtpd, e.g. tls_context)."""
    controller = Controller(handler, hostname="127.0.0.1", port=port, **smtp_options)
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


@dataclass
class MailBackend:
    """What the contract suite needs from one backend and its stand-in."""

    name: str
    stand_in: str
    mailer: Mailer
    read_back: Callable[[str], Received]
    down_mailer: Callable[[], Mailer]
    keeps_bcc: bool = False
    # An address the stand-in refuses for good; None where the stand-in cannot refuse one.
    refused_recipient: str | None = None

    def received(self, message_id: str) -> Received:
        return self.read_back(message_id)


def outbox_reader(directory: Path) -> Callable[[str], Received]:
    """Read ``<directory>/<id>.eml`` back; the envelope is what its headers name."""

    def read(file_id: str) -> Received:
        data = (directory / f"{file_id}.eml").read_bytes()
        msg = email.message_from_bytes(data, policy=email.policy.default)
        fields = [str(v) for f in ("To", "Cc", "Bcc") for v in msg.get_all(f, [])]
        sender = getaddresses([str(msg["From"])])[0][1]
        return Received(sender, [addr for _, addr in getaddresses(fields)], data)

    return read


def ses_reader(server: MotoServer) -> Callable[[str], Received]:
    """Find a sent message in moto's state (``GET /moto-api/data.json``, ``ses`` → ``RawMessage``)."""

    def read(message_id: str) -> Received:
        sent = server.get_json("/moto-api/data.json")["ses"]["RawMessage"]
        found = [m for m in sent if m["id"] == message_id]
        assert len(found) == 1, f"moto holds {len(found)} messages with id {message_id}"
        m = found[0]
        # moto adds the header recipients to the given destinations: the same address may appear twice.
        recipients = list(dict.fromkeys(addr for _, addr in getaddresses(m["destinations"])))
        return Received(m["source"], recipients, m["raw_data"].encode())

    return read
