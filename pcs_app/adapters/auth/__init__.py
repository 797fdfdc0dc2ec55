"""External user directories (Amazon Cognito) behind one small interface.

Used when PCS_AUTH=cognito; local argon2 accounts live in the services layer. The provider owns
passwords, confirmation codes and tokens; PCS keeps its own ``user`` row keyed by ``ExternalUser.sub``.
Every failure is an ``IdentityError`` subclass, so a caller can tell the user's mistake
(``BadCredentials``, ``NotConfirmed``, ``BadCode``, ``WeakPassword`` …) from an outage
(``ProviderUnavailable``: try again later).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

__all__ = [
    "BadCode",
    "BadCredentials",
    "ChallengeRequired",
    "ExternalTokens",
    "ExternalUser",
    "IdentityError",
    "IdentityProvider",
    "InvalidRequest",
    "InvalidToken",
    "NotConfirmed",
    "ProviderUnavailable",
    "TokenExpired",
    "TooManyAttempts",
    "UnknownUser",
    "UserExists",
    "WeakPassword",
    "create_identity_provider",
]


class IdentityError(Exception):
    """Base of every identity-provider failure."""


class BadCredentials(IdentityError):
    """Wrong email or password (the two are not told apart, so accounts cannot be probed)."""


class NotConfirmed(IdentityError):
    """The account exists but its sign-up code was never confirmed."""


class ProviderUnavailable(IdentityError):
    """The directory cannot be reached or is throttling: a retry later may succeed."""


class InvalidToken(IdentityError):
    """A token whose signature, issuer, audience or use is wrong, or that was revoked."""


class TokenExpired(InvalidToken):
    """A well-formed, correctly signed token past its expiry: refresh or sign in again."""


class UserExists(IdentityError):
    """Sign-up with an email that already has an account."""


class UnknownUser(IdentityError):
    """No account with that email (confirmation and password reset only; sign-in says BadCredentials)."""


class WeakPassword(IdentityError):
    """The password does not meet the directory's policy."""


class BadCode(IdentityError):
    """A confirmation or reset code that is wrong or expired."""


class TooManyAttempts(IdentityError):
    """The directory's limit on attempts (codes, resets, sign-ins) is reached for now."""


class ChallengeRequired(IdentityError):
    """Sign-in needs a further step PCS does not offer (MFA, a forced new password)."""

    def __init__(self, message: str, challenge: str) -> None:
        super().__init__(message)
        self.challenge = challenge


class InvalidRequest(IdentityError):
    """The directory refused the request's parameters (e.g. not an email address)."""


@dataclass(frozen=True)
class ExternalUser:
    """A user as the directory knows them.

    ``sub`` is the stable id to key PCS's own records on (emails can change). ``username`` is the
    directory's own user name as tokens carry it (with email sign-in pools it is not the email);
    None from ``sign_up``, where the directory has not said it yet.
    """

    sub: str
    email: str
    confirmed: bool
    username: str | None = None


@dataclass(frozen=True)
class ExternalTokens:
    """What a sign-in yields. ``expires_in`` is in seconds; a refresh yields no new refresh token."""

    id_token: str
    access_token: str
    refresh_token: str | None
    expires_in: int

    def __repr__(self) -> str:  # tokens are secrets: keep them out of logs and tracebacks
        return f"ExternalTokens(expires_in={self.expires_in}, refresh_token={'set' if self.refresh_token else None})"


class IdentityProvider(ABC):
    """An external user directory: accounts, passwords, confirmation codes and signed tokens."""

    name: str = "identity-provider"

    @abstractmethod
    def sign_up(self, email: str, password: str) -> ExternalUser:
        """Create an account; the directory sends a confirmation code unless it confirms by itself."""

    @abstractmethod
    def confirm_sign_up(self, email: str, code: str) -> None:
        """Confirm an account with the code sent at sign-up."""

    @abstractmethod
    def sign_in(self, email: str, password: str) -> ExternalTokens:
        """Check the password; BadCredentials, NotConfirmed or ProviderUnavailable when it cannot be done."""

    @abstractmethod
    def refresh(self, refresh_token: str, username: str) -> ExternalTokens:
        """New id and access tokens from a refresh token; ``username`` is ``ExternalUser.username``."""

    @abstractmethod
    def verify(self, token: str) -> ExternalUser:
        """Check an id or access token (signature, issuer, audience/client, use, expiry); who it names."""

    @abstractmethod
    def forgot_password(self, email: str) -> None:
        """Have the directory send a password-reset code."""

    @abstractmethod
    def confirm_forgot_password(self, email: str, code: str, new_password: str) -> None:
        """Set a new password with a reset code."""

    @abstractmethod
    def change_password(self, access_token: str, old_password: str, new_password: str) -> None:
        """Change the signed-in user's password (BadCredentials if ``old_password`` is wrong)."""

    @abstractmethod
    def delete_user(self, access_token: str) -> None:
        """Delete the signed-in user's own account from the directory."""

    @abstractmethod
    def admin_delete_user(self, email: str) -> None:
        """Delete any account (an administrator's act; needs the provider's admin rights)."""

    def close(self) -> None:
        """Release clients; the provider must not be used afterwards."""
        return None


def create_identity_provider(backend: str, **config: Any) -> IdentityProvider:
    """The external directory called ``backend`` (only ``cognito`` so far) built from its keyword arguments."""
    if backend == "cognito":
        from pcs_app.adapters.auth.cognito import CognitoIdentityProvider

        return CognitoIdentityProvider(**config)
    raise ValueError(f"unknown identity provider {backend!r}; expected 'cognito'")
