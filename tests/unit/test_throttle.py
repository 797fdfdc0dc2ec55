"""Sign-in and sign-up limits: guessing is slowed per (account, address), strangers cannot lock an
owner out, one office behind a NAT keeps working, and a throttled sign-up creates nothing."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from pcs_app.models import Throttle, User, utcnow
from pcs_app.services import accounts
from pcs_app.services.accounts import throttle
from pcs_app.services.core import Core
from pcs_app.services.errors import Throttled, Unauthorized
from tests.conftest import PASSWORD, make_core, make_settings

LIMITS = {
    "login_free_failures": 2,
    "login_max_failures_account": 6,
    "login_max_failures_ip": 8,
    "signup_max_per_ip": 2,
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def tight(request: pytest.FixtureRequest, weed, tmp_path_factory) -> Iterator[Core]:  # type: ignore[no-untyped-def]
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    tmp = tmp_path_factory.mktemp(f"throttle-{request.param}")
    core = make_core(make_settings(tmp, weed, url, f"thr-{secrets.token_hex(3)}", **LIMITS))
    yield core
    core.close()


def new_account(core: Core) -> User:
    return accounts.create_user(core, f"t{secrets.token_hex(5)}@example.com", PASSWORD)


def address() -> str:
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


def fail(core: Core, email: str, ip: str) -> None:
    with pytest.raises(Unauthorized):
        accounts.sign_in(core, email, "wrong password", ip)


def pass_time(core: Core, key_prefix: str) -> None:
    """Let every wait under these keys run out (instead of sleeping)."""
    with core.db.write() as s:
        for row in s.exec(select(Throttle).where(Throttle.key.startswith(key_prefix))).all():  # type: ignore[attr-defined]
            row.blocked_until = utcnow() - timedelta(seconds=1)
            s.add(row)


def test_guessing_from_one_address_waits_longer_each_time(tight: Core) -> None:
    user, ip = new_account(tight), address()
    fail(tight, user.email, ip)
    fail(tight, user.email, ip)  # the free failures
    fail(tight, user.email, ip)  # now each further try must wait
    with pytest.raises(Throttled) as first:
        accounts.sign_in(tight, user.email, PASSWORD, ip)  # even the right password waits
    pass_time(tight, f"pair:{user.email}")
    fail(tight, user.email, ip)
    with pytest.raises(Throttled) as second:
        accounts.sign_in(tight, user.email, "wrong password", ip)
    assert second.value.retry_after > first.value.retry_after >= 1
    # Another address is not slowed by this one's guessing.
    assert accounts.sign_in(tight, user.email, PASSWORD, address()).user.id == user.id


def test_strangers_cannot_lock_the_owner_out(tight: Core) -> None:
    user, home = new_account(tight), address()
    accounts.sign_in(tight, user.email, PASSWORD, home)  # the owner's usual address
    for _ in range(LIMITS["login_max_failures_account"]):
        fail(tight, user.email, address())  # each from a new address: no pair reaches its limit
    with pytest.raises(Throttled):
        accounts.sign_in(tight, user.email, PASSWORD, address())  # a new address must wait now
    assert accounts.sign_in(tight, user.email, PASSWORD, home).user.id == user.id  # the owner gets in


def test_one_busy_address_keeps_its_own_users(tight: Core) -> None:
    office = address()
    regular = new_account(tight)
    accounts.sign_in(tight, regular.email, PASSWORD, office)
    for _ in range(LIMITS["login_max_failures_ip"]):
        fail(tight, f"nobody{secrets.token_hex(4)}@example.com", office)
    newcomer = new_account(tight)
    with pytest.raises(Throttled):
        accounts.sign_in(tight, newcomer.email, PASSWORD, office)
    assert accounts.sign_in(tight, regular.email, PASSWORD, office).user.id == regular.id


def test_a_right_password_clears_the_wait_of_its_pair(tight: Core) -> None:
    user, ip = new_account(tight), address()
    fail(tight, user.email, ip)
    fail(tight, user.email, ip)
    accounts.sign_in(tight, user.email, PASSWORD, ip)
    fail(tight, user.email, ip)
    fail(tight, user.email, ip)  # free again: counting started over
    accounts.sign_in(tight, user.email, PASSWORD, ip)


def test_a_throttled_sign_up_creates_no_account(tight: Core) -> None:
    ip = address()
    for _ in range(LIMITS["signup_max_per_ip"]):
        accounts.sign_up(tight, f"s{secrets.token_hex(5)}@example.com", PASSWORD, ip)
    email = f"s{secrets.token_hex(5)}@example.com"
    with pytest.raises(Throttled) as err:
        accounts.sign_up(tight, email, PASSWORD, ip)
    assert err.value.retry_after > 0
    with tight.db.read() as s:
        assert s.exec(select(User).where(User.email == email)).first() is None
    accounts.sign_up(tight, email, PASSWORD, address())  # another address may


def test_addresses_are_stored_as_keyed_hashes(tight: Core) -> None:
    user, ip = new_account(tight), "192.0.2.77"
    fail(tight, user.email, ip)
    with tight.db.read() as s:
        keys = [r.key for r in s.exec(select(Throttle)).all()]
    assert not any(ip in k for k in keys)
    assert throttle.address_hash(tight, ip) in " ".join(keys)
