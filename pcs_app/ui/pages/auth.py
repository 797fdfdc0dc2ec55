"""Sign-in and sign-up pages. The form posts to the API from assets/auth.js, which receives the
session as an HttpOnly cookie, then loads the files page (so the websocket reconnects signed in).
With Cognito (PCS_AUTH=cognito) an account must first enter the code it was emailed: the API answers
202 (sign-up) or 403 not_confirmed (sign-in) and auth.js turns the same form into that step."""

from __future__ import annotations

from typing import Literal

import reflex as rx

from .. import routes
from ..states import AuthState

InputKind = Literal["email", "password", "text"]


def _field(
    label: rx.Component | str,
    name: str,
    kind: InputKind,
    autocomplete: str,
    min_length: rx.Var[int] | None = None,
    required: bool = True,
) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, font_size="0.9rem", font_weight="500"),
        rx.input(
            id=name,
            name=name,
            type=kind,
            auto_complete=autocomplete,
            required=required,
            size="3",
            width="100%",
            min_length=min_length,
        ),
        spacing="1",
        width="100%",
        id=f"{name}-field",
    )


def _code_step() -> rx.Component:
    """The emailed code's field, hidden until auth.js learns that the account must confirm (Cognito)."""
    return rx.el.div(
        rx.vstack(
            rx.text("", id="auth-code-note", size="2"),
            _field("Code from the email", "code", "text", "one-time-code", required=False),
            spacing="2",
            width="100%",
        ),
        id="auth-code-step",
        custom_attrs={"hidden": True},
        width="100%",
    )


def _card(title: str, form: rx.Component, footer: rx.Component) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(rx.icon("cloud", size=28), rx.heading("PCS", size="7"), align="center", spacing="2"),
                rx.heading(title, size="5", as_="h1"),
                # Filled in by auth.js when the server refuses; empty (and hidden) otherwise.
                rx.el.div(id="auth-error", role="alert", class_name="pcs-auth-error"),
                form,
                footer,
                spacing="4",
                width="100%",
            ),
            size="4",
            width="min(26rem, 100%)",
        ),
        min_height="100dvh",
        padding="1rem",
    )


def _submit(label: str, id_: str) -> rx.Component:
    return rx.button(label, type="submit", size="3", width="100%", id=id_)


def login() -> rx.Component:
    form = rx.el.form(
        rx.vstack(
            _field("Email", "email", "email", "username"),
            _field("Password", "password", "password", "current-password"),
            _code_step(),
            _submit("Sign in", "sign-in"),
            spacing="3",
            width="100%",
        ),
        id="auth-form",
        method="post",  # were the handler (assets/auth.js) ever missing: never a password in a URL
        custom_attrs={"data-mode": "sign-in", "data-next": routes.FILES},
        width="100%",
    )
    footer = rx.vstack(
        rx.link("Forgot password?", href=routes.FORGOT, size="2", id="forgot-link"),
        rx.text("No account yet? ", rx.link("Create one", href=routes.SIGNUP), size="2"),
        spacing="2",
    )
    return _card("Sign in", form, footer)


def signup() -> rx.Component:
    min_len = AuthState.password_min_length
    form = rx.el.form(
        rx.vstack(
            _field("Email", "email", "email", "username"),
            _field(
                rx.text("Password (", min_len.to_string(), " characters or more)", as_="span"),
                "password",
                "password",
                "new-password",
                min_length=min_len,
            ),
            _field("Repeat the password", "confirm", "password", "new-password"),
            _code_step(),
            _submit("Create account", "sign-up"),
            spacing="3",
            width="100%",
        ),
        id="auth-form",
        method="post",  # were the handler (assets/auth.js) ever missing: never a password in a URL
        custom_attrs={"data-mode": "sign-up", "data-next": routes.FILES},
        width="100%",
    )
    footer = rx.text("Already have an account? ", rx.link("Sign in", href=routes.LOGIN), size="2")
    return _card("Create your account", form, footer)
