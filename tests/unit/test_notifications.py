"""Every kind of notification arrives at a real SMTP server (aiosmtpd on 127.0.0.1) with the right
recipient, subject and link, sent by the job queue's workers; an opt-out is honoured; a server that is
down loses nothing; a refused recipient is given up; Amazon SES (moto in server mode) gets them too.
Also: "forgot password" (single use, expiring), password change and account deletion."""

from __future__ import annotations

import email
import email.policy
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import boto3
import pytest
from sqlalchemy import update
from sqlmodel import col, func, select

from pcs_app.adapters.mail.smtp import SmtpMailer
from pcs_app.adapters.queue import RunningWorkers
from pcs_app.adapters.seaweed import PrivateS3
from pcs_app.models import ApiToken, AuditEvent, Blob, MailOutbox, Node, PasswordReset, User, Version, utcnow
from pcs_app.services import accounts, audit, content, notify, sharing, tree
from pcs_app.services.core import Core
from pcs_app.services.errors import Forbidden, InvalidInput, QuotaExceeded, Unauthorized
from pcs_app.services.notify import outbox
from pcs_app.services.sharing import public
from tests.conftest import PASSWORD, make_core, make_settings, wait_until
from tests.contracts.mail_fixtures import REFUSED, Received, RecordingHandler, smtp_server
from tests.contracts.moto_server import TEST_CREDENTIALS, MotoServer, free_port, start_moto_server

BASE = "https://pcs.example"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
SAFARI = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Safari/604.1"


@dataclass
class Mail:
    core: Core
    smtp: RecordingHandler
    port: int
    workers: RunningWorkers

    def inbox(self, to: str, count: int = 1) -> list[EmailMessage]:
        """The messages for ``to`` once ``count`` of them arrived (sent by the job workers)."""

        def arrived() -> list[Received]:
            return [m for m in self.smtp.messages if to in m.recipients]

        assert wait_until(lambda: len(arrived()) >= count, timeout=20), f"{to}: {len(arrived())} of {count} mails"
        return [m.message for m in arrived()]


@pytest.fixture(scope="module")
def mail(weed: PrivateS3, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mail]:
    handler, port = RecordingHandler(), free_port()
    tmp = tmp_path_factory.mktemp("notify")
    settings = make_settings(
        tmp,
        weed,
        None,
        f"notify-{secrets.token_hex(4)}",
        mail_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_timeout=5,
        mail_from="PCS <noreply@pcs.example>",
        public_url=BASE,
        jobs_poll_seconds=0.05,
    )
    core = make_core(settings)
    with smtp_server(handler, port):
        workers = core.jobs.start_workers(2)
        try:
            yield Mail(core, handler, port, workers)
        finally:
            workers.stop()
            core.close()


def account(core: Core) -> User:
    return accounts.create_user(core, f"n{secrets.token_hex(5)}@example.com", PASSWORD)


def texts(msg: EmailMessage) -> tuple[str, str]:
    text, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def links_in(msg: EmailMessage, url: str) -> None:
    """The link is in both parts (escaped in the HTML)."""
    text, html = texts(msg)
    assert url in text and url.replace("&", "&amp;") in html


def test_a_share_mails_the_recipient(mail: Mail) -> None:
    owner, friend = account(mail.core), account(mail.core)
    trip = tree.create_folder(mail.core, owner, owner.root_id, "Trip")
    sharing.share(mail.core, owner, trip.id, friend.email, "editor")
    (msg,) = mail.inbox(friend.email)
    assert msg["Subject"] == f"{owner.email} shared “Trip” with you"
    assert msg["From"] == "PCS <noreply@pcs.example>" and msg["X-PCS-Kind"] == "share_received"
    links_in(msg, f"{BASE}/files/{trip.id}")
    assert "as an editor" in texts(msg)[0]
    sharing.share(mail.core, owner, trip.id, friend.email, "viewer")  # a role change is not news by mail
    doc = content.upload(mail.core, owner, owner.root_id, "doc.txt", [b"d"])
    sharing.share(mail.core, owner, doc.id, friend.email, "viewer")
    msgs = mail.inbox(friend.email, 2)
    assert len(msgs) == 2 and msgs[1]["Subject"] == f"{owner.email} shared “doc.txt” with you"
    links_in(msgs[1], f"{BASE}/shared")


def test_a_links_first_download_mails_its_owner_once(mail: Mail) -> None:
    owner = account(mail.core)
    f = content.upload(mail.core, owner, owner.root_id, "report.pdf", [b"%PDF-1.4 report"])
    quiet = sharing.create_link(mail.core, owner, f.id)
    told = sharing.create_link(mail.core, owner, f.id)
    assert told.link.notify_downloads is False
    told = sharing.update_link(mail.core, owner, told.link.id, notify_downloads=True)
    for link in (quiet, told, told):
        public.count_download(mail.core, public.open_link(mail.core, link.token))
    (msg,) = mail.inbox(owner.email)
    assert msg["Subject"] == "Your link to “report.pdf” was downloaded"
    links_in(msg, f"{BASE}/files/{owner.root_id}")
    with mail.core.db.read() as s:
        assert s.exec(select(func.count()).where(MailOutbox.user_id == owner.id)).one() == 1


def test_a_file_drop_mails_its_owner(mail: Mail) -> None:
    owner = account(mail.core)
    inbox = tree.create_folder(mail.core, owner, owner.root_id, "Inbox")
    link = sharing.create_link(mail.core, owner, inbox.id, upload_only=True)
    public.drop(mail.core, public.visitor(mail.core, link.token), "scan.pdf", [b"%PDF-1.4 " + b"s" * 2039])
    (msg,) = mail.inbox(owner.email)
    assert msg["Subject"] == "“scan.pdf” was added to your file drop “Inbox”"
    assert "(2.0 KiB)" in texts(msg)[0]
    links_in(msg, f"{BASE}/files/{inbox.id}")


def test_the_quota_mails_at_80_and_100_percent_once_each(mail: Mail) -> None:
    u = account(mail.core)
    accounts.set_quota(mail.core, u.id or 0, 1000)
    content.upload(mail.core, u, u.root_id, "a.bin", [b"a" * 700])  # 70%: nothing
    content.upload(mail.core, u, u.root_id, "b.bin", [b"b" * 150])  # 85%
    content.upload(mail.core, u, u.root_id, "c.bin", [b"c" * 50])  # 90%: already told
    content.upload(mail.core, u, u.root_id, "d.bin", [b"d" * 100])  # 100%
    with pytest.raises(QuotaExceeded):
        content.upload(mail.core, u, u.root_id, "e.bin", [b"e"])
    msgs = mail.inbox(u.email, 2)  # sent by concurrent workers: either may arrive first
    by_subject = {m["Subject"]: m for m in msgs}
    assert len(msgs) == 2 and set(by_subject) == {"Your PCS storage is 80% full", "Your PCS storage is full"}
    for m in msgs:
        links_in(m, f"{BASE}/usage")
    assert "850 B of your 1000 B" in texts(by_subject["Your PCS storage is 80% full"])[0]


def test_a_sign_in_from_a_new_address_or_device_mails_the_owner(mail: Mail) -> None:
    email = f"n{secrets.token_hex(5)}@example.com"
    with audit.scope(mail.core, "192.0.2.10", FIREFOX):
        accounts.sign_up(mail.core, email, PASSWORD, "192.0.2.10")  # the first sign-in is nobody's news
        accounts.sign_in(mail.core, email, PASSWORD, "192.0.2.10")  # known address and device
    with audit.scope(mail.core, "198.51.100.20", FIREFOX):
        accounts.sign_in(mail.core, email, PASSWORD, "198.51.100.20")  # a new address
    with audit.scope(mail.core, "192.0.2.10", SAFARI):
        accounts.sign_in(mail.core, email, PASSWORD, "192.0.2.10")  # a new device
    with audit.scope(mail.core, "192.0.2.10", FIREFOX.replace("140.0", "141.0")):
        accounts.sign_in(mail.core, email, PASSWORD, "192.0.2.10")  # a browser update is no new device
    msgs = mail.inbox(email, 2)  # sent by concurrent workers: either may arrive first
    assert len(msgs) == 2 and all(m["Subject"] == "New sign-in to your PCS account" for m in msgs)
    bodies = [texts(m)[0] for m in msgs]
    for device in ("Firefox on Linux from 198.51.100.20", "Safari on iPhone from 192.0.2.10"):
        assert sum(device in b for b in bodies) == 1, (device, bodies)
    for m in msgs:
        links_in(m, f"{BASE}/settings")


def test_an_opt_out_is_honoured(mail: Mail) -> None:
    owner, friend = account(mail.core), account(mail.core)
    assert notify.preferences(mail.core, friend) == dict.fromkeys(notify.KINDS, True)
    prefs = notify.set_preferences(mail.core, friend, {"share_received": False})
    assert prefs["share_received"] is False and prefs["quota"] is True
    with pytest.raises(InvalidInput):
        notify.set_preferences(mail.core, friend, {"newsletter": False})
    a = tree.create_folder(mail.core, owner, owner.root_id, "A")
    sharing.share(mail.core, owner, a.id, friend.email, "viewer")
    notify.set_preferences(mail.core, friend, {"share_received": True})
    b = tree.create_folder(mail.core, owner, owner.root_id, "B")
    sharing.share(mail.core, owner, b.id, friend.email, "viewer")
    (msg,) = mail.inbox(friend.email)
    assert msg["Subject"] == f"{owner.email} shared “B” with you"


def test_forgot_password_sends_a_single_use_expiring_link(mail: Mail) -> None:
    u = account(mail.core)
    session = accounts.sign_in(mail.core, u.email, PASSWORD, None)
    accounts.request_reset(mail.core, u.email, "192.0.2.30")
    accounts.request_reset(mail.core, f"nobody{secrets.token_hex(4)}@example.com", "192.0.2.30")  # says nothing
    (msg,) = mail.inbox(u.email)
    assert msg["Subject"] == "Reset your PCS password"
    found = re.search(rf"{re.escape(BASE)}/reset-password\?token=(pcsr_[A-Za-z0-9_-]{{43}})", texts(msg)[0])
    assert found is not None
    links_in(msg, found.group(0))
    token = found.group(1)
    with pytest.raises(InvalidInput):
        accounts.confirm_reset(mail.core, token, "short")  # the password rule still holds
    accounts.confirm_reset(mail.core, token, "a brand new password")
    with pytest.raises(InvalidInput, match="used already"):
        accounts.confirm_reset(mail.core, token, "another new password")
    with pytest.raises(Unauthorized):
        accounts.authenticate(mail.core, session.secret)  # every session ended
    with pytest.raises(Unauthorized):
        accounts.sign_in(mail.core, u.email, PASSWORD, None)
    accounts.sign_in(mail.core, u.email, "a brand new password", None)
    # An expired link does nothing.
    accounts.request_reset(mail.core, u.email, "192.0.2.31")
    later = mail.inbox(u.email, 2)[1]
    found = re.search(r"token=(pcsr_[A-Za-z0-9_-]{43})", texts(later)[0])
    assert found is not None
    with mail.core.db.write() as s:
        s.exec(update(PasswordReset).where(col(PasswordReset.user_id) == u.id).values(expires_at=utcnow()))
    with pytest.raises(InvalidInput, match="expired"):
        accounts.confirm_reset(mail.core, found.group(1), "third new password!")
    outcomes = [e.outcome for e in _events(mail.core, "password.reset_request")]
    assert "unknown_account" in outcomes and "ok" in outcomes


def _events(core: Core, action: str) -> list[AuditEvent]:
    with core.db.read() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_a_password_change_needs_the_current_one_and_ends_other_sessions(mail: Mail) -> None:
    u = account(mail.core)
    here = accounts.sign_in(mail.core, u.email, PASSWORD, None)
    there = accounts.sign_in(mail.core, u.email, PASSWORD, None)
    with pytest.raises(Forbidden):
        accounts.change_password(mail.core, u, "not my password", "a new password!")
    accounts.change_password(mail.core, u, PASSWORD, "a new password!", keep_token=here.id)
    accounts.authenticate(mail.core, here.secret)
    with pytest.raises(Unauthorized):
        accounts.authenticate(mail.core, there.secret)
    accounts.sign_in(mail.core, u.email, "a new password!", None)


def test_deleting_an_account_removes_every_byte_but_the_audit_log(mail: Mail) -> None:
    core = mail.core
    u, friend = account(core), account(core)
    trip = tree.create_folder(core, u, u.root_id, "Trip")
    only_mine = secrets.token_bytes(3000)
    f = content.upload(core, u, trip.id, "mine.bin", [only_mine])
    content.upload(core, u, trip.id, "mine.bin", [b"second version"])
    tree.trash(core, u, tree.create_folder(core, u, trip.id, "old").id)
    sharing.share(core, u, trip.id, friend.email, "editor")
    theirs = tree.create_folder(core, friend, friend.root_id, "Theirs")
    sharing.share(core, friend, theirs.id, u.email, "viewer")
    content.upload(core, friend, trip.id, "by friend.txt", [b"friend's words"])
    sharing.create_link(core, u, trip.id)
    token = accounts.sign_in(core, u.email, PASSWORD, None)
    with pytest.raises(Forbidden):
        accounts.request_deletion(core, u, "wrong password")
    accounts.request_deletion(core, u, PASSWORD)
    with pytest.raises(Unauthorized):
        accounts.authenticate(core, token.secret)  # signed out at once
    with pytest.raises(Unauthorized):
        accounts.sign_in(core, u.email, PASSWORD, None)
    assert wait_until(lambda: _gone(core, u.id or 0), timeout=30), "the deletion job did not finish"
    with core.db.read() as s:
        assert s.exec(select(func.count()).where(Node.owner_id == u.id)).one() == 0
        blob = s.exec(select(Blob).where(Blob.size == len(only_mine))).first()
        assert blob is None or blob.refcount == 0  # garbage collection deletes its bytes
        assert s.get(Node, f.id) is None
        left = [e for e in s.exec(select(AuditEvent).where(AuditEvent.owner_id == u.id)).all()]
        assert s.exec(select(func.count()).where(ApiToken.user_id == u.id)).one() == 0
        assert s.exec(select(func.count()).where(col(Version.author_id) == u.id)).one() == 0
    assert {e.action for e in left} >= {"file.upload", "account.delete"} and all(e.actor or e.target for e in left)
    done = [e for e in left if e.action == "account.delete"]
    assert [e.outcome for e in done] == ["requested", "done"] and done[1].target == u.email
    assert [g.node.name for g in sharing.shared_with(core, friend)] == []  # the share to them went too
    accounts.create_user(core, u.email, PASSWORD)  # the address is free again


def _gone(core: Core, user_id: int) -> bool:
    with core.db.read() as s:
        return s.get(User, user_id) is None


def test_a_mail_server_that_is_down_loses_nothing(mail: Mail, tmp_path: Path) -> None:
    u = account(mail.core)
    down = SmtpMailer("127.0.0.1", free_port(), security="none", timeout=2)
    live, mail.core._mailer = mail.core._mailer, down
    try:
        mail_id = outbox.queue(
            mail.core, to=u.email, kind="quota", message=notify.templates.quota_reached(BASE, 80, 8, 10)
        )
        assert wait_until(lambda: _row(mail.core, mail_id).last_error != "", timeout=20)
    finally:
        mail.core._mailer = live
    row = _row(mail.core, mail_id)
    assert row.status == "pending" and "could not send" in row.last_error and row.next_attempt_at > utcnow()
    with mail.core.db.write() as s:  # time passes: the next attempt is due
        s.exec(update(MailOutbox).where(col(MailOutbox.id) == mail_id).values(next_attempt_at=utcnow()))
    assert outbox.sweep(mail.core).queued >= 1
    (msg,) = mail.inbox(u.email)
    assert msg["Subject"] == "Your PCS storage is 80% full" and _row(mail.core, mail_id).status == "sent"


def test_a_refused_recipient_is_given_up(mail: Mail) -> None:
    mail_id = outbox.queue(mail.core, to=REFUSED, kind="quota", message=notify.templates.quota_reached(BASE, 80, 8, 10))
    assert wait_until(lambda: _row(mail.core, mail_id).status == "rejected", timeout=20)
    assert "550" in _row(mail.core, mail_id).last_error


def _row(core: Core, mail_id: int) -> MailOutbox:
    with core.db.read() as s:
        row = s.get(MailOutbox, mail_id)
    assert row is not None
    return row


# -- Amazon SES (moto in server mode) --------------------------------------------------------------


@pytest.fixture(scope="module")
def ses_core(weed: PrivateS3, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Core, MotoServer]]:
    server = start_moto_server(tmp_path_factory.mktemp("moto"))
    mp = pytest.MonkeyPatch()
    mp.setenv("AWS_ACCESS_KEY_ID", TEST_CREDENTIALS["aws_access_key_id"])
    mp.setenv("AWS_SECRET_ACCESS_KEY", TEST_CREDENTIALS["aws_secret_access_key"])
    try:
        boto3.client(
            "sesv2", endpoint_url=server.endpoint, region_name="eu-west-1", **TEST_CREDENTIALS
        ).create_email_identity(EmailIdentity="pcs.example")
        settings = make_settings(
            tmp_path_factory.mktemp("ses"),
            weed,
            None,
            f"ses-{secrets.token_hex(4)}",
            mail_backend="ses",
            ses_region="eu-west-1",
            ses_endpoint=server.endpoint,
            mail_from="PCS <noreply@pcs.example>",
            public_url=BASE,
        )
        core = make_core(settings)
        yield core, server
        core.close()
    finally:
        mp.undo()
        server.stop()


def test_notifications_go_out_through_ses(ses_core: tuple[Core, MotoServer]) -> None:
    core, server = ses_core
    owner, friend = account(core), account(core)
    trip = tree.create_folder(core, owner, owner.root_id, "Trip")
    sharing.share(core, owner, trip.id, friend.email, "viewer")
    with core.db.read() as s:
        mail_id = s.exec(select(MailOutbox.id).where(MailOutbox.user_id == friend.id)).one()
    assert outbox.send(core, mail_id or 0) == "sent"  # what the send_mail job runs
    sent = [m for m in server.get_json("/moto-api/data.json")["ses"]["RawMessage"] if friend.email in m["destinations"]]
    assert len(sent) == 1 and sent[0]["source"] == "noreply@pcs.example"
    msg = email.message_from_string(sent[0]["raw_data"], policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    assert msg["Subject"] == f"{owner.email} shared “Trip” with you"
    links_in(msg, f"{BASE}/files/{trip.id}")
    assert _row(core, mail_id or 0).provider_id
