"""Forgot password: the form that mails a reset link, and the page that link opens."""

from __future__ import annotations

from typing import Any, Literal

import reflex as rx

from .. import routes
from ..states.settings import ResetState

R = ResetState


def _card(title: str, *children: rx.Component) -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.hstack(rx.icon("cloud", size=28), rx.heading("PCS", size="7"), align="center", spacing="2"),
                rx.heading(title, size="5", as_="h1"),
                *children,
                spacing="4",
                width="100%",
            ),
            size="4",
            width="min(26rem, 100%)",
        ),
        min_height="100dvh",
        padding="1rem",
    )


def _input(label: Any, name: str, kind: Literal["email", "password"], autocomplete: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=name, font_size="0.9rem", font_weight="500"),
        rx.input(id=name, name=name, type=kind, auto_complete=autocomplete, required=True, size="3", width="100%"),
        spacing="1",
        width="100%",
    )


def forgot_page() -> rx.Component:
    return _card(
        "Forgot your password?",
        rx.cond(
            R.forgot_sent,
            rx.callout(
                "If that email has an account, a reset link is on its way. It works once and expires soon.",
                icon="mail",
                color_scheme="green",
                id="forgot-sent",
            ),
            rx.el.form(
                rx.vstack(
                    rx.text("We mail you a link that sets a new password.", size="2", color_scheme="gray"),
                    _input("Email", "email", "email", "username"),
                    rx.cond(
                        R.forgot_error != "",
                        rx.text(R.forgot_error, color_scheme="red", size="2", role="alert", id="forgot-error"),
                    ),
                    rx.button("Send the link", type="submit", size="3", width="100%", id="forgot-submit"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=R.send_reset,
                width="100%",
            ),
        ),
        rx.text(rx.link("Back to sign in", href=routes.LOGIN), size="2"),
    )


def reset_page() -> rx.Component:
    return _card(
        "Set a new password",
        rx.cond(
            R.reset_done,
            rx.vstack(
                rx.callout(
                    "Your password is set. Every earlier session was signed out.",
                    icon="check",
                    color_scheme="green",
                    id="reset-done",
                ),
                rx.link(
                    rx.button("Sign in", size="3", width="100%"), href=routes.LOGIN, width="100%", id="reset-sign-in"
                ),
                spacing="3",
                width="100%",
            ),
            rx.el.form(
                rx.vstack(
                    _input(
                        "New password (" + R.min_length.to_string() + " characters or more)",
                        "password",
                        "password",
                        "new-password",
                    ),
                    _input("Repeat it", "again", "password", "new-password"),
                    rx.cond(
                        R.reset_error != "",
                        rx.text(R.reset_error, color_scheme="red", size="2", role="alert", id="reset-error"),
                    ),
                    rx.button(
                        "Set the password",
                        type="submit",
                        size="3",
                        width="100%",
                        loading=R.reset_busy,
                        disabled=R.reset_token == "",
                        id="reset-submit",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=R.confirm_reset,
                reset_on_submit=False,
                width="100%",
            ),
        ),
        rx.text(
            rx.link("Ask for a new link", href=routes.FORGOT), " · ", rx.link("Sign in", href=routes.LOGIN), size="2"
        ),
    )
