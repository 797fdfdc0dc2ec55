"""The folder tree: reading (listing), editing, copying, the trash, and bulk actions."""

from .bulk import BulkResult, Outcome, apply
from .copy import copy
from .edit import create_folder, move, rename
from .listing import SORTS, Page, ancestors, check_limit, get_node, list_children, root
from .trash import list_trash, restore, trash

__all__ = [
    "SORTS",
    "BulkResult",
    "Outcome",
    "Page",
    "ancestors",
    "apply",
    "check_limit",
    "copy",
    "create_folder",
    "get_node",
    "list_children",
    "list_trash",
    "move",
    "rename",
    "restore",
    "root",
    "trash",
]
