"""One router per resource."""

from fastapi import APIRouter

from . import auth, content, meta, nodes, uploads

ROUTERS: list[APIRouter] = [auth.router, nodes.router, uploads.router, content.router, meta.router]
