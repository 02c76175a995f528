"""The running results' seat tally follows the contest's system (here multi-member
plurality), and the snapshot's re-derivation agrees with it."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from tallyroom.domain.protocol_document import parse_protocol_document
from tallyroom.exports.snapshot_tally import derive_national_results
from tallyroom.service.publication import gather_publication
from tallyroom.service.results import build_national_results
from tallyroom.service.results_json import national_json
from tallyroom.store.database import transaction
from tests.polled_election import poll_small_election
from tests.station_client import Api

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    """The small election with two seats per constituency, by multi-member plurality."""
    folder = tmp_path / "small-election"
    shutil.copytree(FIXTURES / "small-election", folder)
    path = folder / "election.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("kind: single_member_plurality", "kind: multi_member_plurality")
    text = text.replace("seats_per_constituency: 1", "seats_per_constituency: 2")
    text = text.replace("seats: 2\n", "seats: 4\n")
    path.write_text(text, encoding="utf-8")
    return folder


def test_multi_member_seats_in_the_running_results_and_the_publication(api: Api) -> None:
    poll_small_election(api)
    with transaction(api.sessions) as session:
        results = national_json(build_national_results(session))
        publication = gather_publication(session)
    # Constituency 1: C001 (YAP) 650 and C002 (REAL) 590; constituency 2: C004 (YAP member)
    # 300 and C005 (MUS) 150 — every station counted, so every seat is won.
    assert sorted(
        (group["party"], group["nomination"], group["seats"], group["won"])
        for group in results["seats"]
    ) == [
        ("MUS", "party", 1, 1),
        ("REAL", "party", 1, 1),
        ("YAP", "party", 1, 1),
        ("YAP", "party_member", 1, 1),
    ]
    assert results == publication.results
    # `tallyroom verify`'s re-derivation from the signed protocols alone gives the same seats.
    figures = {
        published.station: parse_protocol_document(published.document).figures
        for published in publication.protocols
    }
    derived = national_json(
        derive_national_results(
            publication.definition,
            figures,
            revision=int(results["revision"]),
            as_of=datetime.fromisoformat(str(results["as_of"])),
        )
    )
    assert derived["seats"] == results["seats"]
