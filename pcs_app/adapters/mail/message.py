"""Building and checking outgoing messages; pure functions shared by every mailer."""

from __future__ import annotations

import copy
import email.policy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

# Bodies leave PCS 7-bit clean (base64 or quoted-printable), with CRLF line ends: what SMTP servers
# without 8BITMIME and SES's raw interface expect, and what an .eml reader opens as is.
WIRE_POLICY = email.policy.SMTP.clone(cte_type="7bit")

# Headers ``compose`` writes itself, or that describe the MIME structure it builds.
_RESERVED = {
    "from",
    "to",
    "cc",
    "bcc",
    "subject",
    "reply-to",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
}
# RFC 5322 field name: printable ASCII except ':' and space.
_FIELD_NAME = re.compile(r"^[!-9;-~]+$")
_RECIPIENT_FIELDS = ("To", "Cc", "Bcc")
# A line break followed by a space or tab continues a folded header; any other one starts a new header.
_FOLD = re.compile(r"\r?\n(?=[ \t])")


class InvalidMessage(ValueError):
    """The message cannot be built or sent as given (header injection, bad address); never worth a retry."""


@dataclass(frozen=True)
class Prepared:
    """A message ready for the wire: envelope sender, envelope recipients, its bytes and its Message-ID."""

    sender: str
    recipients: list[str]
    data: bytes
    message_id: str


def _check_value(field: str, value: str) -> None:
    # The email package refuses CR/LF too, but with a message that names neither the field nor the risk.
    if "\r" in value or "\n" in value or "\0" in value:
        raise InvalidMessage(
            f"header {field!r} contains a line break or NUL; refusing it (header injection): {value[:80]!r}"
        )


def parse_addresses(field: str, values: str | Iterable[str]) -> list[Address]:
    """Parse one or several address strings ("Name <a@b.c>" or "a@b.c"); InvalidMessage if any is not one."""
    items = [values] if isinstance(values, str) else list(values)
    found: list[Address] = []
    for item in items:
        _check_value(field, item)
        try:
            header = WIRE_POLICY.header_factory(field, item)
            addresses = list(header.addresses)
        except (MessageError, IndexError, ValueError) as e:  # the parser's own failures on some garbage
            raise InvalidMessage(f"{field}: not an email address: {item!r}") from e
        if any(not a.addr_spec.isascii() for a in addresses):
            raise InvalidMessage(f"{field}: internationalised addresses are not supported: {item!r}")
        if header.defects or not addresses:
            raise InvalidMessage(f"{field}: not an email address: {item!r}")
        for addr in addresses:
            if not addr.username or not addr.domain:
                raise InvalidMessage(f"{field}: not a complete email address (user@domain): {item!r}")
            found.append(addr)
    return found


def compose(
    sender: str,
    to: str | Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    reply_to: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """Build a text (+ HTML alternative) message with Date and a Message-ID at the sender's domain.

    Non-ASCII subjects and display names are encoded (RFC 2047), bodies as UTF-8 in base64 or
    quoted-printable. A CR, LF or NUL in any header value raises InvalidMessage instead of
    letting a caller-supplied string add headers of its own.
    """
    from_addr = parse_addresses("From", sender)
    if len(from_addr) != 1:
        raise InvalidMessage(f"From: exactly one sender expected, got {sender!r}")
    to_addrs = parse_addresses("To", to)
    _check_value("Subject", subject)
    msg = EmailMessage(policy=WIRE_POLICY)
    msg["From"] = from_addr[0]
    msg["To"] = to_addrs
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(domain=from_addr[0].domain)
    if reply_to is not None:
        msg["Reply-To"] = parse_addresses("Reply-To", reply_to)
    for name, value in (headers or {}).items():
        if not _FIELD_NAME.match(name):
            raise InvalidMessage(f"not a valid header name: {name!r}")
        if name.lower() in _RESERVED:
            raise InvalidMessage(f"header {name!r} is set by compose() itself; pass it as an argument")
        _check_value(name, value)
        msg[name] = value
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def check_headers(msg: EmailMessage) -> None:
    """InvalidMessage if any header carries a line break that is not folding (a message built by hand)."""
    # raw_items: the values as stored, before the email package unfolds them on the way out.
    for name, value in msg.raw_items():
        _check_value(name, _FOLD.sub(" ", str(value)))


def prepare(msg: EmailMessage, *, strip_bcc: bool = True) -> Prepared:
    """Check ``msg`` and turn it into envelope + bytes; adds Date/Message-ID if missing (on a copy)."""
    check_headers(msg)
    senders = parse_addresses("From", [str(v) for v in msg.get_all("From", [])])
    if len(senders) != 1:
        raise InvalidMessage("the message needs exactly one From address")
    recipients: list[str] = []
    for field in _RECIPIENT_FIELDS:
        for addr in parse_addresses(field, [str(v) for v in msg.get_all(field, [])]):
            if addr.addr_spec.lower() not in (r.lower() for r in recipients):
                recipients.append(addr.addr_spec)
    if not recipients:
        raise InvalidMessage("the message has no recipient (To, Cc or Bcc)")
    out = msg
    if msg["Message-ID"] is None or msg["Date"] is None or (strip_bcc and msg["Bcc"] is not None):
        out = copy.deepcopy(msg)  # never change the caller's message
        if out["Message-ID"] is None:
            out["Message-ID"] = make_msgid(domain=senders[0].domain)
        if out["Date"] is None:
            out["Date"] = format_datetime(datetime.now(UTC))
        if strip_bcc:
            del out["Bcc"]
    return Prepared(
        sender=senders[0].addr_spec,
        recipients=recipients,
        data=out.as_bytes(policy=WIRE_POLICY),
        message_id=str(out["Message-ID"]),
    )
