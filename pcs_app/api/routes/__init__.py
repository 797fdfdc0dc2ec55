"""One router per resource."""

from fastapi import APIRouter

from . import auth, content, meta, nodes, public, sharing, uploads

ROUTERS: list[APIRouter] = [
    auth.router,
    nodes.router,
    uploads.router,
    content.router,
    sharing.router,
    public.router,
    meta.router,
]
