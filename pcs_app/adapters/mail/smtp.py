"""The SMTP mailer: any mail server or relay, through the standard library's smtplib."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from typing import Literal, get_args

from pcs_app.adapters.mail import Mailer, MailError, MailRejected
from pcs_app.adapters.mail.message import prepare

Security = Literal["none", "starttls", "ssl"]
SECURITY_MODES: tuple[str, ...] = get_args(Security)


def _reply(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


class SmtpMailer(Mailer):
    """One connection per message: ``send`` connects, secures, logs in, sends and quits.

    ``security``: ``none`` (plain, e.g. a local relay), ``starttls`` (upgrade on port 587; the server
    must offer it) or ``ssl`` (TLS from the first byte, port 465). Certificates are checked against the
    system's CAs, or against ``ca_file`` for a private CA. 5xx replies to the recipients or to the
    message data raise MailRejected. Everything else raises MailError, including a refused sender,
    login or TLS: those are faults of the configuration, which an operator can fix before the job's
    next attempt, not of this message.
    """

    name = "smtp"

    def __init__(
        self,
        host: str,
        port: int = 587,
        security: str = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        ca_file: str | None = None,
        local_hostname: str | None = None,
    ) -> None:
        if security not in SECURITY_MODES:
            raise ValueError(f"SMTP security must be one of {', '.join(SECURITY_MODES)}, not {security!r}")
        if (username is None) != (password is None):
            raise ValueError("SMTP username and password go together")
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self._password = password
        self.timeout = timeout
        self.ca_file = ca_file
        self.local_hostname = local_hostname

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def _connect(self) -> smtplib.SMTP:
        smtp: smtplib.SMTP
        if self.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                self.host,
                self.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
                context=self._tls_context(),
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout)
        try:
            if self.security == "starttls":
                smtp.ehlo()
                smtp.starttls(context=self._tls_context())
                smtp.ehlo()
            if self.username is not None and self._password is not None:
                smtp.login(self.username, self._password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, msg: EmailMessage) -> str:
        prepared = prepare(msg)  # Bcc recipients go in the envelope only
        where = f"{self.host}:{self.port}"
        try:
            with self._connect() as smtp:
                refused = smtp.sendmail(prepared.sender, prepared.recipients, prepared.data)
        except smtplib.SMTPRecipientsRefused as e:  # every recipient refused: nothing was delivered
            replies = {addr: _reply(code, text) for addr, (code, text) in e.recipients.items()}
            if all(code >= 500 for code, _ in e.recipients.values()):
                raise MailRejected(f"{where} refused every recipient: {replies}", replies) from e
            raise MailError(f"{where} deferred recipients: {replies}") from e
        except smtplib.SMTPAuthenticationError as e:
            # A configuration fault, not the recipient's: keep the message and let the job retry.
            raise MailError(f"{where} refused the SMTP login: {_reply(e.smtp_code, e.smtp_error)}") from e
        except smtplib.SMTPDataError as e:  # the content itself: 5xx is e.g. too large or taken for spam
            text = f"{where} refused the message data: {_reply(e.smtp_code, e.smtp_error)}"
            if 500 <= e.smtp_code < 600:
                raise MailRejected(text) from e
            raise MailError(text) from e
        except (smtplib.SMTPException, OSError) as e:  # refused connection, timeout, TLS failure, hang-up
            raise MailError(f"could not send through {where}: {type(e).__name__}: {e}") from e
        if refused:
            replies = {addr: _reply(code, text) for addr, (code, text) in refused.items()}
            raise MailRejected(
                f"{where} refused some recipients (the others received the message): {replies}",
                replies,
                partial=True,
            )
        return prepared.message_id
