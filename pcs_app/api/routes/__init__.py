"""One router per resource."""

from fastapi import APIRouter

from . import admin, auth, content, meta, nodes, public, recovery, sharing, uploads

ROUTERS: list[APIRouter] = [
    auth.router,
    nodes.router,
    uploads.router,
    content.router,
    recovery.router,
    sharing.router,
    public.router,
    admin.router,
    meta.router,
]
