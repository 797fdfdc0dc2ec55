"""Typed errors raised by services; the API maps each to a status code and a JSON body."""

from __future__ import annotations


class PCSError(Exception):
    """Base of every expected error. ``code`` is stable and machine-readable."""

    code = "error"
    status = 400

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers: dict[str, str] = {}


class InvalidInput(PCSError):
    code, status = "invalid_input", 400


class InvalidName(InvalidInput):
    code = "invalid_name"


class Unauthorized(PCSError):
    code, status = "unauthorized", 401


class Forbidden(PCSError):
    code, status = "forbidden", 403


class NotFound(PCSError):
    code, status = "not_found", 404


class Conflict(PCSError):
    code, status = "conflict", 409


class TooLarge(PCSError):
    code, status = "too_large", 413


class QuotaExceeded(PCSError):
    code, status = "quota_exceeded", 507


class Throttled(PCSError):
    code, status = "throttled", 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class IntegrityFailed(PCSError):
    """The bytes received do not match what the client declared (size or sha256)."""

    code, status = "integrity_failed", 422


class Gone(PCSError):
    """A share link that was revoked, has expired or was used up: it says nothing more."""

    code, status = "link_gone", 410


class PasswordRequired(Unauthorized):
    code = "password_required"


class Unavailable(PCSError):
    """A service PCS depends on (e.g. the Cognito user directory) is not answering: try again later."""

    code, status = "unavailable", 503
