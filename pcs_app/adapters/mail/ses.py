"""The Amazon SES mailer: the raw message through boto3's ``sesv2`` ``send_email``."""

from __future__ import annotations

import threading
from email.message import EmailMessage
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from pcs_app.adapters.mail import Mailer, MailError, MailRejected
from pcs_app.adapters.mail.message import prepare

# Refusals of this message (its sender or its recipients): sending it again cannot succeed.
_REJECTED = {
    "MessageRejected",
    "MailFromDomainNotVerified",
    "MailFromDomainNotVerifiedException",
    "InvalidParameterValue",  # SES v1 wording for a malformed address
    "BadRequestException",
}


class SesMailer(Mailer):
    """Sends through SES in ``region`` (or ``endpoint_url``, e.g. a stand-in in tests).

    Credentials come from ``access_key``/``secret_key`` when given, else from boto3's own chain
    (the task role on AWS). ``configuration_set`` names the SES configuration set that records
    deliveries, bounces and complaints. boto3 retries at most ``max_attempts`` times in all: the job
    queue does the patient retrying, so a down endpoint surfaces quickly as MailError.
    """

    name = "ses"

    def __init__(
        self,
        region: str,
        endpoint_url: str | None = None,
        configuration_set: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        timeout: float = 30.0,
        max_attempts: int = 3,
    ) -> None:
        if (access_key is None) != (secret_key is None):
            raise ValueError("SES access key and secret key go together")
        self.region = region
        self.endpoint_url = endpoint_url
        self.configuration_set = configuration_set
        self._access_key = access_key
        self._secret_key = secret_key
        self.timeout = timeout
        self.max_attempts = max_attempts
        self._client: Any = None
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        """The sesv2 client, created on first use (boto3 clients are thread-safe)."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = boto3.Session().client(
                        "sesv2",
                        region_name=self.region,
                        endpoint_url=self.endpoint_url,
                        aws_access_key_id=self._access_key,
                        aws_secret_access_key=self._secret_key,
                        config=Config(
                            connect_timeout=self.timeout,
                            read_timeout=self.timeout,
                            retries={"max_attempts": self.max_attempts, "mode": "standard"},
                        ),
                    )
        return self._client

    def send(self, msg: EmailMessage) -> str:
        prepared = prepare(msg)  # Bcc recipients are named in Destination only
        kwargs: dict[str, Any] = {
            "FromEmailAddress": prepared.sender,
            "Destination": {"ToAddresses": prepared.recipients},
            "Content": {"Raw": {"Data": prepared.data}},
        }
        if self.configuration_set:
            kwargs["ConfigurationSetName"] = self.configuration_set
        try:
            response = self.client.send_email(**kwargs)
        except ClientError as e:
            error = e.response.get("Error", {})
            code = str(error.get("Code", ""))
            text = f"SES refused the message: {code}: {error.get('Message', '')}"
            if code in _REJECTED:
                raise MailRejected(text) from e
            # Throttling, 5xx, and account-level faults (sending paused, unknown configuration set,
            # access denied) that an operator can clear: the message itself may still go out later.
            raise MailError(text) from e
        except BotoCoreError as e:  # endpoint unreachable, timeout, no credentials
            raise MailError(f"could not reach SES ({self.endpoint_url or self.region}): {e}") from e
        return str(response["MessageId"])

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
