"""The folder tree: reading (listing), editing, copying, the trash, and bulk actions."""

from .bulk import MAX_ITEMS, BulkResult, Outcome, apply, apply_folder
from .copy import copy
from .edit import create_folder, move, rename
from .listing import (
    SORTS,
    Page,
    ancestors,
    check_limit,
    child_ids,
    count_children,
    get_node,
    list_children,
    list_window,
    root,
)
from .purge import PurgeReport, delete_forever, empty_trash, purge_expired
from .trash import TrashPage, list_trash, restore, trash, trash_count

__all__ = [
    "MAX_ITEMS",
    "SORTS",
    "BulkResult",
    "Outcome",
    "Page",
    "PurgeReport",
    "TrashPage",
    "ancestors",
    "apply",
    "apply_folder",
    "check_limit",
    "child_ids",
    "copy",
    "count_children",
    "create_folder",
    "delete_forever",
    "empty_trash",
    "get_node",
    "list_children",
    "list_trash",
    "list_window",
    "move",
    "purge_expired",
    "rename",
    "restore",
    "root",
    "trash",
    "trash_count",
]
