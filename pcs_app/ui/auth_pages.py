"""Sign-in and sign-up pages."""

from __future__ import annotations

import reflex as rx

from . import routes
from .state import AuthState


def _field(label: str, name: str, kind: str, autocomplete: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, font_size="0.9rem", font_weight="500"),
        rx.input(id=name, name=name, type=kind, auto_complete=autocomplete, required=True, size="3", width="100%"),
        spacing="1",
        width="100%",
    )


def _card(title: str, form: rx.Component, footer: rx.Component) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(rx.icon("cloud", size=28), rx.heading("PCS", size="7"), align="center", spacing="2"),
                rx.heading(title, size="5", as_="h1"),
                rx.cond(
                    AuthState.auth_error != "",
                    rx.callout(
                        AuthState.auth_error,
                        icon="triangle-alert",
                        color_scheme="red",
                        role="alert",
                        width="100%",
                        id="auth-error",
                    ),
                ),
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


def login() -> rx.Component:
    form = rx.form(
        rx.vstack(
            _field("Email", "email", "email", "username"),
            _field("Password", "password", "password", "current-password"),
            rx.button("Sign in", type="submit", size="3", width="100%", loading=AuthState.busy, id="sign-in"),
            spacing="3",
            width="100%",
        ),
        on_submit=AuthState.sign_in,
        width="100%",
    )
    footer = rx.text("No account yet? ", rx.link("Create one", href=routes.SIGNUP), size="2")
    return _card("Sign in", form, footer)


def signup() -> rx.Component:
    form = rx.form(
        rx.vstack(
            _field("Email", "email", "email", "username"),
            _field("Password (8 characters or more)", "password", "password", "new-password"),
            _field("Repeat the password", "confirm", "password", "new-password"),
            rx.button("Create account", type="submit", size="3", width="100%", loading=AuthState.busy, id="sign-up"),
            spacing="3",
            width="100%",
        ),
        on_submit=AuthState.sign_up,
        width="100%",
    )
    footer = rx.text("Already have an account? ", rx.link("Sign in", href=routes.LOGIN), size="2")
    return _card("Create your account", form, footer)
