"""The mailer contract: one suite, run against every backend through a real stand-in.

- outbox: a temporary folder; messages are read back from the .eml files.
- smtp: a real aiosmtpd server on 127.0.0.1 (``aiosmtpd.controller.Controller``) that records what it gets.
- ses: moto in server mode (``moto_server`` child process on a free port); sent mail is read from
  ``/moto-api/data.json``. moto checks the sender identity but delivers nowhere and refuses no
  recipient, so recipient refusal is only proven against the SMTP stand-in.

Nothing is patched in-process: every message crosses a real socket or file.
"""

from __future__ import annotations

import stat
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage, MIMEPart
from pathlib import Path

import boto3
import pytest

from pcs_app.adapters.mail import InvalidMessage, Mailer, MailError, MailRejected, compose, create_mailer
from pcs_app.adapters.mail.outbox import OutboxMailer
from pcs_app.adapters.mail.ses import SesMailer
from pcs_app.adapters.mail.smtp import SmtpMailer
from tests.contracts.mail_fixtures import (
    DEFERRED,
    REFUSED,
    MailBackend,
    PasswordCheck,
    RecordingHandler,
    Tls,
    make_tls,
    outbox_reader,
    ses_reader,
    smtp_server,
)
from tests.contracts.moto_server import TEST_CREDENTIALS, MotoServer, free_port, start_moto_server

SENDER = "PCS <noreply@pcs.example>"
SES_REGION = "eu-west-1"
SES_KEYS = {"access_key": "testing", "secret_key": "testing"}  # moto takes any key


# -- stand-ins ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """moto_server on a free 127.0.0.1 port, with pcs.example verified as a sending identity."""
    server = start_moto_server(tmp_path_factory.mktemp("moto"))
    try:
        ses = boto3.client("sesv2", endpoint_url=server.endpoint, region_name=SES_REGION, **TEST_CREDENTIALS)
        ses.create_email_identity(EmailIdentity="pcs.example")
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    return make_tls(tmp_path_factory.mktemp("tls"))


def _ses_mailer(endpoint: str, **kwargs: object) -> Mailer:
    return create_mailer("ses", region=SES_REGION, endpoint_url=endpoint, **SES_KEYS, **kwargs)


@pytest.fixture(
    params=[
        pytest.param("outbox", id="outbox-folder"),
        pytest.param("smtp", id="smtp-aiosmtpd"),
        pytest.param("ses", id="ses-moto-server"),
    ]
)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MailBackend]:
    """One mailer and its stand-in; the contract tests below run once per backend."""
    name: str = request.param
    if name == "outbox":
        outbox = tmp_path / "outbox"
        blocked = tmp_path / "not-a-folder"
        blocked.write_text("a file where the outbox folder should be")
        yield MailBackend(
            name,
            "a temporary folder",
            create_mailer("outbox", directory=outbox),
            outbox_reader(outbox),
            lambda: create_mailer("outbox", directory=blocked / "outbox"),
            keeps_bcc=True,
        )
    elif name == "smtp":
        handler = RecordingHandler()
        port = free_port()
        with smtp_server(handler, port):
            mailer = create_mailer("smtp", host="127.0.0.1", port=port, security="none", timeout=10)
            yield MailBackend(
                name,
                "aiosmtpd on 127.0.0.1",
                mailer,
                handler.find,
                # Nothing listens there: the connection is refused.
                lambda: create_mailer("smtp", host="127.0.0.1", port=free_port(), security="none", timeout=5),
                refused_recipient=REFUSED,
            )
            mailer.close()
    else:
        moto: MotoServer = request.getfixturevalue("moto")
        mailer = _ses_mailer(moto.endpoint)
        yield MailBackend(
            name,
            "moto_server",
            mailer,
            ses_reader(moto),
            lambda: _ses_mailer(f"http://127.0.0.1:{free_port()}"),  # nothing listens: connection refused
        )
        mailer.close()


def _content(part: MIMEPart | None) -> str:
    """A text part's content; MIME's canonical CRLF line ends read back as the caller's LF."""
    assert part is not None, "the part is missing"
    content = part.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")


def _message(to: str | list[str] = "Ann <ann@example.org>", **kwargs: str) -> EmailMessage:
    fields: dict[str, str] = {"subject": "Your file is ready", "text": "Hello Ann,\n\nreport.pdf is shared.\n"}
    fields.update(kwargs)
    return compose(SENDER, to, fields["subject"], fields["text"], fields.get("html"))


# -- the contract -------------------------------------------------------------------------------


def test_text_and_html_parts_arrive_intact(backend: MailBackend) -> None:
    text = "Hello Ann,\n\nBob shared “Holiday 2025” with you.\nOpen: https://pcs.example/s/abc\n"
    html = '<p>Hello Ann,</p><p>Bob shared <b>“Holiday 2025”</b> with you. <a href="https://pcs.example/s/abc">Open</a></p>\n'
    mid = backend.mailer.send(compose(SENDER, "ann@example.org", "Shared with you", text, html))

    got = backend.received(mid).message
    assert got.get_content_type() == "multipart/alternative"
    assert _content(got.get_body(("plain",))) == text
    assert _content(got.get_body(("html",))) == html


def test_non_ascii_subject_names_and_body(backend: MailBackend) -> None:
    subject = "Grüße: „Fotos“ – 写真 📷 " * 3  # long enough to be folded over several encoded words
    text = "Zoë Ångström a partagé « Été » avec vous.\nПривет, 世界!\n"
    msg = compose("Zoë Ångström <zoe@pcs.example>", "Jürgen Groß <juergen@example.org>", subject, text)
    mid = backend.mailer.send(msg)

    received = backend.received(mid)
    assert received.data.isascii(), "headers and bodies leave 7-bit clean (RFC 2047, base64/quoted-printable)"
    got = received.message
    assert got["Subject"] == subject
    assert got["From"].addresses[0].display_name == "Zoë Ångström"
    assert got["To"].addresses[0].display_name == "Jürgen Groß"
    assert _content(got.get_body(("plain",))) == text


def test_recipients_sender_and_subject_are_right(backend: MailBackend) -> None:
    msg = _message(["Ann <ann@example.org>", "bob@example.net"], subject="Weekly usage report")
    msg["Cc"] = "carol@example.com"
    msg["Bcc"] = "audit@pcs.example"
    mid = backend.mailer.send(msg)

    received = backend.received(mid)
    assert received.sender == "noreply@pcs.example"
    assert sorted(received.recipients) == sorted(
        ["ann@example.org", "bob@example.net", "carol@example.com", "audit@pcs.example"]
    )
    got = received.message
    assert got["Subject"] == "Weekly usage report"
    assert [a.addr_spec for a in got["To"].addresses] == ["ann@example.org", "bob@example.net"]
    assert (got["Bcc"] is not None) == backend.keeps_bcc, "Bcc travels in the envelope only"
    assert msg["Bcc"] is not None, "the caller's message is left as it was"
    assert got["Message-ID"].endswith("@pcs.example>")
    assert got["Date"] is not None


def test_header_injection_is_refused_before_sending(backend: MailBackend) -> None:
    attacks: list[Callable[[], EmailMessage]] = [
        lambda: compose(SENDER, "ann@example.org", "Hi\r\nBcc: victim@example.com", "x"),
        lambda: compose(SENDER, "ann@example.org\nBcc: victim@example.com", "Hi", "x"),
        lambda: compose("Eve <eve@pcs.example>\r\nBcc: victim@example.com", "ann@example.org", "Hi", "x"),
        lambda: compose(SENDER, "ann@example.org", "Hi", "x", reply_to="a@example.org\r\nBcc: v@example.com"),
        lambda: compose(SENDER, "ann@example.org", "Hi", "x", headers={"X-Tag": "a\nBcc: victim@example.com"}),
        lambda: compose(SENDER, "ann@example.org", "Hi", "x", headers={"X-Bad Name": "v"}),
    ]
    for attack in attacks:
        with pytest.raises(InvalidMessage, match=r"header injection|header name"):
            attack()

    # A message built by hand around compose's checks is refused by the mailer itself.
    msg = _message()
    msg.set_raw("X-Note", "fine\r\nBcc: victim@example.com")
    with pytest.raises(InvalidMessage, match="header injection"):
        backend.mailer.send(msg)


def test_down_server_is_a_transient_mail_error(backend: MailBackend) -> None:
    mailer = backend.down_mailer()
    started = time.monotonic()
    with pytest.raises(MailError):
        mailer.send(_message())
    mailer.close()
    assert time.monotonic() - started < 20, "a dead endpoint is reported promptly; the job queue retries"


# Only the SMTP stand-in can refuse a recipient (an outbox folder and moto's SES accept every address).
@pytest.mark.parametrize("backend", [pytest.param("smtp", id="smtp-aiosmtpd")], indirect=True)
def test_refused_recipient_is_permanent(backend: MailBackend) -> None:
    assert backend.refused_recipient is not None
    with pytest.raises(MailRejected) as err:
        backend.mailer.send(_message(backend.refused_recipient))
    assert not isinstance(err.value, MailError), "the job queue must not retry a refused address"
    assert backend.refused_recipient in err.value.recipients
    assert err.value.partial is False


def test_large_message_arrives_whole(backend: MailBackend) -> None:
    line = "Zeile mit Umlauten äöü und einer langen URL https://pcs.example/s/" + "x" * 60 + "\n"
    text = line * 30_000  # about 3.9 MB of text
    html = "<pre>" + text + "</pre>\n"
    mid = backend.mailer.send(compose(SENDER, "ann@example.org", "Large digest", text, html))

    got = backend.received(mid).message
    assert _content(got.get_body(("plain",))) == text
    assert _content(got.get_body(("html",))) == html


# -- backend specifics --------------------------------------------------------------------------


def test_outbox_writes_private_files_atomically(tmp_path: Path) -> None:
    outbox = tmp_path / "data" / "outbox"
    mailer = OutboxMailer(outbox)
    ids = [mailer.send(_message(subject=f"n{i}")) for i in range(5)]

    files = sorted(p.name for p in outbox.iterdir())
    assert files == sorted(f"{i}.eml" for i in ids), "one .eml per message, no temporary file left behind"
    assert ids == sorted(ids), "names sort in sending order (UTC timestamp first)"
    for name in files:
        assert stat.S_IMODE((outbox / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700


def test_smtp_deferral_is_transient_and_partial_refusal_is_reported() -> None:
    """aiosmtpd answers 450 for DEFERRED and 550 for REFUSED."""
    handler = RecordingHandler()
    port = free_port()
    with smtp_server(handler, port):
        mailer = SmtpMailer("127.0.0.1", port, security="none", timeout=10)
        with pytest.raises(MailError, match="450"):
            mailer.send(_message(DEFERRED))

        with pytest.raises(MailRejected) as err:
            mailer.send(_message(["ann@example.org", REFUSED]))
        assert err.value.partial, "ann got it: resending would send her a second copy"
        assert list(err.value.recipients) == [REFUSED]
        assert [m.recipients for m in handler.messages] == [["ann@example.org"]]


def test_smtp_starttls_with_login(tmp_path: Path, tls: Tls) -> None:
    """aiosmtpd requires STARTTLS and a login; the client trusts the test certificate through ca_file."""
    handler = RecordingHandler()
    port = free_port()
    options = {
        "tls_context": tls.server_context(),
        "require_starttls": True,
        "authenticator": PasswordCheck("pcs", "s3cret"),
        "auth_required": True,
    }
    with smtp_server(handler, port, **options):
        good = SmtpMailer("127.0.0.1", port, "starttls", "pcs", "s3cret", timeout=10, ca_file=str(tls.cert_file))
        mid = good.send(_message())
        assert handler.find(mid).recipients == ["ann@example.org"]

        wrong = SmtpMailer("127.0.0.1", port, "starttls", "pcs", "wrong", timeout=10, ca_file=str(tls.cert_file))
        with pytest.raises(MailError, match="login"):
            wrong.send(_message())

        untrusted = SmtpMailer("127.0.0.1", port, "starttls", "pcs", "s3cret", timeout=10)
        with pytest.raises(MailError, match="CERTIFICATE_VERIFY_FAILED"):
            untrusted.send(_message())

        plain = SmtpMailer("127.0.0.1", port, "none", timeout=10)
        with pytest.raises(MailError):  # the server insists on TLS first
            plain.send(_message())
    assert len(handler.messages) == 1


def test_smtp_implicit_tls(tls: Tls) -> None:
    """aiosmtpd speaking TLS from the first byte (as on port 465)."""
    handler = RecordingHandler()
    port = free_port()
    with smtp_server(handler, port, ssl_context=tls.server_context()):
        mid = SmtpMailer("127.0.0.1", port, "ssl", timeout=10, ca_file=str(tls.cert_file)).send(_message())
        assert handler.find(mid).message["Subject"] == "Your file is ready"


def test_smtp_starttls_refused_when_server_lacks_it() -> None:
    """A server that offers no STARTTLS is not silently used in plain text."""
    handler = RecordingHandler()
    port = free_port()
    with smtp_server(handler, port):
        with pytest.raises(MailError, match="STARTTLS"):
            SmtpMailer("127.0.0.1", port, "starttls", timeout=10).send(_message())
    assert handler.messages == []


def test_ses_unverified_sender_is_permanent(moto: MotoServer) -> None:
    """moto refuses a sender whose identity was never verified (MessageRejected), as SES does."""
    mailer = SesMailer(SES_REGION, endpoint_url=moto.endpoint, access_key="testing", secret_key="testing")
    msg = compose("someone@unverified.example", "ann@example.org", "Hi", "x")
    with pytest.raises(MailRejected, match="MessageRejected"):
        mailer.send(msg)
    mailer.close()


def test_ses_configuration_set_is_passed(moto: MotoServer) -> None:
    """moto accepts any configuration set name: this proves only that the call carries one."""
    mailer = SesMailer(
        SES_REGION,
        endpoint_url=moto.endpoint,
        configuration_set="pcs-events",
        access_key="testing",
        secret_key="testing",
    )
    mid = mailer.send(_message())
    assert ses_reader(moto)(mid).recipients == ["ann@example.org"]
    mailer.close()


# -- compose and the factory --------------------------------------------------------------------


def test_compose_builds_a_complete_message() -> None:
    msg = compose(
        SENDER,
        ["ann@example.org"],
        "Hi",
        "text only",
        reply_to="Support <help@pcs.example>",
        headers={"X-PCS-Event": "share.created", "List-Unsubscribe": "<https://pcs.example/u/1>"},
    )
    assert msg.get_content_type() == "text/plain", "no HTML given: a single text part"
    assert msg["Message-ID"].endswith("@pcs.example>")
    assert msg["Date"] is not None
    assert msg["Reply-To"].addresses[0].addr_spec == "help@pcs.example"
    assert msg["X-PCS-Event"] == "share.created"

    for bad in ["not an address", "ann@", "Ann <ann@example.org", ""]:
        with pytest.raises(InvalidMessage):
            compose(SENDER, bad, "Hi", "x")
    with pytest.raises(InvalidMessage, match="set by compose"):
        compose(SENDER, "ann@example.org", "Hi", "x", headers={"Bcc": "eve@example.com"})
    with pytest.raises(InvalidMessage, match="internationalised"):
        compose(SENDER, "zoë@exämple.org", "Hi", "x")


def test_factory_builds_each_backend(tmp_path: Path) -> None:
    assert isinstance(create_mailer("outbox", directory=tmp_path), OutboxMailer)
    assert isinstance(create_mailer("smtp", host="127.0.0.1", port=25, security="none"), SmtpMailer)
    assert isinstance(create_mailer("ses", region="eu-west-1"), SesMailer)
    with pytest.raises(ValueError, match="unknown mail backend"):
        create_mailer("pigeon")
    with pytest.raises(ValueError, match="security"):
        create_mailer("smtp", host="127.0.0.1", security="tls")
