"""The outbox mailer: each message becomes one .eml file in a folder (one machine, no mail server)."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from pcs_app.adapters.mail import Mailer, MailError
from pcs_app.adapters.mail.message import prepare


class OutboxMailer(Mailer):
    """Writes ``<directory>/<UTC timestamp>-<random id>.eml``, atomically and readable by the owner only.

    A reader never sees a half-written file: the bytes go to a hidden temporary file in the same
    folder, are fsynced, then renamed into place (and the folder entry fsynced). Bcc is kept in the
    file, since the outbox is the full record of what was asked to be sent.
    """

    name = "outbox"

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def send(self, msg: EmailMessage) -> str:
        prepared = prepare(msg, strip_bcc=False)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        stem = f"{stamp}-{secrets.token_hex(6)}"
        final = self.directory / f"{stem}.eml"
        tmp = self.directory / f".{stem}.tmp"
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            # O_EXCL: the random name is ours alone; mode 600 from the first byte on.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(prepared.data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, final)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            _fsync_dir(self.directory)
        except OSError as e:  # disk full, read-only, permissions: may clear up, so a retry makes sense
            raise MailError(f"could not write to the outbox {self.directory}: {e}") from e
        return stem


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
