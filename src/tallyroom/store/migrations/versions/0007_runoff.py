"""Runoffs: a two-round contest's second round (runoff) and its candidates
(runoff_candidate), the stations' round-2 protocols (runoff_protocol), and the round of
each poll-book check-in (check_in.round)

Revision ID: 0007_runoff
Revises: 0006_lists
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_runoff"
down_revision = "0006_lists"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("round_one", sa.Text(), nullable=False),
        sa.Column("defined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("defined_by", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_runoff_election_id_election")
        ),
        sa.ForeignKeyConstraint(
            ["contest_id"], ["contest.id"], name=op.f("fk_runoff_contest_id_contest")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runoff")),
        sa.UniqueConstraint("contest_id", name=op.f("uq_runoff_contest_id")),
        sa.UniqueConstraint("election_id", "code", name=op.f("uq_runoff_election_id")),
    )
    op.create_index(op.f("ix_runoff_election_id"), "runoff", ["election_id"])
    op.create_table(
        "runoff_candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("runoff_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("round_one_votes", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["runoff_id"], ["runoff.id"], name=op.f("fk_runoff_candidate_runoff_id_runoff")
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidate.id"],
            name=op.f("fk_runoff_candidate_candidate_id_candidate"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runoff_candidate")),
        sa.UniqueConstraint(
            "runoff_id", "candidate_id", name=op.f("uq_runoff_candidate_runoff_id")
        ),
    )
    op.create_index(op.f("ix_runoff_candidate_runoff_id"), "runoff_candidate", ["runoff_id"])
    op.create_table(
        "runoff_protocol",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("runoff_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("station_key_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["runoff_id"], ["runoff.id"], name=op.f("fk_runoff_protocol_runoff_id_runoff")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["polling_station.id"],
            name=op.f("fk_runoff_protocol_station_id_polling_station"),
        ),
        sa.ForeignKeyConstraint(
            ["station_key_id"],
            ["station_key.id"],
            name=op.f("fk_runoff_protocol_station_key_id_station_key"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runoff_protocol")),
        sa.UniqueConstraint(
            "runoff_id", "station_id", "version", name=op.f("uq_runoff_protocol_runoff_id")
        ),
    )
    op.create_index(op.f("ix_runoff_protocol_runoff_id"), "runoff_protocol", ["runoff_id"])
    op.create_index(op.f("ix_runoff_protocol_station_id"), "runoff_protocol", ["station_id"])
    with op.batch_alter_table("check_in") as batch:
        batch.add_column(sa.Column("round", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("check_in") as batch:
        batch.drop_column("round")
    op.drop_index(op.f("ix_runoff_protocol_station_id"), table_name="runoff_protocol")
    op.drop_index(op.f("ix_runoff_protocol_runoff_id"), table_name="runoff_protocol")
    op.drop_table("runoff_protocol")
    op.drop_index(op.f("ix_runoff_candidate_runoff_id"), table_name="runoff_candidate")
    op.drop_table("runoff_candidate")
    op.drop_index(op.f("ix_runoff_election_id"), table_name="runoff")
    op.drop_table("runoff")
