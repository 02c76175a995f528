"""`tallyroom protocol sign` with format 2 documents (format, contest, photo_sha256)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.domain.canonical_json import canonical_json
from tallyroom.domain.signature import (
    new_private_key,
    private_key_pem,
    public_key_hex,
    signature_is_valid,
)
from tests.station_client import protocol

runner = CliRunner()


def test_a_format_2_document_is_signed_over_its_canonical_form(tmp_path: Path) -> None:
    private_key = new_private_key()
    key = tmp_path / "station.key"
    key.write_bytes(private_key_pem(private_key))
    document = protocol() | {"format": 2, "contest": "constituency-1", "photo_sha256": None}
    path = tmp_path / "protocol.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    result = runner.invoke(app, ["protocol", "sign", str(path), "--key", str(key)])
    assert result.exit_code == 0, result.output
    envelope = json.loads(result.stdout)
    assert envelope["protocol"] == document
    assert signature_is_valid(
        canonical_json(document), envelope["signature"], public_key_hex(private_key)
    )


def test_a_bad_photo_hash_is_not_signed(tmp_path: Path) -> None:
    key = tmp_path / "station.key"
    key.write_bytes(private_key_pem(new_private_key()))
    document = protocol() | {"format": 2, "contest": "constituency-1", "photo_sha256": "XYZ"}
    path = tmp_path / "protocol.json"
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    result = runner.invoke(app, ["protocol", "sign", str(path), "--key", str(key)])
    assert result.exit_code != 0
    assert "photo_sha256" in result.output
    assert "nothing was signed" in result.output
