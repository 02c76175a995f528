"""`tallyroom publish` and `tallyroom verify` as commands: exit codes and messages."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.exports.snapshot_manifest import file_digest
from tests.polled_election import annul_and_reject, poll_small_election
from tests.station_client import Api

runner = CliRunner()


def published(output: str) -> tuple[Path, str]:
    folder = re.search(r"published (\S+):", output)
    digest = re.search(r"manifest SHA-256: ([0-9a-f]{64})", output)
    assert folder, output
    assert digest, output
    return Path(folder.group(1)), digest.group(1)


def test_publish_then_verify(api: Api, use_database: str, tmp_path: Path) -> None:
    poll_small_election(api)
    result = runner.invoke(app, ["publish", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "4 protocols" in result.output
    assert "clock: drill (the election was served under a drill clock" in result.output
    folder, digest = published(result.output)
    assert folder.parent == tmp_path / "out" / "small-2024"
    verified = runner.invoke(app, ["verify", str(folder), "--manifest-sha256", digest])
    assert verified.exit_code == 0, verified.output
    assert "snapshot verified" in verified.output
    assert "4 signed protocols verified, 2 constituencies re-derived" in verified.output


def test_verify_names_the_altered_station_and_exits_1(
    api: Api, use_database: str, tmp_path: Path
) -> None:
    poll_small_election(api)
    folder, _ = published(runner.invoke(app, ["publish", str(tmp_path)]).output)
    protocol = folder / "protocols" / "001-0001.json"
    entry = json.loads(protocol.read_text())
    entry["protocol"]["figures"]["invalid_ballots"] = 11
    protocol.write_text(json.dumps(entry))
    result = runner.invoke(app, ["verify", str(folder)])
    assert result.exit_code == 1
    assert "protocols/001-0001.json: " in result.output
    assert "altered after publication" in result.output
    assert "station 001-0001: the signature does not verify" in result.output
    assert "snapshot does not verify" in result.output


def test_verify_refuses_what_is_not_a_snapshot(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["verify", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2
    assert "no such folder" in missing.output
    empty = runner.invoke(app, ["verify", str(tmp_path)])
    assert empty.exit_code == 2
    assert "not a snapshot (no manifest.json)" in empty.output


def test_publish_without_an_election_fails_clearly(use_database: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["publish", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "no election is loaded yet" in result.output
    assert not (tmp_path / "out").exists()


def test_verify_passes_with_an_annulled_station_and_fails_without_its_decision(
    api: Api, use_database: str, tmp_path: Path
) -> None:
    poll_small_election(api)
    annul_and_reject(api)
    result = runner.invoke(app, ["publish", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder, _ = published(result.output)
    verified = runner.invoke(app, ["verify", str(folder)])
    assert verified.exit_code == 0, verified.output
    decisions = folder / "decisions.json"
    document = json.loads(decisions.read_text())
    del document["stations"]["001-0002"]
    decisions.write_text(json.dumps(document))
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["path"] == "decisions.json":
            entry["sha256"] = file_digest(decisions)
            entry["size"] = decisions.stat().st_size
    (folder / "manifest.json").write_text(json.dumps(manifest))
    dropped = runner.invoke(app, ["verify", str(folder)])
    assert dropped.exit_code == 1
    assert "decisions.json holds no annulment of the station" in dropped.output


def test_publish_and_verify_a_protocols_photo(api: Api, use_database: str, tmp_path: Path) -> None:
    from tests.api.test_protocol_photo import jpeg, send_photo, signed_with_photo

    photo = jpeg((200, 150), colour="purple")
    assert api.submit(signed_with_photo(photo)).status_code == 201
    assert send_photo(api, photo).status_code == 201
    result = runner.invoke(app, ["publish", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    folder, digest = published(result.output)
    (written,) = (folder / "photos").iterdir()
    assert written.read_bytes() == photo
    verified = runner.invoke(app, ["verify", str(folder), "--manifest-sha256", digest])
    assert verified.exit_code == 0, verified.output
    assert "1 protocol photos match their signed SHA-256" in verified.output
    written.write_bytes(jpeg((200, 150), colour="orange"))
    altered = runner.invoke(app, ["verify", str(folder)])
    assert altered.exit_code == 1
    assert f"photos/{written.name}: its SHA-256 is" in altered.output
