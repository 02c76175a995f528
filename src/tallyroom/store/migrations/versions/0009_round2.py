"""Round 2 on its own: its polling date (runoff.polling_date, NULL when not named), its
certification (runoff.certified_at; certification.runoff_id names the round-2 contest a
certification is of, NULL for round 1 and the nation)

Revision ID: 0009_round2
Revises: 0008_districts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_round2"
down_revision = "0008_districts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runoff") as batch:
        batch.add_column(sa.Column("polling_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("certified_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("certification") as batch:
        batch.add_column(sa.Column("runoff_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_certification_runoff_id_runoff"), "runoff", ["runoff_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("certification") as batch:
        batch.drop_constraint(op.f("fk_certification_runoff_id_runoff"), type_="foreignkey")
        batch.drop_column("runoff_id")
    with op.batch_alter_table("runoff") as batch:
        batch.drop_column("certified_at")
        batch.drop_column("polling_date")
