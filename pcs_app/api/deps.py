"""Who is calling: the actor dependency (bearer token, or the web session cookie), the client address."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from pcs_app.models import User
from pcs_app.services import accounts, audit
from pcs_app.services.errors import Forbidden, Unauthorized
from pcs_app.wiring import get_core

SESSION_COOKIE = accounts.SESSION_COOKIE
# Sent by the web app's own scripts with every cookie-authenticated change. A page on another site
# cannot add it without a CORS preflight, which only the app's own origins pass (no CSRF).
CSRF_HEADER = "x-pcs-request"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

bearer = HTTPBearer(auto_error=False, description="A token from POST /api/v1/auth/tokens or /auth/signup.")


def session_secret(request: Request) -> str | None:
    """The web session's token from its cookie, if the request may use it."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret is None or request.method in SAFE_METHODS:
        return secret
    origin = request.headers.get("origin")
    if request.headers.get(CSRF_HEADER) != "1" or (origin is not None and origin not in get_core().settings.origins):
        raise Forbidden("This change must come from the PCS web app (or send an Authorization header).")
    return secret


@dataclass(frozen=True)
class Caller:
    """A request's credentials, not checked yet. ``user()`` checks them in the thread that calls it: a
    handler that works in a worker thread anyway signs the caller in there (one thread hop, not two)."""

    request: Request
    secret: str

    def user(self) -> User:
        user, tok = accounts.authenticate(get_core(), self.secret)
        self.request.state.token_id = tok.id
        audit.as_user(user)  # this request's audit events are this account's
        return user


async def caller(request: Request, cred: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Caller:
    """A bearer token, or the web app's session cookie (401 when there is neither)."""
    secret = cred.credentials if cred is not None else session_secret(request)
    if secret is None:
        raise Unauthorized("Sign in first: send 'Authorization: Bearer <token>'.")
    return Caller(request, secret)


async def actor(c: Annotated[Caller, Depends(caller)]) -> User:
    """The signed-in user."""
    return await run_in_threadpool(c.user)


Actor = Annotated[User, Depends(actor)]
# For handlers that check the credentials themselves, in their own worker thread (Caller.user).
Credentials = Annotated[Caller, Depends(caller)]


async def request_context(request: Request) -> None:
    """Every request's origin (address, user agent) for the audit log; the actor joins it once known.
    Async, so it runs in the request's own task and the handlers (threads included) inherit it."""
    audit.bind(get_core(), client_ip(request), request.headers.get("user-agent"))


def client_ip(request: Request) -> str | None:
    """The client's address: the TCP peer, or — when the peer is a trusted proxy (PCS_TRUSTED_PROXIES)
    — the last address in X-Forwarded-For that is not one of ours (earlier entries are the client's
    word and could be forged)."""
    peer = request.client.host if request.client else None
    nets = get_core().settings.proxy_networks
    if peer is None or not nets or not _trusted(peer, nets):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, nets):
            return hop if _is_ip(hop) else peer
    return hops[0] if hops and _is_ip(hops[0]) else peer


def _is_ip(text: str) -> bool:
    try:
        ip_address(text)
    except ValueError:
        return False
    return True


def _trusted(addr: str, nets: list[IPv4Network | IPv6Network]) -> bool:
    try:
        ip = ip_address(addr)
    except ValueError:
        return False
    return any(ip.version == n.version and ip in n for n in nets)
