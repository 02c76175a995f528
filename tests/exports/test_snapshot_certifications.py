"""The commission's certifications in a snapshot: published signed, checked by `tallyroom
verify` (signature, announced key, votes, "final" only with the nation's certification)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_certifications import certification_problems
from tallyroom.exports.snapshot_layout import CERTIFICATIONS, RESULTS
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.results.publication import gather_publication
from tallyroom.store.database import transaction
from tests.commission_console import give_commission_key
from tests.polled_election import poll_small_election
from tests.station_client import Api


def certify_everything(api: Api) -> None:
    give_commission_key(api)
    poll_small_election(api)
    for path in (
        "/api/v1/constituencies/1/certification",
        "/api/v1/constituencies/2/certification",
        "/api/v1/certification",
    ):
        response = api.client.post(path, headers=api.commission)
        assert response.status_code == 201, response.text


def snapshot(api: Api, root: Path) -> Path:
    with transaction(api.sessions) as session:
        publication = gather_publication(session)
    return write_snapshot(publication, root).folder


def test_a_final_snapshot_carries_its_signed_certifications_and_verifies(
    api: Api, tmp_path: Path
) -> None:
    certify_everything(api)
    folder = snapshot(api, tmp_path)
    results = json.loads((folder / RESULTS).read_bytes())
    assert results["status"] == "final"
    published = json.loads((folder / CERTIFICATIONS).read_bytes())
    assert [c["scope"] for c in published["certifications"]] == [
        "constituency",
        "constituency",
        "nation",
    ]
    assert "Final" in (folder / "index.html").read_text(encoding="utf-8")
    report = verify_snapshot(folder)
    assert report.problems == []


def _rewritten(folder: Path, change: Any) -> list[str]:
    results = json.loads((folder / RESULTS).read_bytes())
    published = json.loads((folder / CERTIFICATIONS).read_bytes())
    change(published, results)
    (folder / CERTIFICATIONS).write_text(json.dumps(published), encoding="utf-8")
    derived = json.loads((folder / RESULTS).read_bytes())
    return certification_problems(folder, derived, results)


def test_a_forged_or_dropped_certification_is_named(api: Api, tmp_path: Path) -> None:
    certify_everything(api)
    folder = snapshot(api, tmp_path)

    def forge(published: dict[str, Any], _: Any) -> None:
        published["certifications"][0]["document"]["winner"] = "C002"

    assert any("does not verify" in p for p in _rewritten(folder, forge))

    def drop_nation(published: dict[str, Any], _: Any) -> None:
        published["certifications"] = published["certifications"][:2]

    assert any(
        "national certification does not stand" in p for p in _rewritten(folder, drop_nation)
    )
    # And verify as a whole names the altered file.
    assert any(CERTIFICATIONS in problem for problem in verify_snapshot(folder).problems)


def test_a_preliminary_snapshot_has_no_certification_to_check(api: Api, tmp_path: Path) -> None:
    poll_small_election(api)
    folder = snapshot(api, tmp_path)
    assert json.loads((folder / CERTIFICATIONS).read_bytes())["certifications"] == []
    assert verify_snapshot(folder).problems == []
