"""Link tokens and the access tokens of password links: derived with the server secret, never stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

from pcs_app.models import ShareLink

from ..core import Core

TOKEN_PATTERN = r"^[A-Za-z0-9_-]{43}$"  # 256 bits, URL-safe
_TOKEN = re.compile(TOKEN_PATTERN)
ACCESS_TTL_SECONDS = 3600


def _mac(core: Core, message: str) -> bytes:
    return hmac.new(core.settings.server_secret(), message.encode(), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def link_token(core: Core, link: ShareLink) -> str:
    """The link's token: the same every time it is asked for, unknowable without the server secret."""
    return _b64(_mac(core, f"link:{link.id}:{link.salt}"))


def token_hash(token: str) -> str:
    """What the database keeps of a token: its sha256 (to find the link)."""
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(token: object) -> bool:
    return isinstance(token, str) and _TOKEN.match(token) is not None


def access_token(core: Core, link: ShareLink, now: float | None = None) -> str:
    """A bearer token that opens a password link for a while (until the password changes)."""
    expires = int((now or time.time()) + ACCESS_TTL_SECONDS)
    body = f"{link.id}.{link.password_version}.{expires}"
    return f"{body}.{_b64(_mac(core, 'access:' + body))}"


def access_ok(core: Core, link: ShareLink, token: object, now: float | None = None) -> bool:
    """Whether ``token`` is a live access token for this link and its current password."""
    if not isinstance(token, str) or len(token) > 200 or token.count(".") != 3:
        return False
    link_id, version, expires, mac = token.split(".")
    if link_id != link.id or version != str(link.password_version) or not expires.isdigit():
        return False
    if int(expires) < (now or time.time()):
        return False
    return hmac.compare_digest(mac, _b64(_mac(core, f"access:{link_id}.{version}.{expires}")))
