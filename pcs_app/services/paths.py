"""Walking up the tree: the path from an owner's root to a node, in one recursive query."""

from __future__ import annotations

from sqlalchemy import literal
from sqlmodel import Session, col, select

from pcs_app.models import Node


def path_of(s: Session, node: Node) -> list[Node]:
    """The nodes from the root down to ``node`` (inclusive): one recursive query."""
    up = select(Node.id, Node.parent_id, literal(0).label("depth")).where(Node.id == node.id).cte(recursive=True)
    up = up.union_all(select(Node.id, Node.parent_id, (up.c.depth + 1).label("depth")).where(Node.id == up.c.parent_id))
    rows = s.exec(select(Node, up.c.depth).join(up, col(Node.id) == up.c.id).order_by(up.c.depth.desc())).all()
    return [n for n, _ in rows]
