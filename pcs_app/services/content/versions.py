"""A file's versions: every upload over it keeps the previous content."""

from __future__ import annotations

from sqlmodel import col, select

from pcs_app.models import Version

from ..access import Actor, Perm, check_node
from ..core import Core


def list_versions(core: Core, actor: Actor, node_id: object) -> list[Version]:
    """Newest first."""
    with core.db.read() as s:
        node = check_node(s, actor, node_id, Perm.READ)
        return list(s.exec(select(Version).where(Version.node_id == node.id).order_by(col(Version.id).desc())).all())
