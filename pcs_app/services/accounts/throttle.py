"""Limits on guessing passwords and on creating accounts, kept in the database (shared by every instance).

Sign-in failures are counted three ways in a window:
- per (account, address) pair: after a few free failures each further try must wait, the wait doubling
  up to a ceiling — this is what stops guessing, and it hurts nobody but the guesser;
- per account, from every address: a generous ceiling; past it only addresses that signed in to the
  account before may still try (so a stranger who knows an email cannot lock its owner out);
- per address, over every account: a generous ceiling against spraying many accounts; past it only
  accounts that signed in from that address before may still try (so one office behind a NAT is fine).
Sign-ups are limited per address, checked before anything is created.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from pcs_app.models import KnownAddress, Throttle, utcnow

from ..core import Core
from ..errors import Throttled

SIGNUP_WINDOW = timedelta(hours=1)


def address_hash(core: Core, address: str) -> str:
    """A keyed hash of a client address: comparable, but a database dump does not list addresses."""
    return hmac.new(core.settings.server_secret(), address.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SignInKeys:
    pair: str
    account: str
    address: str | None


def sign_in_keys(core: Core, email: str, address: str | None) -> SignInKeys:
    where = address_hash(core, address) if address else "unknown"
    return SignInKeys(f"pair:{email}|{where}", f"acct:{email}", f"ip:{where}" if address else None)


def _retry_after(until: datetime, now: datetime) -> int:
    return max(int((until - now).total_seconds()) + 1, 1)


def check_sign_in(core: Core, keys: SignInKeys, known: bool) -> None:
    """Raise Throttled when this try must wait (``known``: the address signed in to this account before)."""
    cfg = core.settings
    window = timedelta(seconds=cfg.login_window_seconds)
    now = utcnow()
    wanted = [k for k in (keys.pair, keys.account, keys.address) if k]
    with core.db.read() as s:
        rows = {r.key: r for r in s.exec(select(Throttle).where(col(Throttle.key).in_(wanted))).all()}
    pair = rows.get(keys.pair)
    if pair is not None and pair.blocked_until is not None and pair.blocked_until > now:
        raise Throttled(
            "Too many wrong passwords from here. Wait a moment, then try again.",
            retry_after=_retry_after(pair.blocked_until, now),
        )
    if known:
        return
    for key, limit in ((keys.account, cfg.login_max_failures_account), (keys.address, cfg.login_max_failures_ip)):
        row = rows.get(key) if key else None
        if row is not None and row.window_start + window > now and row.failures >= limit:
            raise Throttled(
                "Too many failed sign-ins. Try again later.", retry_after=_retry_after(row.window_start + window, now)
            )


def _bump(s: Session, key: str, now: datetime, window: timedelta) -> Throttle:
    row = s.get(Throttle, key)
    if row is None:
        row = Throttle(key=key, failures=0, window_start=now)
    elif row.window_start + window <= now:
        row.failures, row.window_start = 0, now
    row.failures += 1
    s.add(row)
    return row


def record_failure(core: Core, keys: SignInKeys) -> None:
    cfg = core.settings
    window = timedelta(seconds=cfg.login_window_seconds)
    for attempt in range(3):
        now = utcnow()
        try:
            with core.db.write() as s:
                pair = _bump(s, keys.pair, now, window)
                over = pair.failures - cfg.login_free_failures
                if over > 0:
                    pair.blocked_until = now + timedelta(seconds=min(2 ** (over - 1), cfg.login_max_delay_seconds))
                    s.add(pair)
                _bump(s, keys.account, now, window)
                if keys.address:
                    _bump(s, keys.address, now, window)
            return
        except IntegrityError:
            if attempt == 2:
                raise


def record_success(core: Core, keys: SignInKeys, user_id: int, address: str | None) -> bool:
    """Forget the pair's failures and remember the address; True when the address is new for the account."""
    new = False
    for attempt in range(3):
        now = utcnow()
        try:
            with core.db.write() as s:
                row = s.get(Throttle, keys.pair)
                if row is not None:
                    s.delete(row)
                if address:
                    h = address_hash(core, address)
                    seen = s.get(KnownAddress, (user_id, h))
                    new = seen is None
                    if seen is None:
                        s.add(KnownAddress(user_id=user_id, address_hash=h, first_seen=now, last_seen=now))
                    else:
                        seen.last_seen = now
                        s.add(seen)
            return new
        except IntegrityError:
            if attempt == 2:
                raise
    return new


def is_known(core: Core, user_id: int | None, address: str | None) -> bool:
    if user_id is None or not address:
        return False
    with core.db.read() as s:
        return s.get(KnownAddress, (user_id, address_hash(core, address))) is not None


def check_sign_up(core: Core, address: str | None) -> None:
    """Raise Throttled when this address has created its share of accounts this hour."""
    if not address:
        return
    now = utcnow()
    with core.db.read() as s:
        row = s.get(Throttle, f"signup:{address_hash(core, address)}")
    if row is not None and row.window_start + SIGNUP_WINDOW > now and row.failures >= core.settings.signup_max_per_ip:
        raise Throttled(
            "Too many accounts were created from this address. Try again later.",
            retry_after=_retry_after(row.window_start + SIGNUP_WINDOW, now),
        )


def record_sign_up(core: Core, address: str | None) -> None:
    if not address:
        return
    for attempt in range(3):
        try:
            with core.db.write() as s:
                _bump(s, f"signup:{address_hash(core, address)}", utcnow(), SIGNUP_WINDOW)
            return
        except IntegrityError:
            if attempt == 2:
                raise
