"""election.two_clerk_entry, station_key.made, station_enrolment: keys born on devices

Revision ID: 0006_station
Revises: 0005_drill
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_station"
down_revision = "0006_register"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("turnout_report") as batch:
        batch.add_column(sa.Column("signature", sa.String(length=128), nullable=True))
    with op.batch_alter_table("election") as batch:
        batch.add_column(
            sa.Column("two_clerk_entry", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("station_key") as batch:
        batch.add_column(
            sa.Column("made", sa.String(length=8), server_default="central", nullable=False)
        )
    op.create_table(
        "station_enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("station_key_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["polling_station.id"],
            name=op.f("fk_station_enrolment_station_id_polling_station"),
        ),
        sa.ForeignKeyConstraint(
            ["station_key_id"],
            ["station_key.id"],
            name=op.f("fk_station_enrolment_station_key_id_station_key"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_enrolment")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_station_enrolment_code_hash")),
    )
    with op.batch_alter_table("station_enrolment") as batch:
        batch.create_index(batch.f("ix_station_enrolment_station_id"), ["station_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("turnout_report") as batch:
        batch.drop_column("signature")
    op.drop_table("station_enrolment")
    with op.batch_alter_table("station_key") as batch:
        batch.drop_column("made")
    with op.batch_alter_table("election") as batch:
        batch.drop_column("two_clerk_entry")
