"""Ties decided by the law's rule: candidate.birth_date (for the age rule), election.tie_rule,
and drawn_lot (the commission's lots, entered and confirmed by two members)

Revision ID: 0009_ties
Revises: 0008_districts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_ties"
down_revision = "0009_pollbook_enrol"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidate") as batch:
        batch.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
    with op.batch_alter_table("election") as batch:
        batch.add_column(
            sa.Column("tie_rule", sa.String(length=30), nullable=False, server_default="lot")
        )
    op.create_table(
        "drawn_lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("seat", sa.String(length=200), nullable=False),
        sa.Column("between", sa.Text(), nullable=False),
        sa.Column("won_by", sa.String(length=32), nullable=False),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=200), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("confirmed_by", sa.String(length=200), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_drawn_lot_election_id_election")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drawn_lot")),
        sa.UniqueConstraint("election_id", "seat", name=op.f("uq_drawn_lot_election_id")),
    )
    op.create_index(op.f("ix_drawn_lot_election_id"), "drawn_lot", ["election_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_drawn_lot_election_id"), table_name="drawn_lot")
    op.drop_table("drawn_lot")
    with op.batch_alter_table("election") as batch:
        batch.drop_column("tie_rule")
    with op.batch_alter_table("candidate") as batch:
        batch.drop_column("birth_date")
