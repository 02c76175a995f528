"""Norway 2017 end to end (tests/norway_election.py): the definition with 19 modified
Sainte-Laguë districts and 19 leveling seats, played as one signed protocol per district
through the API; the seat tally gives the official district and leveling seats exactly,
the definition round-trips, and `tallyroom verify` re-derives the published seats."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tallyroom.definition.reader import read_definition
from tallyroom.domain.seat_status import SeatStatus
from tallyroom.exports.snapshot import write_snapshot
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.definition.definition_export import stored_definition
from tallyroom.service.results.publication import gather_publication
from tallyroom.service.results.results import build_national_results
from tallyroom.store.database import transaction
from tests.norway_election import norway_case, norway_documents, norway_election_folder
from tests.station_client import Api


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    return norway_election_folder(tmp_path)


def test_norway_2017_played_as_protocols_seats_exactly(
    api: Api, small_election: Path, tmp_path: Path
) -> None:
    for document in norway_documents().values():
        response = api.submit(document)
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "accepted", response.text
    problem, expected = norway_case()
    names = {str(n): d["id"] for n, d in enumerate(problem["districts"], 1)}
    with transaction(api.sessions) as session:
        results = build_national_results(session)
        stored = stored_definition(session)
        publication = gather_publication(session, now=datetime(2017, 9, 12, 9, tzinfo=UTC))
    districts = {
        c.name: {row.party: row.seats for row in c.district_list.rows if row.seats}
        for c in results.constituencies
        if c.district_list is not None
    }
    assert districts == expected["districts"]
    leveling = results.leveling
    assert leveling is not None
    assert leveling.status is SeatStatus.WON
    placed: dict[str, dict[str, int]] = {}
    for seat in leveling.placed:
        district = placed.setdefault(names[seat.district], {})
        district[seat.party] = district.get(seat.party, 0) + 1
    assert placed == expected["leveling_seats"]
    # every seat held by a list candidate and won, 169 in all
    assert results.seats_won == results.seats_total == 169
    by_party = {group.party: group.seats for group in results.seats}
    official: dict[str, int] = {}
    for part in ("districts", "leveling_seats"):
        for seats in expected[part].values():
            for party, count in seats.items():
                official[party] = official.get(party, 0) + count
    assert by_party == official
    # the definition round-trips (modified Sainte-Laguë districts, leveling seats, NO quoted)
    assert stored.election.leveling == read_definition(small_election).election.leveling
    assert stored.contests == read_definition(small_election).contests
    snapshot = write_snapshot(publication, tmp_path / "published").folder
    assert verify_snapshot(snapshot).problems == []
