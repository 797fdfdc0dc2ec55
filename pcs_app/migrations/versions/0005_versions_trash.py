"""versions can be pinned; a trashed item remembers where it was; an index for paging the trash

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('node', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trashed_from', sqlmodel.sql.sqltypes.AutoString(length=4096), nullable=True))
        batch_op.create_index('ix_node_trash', ['owner_id', 'trashed_at', 'id'], unique=False, sqlite_where=sa.text('trash_root'), postgresql_where=sa.text('trash_root'))

    with op.batch_alter_table('version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pinned', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('version', schema=None) as batch_op:
        batch_op.drop_column('pinned')

    with op.batch_alter_table('node', schema=None) as batch_op:
        batch_op.drop_index('ix_node_trash', sqlite_where=sa.text('trash_root'), postgresql_where=sa.text('trash_root'))
        batch_op.drop_column('trashed_from')

