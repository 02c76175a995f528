"""station_result_change: the revision at which each station's counted result changed

Revision ID: 0002_apicontract
Revises: 0001
Create Date: 2026-12-02 07:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_apicontract"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "station_result_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_station_result_change_election_id_election"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["polling_station.id"],
            name=op.f("fk_station_result_change_station_id_polling_station"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_result_change")),
    )
    op.create_index(
        "ix_station_result_change_revision",
        "station_result_change",
        ["election_id", "revision"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_station_result_change_revision", table_name="station_result_change")
    op.drop_table("station_result_change")
