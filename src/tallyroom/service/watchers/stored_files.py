"""Uploaded files kept once under their SHA-256, written and logged in the caller's
transaction; a refused upload stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.uploaded_file import CheckedFile, UploadRefused, checked_upload
from tallyroom.service.audit import row_ledger
from tallyroom.service.errors import InvalidInput, TooLarge
from tallyroom.store.schema import StoredFileRow


def checked(content: bytes, *, declared_type: str | None, photos_only: bool = False) -> CheckedFile:
    """The upload as it may be stored, or a 4xx naming why not."""
    try:
        return checked_upload(content, declared_type=declared_type, photos_only=photos_only)
    except UploadRefused as refused:
        if refused.code in ("file_too_large", "image_too_large"):
            raise TooLarge(refused.code, refused.message) from None
        raise InvalidInput(refused.code, refused.message) from None


def store_file(session: Session, file: CheckedFile, *, actor: str) -> str:
    """Store the file unless the same bytes are stored already; its SHA-256."""
    digest = file.sha256
    if session.get(StoredFileRow, digest) is None:
        session.add(
            StoredFileRow(
                sha256=digest,
                media_type=file.media_type.value,
                size=len(file.content),
                content=file.content,
                stored_at=datetime.now(UTC),
            )
        )
        row_ledger.record_rows(session, actor=actor, table="stored_file", keys=[[digest]])
    return digest


def stored_file(session: Session, digest: str) -> StoredFileRow | None:
    return session.get(StoredFileRow, digest)


def stored_photos(session: Session, digests: set[str]) -> set[str]:
    """Which of these files (photos a signed document names) have arrived."""
    if not digests:
        return set()
    return set(
        session.scalars(select(StoredFileRow.sha256).where(StoredFileRow.sha256.in_(digests)))
    )
