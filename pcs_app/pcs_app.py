"""Reflex entry point: wires pages to routes and mounts the REST API. Nothing here does work at import."""

import reflex as rx
from starlette.types import ASGIApp

from pcs_app.api.app import create_api
from pcs_app.api.middleware import ApiPathGuard
from pcs_app.ui import routes
from pcs_app.ui.pages.activity import activity_page
from pcs_app.ui.pages.auth import login, signup
from pcs_app.ui.pages.dashboard import dashboard_page
from pcs_app.ui.pages.files import files_page
from pcs_app.ui.pages.public import public_page
from pcs_app.ui.pages.reset import forgot_page, reset_page
from pcs_app.ui.pages.settings import settings_page
from pcs_app.ui.pages.shared import shared_page
from pcs_app.ui.pages.status import status_page
from pcs_app.ui.pages.trash import trash_page
from pcs_app.ui.states import ActionsState, AuthState, FilesState, SelectionState, StatusState
from pcs_app.ui.states.activity import ActivityState
from pcs_app.ui.states.dashboard import DashboardState
from pcs_app.ui.states.history import HistoryState
from pcs_app.ui.states.public import PublicState
from pcs_app.ui.states.settings import ResetState, SettingsState
from pcs_app.ui.states.share import ShareState
from pcs_app.ui.states.shared import SharedState
from pcs_app.ui.states.trash import TrashState


class PcsApp(rx.App):
    """Reflex's app with one guard in front (see ApiPathGuard)."""

    def __call__(self) -> ASGIApp:
        return ApiPathGuard(super().__call__())


app = PcsApp(
    api_transformer=create_api(),
    stylesheets=["/pcs.css"],
    head_components=[
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        rx.el.meta(name="theme-color", content="#3e63dd"),
        rx.el.link(rel="apple-touch-icon", href="/icon-192.png"),
        # The sign-in and sign-up forms' handler (a listener on the document for #auth-form), in every
        # page's static head, deferred: it runs as soon as the page is parsed, before the app's code
        # (placed in the page, it loaded only after hydration and a quick first click did nothing).
        # Deferred, not blocking: a blocking script waits for the stylesheet and held back first loads.
        rx.el.script(src="/auth.js", defer=True),
    ],
)
app.add_page(status_page, route=routes.STATUS, title="PCS — status", on_load=StatusState.load)
app.add_page(login, route=routes.LOGIN, title="Sign in — PCS", on_load=AuthState.on_auth_page)
app.add_page(signup, route=routes.SIGNUP, title="Create account — PCS", on_load=AuthState.on_auth_page)
_files_load = [
    SelectionState.clear,
    ActionsState.close_dialog,
    ShareState.set_share_open(False),
    HistoryState.set_history_open(False),
    FilesState.load,
]
app.add_page(files_page, route="/", title="My files — PCS", on_load=_files_load)
app.add_page(files_page, route=routes.FILES, title="My files — PCS", on_load=_files_load)
app.add_page(files_page, route=routes.FOLDER, title="Files — PCS", on_load=_files_load)
app.add_page(shared_page, route=routes.SHARED, title="Shared with me — PCS", on_load=SharedState.load_shared)
app.add_page(trash_page, route=routes.TRASH, title="Trash — PCS", on_load=TrashState.load_trash)
app.add_page(public_page, route=routes.PUBLIC, title="Shared with you — PCS", on_load=PublicState.load_link)
app.add_page(dashboard_page, route=routes.DASHBOARD, title="Dashboard — PCS", on_load=DashboardState.load_dashboard)
app.add_page(dashboard_page, route=routes.USAGE, title="Dashboard — PCS", on_load=DashboardState.load_dashboard)
app.add_page(activity_page, route=routes.ACTIVITY, title="Activity — PCS", on_load=ActivityState.load_activity)
app.add_page(settings_page, route=routes.SETTINGS, title="Settings — PCS", on_load=SettingsState.load_settings)
app.add_page(forgot_page, route=routes.FORGOT, title="Forgot password — PCS", on_load=ResetState.load_forgot)
app.add_page(reset_page, route=routes.RESET, title="New password — PCS", on_load=ResetState.load_reset)
