"""Email notifications: what is sent when (triggers), each account's choices (prefs), the mails
themselves (templates) and the outbox they wait in until a job sends them (outbox)."""

from . import outbox, templates, triggers
from .outbox import MailHealth, SweepReport
from .prefs import KINDS, preferences, set_preferences, wants
from .templates import Message

__all__ = [
    "KINDS",
    "MailHealth",
    "Message",
    "SweepReport",
    "outbox",
    "preferences",
    "set_preferences",
    "templates",
    "triggers",
    "wants",
]
