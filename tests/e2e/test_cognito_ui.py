"""The sign-up and sign-in pages with PCS_AUTH=cognito: the whole app (`make run`'s launcher) in front of
moto in server mode standing in for Amazon Cognito, driven through Chromium.

moto accepts any sign-up confirmation code and mails nothing, so the code typed here proves only that the
page asks for it, sends it, and signs in afterwards; that a wrong code is refused is Cognito's to do
(tests/unit/test_cognito_sign_in.py says what else moto cannot prove).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from playwright.sync_api import Browser, Page, expect

from pcs_app.adapters.seaweed import free_port
from tests.contracts.moto_server import TEST_CREDENTIALS, MotoServer, start_moto_server
from tests.contracts.test_cognito import REGION, Pool, make_pool
from tests.stack import Stack, start_stack

pytestmark = pytest.mark.e2e
PASSWORD = "Correct-horse-9"
FILES = re.compile(r"/files/?$")


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pool]:
    server: MotoServer = start_moto_server(tmp_path_factory.mktemp("moto"))
    try:
        admin = boto3.client("cognito-idp", endpoint_url=server.endpoint, region_name=REGION, **TEST_CREDENTIALS)
        yield make_pool(server, admin)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def cognito_stack(pool: Pool, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {
        "PCS_AUTH": "cognito",
        "PCS_COGNITO_USER_POOL_ID": pool.pool_id,
        "PCS_COGNITO_CLIENT_ID": pool.client_id,
        "PCS_COGNITO_REGION": REGION,
        "PCS_COGNITO_ENDPOINT_URL": pool.endpoint,
    }
    s = start_stack(tmp_path_factory.mktemp("cognito-stack") / "data", free_port, env)
    yield s
    s.stop()


def new_page(browser: Browser, stack: Stack, width: int, height: int) -> tuple[Page, list[str]]:
    page = browser.new_context(base_url=stack.url, viewport={"width": width, "height": height}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


def fill(page: Page, **fields: str) -> None:
    for name, value in fields.items():
        page.locator(f"#auth-form input[name={name}]").fill(value)


@pytest.mark.parametrize("width,height,label", [(1440, 900, "desktop"), (390, 844, "phone")])
def test_sign_up_asks_for_the_emailed_code_then_opens_the_files(
    browser: Browser, cognito_stack: Stack, artifacts: Path, width: int, height: int, label: str
) -> None:
    page, errors = new_page(browser, cognito_stack, width, height)
    email = f"ui-{secrets.token_hex(4)}@example.org"
    page.goto("/signup")
    expect(page.locator("#auth-code-step")).to_be_hidden()
    fill(page, email=email, password=PASSWORD, confirm=PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page.locator("#auth-code-step")).to_be_visible(timeout=20_000)
    expect(page.get_by_text(f"Enter the code we emailed to {email} to finish.")).to_be_visible()
    expect(page.locator("#password-field")).to_be_hidden()
    page.screenshot(path=str(artifacts / f"cognito-code-{label}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    fill(page, code="123456")
    page.get_by_role("button", name="Confirm and sign in").click()
    page.wait_for_url(FILES, timeout=30_000)
    expect(page.get_by_text(email)).to_be_attached(timeout=20_000)
    assert errors == []


def test_sign_in_page_wrong_password_then_unconfirmed_then_right(
    browser: Browser, cognito_stack: Stack, artifacts: Path
) -> None:
    page, errors = new_page(browser, cognito_stack, 1440, 900)
    email = f"ui-{secrets.token_hex(4)}@example.org"
    # An account that signed up elsewhere and never entered its code.
    api: Any = page.request.post(f"{cognito_stack.url}/api/v1/auth/signup", data={"email": email, "password": PASSWORD})
    assert api.status == 202

    page.goto("/login")
    fill(page, email=email, password="Wrong-horse-99")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#auth-error")).to_have_text("Wrong email or password.", timeout=20_000)

    fill(page, password=PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#auth-code-step")).to_be_visible(timeout=20_000)
    expect(page.locator("#auth-error")).to_be_hidden()
    page.screenshot(path=str(artifacts / "cognito-login-code-desktop.png"), full_page=True)
    fill(page, code="654321")
    page.get_by_role("button", name="Confirm and sign in").click()
    page.wait_for_url(FILES, timeout=30_000)
    assert errors == []
