"""Reflex configuration. PCS's own settings live in pcs_app/settings.py (env prefix PCS_)."""

import reflex as rx

from pcs_app.settings import get_settings
from pcs_app.ui.preload import RoutePreloadPlugin

config = rx.Config(
    app_name="pcs_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # Browsers may call the API and open the websocket with credentials only from the app's own
    # origins (PCS_PUBLIC_URL, PCS_ALLOWED_ORIGINS); Reflex's default is any origin.
    cors_allowed_origins=tuple(get_settings().origins),
    plugins=[
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium")),
        # A folder opened by its address loads its page's modules at once (pcs_app/ui/preload.py).
        RoutePreloadPlugin(),
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
