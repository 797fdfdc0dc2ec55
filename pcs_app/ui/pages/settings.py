"""Settings: the account, which mails it gets, its tokens and sessions, the password, deleting it."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from .. import routes
from ..components.header import header
from ..components.icons import either_icon
from ..states.settings import SettingsState
from ..styles import MAX_WIDTH

Row = ObjectVar[dict[str, str]]
S = SettingsState


def section(title: str, *children: Any, id_: str) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="3", as_="h2"), *children, spacing="3", width="100%"),
        width="100%",
        id=id_,
    )


def kv(label: str, value: Any, id_: str) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color_scheme="gray", width="8rem", flex_shrink="0"),
        rx.text(value, size="2", weight="medium", id=id_, class_name="pcs-break", min_width="0"),
        width="100%",
        spacing="2",
    )


def account() -> rx.Component:
    a = S.account
    return section(
        "Account",
        kv("Email", a["email"], "settings-email"),
        kv("Role", a["role"], "settings-role"),
        kv("Created", a["created"], "settings-created"),
        kv("Storage", a["used"] + " used, quota " + a["quota"], "settings-storage"),
        rx.hstack(
            rx.link("Usage dashboard", href=routes.DASHBOARD, size="2"),
            rx.link("Activity", href=routes.ACTIVITY, size="2"),
            spacing="4",
        ),
        id_="settings-account",
    )


def pref_row(p: Row) -> rx.Component:
    switch_id = "pref-" + p["kind"]
    return rx.el.label(
        rx.text(p["label"], size="2", flex="1", min_width="0"),
        rx.switch(
            checked=p["on"] != "",
            on_change=lambda on: S.set_pref(p["kind"], on),
            id=switch_id,
            aria_label=p["label"],
        ),
        class_name="pcs-pref",
        custom_attrs={"data-kind": p["kind"]},
    )


def mails() -> rx.Component:
    return section(
        "Email notifications",
        rx.text("Mail me when…", size="2", color_scheme="gray"),
        rx.vstack(rx.foreach(S.prefs, pref_row), spacing="1", width="100%"),
        rx.text("Password reset mails always come: you asked for them.", size="1", color_scheme="gray"),
        id_="settings-mails",
    )


def token_row(t: Row) -> rx.Component:
    return rx.hstack(
        either_icon(t["kind"] == "API token", "key-round", "monitor-smartphone", size=18, flex_shrink="0"),
        rx.vstack(
            rx.hstack(
                rx.text(t["name"], size="2", weight="medium", class_name="pcs-ellipsis", min_width="0"),
                rx.cond(t["current"] != "", rx.badge("this browser", size="1", color_scheme="green")),
                spacing="2",
                align="center",
                min_width="0",
                max_width="100%",
            ),
            rx.text(
                t["kind_line"] + "created " + t["created"] + " · used " + t["used"] + " · expires " + t["expires"],
                size="1",
                color_scheme="gray",
                class_name="pcs-break",
            ),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.button(
            rx.cond(t["current"] != "", "Sign out", "Revoke"),
            variant="soft",
            color_scheme="red",
            size="2",
            on_click=S.revoke(t["id"]),
            class_name="pcs-touch pcs-revoke",
            aria_label=rx.cond(t["current"] != "", "Sign out of this browser", "Revoke " + t["name"]),
        ),
        width="100%",
        align="center",
        spacing="3",
        class_name="pcs-token",
        custom_attrs={"data-token-id": t["id"]},
    )


def tokens() -> rx.Component:
    return section(
        "Sessions and tokens",
        rx.text(
            "Every browser signed in and every API token (the desktop client's too). Revoke what you do not know.",
            size="2",
            color_scheme="gray",
        ),
        rx.vstack(rx.foreach(S.tokens, token_row), spacing="3", width="100%", id="token-list"),
        id_="settings-tokens",
    )


def _pw(label: Any, name: str, autocomplete: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for="pw-" + name, font_size="0.875rem"),
        rx.input(
            id="pw-" + name,
            name=name,
            type="password",
            auto_complete=autocomplete,
            required=True,
            width="100%",
            size="3",
        ),
        spacing="1",
        width="100%",
    )


def password() -> rx.Component:
    return section(
        "Password",
        rx.el.form(
            rx.vstack(
                _pw("Current password", "current", "current-password"),
                _pw(
                    "New password (" + S.password_min_length.to_string() + " characters or more)",
                    "new",
                    "new-password",
                ),
                _pw("Repeat the new password", "again", "new-password"),
                rx.cond(
                    S.pw_error != "", rx.text(S.pw_error, color_scheme="red", size="2", role="alert", id="pw-error")
                ),
                rx.button("Change password", type="submit", loading=S.pw_busy, class_name="pcs-touch", id="pw-submit"),
                rx.text(
                    "Your other sessions and tokens are signed out when it changes.", size="1", color_scheme="gray"
                ),
                spacing="3",
                width="100%",
                max_width="24rem",
            ),
            on_submit=S.change_password,
            reset_on_submit=False,
            width="100%",
        ),
        id_="settings-password",
    )


def danger() -> rx.Component:
    return section(
        "Delete the account",
        rx.text(
            "Deletes every file, folder, version, share and link of this account, and the account itself. "
            "The bytes go from storage within minutes. This cannot be undone.",
            size="2",
        ),
        rx.box(
            rx.button(
                "Delete my account…",
                color_scheme="red",
                variant="soft",
                on_click=S.set_delete_open(True),
                class_name="pcs-touch",
                id="delete-account",
            ),
        ),
        id_="settings-delete",
    )


def delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete your account for good?"),
            rx.alert_dialog.description(
                "Everything in it is deleted: files, versions, the trash, shares and links. "
                "Type your email address and your password to confirm.",
                size="2",
            ),
            rx.el.form(
                rx.vstack(
                    rx.el.label("Your email: " + S.email, html_for="delete-typed", font_size="0.875rem"),
                    rx.input(
                        id="delete-typed",
                        name="typed",
                        value=S.delete_typed,
                        on_change=S.set_delete_typed,
                        auto_complete="off",
                        width="100%",
                        size="3",
                    ),
                    rx.el.label("Password", html_for="delete-password", font_size="0.875rem"),
                    rx.input(
                        id="delete-password",
                        name="password",
                        type="password",
                        auto_complete="current-password",
                        width="100%",
                        size="3",
                    ),
                    rx.cond(
                        S.delete_error != "",
                        rx.text(S.delete_error, color_scheme="red", size="2", role="alert", id="delete-error"),
                    ),
                    rx.hstack(
                        rx.alert_dialog.cancel(
                            rx.button(
                                "Cancel", variant="soft", color_scheme="gray", type="button", class_name="pcs-touch"
                            )
                        ),
                        rx.button(
                            "Delete everything",
                            color_scheme="red",
                            type="submit",
                            disabled=~S.delete_ready,
                            loading=S.delete_busy,
                            class_name="pcs-touch",
                            id="delete-confirm",
                        ),
                        justify="end",
                        spacing="3",
                        width="100%",
                        margin_top="0.5rem",
                    ),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.delete_account,
                reset_on_submit=False,
            ),
            width="min(28rem, calc(100vw - 2rem))",
            max_width="min(28rem, calc(100vw - 2rem))",
            id="delete-dialog",
        ),
        open=S.delete_open,
        on_open_change=S.set_delete_open,
    )


def settings_page() -> rx.Component:
    return rx.box(
        rx.vstack(
            header(),
            rx.vstack(
                rx.heading("Settings", size="5", as_="h1"),
                rx.cond(
                    S.settings_loading,
                    rx.center(rx.spinner(size="3"), padding="3rem", width="100%"),
                    rx.vstack(
                        account(), mails(), tokens(), password(), danger(), spacing="3", width="100%", id="settings"
                    ),
                ),
                spacing="3",
                width="100%",
                max_width="48rem",  # a column of forms reads best narrow; the header keeps the page's width
            ),
            spacing="3",
            width="100%",
            max_width=MAX_WIDTH,
            margin="0 auto",
            padding_x=["0.75rem", "1rem", "1.5rem"],
            padding_bottom="4rem",
        ),
        delete_dialog(),
    )
