"""election.drill: the election was served under a drill clock

Revision ID: 0005_drill
Revises: 0002_merkle
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_drill"
down_revision = "0002_merkle"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("election") as batch:
        batch.add_column(
            sa.Column("drill", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("election") as batch:
        batch.drop_column("drill")
