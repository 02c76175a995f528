"""people: console accounts, their sessions, failed sign-ins and account delays

Revision ID: 0006_people
Revises: 0005_drill
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_people"
down_revision = "0006_certify"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("constituency_id", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("webauthn_credential_id", sa.String(length=400), nullable=True),
        sa.Column("webauthn_public_key", sa.Text(), nullable=True),
        sa.Column("webauthn_sign_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("enrolment_code_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deactivated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["constituency_id"], ["constituency.id"], name="fk_person_constituency_id_constituency"
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name="fk_person_election_id_election"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_person"),
        sa.UniqueConstraint("login", name="uq_person_login"),
    )
    op.create_index("ix_person_election_id", "person", ["election_id"])
    op.create_table(
        "console_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("challenge", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name="fk_console_session_person_id_person"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_console_session"),
        sa.UniqueConstraint("token_hash", name="uq_console_session_token_hash"),
    )
    op.create_index("ix_console_session_person_id", "console_session", ["person_id"])
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempt"),
    )
    op.create_index("ix_login_attempt_address", "login_attempt", ["address", "attempted_at"])
    op.create_table(
        "account_delay",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_totp_step", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name="fk_account_delay_person_id_person"
        ),
        sa.PrimaryKeyConstraint("person_id", name="pk_account_delay"),
    )


def downgrade() -> None:
    op.drop_table("account_delay")
    op.drop_index("ix_login_attempt_address", table_name="login_attempt")
    op.drop_table("login_attempt")
    op.drop_index("ix_console_session_person_id", table_name="console_session")
    op.drop_table("console_session")
    op.drop_index("ix_person_election_id", table_name="person")
    op.drop_table("person")
