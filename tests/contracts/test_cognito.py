"""The Cognito identity provider (pycognito + boto3) against moto in server mode.

moto_server runs as a child process on a free 127.0.0.1 port; the user pools and app clients are
created through boto3 against it, and the adapter talks to it over HTTP exactly as it would to AWS
(only ``endpoint_url`` differs). Tokens are real moto-issued JWTs checked against the JWKS moto serves.

What this stand-in cannot prove, and Cognito itself must be trusted for:
- SRP: moto accepts any password in USER_SRP_AUTH, so the password check is only proven through
  USER_PASSWORD_AUTH; the SRP test shows no more than that the exchange completes.
- Codes: moto sends no email and accepts any confirmation or reset code except a wrong one in its
  own ``moto-confirmation-code:`` format; code delivery, expiry and real checking are Cognito's.
- Keys: moto signs every pool with one fixed, published key (kid ``dummy``); key rotation is not exercised.
- Revocation: moto's GlobalSignOut does not find tokens it issued, so sign-out is not covered.
- Self-service deletion: moto does not implement DeleteUser, so ``delete_user(access_token)`` is
  shown only to refuse a wrong token locally; deletion itself is proven through ``admin_delete_user``.
"""

from __future__ import annotations

import base64
import gzip
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from pcs_app.adapters.auth import (
    BadCode,
    BadCredentials,
    ExternalTokens,
    IdentityError,
    InvalidToken,
    NotConfirmed,
    ProviderUnavailable,
    TokenExpired,
    UnknownUser,
    UserExists,
    WeakPassword,
    create_identity_provider,
)
from pcs_app.adapters.auth.cognito import CognitoIdentityProvider
from tests.contracts.moto_server import TEST_CREDENTIALS, MotoServer, free_port, start_moto_server

REGION = "eu-west-1"
PASSWORD = "Correct-horse-9"
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
# The app client may read the email: without it, id tokens carry no email claim.
READ = ["email", "email_verified"]


@dataclass(frozen=True)
class Pool:
    endpoint: str
    pool_id: str
    client_id: str
    client_secret: str | None = None

    def provider(self, **kwargs: Any) -> CognitoIdentityProvider:
        return CognitoIdentityProvider(
            REGION,
            self.pool_id,
            self.client_id,
            self.client_secret,
            endpoint_url=self.endpoint,
            access_key="testing",  # for admin_delete_user only; moto takes any key
            secret_key="testing",
            **kwargs,
        )


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


def make_pool(moto: MotoServer, admin: Any, *, email_usernames: bool = True, secret: bool = False) -> Pool:
    """A user pool signing users in by email (as infra/ sets it up), and one app client."""
    options: dict[str, Any] = {"UsernameAttributes": ["email"]} if email_usernames else {}
    pool = admin.create_user_pool(
        PoolName="pcs",
        AutoVerifiedAttributes=["email"],
        Policies={
            "PasswordPolicy": {
                "MinimumLength": 10,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
            }
        },
        **options,
    )["UserPool"]
    client = admin.create_user_pool_client(
        UserPoolId=pool["Id"], ClientName="pcs-web", ExplicitAuthFlows=FLOWS, ReadAttributes=READ, GenerateSecret=secret
    )["UserPoolClient"]
    return Pool(moto.endpoint, pool["Id"], client["ClientId"], client.get("ClientSecret"))


@pytest.fixture(scope="module")
def pool(moto: MotoServer, admin: Any) -> Pool:
    return make_pool(moto, admin)


@pytest.fixture
def provider(pool: Pool) -> Iterator[CognitoIdentityProvider]:
    p = pool.provider()
    yield p
    p.close()


_counter = iter(range(1_000_000))


def new_email() -> str:
    return f"user{next(_counter)}-{time.monotonic_ns()}@example.org"


def signed_in(provider: CognitoIdentityProvider, email: str | None = None) -> tuple[str, ExternalTokens]:
    email = email or new_email()
    provider.sign_up(email, PASSWORD)
    provider.confirm_sign_up(email, "123456")
    return email, provider.sign_in(email, PASSWORD)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def moto_signing_key() -> Any:
    """The private key moto signs every pool's tokens with (shipped in the moto package)."""
    path = resources.files("moto") / "cognitoidp/resources/jwks-private.json.gz"
    return jwt.PyJWK(json.loads(gzip.decompress(path.read_bytes()))).key


# -- the whole path of an account -----------------------------------------------------------------


def test_account_lifecycle(provider: CognitoIdentityProvider) -> None:
    """sign-up → confirm → sign-in → verify → wrong password → reset → new password → change → delete.

    moto stands in for Cognito: the code passed to confirm and reset is accepted without having been
    delivered (see the module docstring); the password checks run through USER_PASSWORD_AUTH; the
    account is deleted with admin_delete_user, as moto lacks the self-service DeleteUser.
    """
    email = new_email()
    user = provider.sign_up(email, PASSWORD)
    assert user.email == email and user.sub and user.confirmed is False

    with pytest.raises(NotConfirmed):
        provider.sign_in(email, PASSWORD)
    provider.confirm_sign_up(email, "123456")

    tokens = provider.sign_in(email, PASSWORD)
    assert tokens.refresh_token and tokens.expires_in > 0
    assert PASSWORD not in repr(tokens) and tokens.id_token not in repr(tokens)
    by_id = provider.verify(tokens.id_token)
    assert (by_id.sub, by_id.email, by_id.confirmed) == (user.sub, email, True)
    by_access = provider.verify(tokens.access_token)
    assert (by_access.sub, by_access.email) == (user.sub, email)
    assert by_id.username == by_access.username

    with pytest.raises(BadCredentials):
        provider.sign_in(email, "Wrong-password-1")
    with pytest.raises(BadCredentials):  # an unknown account looks the same as a wrong password
        provider.sign_in(new_email(), PASSWORD)

    provider.forgot_password(email)
    with pytest.raises(BadCode):
        provider.confirm_forgot_password(email, "moto-confirmation-code:wrong", "Another-horse-7")
    provider.confirm_forgot_password(email, "654321", "Another-horse-7")
    with pytest.raises(BadCredentials):
        provider.sign_in(email, PASSWORD)
    tokens = provider.sign_in(email, "Another-horse-7")

    with pytest.raises(BadCredentials):
        provider.change_password(tokens.access_token, "not-the-old-one", "Third-horse-55")
    provider.change_password(tokens.access_token, "Another-horse-7", "Third-horse-55")
    tokens = provider.sign_in(email, "Third-horse-55")

    provider.admin_delete_user(email)
    with pytest.raises(BadCredentials):
        provider.sign_in(email, "Third-horse-55")
    with pytest.raises(InvalidToken):  # the pool no longer knows whom the access token names
        provider.verify(tokens.access_token)


def test_sign_up_refusals(provider: CognitoIdentityProvider) -> None:
    email = new_email()
    provider.sign_up(email, PASSWORD)
    with pytest.raises(UserExists):
        provider.sign_up(email, PASSWORD)
    with pytest.raises(WeakPassword):
        provider.sign_up(new_email(), "short")
    with pytest.raises(UnknownUser):
        provider.confirm_sign_up(new_email(), "123456")


def test_refresh_gives_new_tokens(provider: CognitoIdentityProvider) -> None:
    _, tokens = signed_in(provider)
    user = provider.verify(tokens.id_token)
    assert tokens.refresh_token is not None and user.username is not None

    renewed = provider.refresh(tokens.refresh_token, user.username)
    assert renewed.refresh_token is None
    assert provider.verify(renewed.id_token).sub == user.sub
    with pytest.raises(InvalidToken):
        provider.refresh("not-a-refresh-token", user.username)


# -- tokens ---------------------------------------------------------------------------------------


def test_tampered_token_is_refused(provider: CognitoIdentityProvider) -> None:
    _, tokens = signed_in(provider)
    header, _, signature = tokens.id_token.split(".")
    claims = jwt.decode(tokens.id_token, options={"verify_signature": False})

    other = provider.sign_up(new_email(), PASSWORD)
    forged = f"{header}.{_b64({**claims, 'sub': other.sub})}.{signature}"
    with pytest.raises(InvalidToken, match="verify"):
        provider.verify(forged)

    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    self_signed = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "dummy"})
    with pytest.raises(InvalidToken, match="verify"):
        provider.verify(self_signed)

    unsigned = jwt.encode(claims, "", algorithm="none")
    with pytest.raises(InvalidToken, match="algorithm"):
        provider.verify(unsigned)

    unknown_key = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "not-published"})
    with pytest.raises(InvalidToken, match="key"):
        provider.verify(unknown_key)

    for garbage in ["", "abc", "a.b.c"]:
        with pytest.raises(InvalidToken):
            provider.verify(garbage)


def test_expired_token_is_refused(provider: CognitoIdentityProvider) -> None:
    """An otherwise valid token, signed with the pool's own (moto's) key, an hour past its expiry."""
    _, tokens = signed_in(provider)
    key = moto_signing_key()
    for token in (tokens.id_token, tokens.access_token):
        claims = jwt.decode(token, options={"verify_signature": False})
        claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)
        expired = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})
        with pytest.raises(TokenExpired):
            provider.verify(expired)

    # The same id token claims with a fresh expiry verify: only the expiry was refused.
    claims = jwt.decode(tokens.id_token, options={"verify_signature": False})
    claims["exp"] = int(time.time()) + 600
    assert provider.verify(jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})).sub


def test_tokens_of_another_client_or_pool_are_refused(moto: MotoServer, admin: Any, pool: Pool) -> None:
    """Real moto tokens, correctly signed, issued to another app client or by another pool."""
    ours = pool.provider()
    second_client = admin.create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="other-app", ExplicitAuthFlows=FLOWS, ReadAttributes=READ
    )["UserPoolClient"]["ClientId"]
    other_client = CognitoIdentityProvider(REGION, pool.pool_id, second_client, endpoint_url=moto.endpoint)
    _, tokens = signed_in(other_client)
    with pytest.raises(InvalidToken, match="another app client"):
        ours.verify(tokens.id_token)
    with pytest.raises(InvalidToken, match="another app client"):
        ours.verify(tokens.access_token)

    other_pool = make_pool(moto, admin).provider()
    _, tokens = signed_in(other_pool)
    with pytest.raises(InvalidToken, match="issuer"):
        ours.verify(tokens.id_token)

    _, tokens = signed_in(ours)
    with pytest.raises(InvalidToken, match="token_use"):
        ours.delete_user(tokens.id_token)  # an id token is no access token


def test_keys_given_up_front_verify_without_the_network(pool: Pool, moto: MotoServer) -> None:
    """With ``jwks`` passed in, id tokens verify offline (here: with every endpoint pointing nowhere)."""
    _, tokens = signed_in(pool.provider())
    keys = moto.get_json(f"/{pool.pool_id}/.well-known/jwks.json")
    offline = CognitoIdentityProvider(
        REGION, pool.pool_id, pool.client_id, endpoint_url=f"http://127.0.0.1:{free_port()}", jwks=keys
    )
    assert offline.verify(tokens.id_token).email


# -- flows and failures ---------------------------------------------------------------------------


def test_srp_sign_in_completes(pool: Pool) -> None:
    """USER_SRP_AUTH through pycognito. moto accepts any SRP proof, so this shows the exchange and the
    tokens only, not that a wrong password would be refused."""
    srp = pool.provider(password_flow="USER_SRP_AUTH")
    email, _ = signed_in(pool.provider())
    tokens = srp.sign_in(email, PASSWORD)
    assert srp.verify(tokens.id_token).email == email


def test_client_with_secret(moto: MotoServer, admin: Any) -> None:
    """An app client with a secret: every call carries SECRET_HASH. moto checks it on SRP sign-in and on
    refresh only (not on USER_PASSWORD_AUTH), so those two prove a wrong secret is refused."""
    pool = make_pool(moto, admin, email_usernames=False, secret=True)
    assert pool.client_secret
    provider = pool.provider()
    email, tokens = signed_in(provider)
    user = provider.verify(tokens.id_token)
    assert user.email == email and user.username == email
    assert tokens.refresh_token is not None
    assert provider.verify(provider.refresh(tokens.refresh_token, user.username).access_token).sub == user.sub

    wrong_secret = CognitoIdentityProvider(
        REGION, pool.pool_id, pool.client_id, "not-the-secret", endpoint_url=moto.endpoint
    )
    with pytest.raises(InvalidToken):
        wrong_secret.refresh(tokens.refresh_token, user.username)
    wrong_secret_srp = CognitoIdentityProvider(
        REGION,
        pool.pool_id,
        pool.client_id,
        "not-the-secret",
        endpoint_url=moto.endpoint,
        password_flow="USER_SRP_AUTH",
    )
    with pytest.raises(BadCredentials):
        wrong_secret_srp.sign_in(email, PASSWORD)


def test_unreachable_directory_is_provider_unavailable(pool: Pool) -> None:
    down = CognitoIdentityProvider(REGION, pool.pool_id, pool.client_id, endpoint_url=f"http://127.0.0.1:{free_port()}")
    started = time.monotonic()
    with pytest.raises(ProviderUnavailable):
        down.sign_in("ann@example.org", PASSWORD)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(ProviderUnavailable):  # the keys cannot be fetched either
        down.verify(jwt.encode({"sub": "x"}, key, algorithm="RS256", headers={"kid": "k1"}))
    assert time.monotonic() - started < 20


def test_factory_and_errors_share_a_base(pool: Pool) -> None:
    provider = create_identity_provider(
        "cognito", region=REGION, user_pool_id=pool.pool_id, client_id=pool.client_id, endpoint_url=pool.endpoint
    )
    assert isinstance(provider, CognitoIdentityProvider)
    with pytest.raises(ValueError, match="unknown identity provider"):
        create_identity_provider("ldap")
    for kind in (BadCredentials, NotConfirmed, ProviderUnavailable, InvalidToken, TokenExpired, BadCode):
        assert issubclass(kind, IdentityError)
