"""election names per language

Revision ID: 0002_webface
Revises: 0002_apicontract
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_webface"
down_revision = "0002_apicontract"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("election") as batch:
        batch.add_column(sa.Column("names", sa.Text(), server_default="{}", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("election") as batch:
        batch.drop_column("names")
