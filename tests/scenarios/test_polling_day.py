"""The az-2024 polling-day plan: its protocols, tallied here, give the announced figures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable

from tallyroom.domain.candidate import Candidate, Nomination
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.polling_station import StationTag
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.scenarios.polling_day import (
    BallotStuffing,
    PollingDayPlan,
    StationPlan,
    build_polling_day_plan,
)


def control_failures(figures: ProtocolFigures, standing: Collection[str]) -> list[str]:
    """The control checks of issue 3, written out independently of the domain's version."""
    failures = []
    numbers = [
        figures.registered_voters,
        figures.voters_added,
        figures.ballots_received,
        figures.ballots_issued_in_station,
        figures.ballots_issued_portable,
        figures.ballots_cast,
        figures.invalid_ballots,
        figures.unused_ballots,
        *figures.votes.values(),
    ]
    if any(n < 0 for n in numbers):
        failures.append("negative")
    issued = figures.ballots_issued_in_station + figures.ballots_issued_portable
    if sum(figures.votes.values()) + figures.invalid_ballots != figures.ballots_cast:
        failures.append("votes + invalid != cast")
    if figures.ballots_cast > issued:
        failures.append("cast > issued")
    if issued + figures.unused_ballots != figures.ballots_received:
        failures.append("issued + unused != received")
    if issued > figures.registered_voters + figures.voters_added:
        failures.append("issued > registered + added")
    if set(figures.votes) != set(standing):
        failures.append("candidates")
    return failures


def leaders(stations: Iterable[StationPlan]) -> dict[int, tuple[str, float]]:
    """Per constituency the plurality winner and the lead in % of valid votes; no ties."""
    totals: dict[int, Counter[str]] = {}
    for station in stations:
        totals.setdefault(station.constituency, Counter()).update(station.protocol.votes)
    result = {}
    for number, votes in totals.items():
        (first, first_votes), (_, second_votes) = votes.most_common(2)
        assert first_votes > second_votes, f"tie in constituency {number}"
        result[number] = (first, 100 * (first_votes - second_votes) / votes.total())
    return result


def seats(winners: Iterable[str], candidates: dict[str, Candidate]) -> Counter[str]:
    counted: Counter[str] = Counter()
    for code in winners:
        candidate = candidates[code]
        if candidate.nomination is Nomination.PARTY:
            assert candidate.party is not None
            counted[candidate.party] += 1
        else:
            counted[candidate.nomination.value] += 1
    return counted


def standing_by_constituency(definition: ElectionDefinition) -> dict[int, set[str]]:
    standing: dict[int, set[str]] = {}
    for candidate in definition.candidates:
        if candidate.is_standing:
            standing.setdefault(candidate.constituency, set()).add(candidate.code)
    return standing


def assert_announced_figures(plan: PollingDayPlan, definition: ElectionDefinition) -> None:
    assert [s.station for s in plan.stations] == [s.code for s in definition.stations]
    assert sum(s.turnout[-1] for s in plan.stations) == 2_196_771
    in_time = [s for s in plan.stations if s.arrival_minutes <= plan.announcement_after_minutes]
    assert len(in_time) == 5_895
    candidates = {c.code: c for c in definition.candidates}
    at_announcement = leaders(in_time)
    assert len(at_announcement) == 125
    counted = seats((code for code, _lead in at_announcement.values()), candidates)
    assert counted.pop("YAP") == 68
    assert counted.pop("party_member") + counted.pop("non_party") == 45
    assert len(counted) == 9
    assert sum(counted.values()) == 12
    assert counted["REAL"] == 1
    at_end = leaders(s for s in plan.stations if not s.annulled)
    assert {n: code for n, (code, _) in at_end.items()} == {
        n: code for n, (code, _) in at_announcement.items()
    }


def test_announced_figures(
    az_2024_plan: PollingDayPlan, az_2024_definition: ElectionDefinition
) -> None:
    assert_announced_figures(az_2024_plan, az_2024_definition)


def test_independents_are_mostly_party_members(
    az_2024_plan: PollingDayPlan, az_2024_definition: ElectionDefinition
) -> None:
    candidates = {c.code: c for c in az_2024_definition.candidates}
    counted = seats(
        (code for code, _ in leaders(az_2024_plan.in_by_announcement()).values()), candidates
    )
    assert counted["party_member"] > counted["non_party"] > 0


def test_a_few_races_are_too_close_but_keep_their_winner(az_2024_plan: PollingDayPlan) -> None:
    at_announcement = leaders(az_2024_plan.in_by_announcement())
    at_end = leaders(s for s in az_2024_plan.stations if not s.annulled)
    close = {n for n, (_code, lead) in at_announcement.items() if lead < 1.0}
    assert 2 <= len(close) <= 4
    assert close == {n for n, (_code, lead) in at_end.items() if lead < 1.0}
    assert close == set(az_2024_plan.too_close_constituencies)


def test_designed_winners_win(az_2024_plan: PollingDayPlan) -> None:
    at_announcement = leaders(az_2024_plan.in_by_announcement())
    assert {n: code for n, (code, _) in at_announcement.items()} == dict(
        az_2024_plan.designed_winners
    )


def test_turnout_reports(
    az_2024_plan: PollingDayPlan, az_2024_definition: ElectionDefinition
) -> None:
    assert len(az_2024_plan.report_times) == 4
    registered = {s.code: s.registered_voters for s in az_2024_definition.stations}
    for station in az_2024_plan.stations:
        assert len(station.turnout) == 4
        assert list(station.turnout) == sorted(station.turnout)
        assert station.turnout[0] >= 0
        protocol = station.protocol
        assert protocol.registered_voters == registered[station.station]
        assert station.turnout[-1] <= protocol.registered_voters + protocol.voters_added
        # polls close at 19:00: the boxes hold the voters of the last report
        assert protocol.ballots_cast == station.turnout[-1]
    national = sum(s.turnout[-1] for s in az_2024_plan.stations) / sum(registered.values())
    assert round(100 * national, 1) == 34.2
    special_territory = {
        s.code for s in az_2024_definition.stations if StationTag.SPECIAL_TERRITORY in s.tags
    }
    voted_there = sum(
        s.turnout[-1] for s in az_2024_plan.stations if s.station in special_territory
    )
    assert voted_there > 42_000


def test_every_final_protocol_passes_the_control_checks(
    az_2024_plan: PollingDayPlan, az_2024_definition: ElectionDefinition
) -> None:
    standing = standing_by_constituency(az_2024_definition)
    for station in az_2024_plan.stations:
        assert control_failures(station.protocol, standing[station.constituency]) == []


def test_erroneous_first_submissions(
    az_2024_plan: PollingDayPlan, az_2024_definition: ElectionDefinition
) -> None:
    standing = standing_by_constituency(az_2024_definition)
    erroneous = [s for s in az_2024_plan.stations if s.first_submission is not None]
    assert 5 <= len(erroneous) <= 10
    assert tuple(s.station for s in erroneous) == az_2024_plan.erroneous_stations
    for station in erroneous:
        assert station.first_submission is not None
        wrong = station.first_submission.figures
        assert control_failures(wrong, standing[station.constituency]) != []
        assert wrong != station.protocol
        assert station.first_submission.arrival_minutes < station.arrival_minutes
        # corrected in time: they count among the stations in at the announcement
        assert station.arrival_minutes <= az_2024_plan.announcement_after_minutes
        assert station.first_submission.mistake


def test_one_station_is_annulled_after_the_announcement(az_2024_plan: PollingDayPlan) -> None:
    annulled = [s for s in az_2024_plan.stations if s.annulled]
    assert len(annulled) == 1
    assert annulled[0].station == az_2024_plan.annulled_station
    assert annulled[0].arrival_minutes > az_2024_plan.announcement_after_minutes
    assert annulled[0].first_submission is None


def test_exit_poll_estimates(
    az_2024_plan: PollingDayPlan, az_2024_definition: ElectionDefinition
) -> None:
    by_station = {s.station: s for s in az_2024_plan.stations}
    sampled = {(s.organisation, s.station) for s in az_2024_definition.exit_poll_samples}
    estimated = {
        (estimate.organisation, station.station)
        for station in az_2024_plan.stations
        for estimate in station.exit_poll
    }
    assert estimated == sampled
    errors = []
    for organisation, code in sampled:
        station = by_station[code]
        estimate = next(e for e in station.exit_poll if e.organisation == organisation)
        assert estimate.candidate == az_2024_plan.designed_winners[station.constituency]
        assert 0.0 <= estimate.share <= 1.0
        official = station.protocol.votes[estimate.candidate] / station.protocol.valid_votes
        errors.append(estimate.share - official)
    assert max(abs(e) for e in errors) < 0.2
    assert abs(sum(errors) / len(errors)) < 0.02


def test_deterministic_for_a_seed(
    az_2024_plan: PollingDayPlan, az_2024_definition: ElectionDefinition
) -> None:
    assert build_polling_day_plan(az_2024_definition, 2024) == az_2024_plan


def test_ballot_stuffing_shows_as_a_jump_after_the_last_report(
    az_2024_plan: PollingDayPlan, az_2024_definition: ElectionDefinition
) -> None:
    stuffed_plan = build_polling_day_plan(
        az_2024_definition, 2024, stuffing=BallotStuffing(stations=40, percent_of_registered=10.0)
    )
    standing = standing_by_constituency(az_2024_definition)
    stuffed = set(stuffed_plan.stuffed_stations)
    assert len(stuffed) == 40
    assert az_2024_plan.stuffed_stations == ()
    for clean, station in zip(az_2024_plan.stations, stuffed_plan.stations, strict=True):
        assert station.turnout == clean.turnout
        assert control_failures(station.protocol, standing[station.constituency]) == []
        if station.station not in stuffed:
            assert station == clean
            continue
        jump = station.protocol.ballots_cast - station.turnout[-1]
        assert jump > 0
        assert jump <= round(0.10 * station.protocol.registered_voters)
        gained = Counter(station.protocol.votes)
        gained.subtract(clean.protocol.votes)
        local_winner = max(clean.protocol.votes, key=lambda code: clean.protocol.votes[code])
        assert +gained == Counter({local_winner: jump})


def test_other_seeds_still_give_the_figures(
    other_seed_definition: tuple[ElectionDefinition, int, float],
) -> None:
    definition, _definition_seed, _seconds = other_seed_definition
    plan = build_polling_day_plan(definition, 31)
    assert_announced_figures(plan, definition)
