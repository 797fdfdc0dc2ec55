"""node_parent_index: a plain index on node.parent_id

The listing indexes on parent_id are partial (live items only), so neither the foreign key's check
when a node is deleted nor a walk down a trashed folder could use them: emptying a trash of 10,000
files scanned the node table once per deleted row.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from alembic import op


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_node_parent_id"), ["parent_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("node", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_node_parent_id"))
