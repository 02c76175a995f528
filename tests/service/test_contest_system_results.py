"""The running results' seat tally follows the contest's system (here multi-member
plurality), and the snapshot's re-derivation agrees with it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.definition.reader import read_definition
from tallyroom.definition.writer import write_definition
from tallyroom.domain.contest import Contest
from tallyroom.domain.election import ContestKind
from tallyroom.domain.protocol_document import parse_protocol_document
from tallyroom.exports.snapshot_tally import derive_national_results
from tallyroom.service.definition.definition_export import stored_definition
from tallyroom.service.definition.election_setup import define_election
from tallyroom.service.results.publication import gather_publication
from tallyroom.service.results.results import build_national_results
from tallyroom.service.results.results_json import national_json
from tallyroom.store.database import transaction
from tests.polled_election import poll_small_election
from tests.station_client import Api, good_figures

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


@pytest.fixture
def mixed_election(tmp_path: Path) -> Path:
    """Constituency 1 by single-member plurality, constituency 2 electing two (contests.csv)."""
    folder = tmp_path / "mixed-election"
    shutil.copytree(FIXTURES / "small-election", folder)
    (folder / "contests.csv").write_text(
        "constituency,kind,seats\n2,multi_member_plurality,2\n", encoding="utf-8"
    )
    path = folder / "election.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("seats: 2\n", "seats: 3\n"))
    return folder


def test_a_system_per_contest(
    mixed_election: Path, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    with transaction(sessions) as session:
        define_election(
            session, definition=read_definition(mixed_election), digest="0" * 64, actor="test"
        )
        stored = stored_definition(session)
    assert stored.contests == [Contest(2, ContestKind.MULTI_MEMBER_PLURALITY, 2)]
    written = tmp_path / "written"
    write_definition(stored, written)
    assert (written / "contests.csv").read_bytes() == (mixed_election / "contests.csv").read_bytes()
    figures = {
        "001-0001": good_figures(),
        "002-0001": good_figures({"C004": 300, "C005": 150}, registered_voters=600),
    }
    derived = national_json(
        derive_national_results(
            stored, figures, revision=1, as_of=datetime(2024, 9, 1, 20, tzinfo=UTC)
        )
    )
    # Constituency 1 elects its plurality leader only; constituency 2 both its candidates.
    assert sorted((g["party"], g["nomination"], g["seats"]) for g in derived["seats"]) == [
        ("MUS", "party", 1),
        ("YAP", "party", 1),
        ("YAP", "party_member", 1),
    ]
