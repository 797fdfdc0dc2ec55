"""Sharing: links anyone can open (links, public), and shares with other accounts (grants)."""

from . import public
from .grants import (
    SHARED,
    UNSHARED,
    Details,
    GrantView,
    change_role,
    details,
    grants_on,
    marked,
    remove,
    share,
    shared_with,
)
from .links import LINK_CHANGE, UNSET, LinkView, create_link, links_of, my_links, revoke_link, state_of, update_link
from .tokens import TOKEN_PATTERN

__all__ = [
    "LINK_CHANGE",
    "SHARED",
    "TOKEN_PATTERN",
    "UNSET",
    "UNSHARED",
    "Details",
    "GrantView",
    "LinkView",
    "change_role",
    "create_link",
    "details",
    "grants_on",
    "links_of",
    "marked",
    "my_links",
    "public",
    "remove",
    "revoke_link",
    "share",
    "shared_with",
    "state_of",
    "update_link",
]
