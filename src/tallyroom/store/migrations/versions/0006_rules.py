"""Control rules as data: election.rule_set, protocol_version.rule_set_version and
candidate.ballot_position

Revision ID: 0006_rules
Revises: 0005_drill
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_rules"
down_revision = "0005_drill"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("election") as batch:
        batch.add_column(sa.Column("rule_set", sa.Text(), nullable=True))
    with op.batch_alter_table("protocol_version") as batch:
        batch.add_column(sa.Column("rule_set_version", sa.String(64), nullable=True))
    with op.batch_alter_table("candidate") as batch:
        batch.add_column(sa.Column("ballot_position", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("candidate") as batch:
        batch.drop_column("ballot_position")
    with op.batch_alter_table("protocol_version") as batch:
        batch.drop_column("rule_set_version")
    with op.batch_alter_table("election") as batch:
        batch.drop_column("rule_set")
