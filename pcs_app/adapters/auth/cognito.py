"""Amazon Cognito user pools through pycognito, with boto3 ``cognito-idp`` where pycognito has no call.

Wiring, all inside this class (no environment variables): one boto3 client, built here with the
region, the optional ``endpoint_url`` and short timeouts, is handed to every pycognito object, so
pycognito never builds its own; pycognito is never given ``endpoint_url`` either, which would make it
expect tokens issued by that URL. Tokens are checked against the pool's public keys (JWKS): given as
``jwks``, or fetched once from ``<endpoint_url or the AWS endpoint>/<pool id>/.well-known/jwks.json``
and fetched again when a token names a key not seen yet (key rotation).

Cognito's public operations (sign-up, sign-in, codes, the user's own password and account) go
through an unsigned client and need no AWS credentials. Only ``admin_delete_user`` signs its call:
with ``access_key``/``secret_key`` when given, else boto3's own chain (the task role on AWS, which
then needs ``cognito-idp:AdminDeleteUser`` on the pool).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal, TypeVar

import boto3
import botocore
import jwt
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pycognito import Cognito
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import ForceChangePasswordException, MFAChallengeException

from pcs_app.adapters.auth import (
    BadCode,
    BadCredentials,
    ChallengeRequired,
    ExternalTokens,
    ExternalUser,
    IdentityError,
    IdentityProvider,
    InvalidRequest,
    InvalidToken,
    NotConfirmed,
    ProviderUnavailable,
    TokenExpired,
    TooManyAttempts,
    UnknownUser,
    UserExists,
    WeakPassword,
)

T = TypeVar("T")
PasswordFlow = Literal["USER_PASSWORD_AUTH", "USER_SRP_AUTH"]

# Cognito error codes → what they mean to PCS. NotAuthorized and UserNotFound depend on the call.
_ERRORS: dict[str, type[IdentityError]] = {
    "UserNotConfirmedException": NotConfirmed,
    "UsernameExistsException": UserExists,
    "AliasExistsException": UserExists,
    "InvalidPasswordException": WeakPassword,
    "CodeMismatchException": BadCode,
    "ExpiredCodeException": BadCode,
    "LimitExceededException": TooManyAttempts,
    "TooManyFailedAttemptsException": TooManyAttempts,
    "PasswordResetRequiredException": ChallengeRequired,
    "InvalidParameterException": InvalidRequest,
    "TooManyRequestsException": ProviderUnavailable,
    "InternalErrorException": ProviderUnavailable,
    "ThrottlingException": ProviderUnavailable,
    "ServiceUnavailable": ProviderUnavailable,
}
# How soon a token naming an unknown key may trigger another JWKS download.
_JWKS_REFETCH_SECONDS = 60.0


class _OwnClient:
    """Stands in for a boto3 Session so that pycognito uses our client instead of building one."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def client(self, service_name: str, **kwargs: Any) -> Any:
        return self._client


class CognitoIdentityProvider(IdentityProvider):
    """A Cognito user pool and one of its app clients.

    The app client must allow ``ALLOW_USER_PASSWORD_AUTH`` (the default ``password_flow``; the
    password travels over TLS to Cognito, which checks it) or ``ALLOW_USER_SRP_AUTH`` (the password
    never leaves PCS), and ``ALLOW_REFRESH_TOKEN_AUTH``. The pool is expected to sign users in by
    email (``UsernameAttributes=["email"]``, or usernames that are email addresses), and the app
    client must be allowed to read ``email`` (id tokens carry it then).

    ``jwks`` pins the pool's public keys (no download); ``issuer`` overrides the expected ``iss``
    for a stand-in that names itself; ``leeway`` tolerates clock skew on expiry, in seconds.
    """

    name = "cognito"

    def __init__(
        self,
        region: str,
        user_pool_id: str,
        client_id: str,
        client_secret: str | None = None,
        endpoint_url: str | None = None,
        jwks: Mapping[str, Any] | None = None,
        *,
        password_flow: PasswordFlow = "USER_PASSWORD_AUTH",
        issuer: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        timeout: float = 10.0,
        max_attempts: int = 3,
        leeway: float = 0.0,
    ) -> None:
        if (access_key is None) != (secret_key is None):
            raise ValueError("access_key and secret_key go together")
        if password_flow not in ("USER_PASSWORD_AUTH", "USER_SRP_AUTH"):
            raise ValueError(f"password_flow must be USER_PASSWORD_AUTH or USER_SRP_AUTH, not {password_flow!r}")
        self.region = region
        self.user_pool_id = user_pool_id
        self.client_id = client_id
        self._client_secret = client_secret
        self.endpoint_url = endpoint_url.rstrip("/") if endpoint_url else None
        self.password_flow = password_flow
        # Cognito (and moto) name the AWS endpoint as issuer whatever URL the request went to.
        self.issuer = issuer or f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"
        base = self.endpoint_url or f"https://cognito-idp.{region}.amazonaws.com"
        self.jwks_url = f"{base}/{user_pool_id}/.well-known/jwks.json"
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.leeway = leeway
        self._fixed_jwks = dict(jwks) if jwks is not None else None
        try:
            self._keys: dict[str, Any] = _parse_jwks(self._fixed_jwks) if self._fixed_jwks is not None else {}
        except jwt.PyJWTError as e:
            raise ValueError(f"jwks is not a usable JWK set: {e}") from e
        self._keys_fetched_at = 0.0
        self._access_key = access_key
        self._secret_key = secret_key
        self._client: Any = None
        self._admin_client: Any = None
        self._lock = threading.Lock()

    # -- wiring ---------------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        """The cognito-idp client, created on first use; unsigned, since only public operations are used."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = boto3.Session().client(
                        "cognito-idp",
                        region_name=self.region,
                        endpoint_url=self.endpoint_url,
                        config=self._config(signature_version=botocore.UNSIGNED),
                    )
        return self._client

    @property
    def admin_client(self) -> Any:
        """A signed cognito-idp client for the admin operations (AWS credentials and IAM rights needed)."""
        if self._admin_client is None:
            with self._lock:
                if self._admin_client is None:
                    self._admin_client = boto3.Session().client(
                        "cognito-idp",
                        region_name=self.region,
                        endpoint_url=self.endpoint_url,
                        aws_access_key_id=self._access_key,
                        aws_secret_access_key=self._secret_key,
                        config=self._config(),
                    )
        return self._admin_client

    def _config(self, **options: Any) -> Config:
        return Config(
            connect_timeout=self.timeout,
            read_timeout=self.timeout,
            retries={"max_attempts": self.max_attempts, "mode": "standard"},
            **options,
        )

    def _pycognito(self, email: str | None = None, access_token: str | None = None, *, admin: bool = False) -> Any:
        return Cognito(
            self.user_pool_id,
            self.client_id,
            user_pool_region=self.region,
            username=email,
            access_token=access_token,
            client_secret=self._client_secret,
            session=_OwnClient(self.admin_client if admin else self.client),
        )

    def _secret_hash(self, username: str) -> dict[str, str]:
        if self._client_secret is None:
            return {}
        return {"SECRET_HASH": AWSSRP.get_secret_hash(username, self.client_id, self._client_secret)}

    @contextmanager
    def _errors(self, not_authorized: type[IdentityError], user_not_found: type[IdentityError]) -> Iterator[None]:
        """Turn boto3/pycognito failures into IdentityError subclasses; the two ambiguous codes per call."""
        try:
            yield
        except ClientError as e:
            error = e.response.get("Error", {})
            code = str(error.get("Code", ""))
            message = f"{code}: {error.get('Message', '')}"
            status = int(e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
            if code == "NotAuthorizedException":
                raise not_authorized(message) from e
            if code == "UserNotFoundException":
                raise user_not_found(message) from e
            kind = _ERRORS.get(code)
            if kind is ChallengeRequired:
                raise ChallengeRequired(message, "PASSWORD_RESET_REQUIRED") from e
            if kind is not None:
                raise kind(message) from e
            if status >= 500:
                raise ProviderUnavailable(message) from e
            raise IdentityError(message) from e
        except BotoCoreError as e:  # endpoint unreachable, timeouts
            raise ProviderUnavailable(f"Cognito cannot be reached: {e}") from e

    def _call(
        self,
        fn: Callable[[], T],
        *,
        not_authorized: type[IdentityError] = BadCredentials,
        user_not_found: type[IdentityError] = UnknownUser,
    ) -> T:
        with self._errors(not_authorized, user_not_found):
            return fn()

    # -- the interface --------------------------------------------------------------------------
    def sign_up(self, email: str, password: str) -> ExternalUser:
        cognito = self._pycognito(email)
        cognito.set_base_attributes(email=email)
        response = self._call(lambda: cognito.register(email, password))
        return ExternalUser(sub=str(response["UserSub"]), email=email, confirmed=bool(response["UserConfirmed"]))

    def confirm_sign_up(self, email: str, code: str) -> None:
        # NotAuthorized here means the account is already confirmed (or disabled): not a password matter.
        self._call(lambda: self._pycognito(email).confirm_sign_up(code, username=email), not_authorized=InvalidRequest)

    def sign_in(self, email: str, password: str) -> ExternalTokens:
        with self._errors(BadCredentials, BadCredentials):  # unknown email and wrong password look alike
            if self.password_flow == "USER_SRP_AUTH":
                response = self._srp(email, password)
            else:
                response = self.client.initiate_auth(
                    ClientId=self.client_id,
                    AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": email, "PASSWORD": password, **self._secret_hash(email)},
                )
        return self._tokens(response)

    def _srp(self, email: str, password: str) -> dict[str, Any]:
        srp = AWSSRP(
            username=email,
            password=password,
            pool_id=self.user_pool_id,
            client_id=self.client_id,
            client=self.client,
            client_secret=self._client_secret,
        )
        try:
            return dict(srp.authenticate_user())
        except ForceChangePasswordException as e:
            raise ChallengeRequired(str(e), "NEW_PASSWORD_REQUIRED") from e
        except MFAChallengeException as e:
            raise ChallengeRequired(str(e), "MFA") from e
        except NotImplementedError as e:  # a challenge pycognito does not handle
            raise ChallengeRequired(str(e), "UNSUPPORTED") from e

    def refresh(self, refresh_token: str, username: str) -> ExternalTokens:
        response = self._call(
            lambda: self.client.initiate_auth(
                ClientId=self.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token, **self._secret_hash(username)},
            ),
            not_authorized=InvalidToken,
        )
        return self._tokens(response)

    def _tokens(self, response: Mapping[str, Any]) -> ExternalTokens:
        if "AuthenticationResult" not in response:
            challenge = str(response.get("ChallengeName", "UNKNOWN"))
            raise ChallengeRequired(f"Cognito asks for {challenge}, which PCS does not support", challenge)
        result = response["AuthenticationResult"]
        tokens = ExternalTokens(
            id_token=str(result["IdToken"]),
            access_token=str(result["AccessToken"]),
            refresh_token=str(result["RefreshToken"]) if result.get("RefreshToken") else None,
            expires_in=int(result.get("ExpiresIn", 3600)),
        )
        # Never hand on tokens that would not verify later (wrong pool, client or key).
        id_claims = self._claims(tokens.id_token, "id")
        access_claims = self._claims(tokens.access_token, "access")
        if id_claims["sub"] != access_claims["sub"]:
            raise InvalidToken("the id and access tokens name different users")
        return tokens

    def verify(self, token: str) -> ExternalUser:
        """Id tokens are checked offline. Access tokens carry no email: after the offline check the pool
        is asked who they belong to (GetUser), which also refuses a token revoked by a global sign-out."""
        claims = self._claims(token)
        if claims["token_use"] == "id":
            email = claims.get("email")
            if not isinstance(email, str) or not email:
                raise InvalidToken("the id token carries no email (is email a readable attribute of the client?)")
            return ExternalUser(str(claims["sub"]), email, True, _str_or_none(claims.get("cognito:username")))
        user = self._call(
            lambda: self.client.get_user(AccessToken=token), not_authorized=InvalidToken, user_not_found=InvalidToken
        )
        attributes = {a["Name"]: a["Value"] for a in user.get("UserAttributes", [])}
        if attributes.get("sub", claims["sub"]) != claims["sub"]:
            raise InvalidToken("the pool names another user for this token")
        return ExternalUser(str(claims["sub"]), str(attributes.get("email", "")), True, str(user["Username"]))

    def forgot_password(self, email: str) -> None:
        self._call(lambda: self._pycognito(email).initiate_forgot_password(), not_authorized=InvalidRequest)

    def confirm_forgot_password(self, email: str, code: str, new_password: str) -> None:
        self._call(
            lambda: self._pycognito(email).confirm_forgot_password(code, new_password), not_authorized=InvalidRequest
        )

    def change_password(self, access_token: str, old_password: str, new_password: str) -> None:
        # boto3 directly: pycognito's change_password would first try to renew an expired token itself.
        self._call(
            lambda: self.client.change_password(
                PreviousPassword=old_password, ProposedPassword=new_password, AccessToken=access_token
            )
        )

    def delete_user(self, access_token: str) -> None:
        self._claims(access_token, "access")
        self._call(
            lambda: self._pycognito(access_token=access_token).delete_user(),
            not_authorized=InvalidToken,
            user_not_found=InvalidToken,
        )

    def admin_delete_user(self, email: str) -> None:
        self._call(lambda: self._pycognito(email, admin=True).admin_delete_user())

    def close(self) -> None:
        with self._lock:
            for client in (self._client, self._admin_client):
                if client is not None:
                    client.close()
            self._client = self._admin_client = None

    # -- tokens ---------------------------------------------------------------------------------
    def _claims(self, token: str, expected_use: str | None = None) -> dict[str, Any]:
        """The verified claims of a Cognito JWT: RS256 by a pool key, issuer, client, use and expiry."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as e:
            raise InvalidToken(f"not a JWT: {e}") from e
        if header.get("alg") != "RS256":
            raise InvalidToken(f"unexpected signing algorithm {header.get('alg')!r}")
        key = self._signing_key(str(header.get("kid", "")))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                issuer=self.issuer,
                leeway=self.leeway,
                # The audience claim exists on id tokens only; both kinds are checked by hand below.
                options={"require": ["exp", "iat", "iss", "sub", "token_use"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError as e:
            raise TokenExpired("the token has expired") from e
        except jwt.PyJWTError as e:
            raise InvalidToken(f"the token does not verify: {e}") from e
        use = claims.get("token_use")
        if use not in ("id", "access") or (expected_use is not None and use != expected_use):
            raise InvalidToken(f"unexpected token_use {use!r}")
        audience = claims.get("aud") if use == "id" else claims.get("client_id")
        if audience != self.client_id:
            raise InvalidToken("the token was issued to another app client")
        return claims

    def _signing_key(self, kid: str) -> Any:
        key = self._keys.get(kid)
        if key is not None:
            return key
        with self._lock:
            stale = time.monotonic() - self._keys_fetched_at > _JWKS_REFETCH_SECONDS
            if kid not in self._keys and self._fixed_jwks is None and (not self._keys or stale):
                self._keys = self._download_jwks()
                self._keys_fetched_at = time.monotonic()
            key = self._keys.get(kid)
        if key is None:
            raise InvalidToken(f"the token is signed with a key the pool does not publish ({kid!r})")
        return key

    def _download_jwks(self) -> dict[str, Any]:
        """The pool's public keys by key id, from its JWKS URL."""
        try:
            with urllib.request.urlopen(self.jwks_url, timeout=self.timeout) as r:
                data = json.load(r)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            return _parse_jwks(data)
        except (OSError, ValueError, jwt.PyJWTError) as e:  # URLError is an OSError
            raise ProviderUnavailable(f"could not load the pool's keys from {self.jwks_url}: {e}") from e


def _parse_jwks(jwks: Mapping[str, Any]) -> dict[str, Any]:
    keyset = jwt.PyJWKSet.from_dict(dict(jwks))
    return {k.key_id: k.key for k in keyset.keys if k.key_id}


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
