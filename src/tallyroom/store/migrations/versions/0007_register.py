"""A double-vote incident names the complaint the poll-book monitor filed for it:
double_vote_incident.complaint_id

Revision ID: 0007_register
Revises: 0006_lists
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_register"
down_revision = "0007_watchers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("double_vote_incident") as batch:
        batch.add_column(sa.Column("complaint_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_double_vote_incident_complaint_id_complaint", "complaint", ["complaint_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("double_vote_incident") as batch:
        batch.drop_constraint("fk_double_vote_incident_complaint_id_complaint", type_="foreignkey")
        batch.drop_column("complaint_id")
