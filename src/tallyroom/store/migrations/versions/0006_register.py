"""The voter register and the poll book: voters, absentee certificates, day-of additions,
check-ins and double-vote incidents

Revision ID: 0006_register
Revises: 0005_drill
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_register"
down_revision = "0006_people"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "voter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("voter_number", sa.String(32), nullable=True),
        sa.Column("surname", sa.String(100), nullable=True),
        sa.Column("given_name", sa.String(100), nullable=True),
        sa.Column("patronymic", sa.String(100), nullable=True),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("address", sa.String(300), nullable=True),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("removal_reason", sa.String(300), nullable=True),
        sa.Column("chunk", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name="fk_voter_election_id_election"
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["polling_station.id"], name="fk_voter_station_id_polling_station"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_voter"),
        sa.UniqueConstraint("election_id", "voter_number", name="uq_voter_election_id"),
    )
    op.create_index("ix_voter_chunk", "voter", ["election_id", "chunk"])
    op.create_index("ix_voter_station_id", "voter", ["station_id"])
    op.create_table(
        "absentee_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_station_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name="fk_absentee_certificate_election_id_election"
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"], ["voter.id"], name="fk_absentee_certificate_voter_id_voter"
        ),
        sa.ForeignKeyConstraint(
            ["used_station_id"],
            ["polling_station.id"],
            name="fk_absentee_certificate_used_station_id_polling_station",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_absentee_certificate"),
        sa.UniqueConstraint("election_id", "number", name="uq_absentee_certificate_election_id"),
        sa.UniqueConstraint("voter_id", name="uq_absentee_certificate_voter_id"),
    )
    op.create_table(
        "voter_addition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("voter_number", sa.String(32), nullable=True),
        sa.Column("full_name", sa.String(300), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("legal_reason", sa.String(40), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name="fk_voter_addition_election_id_election"
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["polling_station.id"],
            name="fk_voter_addition_station_id_polling_station",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_voter_addition"),
        sa.UniqueConstraint("election_id", "voter_number", name="uq_voter_addition_election_id"),
    )
    op.create_index("ix_voter_addition_station_id", "voter_addition", ["station_id"])
    op.create_table(
        "check_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=True),
        sa.Column("addition_id", sa.Integer(), nullable=True),
        sa.Column("absentee_certificate_id", sa.Integer(), nullable=True),
        sa.Column("identity_match", sa.String(16), nullable=False),
        sa.Column("portable", sa.Boolean(), nullable=False),
        sa.Column("client_reference", sa.String(64), nullable=False),
        sa.Column("device", sa.String(200), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name="fk_check_in_election_id_election"
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["polling_station.id"], name="fk_check_in_station_id_polling_station"
        ),
        sa.ForeignKeyConstraint(["voter_id"], ["voter.id"], name="fk_check_in_voter_id_voter"),
        sa.ForeignKeyConstraint(
            ["addition_id"], ["voter_addition.id"], name="fk_check_in_addition_id_voter_addition"
        ),
        sa.ForeignKeyConstraint(
            ["absentee_certificate_id"],
            ["absentee_certificate.id"],
            name="fk_check_in_absentee_certificate_id_absentee_certificate",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_check_in"),
        sa.UniqueConstraint("station_id", "client_reference", name="uq_check_in_station_id"),
    )
    op.create_index("ix_check_in_voter", "check_in", ["voter_id"])
    op.create_index("ix_check_in_station_id", "check_in", ["station_id"])
    op.create_table(
        "double_vote_incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("first_check_in_id", sa.Integer(), nullable=False),
        sa.Column("second_check_in_id", sa.Integer(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name="fk_double_vote_incident_election_id_election"
        ),
        sa.ForeignKeyConstraint(
            ["voter_id"], ["voter.id"], name="fk_double_vote_incident_voter_id_voter"
        ),
        sa.ForeignKeyConstraint(
            ["first_check_in_id"],
            ["check_in.id"],
            name="fk_double_vote_incident_first_check_in_id_check_in",
        ),
        sa.ForeignKeyConstraint(
            ["second_check_in_id"],
            ["check_in.id"],
            name="fk_double_vote_incident_second_check_in_id_check_in",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_double_vote_incident"),
        sa.UniqueConstraint(
            "second_check_in_id", name="uq_double_vote_incident_second_check_in_id"
        ),
    )
    op.create_index("ix_double_vote_incident_election_id", "double_vote_incident", ["election_id"])


def downgrade() -> None:
    for table in ("double_vote_incident", "check_in", "voter_addition", "absentee_certificate"):
        op.drop_table(table)
    op.drop_table("voter")
