"""Poll-book desks enrol like a station's signing device: station_enrolment.purpose
("signing_device" or "poll_book") and the poll_book_device table (the desk's own public key
and the token its enrolment gave it)

Revision ID: 0009_pollbook_enrol
Revises: 0009_round2
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_pollbook_enrol"
# chained after main's 0009_leveling when main was merged in (written on 0008_districts)
down_revision = "0009_round2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("station_enrolment") as batch:
        batch.add_column(
            sa.Column(
                "purpose",
                sa.String(length=16),
                nullable=False,
                server_default="signing_device",
            )
        )
    op.create_table(
        "poll_book_device",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("station_id", sa.Integer(), sa.ForeignKey("polling_station.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False, unique=True),
        sa.Column(
            "enrolment_id",
            sa.Integer(),
            sa.ForeignKey("station_enrolment.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column(
            "access_token_id",
            sa.Integer(),
            sa.ForeignKey("access_token.id"),
            nullable=False,
            unique=True,
        ),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("station_id", "number"),
    )
    op.create_index("ix_poll_book_device_station_id", "poll_book_device", ["station_id"])


def downgrade() -> None:
    op.drop_index("ix_poll_book_device_station_id", table_name="poll_book_device")
    op.drop_table("poll_book_device")
    with op.batch_alter_table("station_enrolment") as batch:
        batch.drop_column("purpose")
