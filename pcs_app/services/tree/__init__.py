"""The folder tree: reading (listing), editing, copying, the trash, and bulk actions."""

from .bulk import BulkResult, Outcome, apply
from .copy import copy
from .edit import create_folder, move, rename
from .listing import SORTS, Page, ancestors, check_limit, get_node, list_children, root
from .purge import PurgeReport, delete_forever, empty_trash, purge_expired
from .trash import TrashPage, list_trash, restore, trash, trash_count

__all__ = [
    "SORTS",
    "BulkResult",
    "Outcome",
    "Page",
    "PurgeReport",
    "TrashPage",
    "ancestors",
    "apply",
    "check_limit",
    "copy",
    "create_folder",
    "delete_forever",
    "empty_trash",
    "get_node",
    "list_children",
    "list_trash",
    "move",
    "purge_expired",
    "rename",
    "restore",
    "root",
    "trash",
    "trash_count",
]
