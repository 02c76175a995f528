"""Watchers: complaint deadlines per category (election.complaint_deadlines), idempotency
keys for what an observer's phone sends from its outbox (observer_protocol_copy and
complaint), and a complaint citing a webcam outage (complaint.webcam_outage_id)

Revision ID: 0007_watchers
Revises: 0006_lists
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_watchers"
down_revision = "0007_runoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("election") as batch:
        batch.add_column(sa.Column("complaint_deadlines", sa.Text(), nullable=True))
    with op.batch_alter_table("observer_protocol_copy") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(64), nullable=True))
        batch.create_unique_constraint(
            "uq_observer_protocol_copy_idempotency_key", ["idempotency_key", "accreditation_id"]
        )
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(64), nullable=True))
        batch.add_column(sa.Column("webcam_outage_id", sa.Integer(), nullable=True))
        batch.create_unique_constraint(
            "uq_complaint_idempotency_key", ["idempotency_key", "election_id"]
        )
        batch.create_foreign_key(
            "fk_complaint_webcam_outage_id_webcam_outage",
            "webcam_outage",
            ["webcam_outage_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.drop_constraint("fk_complaint_webcam_outage_id_webcam_outage", type_="foreignkey")
        batch.drop_constraint("uq_complaint_idempotency_key", type_="unique")
        batch.drop_column("webcam_outage_id")
        batch.drop_column("idempotency_key")
    with op.batch_alter_table("observer_protocol_copy") as batch:
        batch.drop_constraint("uq_observer_protocol_copy_idempotency_key", type_="unique")
        batch.drop_column("idempotency_key")
    with op.batch_alter_table("election") as batch:
        batch.drop_column("complaint_deadlines")
