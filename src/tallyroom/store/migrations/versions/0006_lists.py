"""Party-list contests: election.list_contest; blank-vote totals: station_result.blank_votes
and constituency_total.blank_votes

Revision ID: 0006_lists
Revises: 0006_register
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_lists"
down_revision = "0006_observers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("election") as batch:
        batch.add_column(sa.Column("list_contest", sa.Text(), nullable=True))
    with op.batch_alter_table("station_result") as batch:
        batch.add_column(sa.Column("blank_votes", sa.Integer(), nullable=True))
    with op.batch_alter_table("constituency_total") as batch:
        batch.add_column(
            sa.Column("blank_votes", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("constituency_total") as batch:
        batch.drop_column("blank_votes")
    with op.batch_alter_table("station_result") as batch:
        batch.drop_column("blank_votes")
    with op.batch_alter_table("election") as batch:
        batch.drop_column("list_contest")
