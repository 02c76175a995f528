"""The parallel variant (100 constituencies + 25 national list seats): a valid definition
that survives writing and reading, every protocol with a party-list ballot that adds up, and
list seats that follow from the plan's party votes by the Hare quota above 6 %."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tallyroom.definition.reader import read_definition
from tallyroom.definition.writer import write_definition
from tallyroom.domain.constituency import ConstituencyKind
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.electoral_systems.list_seats import list_seats
from tallyroom.scenarios.az_2024_parallel import LIST_CONTEST, PARTY_SEATS, build_definition
from tallyroom.scenarios.polling_day import PollingDayPlan, build_polling_day_plan


@pytest.fixture(scope="module")
def parallel_definition() -> ElectionDefinition:
    return build_definition()


@pytest.fixture(scope="module")
def parallel_plan(parallel_definition: ElectionDefinition) -> PollingDayPlan:
    return build_polling_day_plan(parallel_definition, party_seats=PARTY_SEATS)


def test_the_definition_has_100_constituencies_and_25_list_seats(
    parallel_definition: ElectionDefinition, az_2024_definition: ElectionDefinition, tmp_path: Path
) -> None:
    definition = parallel_definition
    assert len(definition.constituencies) == 100
    assert [c.number for c in definition.constituencies] == list(range(1, 101))
    kinds = Counter(c.kind for c in definition.constituencies)
    assert kinds == {ConstituencyKind.REGULAR: 90, ConstituencyKind.IDP: 10}
    # the whole electorate still votes: every station of az-2024 is kept
    assert len(definition.stations) == len(az_2024_definition.stations)
    numbers = {c.number for c in definition.constituencies}
    assert all(s.constituency in numbers for s in definition.stations)
    assert all(c.constituency in numbers for c in definition.candidates)
    assert definition.election.seats == 125
    assert definition.election.list_contest == LIST_CONTEST
    write_definition(definition, tmp_path / "parallel")
    assert read_definition(tmp_path / "parallel").election == definition.election


def test_every_protocol_carries_a_party_list_ballot_that_adds_up(
    parallel_definition: ElectionDefinition, parallel_plan: PollingDayPlan
) -> None:
    parties = {p.short_name for p in parallel_definition.parties}
    for station in parallel_plan.stations:
        party_votes = station.protocol.party_votes
        assert party_votes is not None
        assert set(party_votes) == parties
        assert sum(party_votes.values()) <= station.protocol.valid_votes
        assert min(party_votes.values()) >= 0


def test_the_designed_constituency_winners_and_the_list_seats(
    parallel_plan: PollingDayPlan, parallel_definition: ElectionDefinition
) -> None:
    by_code = {c.code: c for c in parallel_definition.candidates}
    nominees = Counter(
        by_code[code].party
        for code in parallel_plan.designed_winners.values()
        if by_code[code].nomination.value == "party"
    )
    assert nominees == Counter(PARTY_SEATS)
    totals: Counter[str] = Counter()
    for station in parallel_plan.stations:
        if not station.annulled:
            totals.update(station.protocol.party_votes or {})
    outcome = list_seats(LIST_CONTEST, dict(totals), count_complete=True)
    assert sum(outcome.seats.values()) == 25
    # no party but YAP reaches 6 % of the list votes in this scenario
    passing = {row.party for row in outcome.rows if row.passed}
    assert passing == {"YAP"}
