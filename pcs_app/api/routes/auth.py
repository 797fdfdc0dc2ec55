"""Accounts and tokens: sign-up, sign-in (token or web session cookie), token list and revocation, me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from pcs_app.models import User
from pcs_app.services import accounts, notify
from pcs_app.wiring import get_core

from ..activity_schemas import (
    Accepted,
    AccountDelete,
    NotificationOut,
    NotificationsOut,
    NotificationsPatch,
    PasswordChange,
    ResetConfirm,
    ResetRequest,
)
from ..auth_schemas import PendingOut, ResetCode, SignUpConfirm
from ..deps import SESSION_COOKIE, Actor, client_ip, session_secret
from ..responses import errors
from ..schemas import SessionOut, SessionSignIn, SignIn, SignUp, TokenInfo, TokenOut, UsageOut, UserOut

router = APIRouter(prefix="/api/v1", tags=["auth"])
THROTTLED = errors(400, 429)
# With PCS_AUTH=cognito a sign-up may first need the emailed code (202), and Cognito may be down (503).
PENDING = {202: {"model": PendingOut, "description": "Cognito mailed a code: confirm it, then sign in."}}
COGNITO = errors(503)
TOKEN_ID = r"^([A-Za-z0-9_-]{16}|current)$"


def user_out(u: User) -> UserOut:
    return UserOut(
        id=u.id or 0,
        email=u.email,
        is_admin=u.is_admin,
        root_id=u.root_id or "",
        used_bytes=u.used_bytes,
        quota_bytes=u.quota_bytes,
        usage=None,
    )


def pending(p: accounts.PendingConfirmation) -> JSONResponse:
    msg = "Enter the code we emailed you (POST /api/v1/auth/signup/confirm), then sign in."
    return JSONResponse(PendingOut(email=p.email, message=msg).model_dump(), status_code=202)


@router.post(
    "/auth/signup",
    status_code=201,
    response_model=TokenOut,
    responses={**PENDING, **THROTTLED, **errors(403, 409), **COGNITO},
)
def signup(body: SignUp, request: Request) -> TokenOut | JSONResponse:
    """Create an account and return a first token (with Cognito, 202 until the emailed code is confirmed)."""
    issued = accounts.sign_up(get_core(), body.email, body.password, client_ip(request), name="sign-up", kind="api")
    if isinstance(issued, accounts.PendingConfirmation):
        return pending(issued)
    return TokenOut(id=issued.id, token=issued.secret, expires_at=issued.expires_at, user=user_out(issued.user))


@router.post("/auth/signup/confirm", status_code=204, responses={**errors(400, 409, 429), **COGNITO})
def confirm_signup(body: SignUpConfirm, request: Request) -> Response:
    """Confirm a sign-up with the code Cognito emailed (PCS_AUTH=cognito; 409 auth_mode otherwise); then sign in."""
    accounts.confirm_sign_up(get_core(), body.email, body.code, client_ip(request))
    return Response(status_code=204)


@router.post(
    "/auth/tokens", status_code=201, response_model=TokenOut, responses={**THROTTLED, **errors(401, 403), **COGNITO}
)
def sign_in(body: SignIn, request: Request) -> TokenOut:
    """Sign in with email and password; returns a new API token (shown once)."""
    issued = accounts.sign_in(get_core(), body.email, body.password, client_ip(request), name=body.name, kind="api")
    return TokenOut(id=issued.id, token=issued.secret, expires_at=issued.expires_at, user=user_out(issued.user))


@router.get("/auth/tokens", response_model=list[TokenInfo], responses=errors(401))
def list_tokens(user: Actor) -> list[TokenInfo]:
    return [TokenInfo.model_validate(t, from_attributes=True) for t in accounts.list_tokens(get_core(), user)]


@router.delete("/auth/tokens/{token_id}", status_code=204, responses=errors(401, 404))
def revoke_token(
    token_id: Annotated[str, Path(pattern=TOKEN_ID, description="A token id, or 'current'.")],
    request: Request,
    user: Actor,
) -> Response:
    """Revoke a token; the id 'current' signs out the token making this call."""
    accounts.revoke_token(get_core(), user, request.state.token_id if token_id == "current" else token_id)
    return Response(status_code=204)


def _session_cookie(response: Response, request: Request, secret: str, max_age: int | None) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https" or get_core().settings.effective_public_url.startswith("https:"),
        path="/",
    )


@router.post(
    "/auth/session",
    status_code=201,
    response_model=SessionOut,
    responses={**PENDING, **THROTTLED, **errors(401, 403, 409), **COGNITO},
)
async def start_session(body: SessionSignIn, request: Request, response: Response) -> SessionOut | JSONResponse:
    """Sign in (or sign up with ``create``) for the web app: the session token goes into an HttpOnly
    cookie that page scripts cannot read; it is never in the response body. With Cognito a sign-up
    answers 202 until the emailed code is confirmed."""
    core = get_core()
    start = accounts.sign_up if body.create else accounts.sign_in
    issued = await run_in_threadpool(
        start, core, body.email, body.password, client_ip(request), name="web", kind="session"
    )
    if isinstance(issued, accounts.PendingConfirmation):
        return pending(issued)
    ttl = accounts.lifetime(core)
    _session_cookie(response, request, issued.secret, int(ttl.total_seconds()) if ttl else None)
    return SessionOut(user=user_out(issued.user), expires_at=issued.expires_at)


@router.delete("/auth/session", status_code=204, responses=errors(403))
async def end_session(request: Request) -> Response:
    """Sign the web session out: its token is revoked and the cookie cleared."""
    secret = session_secret(request)
    if secret is not None:
        await run_in_threadpool(accounts.sign_out, get_core(), secret)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/me", response_model=UserOut, responses=errors(401))
def me(user: Actor) -> UserOut:
    """Your account, with what takes your space (``usage``)."""
    core = get_core()
    out = user_out(accounts.get_user(core, user.id))
    out.usage = UsageOut.of(accounts.usage(core, user))
    return out


# -- passwords, notifications and deleting the account (issue 12) ----------------------------------


@router.post(
    "/auth/password-reset", status_code=202, response_model=Accepted, responses={**errors(400, 429), **COGNITO}
)
def request_password_reset(body: ResetRequest, request: Request) -> Accepted:
    """Mail a single-use link that resets the password (with Cognito: a code, for
    ``/auth/password-reset/code``). The answer is the same whether the email has an account or not;
    requests from one address are limited (429)."""
    core = get_core()
    accounts.request_reset(core, body.email, client_ip(request))
    what = "a reset code" if core.identity is not None else "a reset link"
    return Accepted(status=f"If that email has an account, {what} is on its way.")


@router.post("/auth/password-reset/confirm", status_code=204, responses=errors(400, 409))
def confirm_password_reset(body: ResetConfirm, request: Request) -> Response:
    """Set a new password with the link's token: it works once and expires; every session then ends.
    409 auth_mode with PCS_AUTH=cognito (use the code route)."""
    accounts.confirm_reset(get_core(), body.token, body.password, client_ip(request))
    return Response(status_code=204)


@router.post("/auth/password-reset/code", status_code=204, responses={**errors(400, 409, 429), **COGNITO})
def confirm_password_reset_code(body: ResetCode, request: Request) -> Response:
    """Set a new password with the code Cognito emailed (PCS_AUTH=cognito; 409 auth_mode otherwise);
    every session then ends."""
    accounts.confirm_reset_code(get_core(), body.email, body.code, body.password, client_ip(request))
    return Response(status_code=204)


@router.post("/auth/password", status_code=204, responses={**errors(400, 401, 403, 429), **COGNITO})
def change_password(body: PasswordChange, request: Request, user: Actor) -> Response:
    """Change your password (the current one is needed: 403 wrong_password); your other sessions and
    tokens end, the one making this call stays."""
    accounts.change_password(
        get_core(),
        user,
        body.current_password,
        body.new_password,
        client_ip(request),
        keep_token=request.state.token_id,
    )
    return Response(status_code=204)


@router.delete("/me", status_code=202, response_model=Accepted, responses={**errors(400, 401, 403, 429), **COGNITO})
def delete_me(body: AccountDelete, request: Request, user: Actor, response: Response) -> Accepted:
    """Delete your account and everything in it (the password is asked again). You are signed out at
    once; the files go within minutes. The audit log keeps its record of what happened."""
    accounts.request_deletion(get_core(), user, body.password, client_ip(request))
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return Accepted(status="Your account is being deleted.")


def _notifications(prefs: dict[str, bool]) -> NotificationsOut:
    return NotificationsOut(
        kinds=[NotificationOut(kind=k, label=notify.KINDS[k], enabled=on) for k, on in prefs.items()]
    )


@router.get("/me/notifications", response_model=NotificationsOut, responses=errors(401))
def get_notifications(user: Actor) -> NotificationsOut:
    """Which mails you get (every kind is on until you turn it off)."""
    return _notifications(notify.preferences(get_core(), user))


@router.patch("/me/notifications", response_model=NotificationsOut, responses=errors(400, 401))
def patch_notifications(body: NotificationsPatch, user: Actor) -> NotificationsOut:
    """Turn kinds of mail on or off: ``{"quota": false, …}``; kinds not named stay as they are."""
    return _notifications(notify.set_preferences(get_core(), user, body.model_dump(exclude_none=True)))


# The patch names every kind of mail there is, and nothing else (the kinds live in services.notify).
assert set(NotificationsPatch.model_fields) == set(notify.KINDS), "NotificationsPatch must list notify.KINDS"
