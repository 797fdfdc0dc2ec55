"""Reflex configuration. PCS's own settings live in pcs_app/settings.py (env prefix PCS_)."""

import reflex as rx

config = rx.Config(
    app_name="pcs_app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
