"""Accounts: sign-up and sign-in (argon2id, throttled), and reading one account."""

from __future__ import annotations

import functools
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from pcs_app.models import FOLDER, Node, User

from .. import audit
from ..core import Core
from ..errors import Conflict, Forbidden, InvalidInput, NotFound, Throttled, Unauthorized
from ..usage import events
from . import devices, throttle
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
    core: Core, email: object, password: object, *, is_admin: bool = False, via_admin: bool = False
) -> User:
    """Create an account with its root folder. Refused when sign-up is closed, unless ``via_admin``."""
    if not core.settings.signup_open and not via_admin:
        raise Forbidden("Sign-up is closed on this server. Ask its administrator for an account.")
    email_n = normalise_email(email)
    pw_hash = _hasher.hash(check_password(core, password))
    try:
        with core.db.write() as s:
            if s.exec(select(User.id).where(User.email == email_n)).first() is not None:
                raise Conflict("An account with that email already exists.")
            user = User(
                email=email_n,
                password_hash=pw_hash,
                is_admin=is_admin,
                quota_bytes=core.settings.default_quota_bytes,
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


def sign_up(
    core: Core, email: object, password: object, client_ip: str | None, *, name: str = "", kind: str = "session"
) -> IssuedToken:
    """Create an account and sign it in. The address's sign-up limit is checked before anything is created."""
    throttle.check_sign_up(core, client_ip)
    normalise_email(email)
    check_password(core, password)
    throttle.record_sign_up(core, client_ip)
    user = create_user(core, email, password)
    _event(core, "auth.sign_up", user.email, user, "ok", client_ip)
    return sign_in(core, email, password, client_ip, name=name, kind=kind)


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
    if _hasher.check_needs_rehash(user.password_hash):
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
