"""One router per resource."""

from fastapi import APIRouter

from . import activity, admin, auth, batch, content, meta, nodes, public, recovery, search, sharing, uploads, usage

ROUTERS: list[APIRouter] = [
    auth.router,
    nodes.router,
    uploads.router,
    batch.router,
    content.router,
    recovery.router,
    sharing.router,
    search.router,
    public.router,
    admin.router,
    meta.router,
    activity.router,
    usage.router,
]
