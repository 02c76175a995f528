"""District list contests: a contest's threshold (contest.threshold_percent, NULL for a
candidate contest) and whether blank votes count in its base (contest.threshold_counts_blank)

Revision ID: 0008_districts
Revises: 0007_runoff
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_districts"
down_revision = "0007_register"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contest") as batch:
        batch.add_column(sa.Column("threshold_percent", sa.String(length=40), nullable=True))
        batch.add_column(
            sa.Column(
                "threshold_counts_blank",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("contest") as batch:
        batch.drop_column("threshold_counts_blank")
        batch.drop_column("threshold_percent")
