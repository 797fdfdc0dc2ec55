"""Sign-in through Amazon Cognito (PCS_AUTH=cognito), over the REST API, with moto standing in for Cognito.

The FastAPI app runs in process (TestClient) on a real SeaweedFS and SQLite/PostgreSQL; the user pool is
moto in server mode (``moto_server`` on a free 127.0.0.1 port, the fixture of tests/contracts/
test_cognito.py), created with boto3 as infra/ creates it on AWS. PCS talks to it over HTTP through the
Cognito adapter and checks the tokens moto issues against the JWKS moto serves.

What moto cannot prove (Cognito itself must be trusted for it):
- Codes: moto mails nothing and accepts any sign-up confirmation code; a reset code is checked only when
  it has moto's own ``moto-confirmation-code:`` form. The real reset code is read here from the header
  moto adds to its ForgotPassword answer (``x-moto-forgot-password-confirmation-code``), which Cognito
  never sends: on AWS the code reaches only the mailbox.
- SRP: PCS uses USER_PASSWORD_AUTH, whose password check moto does perform (it accepts any SRP proof).
- Cognito's own attempt limits (TooManyFailedAttempts, LimitExceeded) and MFA challenges never happen
  on moto; PCS's own sign-in throttle is what is shown to hold.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from pcs_app.adapters import auth as directory_errors
from pcs_app.adapters.auth.cognito import CognitoIdentityProvider
from pcs_app.adapters.seaweed import PrivateS3
from pcs_app.api.app import create_api
from pcs_app.models import AuditEvent, User
from pcs_app.services import accounts
from pcs_app.services.accounts import directory
from pcs_app.services.core import Core
from pcs_app.services.errors import NotFound
from pcs_app.settings import Settings
from pcs_app.wiring import set_core
from tests.conftest import make_core, make_settings
from tests.contracts.moto_server import TEST_CREDENTIALS, MotoServer, free_port, start_moto_server
from tests.contracts.test_cognito import REGION, Pool, make_pool

PASSWORD = "Correct-horse-9"  # meets the pool's policy (10+, upper, lower, digit)
API = "/api/v1"


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    server = start_moto_server(tmp_path_factory.mktemp("moto"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def admin(moto: MotoServer) -> Any:
    """An admin boto3 client on moto, standing in for the Terraform that creates the pool on AWS."""
    return boto3.client("cognito-idp", endpoint_url=moto.endpoint, region_name=REGION, **TEST_CREDENTIALS)


@pytest.fixture(scope="module")
def pool(moto: MotoServer, admin: Any) -> Pool:
    return make_pool(moto, admin)


def cognito_settings(pool: Pool, **extra: object) -> dict[str, object]:
    return {
        "auth": "cognito",
        "cognito_user_pool_id": pool.pool_id,
        "cognito_client_id": pool.client_id,
        "cognito_region": REGION,
        "cognito_endpoint_url": pool.endpoint,
        **extra,
    }


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def cognito_core(
    request: pytest.FixtureRequest, weed: PrivateS3, pool: Pool, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Core]:
    tmp = tmp_path_factory.mktemp(f"cognito-{request.param}")
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    core = make_core(
        make_settings(tmp, weed, url, f"cog-{request.param[:2]}-{secrets.token_hex(3)}", **cognito_settings(pool))
    )
    yield core
    core.close()


@pytest.fixture
def http(cognito_core: Core, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    # Deleting an account signs an AdminDeleteUser call (the task role on AWS); moto takes any key.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", TEST_CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", TEST_CREDENTIALS["aws_secret_access_key"])
    set_core(cognito_core)
    with TestClient(create_api()) as client:
        yield client
    set_core(None)


def new_email() -> str:
    return f"c{secrets.token_hex(5)}@example.org"


def sign_in(http: TestClient, email: str, password: str) -> Any:
    return http.post(f"{API}/auth/tokens", json={"email": email, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def actions(core: Core, email: str) -> list[tuple[str, str]]:
    with core.db.read() as s:
        rows = s.exec(select(AuditEvent).where(AuditEvent.target == email).order_by(col(AuditEvent.id))).all()
    return [(r.action, r.outcome) for r in rows if r.action.startswith(("auth.", "password."))]


def reset_code_catcher(core: Core) -> list[str]:
    """Codes moto hands back in a header of its ForgotPassword answer (Cognito only mails them)."""
    caught: list[str] = []
    idp = core.identity
    assert isinstance(idp, CognitoIdentityProvider)

    def grab(http_response: Any, **_: Any) -> None:
        code = http_response.headers.get("x-moto-forgot-password-confirmation-code")
        if code:
            caught.append(code)

    idp.client.meta.events.register("after-call.cognito-idp.ForgotPassword", grab)
    return caught


def test_sign_up_confirm_sign_in_use_reset_and_change(
    cognito_core: Core, admin: Any, pool: Pool, http: TestClient
) -> None:
    """sign-up → 202 until the code is entered → sign-in gives a PCS token the whole API takes → a wrong
    password is 401 → reset with the mailed code ends the sessions → change the password → audit trail."""
    email = new_email()
    r = http.post(f"{API}/auth/signup", json={"email": email, "password": PASSWORD})
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "confirm" and r.json()["email"] == email
    sub = next(
        a["Value"]
        for a in admin.admin_get_user(UserPoolId=pool.pool_id, Username=email)["UserAttributes"]
        if a["Name"] == "sub"
    )
    with cognito_core.db.read() as s:
        local = s.exec(select(User).where(User.email == email)).one()
    assert local.external_id == sub and local.root_id  # the local account that will own the files

    r = sign_in(http, email, PASSWORD)
    assert r.status_code == 403 and r.json()["error"] == "not_confirmed"
    assert http.post(f"{API}/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 409

    assert http.post(f"{API}/auth/signup/confirm", json={"email": email, "code": "123456"}).status_code == 204
    r = sign_in(http, email, PASSWORD)
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    assert token.startswith("pcs_") and r.json()["user"]["email"] == email  # PCS's own token, not Cognito's

    me = http.get(f"{API}/me", headers=bearer(token)).json()
    assert me["id"] == local.id and me["root_id"] == local.root_id
    up = http.put(
        f"{API}/nodes/{me['root_id']}/files", params={"name": "hello.txt"}, content=b"hi", headers=bearer(token)
    )
    assert up.status_code == 201, up.text
    listing = http.get(f"{API}/nodes/{me['root_id']}/children", headers=bearer(token)).json()
    assert [i["name"] for i in listing["items"]] == ["hello.txt"]

    r = sign_in(http, email, "Wrong-horse-99")
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    assert sign_in(http, new_email(), PASSWORD).status_code == 401  # unknown looks the same

    # Forgot password: Cognito's code flow; the local link flow says where to go instead.
    codes = reset_code_catcher(cognito_core)
    r = http.post(f"{API}/auth/password-reset", json={"email": email})
    assert r.status_code == 202 and "code" in r.json()["status"]
    assert http.post(f"{API}/auth/password-reset", json={"email": new_email()}).status_code == 202  # same answer
    assert len(codes) == 2  # moto makes a code for an unknown email too, which is never confirmed
    new_password = "Another-horse-7"
    wrong = (
        "moto-confirmation-code:000000" if codes[0] != "moto-confirmation-code:000000" else "moto-confirmation-code:1"
    )
    r = http.post(f"{API}/auth/password-reset/code", json={"email": email, "code": wrong, "password": new_password})
    assert r.status_code == 400 and r.json()["error"] == "invalid_code"
    link = {"token": "pcsr_" + "A" * 43, "password": new_password}
    r = http.post(f"{API}/auth/password-reset/confirm", json=link)
    assert r.status_code == 409 and r.json()["error"] == "auth_mode" and "code" in r.json()["message"]
    r = http.post(f"{API}/auth/password-reset/code", json={"email": email, "code": codes[0], "password": new_password})
    assert r.status_code == 204, r.text
    assert http.get(f"{API}/me", headers=bearer(token)).status_code == 401  # every session ended
    assert sign_in(http, email, PASSWORD).status_code == 401
    token = sign_in(http, email, new_password).json()["token"]

    # Changing the password goes to Cognito too (the current one checked there); this session stays.
    body = {"current_password": "Not-the-one-1", "new_password": "Third-horse-55"}
    r = http.post(f"{API}/auth/password", json=body, headers=bearer(token))
    assert r.status_code == 403 and r.json()["error"] == "wrong_password"
    body["current_password"] = new_password
    assert http.post(f"{API}/auth/password", json=body, headers=bearer(token)).status_code == 204
    assert http.get(f"{API}/me", headers=bearer(token)).status_code == 200
    assert sign_in(http, email, new_password).status_code == 401
    assert sign_in(http, email, "Third-horse-55").status_code == 201

    assert actions(cognito_core, email) == [
        ("auth.sign_up", "unconfirmed"),
        ("auth.sign_in", "not_confirmed"),
        ("auth.confirm", "ok"),
        ("auth.sign_in", "ok"),
        ("auth.sign_in", "failed"),
        ("password.reset_request", "ok"),
        ("password.reset", "ok"),
        ("auth.sign_in", "failed"),
        ("auth.sign_in", "ok"),
        ("password.change", "ok"),
        ("auth.sign_in", "failed"),
        ("auth.sign_in", "ok"),
    ]


def test_web_session_sign_up_and_the_local_row_found_again(cognito_core: Core, http: TestClient) -> None:
    """The web form's route: sign-up answers 202 (the page then asks for the code), sign-in sets the cookie;
    a second sign-in finds the same local account by its Cognito sub."""
    email = new_email()
    r = http.post(f"{API}/auth/session", json={"email": email, "password": PASSWORD, "create": True})
    assert r.status_code == 202 and r.json()["status"] == "confirm"
    assert "pcs_session" not in r.cookies
    assert http.post(f"{API}/auth/signup/confirm", json={"email": email, "code": "424242"}).status_code == 204
    r = http.post(f"{API}/auth/session", json={"email": email, "password": PASSWORD})
    assert r.status_code == 201 and r.cookies.get("pcs_session", "").startswith("pcs_")
    first = r.json()["user"]["id"]
    assert sign_in(http, email, PASSWORD).json()["user"]["id"] == first
    with cognito_core.db.read() as s:
        assert len(s.exec(select(User).where(User.email == email)).all()) == 1


def test_a_local_account_from_before_cognito_is_taken_over_once_the_email_is_confirmed(
    cognito_core: Core, http: TestClient
) -> None:
    """An account made while PCS_AUTH was local keeps its files: signing up in Cognito with its email
    links it at the first sign-in, which Cognito allows only once the emailed code was entered."""
    local_core = Core(cognito_core.settings, cognito_core.db, cognito_core.blobs, cognito_core.broker)
    email = new_email()
    old = accounts.create_user(local_core, email, "an old local password")
    assert old.external_id is None
    assert http.post(f"{API}/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 202
    with cognito_core.db.read() as s:
        assert s.exec(select(User).where(User.email == email)).one().external_id is None  # not before the code
    assert sign_in(http, email, "an old local password").status_code == 401  # Cognito's password now
    http.post(f"{API}/auth/signup/confirm", json={"email": email, "code": "1"})
    r = sign_in(http, email, PASSWORD)
    assert r.status_code == 201 and r.json()["user"]["id"] == old.id and r.json()["user"]["root_id"] == old.root_id
    with cognito_core.db.read() as s:
        assert s.exec(select(User).where(User.email == email)).one().external_id is not None
    assert http.post(f"{API}/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 409


def test_an_account_made_in_cognito_elsewhere_gets_its_local_row_at_first_sign_in(
    cognito_core: Core, admin: Any, pool: Pool, http: TestClient
) -> None:
    """A user created straight in the pool (console, another app) has no local row until it signs in."""
    email = new_email()
    admin.sign_up(
        ClientId=pool.client_id, Username=email, Password=PASSWORD, UserAttributes=[{"Name": "email", "Value": email}]
    )
    admin.admin_confirm_sign_up(UserPoolId=pool.pool_id, Username=email)
    r = sign_in(http, email, PASSWORD)
    assert r.status_code == 201, r.text
    root = r.json()["user"]["root_id"]
    assert http.get(f"{API}/nodes/{root}", headers=bearer(r.json()["token"])).status_code == 200


def test_wrong_passwords_are_throttled_as_local_ones_and_deletion_removes_the_cognito_user(
    cognito_core: Core, admin: Any, pool: Pool, http: TestClient
) -> None:
    email = new_email()
    http.post(f"{API}/auth/signup", json={"email": email, "password": PASSWORD})
    http.post(f"{API}/auth/signup/confirm", json={"email": email, "code": "1"})
    token = sign_in(http, email, PASSWORD).json()["token"]

    # Account deletion: the password is checked by Cognito, then Cognito's user is deleted first.
    r = http.request("DELETE", f"{API}/me", json={"password": "Wrong-horse-99"}, headers=bearer(token))
    assert r.status_code == 403 and r.json()["error"] == "wrong_password"
    r = http.request("DELETE", f"{API}/me", json={"password": PASSWORD}, headers=bearer(token))
    assert r.status_code == 202, r.text
    with pytest.raises(admin.exceptions.UserNotFoundException):
        admin.admin_get_user(UserPoolId=pool.pool_id, Username=email)
    assert http.get(f"{API}/me", headers=bearer(token)).status_code == 401
    assert sign_in(http, email, PASSWORD).status_code == 401

    victim = new_email()
    http.post(f"{API}/auth/signup", json={"email": victim, "password": PASSWORD})
    http.post(f"{API}/auth/signup/confirm", json={"email": victim, "code": "1"})
    free = cognito_core.settings.login_free_failures
    # As with local accounts: `free` failures cost nothing, the next one starts a wait (1 s, doubling).
    statuses = [sign_in(http, victim, f"Guess-number-{i}").status_code for i in range(free + 2)]
    assert statuses == [401] * (free + 1) + [429]
    r = sign_in(http, victim, PASSWORD)  # even the right password waits: Cognito is not even asked
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert actions(cognito_core, victim)[-2:] == [("auth.sign_in", "throttled"), ("auth.sign_in", "throttled")]


def test_cognito_down_is_503_not_a_wrong_password(weed: PrivateS3, pool: Pool, tmp_path: Path) -> None:
    """A pool that cannot be reached answers 503 and counts no failed sign-in."""
    settings = make_settings(
        tmp_path,
        weed,
        None,
        f"cog-down-{secrets.token_hex(3)}",
        **cognito_settings(pool, cognito_endpoint_url=f"http://127.0.0.1:{free_port()}"),
    )
    core = make_core(settings)
    set_core(core)
    try:
        with TestClient(create_api()) as http:
            r = sign_in(http, "ann@example.org", PASSWORD)
            assert r.status_code == 503 and r.json()["error"] == "unavailable"
            r = http.post(f"{API}/auth/signup", json={"email": "ann@example.org", "password": PASSWORD})
            assert r.status_code == 503
        assert actions(core, "ann@example.org")[0] == ("auth.sign_in", "unavailable")
        with core.db.read() as s:
            assert s.exec(select(User).where(User.email == "ann@example.org")).first() is None
    finally:
        set_core(None)
        core.close()


def test_local_mode_refuses_the_code_routes(core: Core) -> None:
    """With local accounts (the default) there are no codes: the routes say so rather than pretend."""
    set_core(core)
    try:
        with TestClient(create_api()) as http:
            r = http.post(f"{API}/auth/signup/confirm", json={"email": new_email(), "code": "123456"})
            assert r.status_code == 409 and r.json()["error"] == "auth_mode"
            body = {"email": new_email(), "code": "123456", "password": "a long password"}
            r = http.post(f"{API}/auth/password-reset/code", json=body)
            assert r.status_code == 409 and r.json()["error"] == "auth_mode"
    finally:
        set_core(None)


# -- settings -------------------------------------------------------------------------------------


def test_settings_cognito_needs_its_pool(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in [k for k in os.environ if k.startswith("PCS_")]:
        monkeypatch.delenv(key)
    assert Settings(data_dir=tmp_path).auth == "local"
    with pytest.raises(
        ValueError, match="PCS_AUTH=cognito needs PCS_COGNITO_USER_POOL_ID, PCS_COGNITO_CLIENT_ID, PCS_COGNITO_REGION"
    ):
        Settings(data_dir=tmp_path, auth="cognito")  # type: ignore[arg-type]
    monkeypatch.setenv("PCS_AUTH", "cognito")
    monkeypatch.setenv("PCS_COGNITO_USER_POOL_ID", "eu-west-1_AbC123")
    monkeypatch.setenv("PCS_COGNITO_CLIENT_ID", "abc")
    with pytest.raises(ValueError, match="needs PCS_COGNITO_REGION"):
        Settings(data_dir=tmp_path)
    monkeypatch.setenv("PCS_COGNITO_REGION", "us-east-1")
    with pytest.raises(ValueError, match="must be <PCS_COGNITO_REGION>_<id>"):
        Settings(data_dir=tmp_path)
    monkeypatch.setenv("PCS_COGNITO_REGION", "eu-west-1")
    s = Settings(data_dir=tmp_path)
    assert (s.auth, s.cognito_region, s.cognito_endpoint_url) == ("cognito", "eu-west-1", None)
    monkeypatch.setenv("PCS_AUTH", "ldap")
    with pytest.raises(ValueError, match="auth"):
        Settings(data_dir=tmp_path)


def test_admins_are_promoted_not_created_in_cognito_mode(cognito_core: Core, http: TestClient) -> None:
    """A local account with a password (the CLI's create-admin) cannot exist beside Cognito's: the
    command line promotes an account that signed up through the app instead."""
    with pytest.raises(accounts.OtherAuthMode, match="Cognito"):
        accounts.create_user(cognito_core, new_email(), "a long password", via_admin=True)
    email = new_email()
    assert http.post(f"{API}/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 202
    with pytest.raises(NotFound):
        accounts.promote(cognito_core, new_email())
    assert accounts.promote(cognito_core, email).is_admin
    http.post(f"{API}/auth/signup/confirm", json={"email": email, "code": "1"})
    assert sign_in(http, email, PASSWORD).json()["user"]["is_admin"] is True


# -- what moto never answers: Cognito's other refusals, as the app says them ----------------------------


@pytest.mark.parametrize(
    "error,status,code",
    [
        (
            directory_errors.BadCredentials("NotAuthorizedException: Incorrect username or password."),
            401,
            "unauthorized",
        ),
        (directory_errors.NotConfirmed("UserNotConfirmedException: User is not confirmed."), 403, "not_confirmed"),
        (directory_errors.ChallengeRequired("SOFTWARE_TOKEN_MFA", "SOFTWARE_TOKEN_MFA"), 403, "unsupported_step"),
        (directory_errors.TooManyAttempts("LimitExceededException: Attempt limit exceeded"), 429, "throttled"),
        (directory_errors.ProviderUnavailable("Cognito cannot be reached"), 503, "unavailable"),
        (directory_errors.InvalidToken("the token was issued to another app client"), 503, "unavailable"),
        (directory_errors.IdentityError("SomethingNewException: ?"), 503, "unavailable"),
        (directory_errors.WeakPassword("InvalidPasswordException: Password must have symbols"), 400, "invalid_input"),
        (directory_errors.BadCode("CodeMismatchException: Invalid code"), 400, "invalid_code"),
        (directory_errors.UnknownUser("UserNotFoundException: no such user"), 400, "invalid_code"),
        (directory_errors.UserExists("UsernameExistsException: exists"), 409, "conflict"),
    ],
)
def test_cognito_refusals_become_the_apps_errors(error: Exception, status: int, code: str) -> None:
    """Cognito's attempt limits, MFA challenges and outages never come from moto; the mapping is shown here."""
    assert isinstance(error, directory_errors.IdentityError)
    app_error = directory.as_app_error(error)
    assert (app_error.status, app_error.code) == (status, code)
    assert "Exception" not in app_error.message  # Cognito's error codes are not shown to people
    if status == 429:
        assert app_error.headers["Retry-After"] == str(directory.DIRECTORY_RETRY_SECONDS)
