"""observers: organisation applications, accreditations with badges and credentials,
observers' protocol copies, complaints with their steps and attachments, stored files,
organisation credentials, exit-poll estimates, webcams with heartbeats and outages

Revision ID: 0006_observers
Revises: 0005_drill
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_observers"
down_revision = "0006_station"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_file",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_stored_file")),
    )
    op.create_table(
        "organisation_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=False),
        sa.Column("represents", sa.String(length=64), nullable=True),
        sa.Column("partner_name", sa.String(length=300), nullable=True),
        sa.Column("partner_country", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_organisation_application_election_id_election"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_application_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_application")),
        sa.UniqueConstraint(
            "election_id", "code", name=op.f("uq_organisation_application_election_id")
        ),
    )
    op.create_table(
        "organisation_credential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("credential_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_credential_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_credential")),
        sa.UniqueConstraint(
            "credential_hash", name=op.f("uq_organisation_credential_credential_hash")
        ),
        sa.UniqueConstraint(
            "organisation_id", name=op.f("uq_organisation_credential_organisation_id")
        ),
    )
    op.create_table(
        "exit_poll_estimate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("turnout_percent", sa.Float(), nullable=False),
        sa.Column("shares", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_exit_poll_estimate_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["polling_station.id"],
            name=op.f("fk_exit_poll_estimate_station_id_polling_station"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exit_poll_estimate")),
        sa.UniqueConstraint(
            "organisation_id", "station_id", name=op.f("uq_exit_poll_estimate_organisation_id")
        ),
    )
    op.create_index(
        op.f("ix_exit_poll_estimate_station_id"), "exit_poll_estimate", ["station_id"], unique=False
    )
    op.create_table(
        "observer_accreditation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("observer_id", sa.Integer(), nullable=False),
        sa.Column("badge_number", sa.String(length=32), nullable=False),
        sa.Column("credential_hash", sa.String(length=64), nullable=False),
        sa.Column("constituency_id", sa.Integer(), nullable=True),
        sa.Column("accredited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["constituency_id"],
            ["constituency.id"],
            name=op.f("fk_observer_accreditation_constituency_id_constituency"),
        ),
        sa.ForeignKeyConstraint(
            ["election_id"],
            ["election.id"],
            name=op.f("fk_observer_accreditation_election_id_election"),
        ),
        sa.ForeignKeyConstraint(
            ["observer_id"],
            ["observer.id"],
            name=op.f("fk_observer_accreditation_observer_id_observer"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observer_accreditation")),
        sa.UniqueConstraint(
            "credential_hash", name=op.f("uq_observer_accreditation_credential_hash")
        ),
        sa.UniqueConstraint(
            "election_id", "badge_number", name=op.f("uq_observer_accreditation_election_id")
        ),
        sa.UniqueConstraint("observer_id", name=op.f("uq_observer_accreditation_observer_id")),
    )
    op.create_table(
        "webcam",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("viewing_url", sa.String(length=500), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["polling_station.id"],
            name=op.f("fk_webcam_station_id_polling_station"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webcam")),
        sa.UniqueConstraint("station_id", name=op.f("uq_webcam_station_id")),
    )
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("election_id", sa.Integer(), nullable=False),
        sa.Column("tracking_number", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("about", sa.String(length=16), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.Column("constituency_id", sa.Integer(), nullable=True),
        sa.Column("reporter_kind", sa.String(length=16), nullable=False),
        sa.Column("reporter_name", sa.String(length=200), nullable=True),
        sa.Column("reporter_contact", sa.String(length=200), nullable=True),
        sa.Column("accreditation_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("published_description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("station_decision_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["accreditation_id"],
            ["observer_accreditation.id"],
            name=op.f("fk_complaint_accreditation_id_observer_accreditation"),
        ),
        sa.ForeignKeyConstraint(
            ["constituency_id"],
            ["constituency.id"],
            name=op.f("fk_complaint_constituency_id_constituency"),
        ),
        sa.ForeignKeyConstraint(
            ["election_id"], ["election.id"], name=op.f("fk_complaint_election_id_election")
        ),
        sa.ForeignKeyConstraint(
            ["station_decision_id"],
            ["station_decision.id"],
            name=op.f("fk_complaint_station_decision_id_station_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["polling_station.id"],
            name=op.f("fk_complaint_station_id_polling_station"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
        sa.UniqueConstraint(
            "election_id", "tracking_number", name=op.f("uq_complaint_election_id")
        ),
    )
    op.create_index(op.f("ix_complaint_station_id"), "complaint", ["station_id"], unique=False)
    op.create_table(
        "webcam_heartbeat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webcam_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["webcam_id"], ["webcam.id"], name=op.f("fk_webcam_heartbeat_webcam_id_webcam")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webcam_heartbeat")),
    )
    op.create_index(
        "ix_webcam_heartbeat_key", "webcam_heartbeat", ["webcam_id", "seen_at"], unique=False
    )
    op.create_table(
        "webcam_outage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webcam_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["webcam_id"], ["webcam.id"], name=op.f("fk_webcam_outage_webcam_id_webcam")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webcam_outage")),
        sa.UniqueConstraint("webcam_id", "started_at", name=op.f("uq_webcam_outage_webcam_id")),
    )
    op.create_index(
        op.f("ix_webcam_outage_webcam_id"), "webcam_outage", ["webcam_id"], unique=False
    )
    op.create_table(
        "complaint_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("published", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_complaint_attachment_complaint_id_complaint"),
        ),
        sa.ForeignKeyConstraint(
            ["file_sha256"],
            ["stored_file.sha256"],
            name=op.f("fk_complaint_attachment_file_sha256_stored_file"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_attachment")),
        sa.UniqueConstraint(
            "complaint_id", "file_sha256", name=op.f("uq_complaint_attachment_complaint_id")
        ),
    )
    op.create_index(
        op.f("ix_complaint_attachment_complaint_id"),
        "complaint_attachment",
        ["complaint_id"],
        unique=False,
    )
    op.create_table(
        "complaint_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("deciding_body", sa.String(length=200), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaint.id"],
            name=op.f("fk_complaint_step_complaint_id_complaint"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_step")),
        sa.UniqueConstraint(
            "complaint_id", "sequence", name=op.f("uq_complaint_step_complaint_id")
        ),
    )
    op.create_table(
        "observer_protocol_copy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("accreditation_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("counted_version_id", sa.Integer(), nullable=True),
        sa.Column("photo_sha256", sa.String(length=64), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["accreditation_id"],
            ["observer_accreditation.id"],
            name=op.f("fk_observer_protocol_copy_accreditation_id_observer_accreditation"),
        ),
        sa.ForeignKeyConstraint(
            ["counted_version_id"],
            ["protocol_version.id"],
            name=op.f("fk_observer_protocol_copy_counted_version_id_protocol_version"),
        ),
        sa.ForeignKeyConstraint(
            ["photo_sha256"],
            ["stored_file.sha256"],
            name=op.f("fk_observer_protocol_copy_photo_sha256_stored_file"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["polling_station.id"],
            name=op.f("fk_observer_protocol_copy_station_id_polling_station"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observer_protocol_copy")),
    )
    op.create_index(
        op.f("ix_observer_protocol_copy_station_id"),
        "observer_protocol_copy",
        ["station_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_observer_protocol_copy_station_id"), table_name="observer_protocol_copy")
    op.drop_table("observer_protocol_copy")
    op.drop_table("complaint_step")
    op.drop_index(op.f("ix_complaint_attachment_complaint_id"), table_name="complaint_attachment")
    op.drop_table("complaint_attachment")
    op.drop_index(op.f("ix_webcam_outage_webcam_id"), table_name="webcam_outage")
    op.drop_table("webcam_outage")
    op.drop_index("ix_webcam_heartbeat_key", table_name="webcam_heartbeat")
    op.drop_table("webcam_heartbeat")
    op.drop_index(op.f("ix_complaint_station_id"), table_name="complaint")
    op.drop_table("complaint")
    op.drop_table("webcam")
    op.drop_table("observer_accreditation")
    op.drop_index(op.f("ix_exit_poll_estimate_station_id"), table_name="exit_poll_estimate")
    op.drop_table("exit_poll_estimate")
    op.drop_table("organisation_credential")
    op.drop_table("organisation_application")
    op.drop_table("stored_file")
