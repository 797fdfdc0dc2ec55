"""UI states, one per concern: who is signed in, the folder in view, selection, preview, actions, status."""

from .actions import ActionsState
from .base import AuthState
from .browser import FilesState
from .preview import PreviewState
from .selection import SelectionState
from .status import StatusState

__all__ = ["ActionsState", "AuthState", "FilesState", "PreviewState", "SelectionState", "StatusState"]
