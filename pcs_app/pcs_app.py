"""Reflex entry point: wires pages and mounts the REST API. Nothing here does work at import."""

import reflex as rx

from pcs_app.api.app import create_api
from pcs_app.ui import routes
from pcs_app.ui.auth_pages import login, signup
from pcs_app.ui.files_page import files_page
from pcs_app.ui.pages import index
from pcs_app.ui.state import AuthState, FilesState

app = rx.App(
    api_transformer=create_api(),
    stylesheets=["/pcs.css"],
    head_components=[
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        rx.el.meta(name="theme-color", content="#3e63dd"),
        rx.el.link(rel="apple-touch-icon", href="/icon-192.png"),
    ],
)
app.add_page(index, route=routes.STATUS, title="PCS — status")
app.add_page(login, route=routes.LOGIN, title="Sign in — PCS", on_load=AuthState.redirect_if_signed_in)
app.add_page(signup, route=routes.SIGNUP, title="Create account — PCS", on_load=AuthState.redirect_if_signed_in)
app.add_page(files_page, route="/", title="My files — PCS", on_load=FilesState.load)
app.add_page(files_page, route=routes.FILES, title="My files — PCS", on_load=FilesState.load)
app.add_page(files_page, route=routes.FOLDER, title="Files — PCS", on_load=FilesState.load)
