"""Certification and decisions: signed certifications, four-eyes proposed decisions, the
election's decision policy and the stations' contacts

Revision ID: 0006_certify
Revises: 0005_drill
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_certify"
down_revision = "0006_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("election") as batch:
        batch.add_column(
            sa.Column("four_eyes_decisions", sa.String(100), server_default="", nullable=False)
        )
    with op.batch_alter_table("polling_station") as batch:
        batch.add_column(sa.Column("contact", sa.Text(), nullable=True))
    op.create_table(
        "proposed_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("protocol_version_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(200), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("confirmed_by", sa.String(200), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["polling_station.id"],
            name=op.f("fk_proposed_decision_station_id_polling_station"),
        ),
        sa.ForeignKeyConstraint(
            ["protocol_version_id"],
            ["protocol_version.id"],
            name=op.f("fk_proposed_decision_protocol_version_id_protocol_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposed_decision")),
    )
    op.create_index(op.f("ix_proposed_decision_station_id"), "proposed_decision", ["station_id"])
    op.create_table(
        "certification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=True),
        sa.Column("certified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("certified_by", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(200), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_certification_election_id_election")
        ),
        sa.ForeignKeyConstraint(
            ["contest_id"], ["contest.id"], name=op.f("fk_certification_contest_id_contest")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certification")),
    )
    op.create_index(op.f("ix_certification_election_id"), "certification", ["election_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_certification_election_id"), table_name="certification")
    op.drop_table("certification")
    op.drop_index(op.f("ix_proposed_decision_station_id"), table_name="proposed_decision")
    op.drop_table("proposed_decision")
    with op.batch_alter_table("polling_station") as batch:
        batch.drop_column("contact")
    with op.batch_alter_table("election") as batch:
        batch.drop_column("four_eyes_decisions")
