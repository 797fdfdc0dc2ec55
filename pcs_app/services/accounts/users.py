"""Accounts: sign-up and sign-in (argon2id, throttled), and reading one account."""

from __future__ import annotations

import functools
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from pcs_app.models import FOLDER, Node, User

from .. import audit
from ..core import Core
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, PCSError, Throttled, Unauthorized
from ..usage import events
from . import devices, directory, throttle
from .tokens import IssuedToken, issue_token

# Any printable text around one '@' with a dot in the domain (what mail servers accept is wider;
# what matters is that the address can be typed and mailed). No spaces, no control characters.
_NOT = r"@\s\x00-\x1f\x7f-\x9f"
EMAIL_PATTERN = rf"^[^{_NOT}]{{1,64}}@[^{_NOT}]{{1,255}}\.[^{_NOT}]{{1,63}}$"
_EMAIL = re.compile(EMAIL_PATTERN)
MAX_PASSWORD = 1024
_hasher = PasswordHasher()  # argon2id with the library's current defaults


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both paths cost the same time."""
    return _hasher.hash(secrets.token_urlsafe(16))


def normalise_email(email: object) -> str:
    if not isinstance(email, str) or len(email) > 320 or not _EMAIL.match(email):
        raise InvalidInput("Enter a valid email address.")
    return email.lower()


def check_password(core: Core, password: object) -> str:
    """A password acceptable for a new account (the length rule lives here and in the setting only)."""
    if not isinstance(password, str):
        raise InvalidInput("Enter a password.")
    if len(password) < core.settings.password_min_length:
        raise InvalidInput(f"Use at least {core.settings.password_min_length} characters for the password.")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"That password is too long ({MAX_PASSWORD} characters at most).")
    return password


def create_user(
    core: Core,
    email: object,
    password: object,
    *,
    is_admin: bool = False,
    via_admin: bool = False,
    external_id: str | None = None,
) -> User:
    """Create an account with its root folder. Refused when sign-up is closed, unless ``via_admin``.

    With an identity provider (PCS_AUTH=cognito) the account must name its directory user
    (``external_id``, the Cognito sub) and has no local password."""
    if not core.settings.signup_open and not via_admin:
        raise Forbidden("Sign-up is closed on this server. Ask its administrator for an account.")
    email_n = normalise_email(email)
    if core.identity is not None and external_id is None:
        raise directory.OtherAuthMode("Passwords here are kept by Amazon Cognito: sign up through the app instead.")
    pw_hash = directory.EXTERNAL_PASSWORD if external_id else _hasher.hash(check_password(core, password))
    try:
        with core.db.write() as s:
            if s.exec(select(User.id).where(User.email == email_n)).first() is not None:
                raise Conflict("An account with that email already exists.")
            user = User(
                email=email_n,
                password_hash=pw_hash,
                is_admin=is_admin,
                quota_bytes=core.settings.default_quota_bytes,
                external_id=external_id,
            )
            s.add(user)
            s.flush()
            if user.id is None:
                raise Conflict("The account could not be created.")
            root = Node(owner_id=user.id, parent_id=None, name="", name_key="", kind=FOLDER)
            s.add(root)
            s.flush()
            user.root_id = root.id
            s.add(user)
    except IntegrityError as e:
        raise Conflict("An account with that email already exists.") from e
    return user


@dataclass(frozen=True)
class PendingConfirmation:
    """A sign-up the directory (PCS_AUTH=cognito) lets sign in only once the code it mailed is entered."""

    email: str


def sign_up(
    core: Core, email: object, password: object, client_ip: str | None, *, name: str = "", kind: str = "session"
) -> IssuedToken | PendingConfirmation:
    """Create an account and sign it in (with Cognito: unless it must first confirm its email).
    The address's sign-up limit is checked before anything is created."""
    throttle.check_sign_up(core, client_ip)
    email_n = normalise_email(email)
    pw = check_password(core, password)
    if core.identity is not None:
        return _sign_up_external(core, email_n, pw, client_ip, name=name, kind=kind)
    throttle.record_sign_up(core, client_ip)
    user = create_user(core, email, password)
    _event(core, "auth.sign_up", user.email, user, "ok", client_ip)
    return sign_in(core, email, password, client_ip, name=name, kind=kind)


def _sign_up_external(
    core: Core, email: str, password: str, client_ip: str | None, *, name: str, kind: str
) -> IssuedToken | PendingConfirmation:
    """Sign-up in the Cognito user pool, and the local account (it owns the files) linked to it by sub."""
    if not core.settings.signup_open:
        raise Forbidden("Sign-up is closed on this server. Ask its administrator for an account.")
    with core.db.read() as s:
        user = s.exec(select(User).where(User.email == email)).first()
    if user is not None and user.external_id is not None:
        raise Conflict("An account with that email already exists.")
    throttle.record_sign_up(core, client_ip)
    sub, confirmed = directory.register(core, email, password)
    # A local account from before Cognito is linked at its first sign-in, once Cognito has the email confirmed.
    user = directory.local_user(core, sub, email) if user is None or confirmed else user
    _event(core, "auth.sign_up", email, user, "ok" if confirmed else "unconfirmed", client_ip)
    if not confirmed:
        return PendingConfirmation(email)
    return sign_in(core, email, password, client_ip, name=name, kind=kind)


def confirm_sign_up(core: Core, email: object, code: object, client_ip: str | None) -> None:
    """Enter the code Cognito mailed at sign-up; the account can then sign in (PCS_AUTH=cognito only)."""
    directory.provider(core)  # 409 with local accounts, before anything is checked or recorded
    email_n = normalise_email(email)
    try:
        directory.confirm_sign_up(core, email_n, code)
    except PCSError as e:
        _event(core, "auth.confirm", email_n, None, e.code, client_ip)
        raise
    with core.db.read() as s:
        user = s.exec(select(User).where(User.email == email_n)).first()
    _event(core, "auth.confirm", email_n, user, "ok", client_ip)


def _event(core: Core, action: str, email: str, user: User | None, outcome: str, address: str | None) -> None:
    """A sign-in or sign-up, from the request's address and user agent; on the account's record if it exists."""
    ctx = audit.current()
    by = audit.Who(user.id if user else None, email, address, ctx.user_agent if ctx else None)
    r = audit.row(action, by, outcome=outcome, target_type="account", target=email, owner_id=user.id if user else None)
    with core.db.write() as s:
        audit.write(s, [r])
    audit.emit(core, [r])


def sign_in(
    core: Core, email: object, password: object, client_ip: str | None, *, name: str = "", kind: str = "session"
) -> IssuedToken:
    """Check the password (see ``throttle`` for the limits) and issue a token."""
    email_n = normalise_email(email)
    if not isinstance(password, str) or len(password) > MAX_PASSWORD:
        raise Unauthorized("Wrong email or password.")
    with core.db.read() as s:
        user = s.exec(select(User).where(User.email == email_n)).first()
    keys = throttle.sign_in_keys(core, email_n, client_ip)
    try:
        throttle.check_sign_in(core, keys, throttle.is_known(core, user.id if user else None, client_ip))
    except Throttled:
        _event(core, "auth.sign_in", email_n, user, "throttled", client_ip)
        raise
    if core.identity is not None:  # Cognito checks the password; the local account is found or made by sub
        try:
            found = directory.check(core, email_n, password)
            user = directory.local_user(core, found[0], email_n) if found else user
        except PCSError as e:
            _event(core, "auth.sign_in", email_n, user, e.code, client_ip)
            raise
        # An account being deleted keeps its row a while, with its password made unusable.
        ok = found is not None and user is not None and user.password_hash == directory.EXTERNAL_PASSWORD
    else:
        try:
            _hasher.verify(user.password_hash if user else _dummy_hash(), password)
            ok = user is not None
        except (VerificationError, InvalidHashError):
            ok = False
    if not ok or user is None or user.id is None:
        throttle.record_failure(core, keys)
        _event(core, "auth.sign_in", email_n, user, "failed", client_ip)
        raise Unauthorized("Wrong email or password.")
    new_address = throttle.record_success(core, keys, user.id, client_ip)
    _event(core, "auth.sign_in", email_n, user, "ok", client_ip)
    ctx = audit.current()
    devices.note_sign_in(core, user, client_ip, ctx.user_agent if ctx else None, new_address)
    events.active(core, user)
    if core.identity is None and _hasher.check_needs_rehash(user.password_hash):
        with core.db.write() as s:
            u = s.get(User, user.id)
            if u is not None:
                u.password_hash = _hasher.hash(password)
                s.add(u)
    return issue_token(core, user, name=name, kind=kind)


def get_user(core: Core, user_id: int | None) -> User:
    with core.db.read() as s:
        user = s.get(User, user_id) if user_id is not None else None
    if user is None:
        raise NotFound("No such user.")
    return user
