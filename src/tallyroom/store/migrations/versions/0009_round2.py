"""Round 2 on its own: its hourly turnout (runoff_turnout_report), its polling date
(runoff.polling_date, NULL when not named), its certification (runoff.certified_at;
certification.runoff_id names the round-2 contest a certification is of, NULL for round 1
and the nation)

Revision ID: 0009_round2
Revises: 0008_districts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_round2"
down_revision = "0009_leveling"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runoff_turnout_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("runoff_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.String(length=5), nullable=False),
        sa.Column("voters", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["runoff_id"], ["runoff.id"], name=op.f("fk_runoff_turnout_report_runoff_id_runoff")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["polling_station.id"],
            name=op.f("fk_runoff_turnout_report_station_id_polling_station"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runoff_turnout_report")),
        sa.UniqueConstraint(
            "runoff_id", "station_id", "as_of", name=op.f("uq_runoff_turnout_report_runoff_id")
        ),
    )
    op.create_index(
        op.f("ix_runoff_turnout_report_runoff_id"), "runoff_turnout_report", ["runoff_id"]
    )
    op.create_index(
        op.f("ix_runoff_turnout_report_station_id"), "runoff_turnout_report", ["station_id"]
    )
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
    op.drop_index(op.f("ix_runoff_turnout_report_station_id"), table_name="runoff_turnout_report")
    op.drop_index(op.f("ix_runoff_turnout_report_runoff_id"), table_name="runoff_turnout_report")
    op.drop_table("runoff_turnout_report")
