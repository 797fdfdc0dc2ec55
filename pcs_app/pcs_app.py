"""Reflex entry point: wires pages and mounts the REST API. Nothing here does work at import."""

import reflex as rx

from pcs_app.api.app import create_api
from pcs_app.ui.pages import index

app = rx.App(
    api_transformer=create_api(),
    head_components=[rx.el.meta(name="viewport", content="width=device-width, initial-scale=1")],
)
app.add_page(index, route="/", title="PCS — your files")
