"""The folder credentials are handed out in: one sub-folder per constituency with each
station's private key and token, the constituency commission's token, and the commission's
and observers' tokens at the top. Written once; read back by station software and the
simulator."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from tallyroom.service.definition.credentials import IssuedCredentials

COMMISSION_TOKEN = "commission.token"
OBSERVER_TOKEN = "observer.token"
CONSTITUENCY_TOKEN = "constituency.token"
KEY_SUFFIX = ".key"
TOKEN_SUFFIX = ".token"
#: a station's one-time enrolment code, for its sealed envelope
ENROLMENT_SUFFIX = ".enrolment"


class CredentialFolderError(ValueError):
    """A credential folder that cannot be read: the message names the file."""


def constituency_folder(root: Path, number: int) -> Path:
    return root / f"{number:03d}"


def _write_secret(path: Path, data: bytes) -> None:
    # Created with mode 0600 from the start: the secret is never readable by others, not even
    # for the moment between writing and a chmod.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def write_credential_folder(
    root: Path,
    issued: IssuedCredentials,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write every secret under `root`; the number of files written. Refuses existing files."""
    root.mkdir(parents=True, exist_ok=True)
    written = 0
    _write_secret(root / COMMISSION_TOKEN, issued.commission_token.encode() + b"\n")
    _write_secret(root / OBSERVER_TOKEN, issued.observer_token.encode() + b"\n")
    written += 2
    for number, token in issued.constituency_tokens.items():
        folder = constituency_folder(root, number)
        folder.mkdir(mode=0o700, exist_ok=True)
        _write_secret(folder / CONSTITUENCY_TOKEN, token.encode() + b"\n")
        written += 1
    for done, (code, (number, token, pem)) in enumerate(issued.stations.items(), start=1):
        folder = constituency_folder(root, number)
        folder.mkdir(mode=0o700, exist_ok=True)
        _write_secret(folder / f"{code}{KEY_SUFFIX}", pem)
        _write_secret(folder / f"{code}{TOKEN_SUFFIX}", token.encode() + b"\n")
        written += 2
        if progress is not None:
            progress(done)
    for done, (code, (number, enrolment_code)) in enumerate(
        issued.enrolment_codes.items(), start=len(issued.stations) + 1
    ):
        folder = constituency_folder(root, number)
        folder.mkdir(mode=0o700, exist_ok=True)
        _write_secret(folder / f"{code}{ENROLMENT_SUFFIX}", enrolment_code.encode() + b"\n")
        written += 1
        if progress is not None:
            progress(done)
    return written


def _read_token(path: Path) -> str:
    try:
        token = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise CredentialFolderError(f"{path}: cannot read the token: {error}") from None
    if not token:
        raise CredentialFolderError(f"{path}: the token file is empty")
    return token


def read_credential_folder(root: Path) -> IssuedCredentials:
    """Everything `write_credential_folder` wrote, back in memory."""
    if not root.is_dir():
        raise CredentialFolderError(f"{root}: not a folder")
    issued = IssuedCredentials(
        commission_token=_read_token(root / COMMISSION_TOKEN),
        observer_token=_read_token(root / OBSERVER_TOKEN),
    )
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name.isdigit()):
        number = int(folder.name)
        constituency_token = folder / CONSTITUENCY_TOKEN
        if constituency_token.exists():
            issued.constituency_tokens[number] = _read_token(constituency_token)
        for key_path in sorted(folder.glob(f"*{KEY_SUFFIX}")):
            code = key_path.name.removesuffix(KEY_SUFFIX)
            try:
                pem = key_path.read_bytes()
            except OSError as error:
                raise CredentialFolderError(f"{key_path}: cannot read the key: {error}") from None
            token = _read_token(folder / f"{code}{TOKEN_SUFFIX}")
            issued.stations[code] = (number, token, pem)
        for code_path in sorted(folder.glob(f"*{ENROLMENT_SUFFIX}")):
            code = code_path.name.removesuffix(ENROLMENT_SUFFIX)
            issued.enrolment_codes[code] = (number, _read_token(code_path))
    if not issued.stations and not issued.enrolment_codes:
        raise CredentialFolderError(
            f"{root}: no station keys or enrolment codes (expected 001/001-0001.key or "
            "001/001-0001.enrolment, …)"
        )
    return issued
