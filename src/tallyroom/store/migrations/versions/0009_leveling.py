"""Leveling seats: the election's leveling rule over its district list contests
(election.leveling, canonical JSON; NULL: none), and a district list contest's first divisor
(contest.first_divisor, modified Sainte-Laguë; NULL: the series' own)

Revision ID: 0009_leveling
Revises: 0008_districts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_leveling"
down_revision = "0008_districts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("election") as batch:
        batch.add_column(sa.Column("leveling", sa.Text(), nullable=True))
    with op.batch_alter_table("contest") as batch:
        batch.add_column(sa.Column("first_divisor", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contest") as batch:
        batch.drop_column("first_divisor")
    with op.batch_alter_table("election") as batch:
        batch.drop_column("leveling")
