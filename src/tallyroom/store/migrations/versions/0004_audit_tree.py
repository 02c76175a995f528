"""signed tree heads of the audit log, the commission's tree-head key, the personal-data salt

Revision ID: 0002_merkle
Revises: 0002_webface (0003_election_names.py)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_merkle"
down_revision = "0002_webface"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tree_head_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tree_head_key")),
        sa.UniqueConstraint("public_key", name=op.f("uq_tree_head_key_public_key")),
    )
    op.create_table(
        "signed_tree_head",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("timestamp", sa.String(length=40), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_signed_tree_head")),
    )
    op.create_table(
        "personal_data_salt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_salt")),
    )


def downgrade() -> None:
    op.drop_table("personal_data_salt")
    op.drop_table("signed_tree_head")
    op.drop_table("tree_head_key")
