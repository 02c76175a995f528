"""Party-list contests: election.list_contest

Revision ID: 0006_lists
Revises: 0006_rules
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_lists"
down_revision = "0006_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("election") as batch:
        batch.add_column(sa.Column("list_contest", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("election") as batch:
        batch.drop_column("list_contest")
