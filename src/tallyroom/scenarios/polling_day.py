"""The polling-day plan of a scenario: what every station reports, when, and which ones go wrong.

Pure data for the simulator; the results come out of the tally of these protocols, never stored.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import time

import numpy as np

from tallyroom.domain.candidate import Candidate, Nomination
from tallyroom.domain.constituency import ConstituencyKind
from tallyroom.domain.control_checks import control_check_failures
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.party import Party
from tallyroom.domain.plurality import plurality_outcome
from tallyroom.domain.polling_station import PollingStation, StationTag
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.scenarios.exact_split import split_total

#: voters who had voted by 19:00, as announced at the close
VOTERS_AT_CLOSE = 2_196_771
#: "more than 42,000" voted in the regained territories (special-territory stations)
VOTERS_IN_SPECIAL_TERRITORIES = 42_417
#: stations whose protocols had reached the commission when the preliminary result was announced
STATIONS_IN_BY_ANNOUNCEMENT = 5_895
#: the preliminary result was announced at 02:00 on the next day, 7 hours after the close
ANNOUNCEMENT_AFTER_MINUTES = 420
#: seats of party nominees in the preliminary result (YAP and nine other parties, REAL 1)
PARTY_SEATS: Mapping[str, int] = {
    "YAP": 68,
    "VHP": 2,
    "AVP": 2,
    "BQP": 2,
    "REAL": 1,
    "ADMP": 1,
    "MDHP": 1,
    "DIP": 1,
    "ASRP": 1,
    "BAXCP": 1,
}
#: the 45 independents: most of them party members standing without their party's nomination
INDEPENDENT_SEATS: Mapping[Nomination, int] = {
    Nomination.PARTY_MEMBER: 34,
    Nomination.NON_PARTY: 11,
}
TOO_CLOSE_CONSTITUENCIES = 3
ERRONEOUS_STATIONS = 8
#: how much station shares scatter around the constituency's (Dirichlet concentration)
STATION_SHARE_CONCENTRATION = 150.0
#: a lead below this share of valid votes would be marked too close; designed leads stay above
SAFE_MARGIN_PERCENT = 1.0


@dataclass(frozen=True, slots=True)
class ErroneousSubmission:
    """A first protocol with an arithmetic mistake, later replaced by the correct one."""

    figures: ProtocolFigures
    arrival_minutes: int
    #: what the station commission got wrong, for logs and amendment reasons
    mistake: str


@dataclass(frozen=True, slots=True)
class ExitPollEstimate:
    organisation: str
    #: the candidate designed to win the constituency
    candidate: str
    #: the pollster's estimate of that candidate's share of valid votes at the station (0–1)
    share: float


@dataclass(frozen=True, slots=True)
class StationPlan:
    station: str
    constituency: int
    #: voters who have voted so far, at each of the election's turnout report times
    turnout: tuple[int, ...]
    #: the final, correct protocol
    protocol: ProtocolFigures
    #: minutes after the close of polls when the final protocol reaches the commission
    arrival_minutes: int
    first_submission: ErroneousSubmission | None = None
    #: the commission annuls this station's result (its protocol comes after the announcement)
    annulled: bool = False
    exit_poll: tuple[ExitPollEstimate, ...] = ()
    stuffed: bool = False


@dataclass(frozen=True, slots=True)
class BallotStuffing:
    """Ballots added for the station's leader, seen in the protocol but not in turnout reports."""

    stations: int
    #: ballots added as a percentage of the station's registered voters
    percent_of_registered: float


@dataclass(frozen=True, slots=True)
class PollingDayPlan:
    seed: int
    report_times: tuple[time, ...]
    announcement_after_minutes: int
    #: in the definition's station order
    stations: tuple[StationPlan, ...]
    #: constituency number → candidate code the votes were generated to elect; for checking
    #: only: the tally must derive winners from the protocols
    designed_winners: Mapping[int, str] = field(default_factory=dict)
    #: constituencies designed with a lead under the too-close margin
    too_close_constituencies: tuple[int, ...] = ()

    @property
    def erroneous_stations(self) -> tuple[str, ...]:
        return tuple(s.station for s in self.stations if s.first_submission is not None)

    @property
    def annulled_station(self) -> str:
        return next(s.station for s in self.stations if s.annulled)

    @property
    def stuffed_stations(self) -> tuple[str, ...]:
        return tuple(s.station for s in self.stations if s.stuffed)

    def in_by_announcement(self) -> list[StationPlan]:
        """Stations whose final protocol has arrived when the preliminary result is announced."""
        return [s for s in self.stations if s.arrival_minutes <= self.announcement_after_minutes]


def build_polling_day_plan(
    definition: ElectionDefinition,
    seed: int = 2024,
    *,
    stuffing: BallotStuffing | None = None,
    party_seats: Mapping[str, int] = PARTY_SEATS,
) -> PollingDayPlan:
    """The whole polling day of an az-2024 definition (or its parallel variant, with the
    seats its party nominees are to win); the same seed gives the same plan."""
    rng = random.Random(seed)
    generator = np.random.default_rng(seed)
    candidates = _standing_candidates(definition)
    winners = _designed_winners(definition, candidates, rng, party_seats)
    too_close = _too_close_constituencies(definition, rng)
    stations = definition.stations

    voters_at_close = _voters_at_close(definition, rng)
    arrivals = _arrival_minutes(stations, rng)
    shares = {
        number: _constituency_shares(candidates[number], winners[number], number in too_close, rng)
        for number in candidates
    }
    plans: list[StationPlan] = []
    for station, cast in zip(stations, voters_at_close, strict=True):
        turnout = _turnout_reports(cast, len(definition.election.turnout_report_times), rng)
        protocol = _protocol(
            station,
            cast,
            candidates[station.constituency],
            shares[station.constituency],
            winners[station.constituency] if station.constituency in too_close else None,
            rng,
            generator,
        )
        if definition.election.list_contest is not None:
            protocol = replace(
                protocol,
                party_votes=_party_votes(
                    protocol, candidates[station.constituency], definition.parties
                ),
            )
        plans.append(
            StationPlan(
                station=station.code,
                constituency=station.constituency,
                turnout=turnout,
                protocol=protocol,
                arrival_minutes=arrivals[station.code],
            )
        )
    plans = _with_mistakes_and_annulment(plans, rng)
    plans = _with_exit_polls(definition, plans, winners, rng)
    plan = PollingDayPlan(
        seed=seed,
        report_times=definition.election.turnout_report_times,
        announcement_after_minutes=ANNOUNCEMENT_AFTER_MINUTES,
        stations=tuple(plans),
        designed_winners={number: winner.code for number, winner in winners.items()},
        too_close_constituencies=tuple(sorted(too_close)),
    )
    _check_design(plan, definition.election.too_close_margin_percent)
    if stuffing is not None:
        # applied last, with the same random stream, so everything else stays as without it
        plan = _with_stuffing(plan, stuffing, rng)
    return plan


def _standing_candidates(definition: ElectionDefinition) -> dict[int, list[Candidate]]:
    by_constituency: dict[int, list[Candidate]] = {c.number: [] for c in definition.constituencies}
    for candidate in definition.candidates:
        if candidate.is_standing:
            by_constituency[candidate.constituency].append(candidate)
    return by_constituency


def _designed_winners(
    definition: ElectionDefinition,
    candidates: dict[int, list[Candidate]],
    rng: random.Random,
    party_seats: Mapping[str, int],
) -> dict[int, Candidate]:
    """Who wins where: the published seat totals, each seat given to a candidate standing there."""
    winners: dict[int, Candidate] = {}

    def nominee(number: int, party: str) -> Candidate | None:
        return next(
            (
                c
                for c in candidates[number]
                if c.nomination is Nomination.PARTY and c.party == party
            ),
            None,
        )

    numbers = [c.number for c in definition.constituencies]
    # the small parties first, where YAP has no nominee when possible: their few seats are the
    # hardest to place
    for party, seats in sorted(party_seats.items(), key=lambda item: (item[0] == "YAP", item[1])):
        eligible = [n for n in numbers if n not in winners and nominee(n, party) is not None]
        rng.shuffle(eligible)
        if party != "YAP":
            eligible.sort(key=lambda n: nominee(n, "YAP") is not None)
        if len(eligible) < seats:
            raise ValueError(f"{party} stands in too few constituencies for {seats} seats")
        for number in eligible[:seats]:
            winner = nominee(number, party)
            assert winner is not None
            winners[number] = winner

    remaining = [n for n in numbers if n not in winners]
    rng.shuffle(remaining)
    members_needed = INDEPENDENT_SEATS[Nomination.PARTY_MEMBER]
    # constituencies without a non-party candidate must go to a party member
    remaining.sort(key=lambda n: any(c.nomination is Nomination.NON_PARTY for c in candidates[n]))
    for index, number in enumerate(remaining):
        nomination = Nomination.PARTY_MEMBER if index < members_needed else Nomination.NON_PARTY
        pool = [c for c in candidates[number] if c.nomination is nomination]
        if not pool:
            raise ValueError(f"constituency {number} has no {nomination} candidate")
        # a YAP member standing on their own is the typical winning independent
        yap_members = [c for c in pool if c.party == "YAP"]
        winners[number] = rng.choice(yap_members or pool)
    return winners


def _too_close_constituencies(definition: ElectionDefinition, rng: random.Random) -> set[int]:
    # close races are designed in large regular constituencies: a one- or two-vote lead per
    # station then stays well under 1 % of the valid votes
    voters: Counter[int] = Counter()
    for station in definition.stations:
        voters[station.constituency] += station.registered_voters
    regular = sorted(
        (c.number for c in definition.constituencies if c.kind is ConstituencyKind.REGULAR),
        key=lambda number: -voters[number],
    )
    return set(rng.sample(regular[:40], TOO_CLOSE_CONSTITUENCIES))


def _voters_at_close(definition: ElectionDefinition, rng: random.Random) -> list[int]:
    """Voters by 19:00 per station, adding up exactly to the announced national figures."""
    stations = definition.stations
    constituency_turnout = {
        c.number: rng.lognormvariate(0.0, 0.15) * (1.15 if c.kind is ConstituencyKind.IDP else 1.0)
        for c in definition.constituencies
    }
    special: list[int] = []
    special_weights: list[float] = []
    others: list[int] = []
    other_weights: list[float] = []
    for index, station in enumerate(stations):
        if StationTag.SPECIAL_TERRITORY in station.tags:
            # the first resettled villages turned out in force, close to the cap below
            special.append(index)
            special_weights.append(station.registered_voters * rng.uniform(0.9, 1.1))
        else:
            others.append(index)
            rate = constituency_turnout[station.constituency] * rng.lognormvariate(0.0, 0.12)
            other_weights.append(station.registered_voters * rate)
    voters = [0] * len(stations)
    for group, weights, total in (
        (special, special_weights, VOTERS_IN_SPECIAL_TERRITORIES),
        (others, other_weights, VOTERS_AT_CLOSE - VOTERS_IN_SPECIAL_TERRITORIES),
    ):
        counts = split_total(
            total,
            weights,
            [max(5, stations[i].registered_voters // 20) for i in group],
            # room is left for the ballots issued but not cast
            [stations[i].registered_voters * 9 // 10 for i in group],
            rng,
        )
        for index, count in zip(group, counts, strict=True):
            voters[index] = count
    return voters


def _turnout_reports(voters_at_close: int, reports: int, rng: random.Random) -> tuple[int, ...]:
    """Cumulative voters at each report time; the last report is the close of polls."""
    fractions: list[float] = []
    fraction = 0.0
    for _ in range(reports - 1):
        # about a fifth of the day's voters come in each early slot, more after work
        fraction = min(0.97, fraction + rng.uniform(0.14, 0.3))
        fractions.append(fraction)
    return (*(int(voters_at_close * f) for f in fractions), voters_at_close)


def _constituency_shares(
    candidates: Sequence[Candidate], winner: Candidate, too_close: bool, rng: random.Random
) -> dict[str, float]:
    """Expected share of the valid votes per candidate in the constituency."""
    others = [c for c in candidates if c.code != winner.code]
    if too_close:
        runner_up, *rest = others
        # the winner and the runner-up share the pair's votes almost evenly, per station
        pair = 0.8 if rest else 1.0
        weights = [rng.uniform(0.5, 1.5) for _ in rest]
        rest_shares = {
            c.code: (1 - pair) * w / sum(weights) for c, w in zip(rest, weights, strict=True)
        }
        return {winner.code: pair / 2, runner_up.code: pair / 2, **rest_shares}
    if winner.nomination is Nomination.PARTY and winner.party == "YAP":
        winner_share = rng.uniform(0.5, 0.8)
    else:
        winner_share = rng.uniform(0.4, 0.65)
    weights = [rng.gammavariate(1.2, 1.0) for _ in others]
    total = sum(weights)
    # keep every rival well behind, so no subset of the stations can change the winner
    while max(w / total for w in weights) * (1 - winner_share) > winner_share - 0.1:
        winner_share += 0.02
    shares = {c.code: (1 - winner_share) * w / total for c, w in zip(others, weights, strict=True)}
    return {winner.code: winner_share, **shares}


def _protocol(
    station: PollingStation,
    cast: int,
    candidates: Sequence[Candidate],
    shares: Mapping[str, float],
    close_winner: Candidate | None,
    rng: random.Random,
    generator: np.random.Generator,
) -> ProtocolFigures:
    voters_added = rng.choice((0, 0, 0, 0, 1, 1, 2, 3))
    # a few voters take a ballot and leave without casting it
    issued = min(cast + rng.choice((0, 0, 0, 0, 1, 2)), station.registered_voters + voters_added)
    portable = round(issued * rng.uniform(0.01, 0.04))
    # stations receive one ballot per registered voter plus a reserve of 1 %
    received = station.registered_voters + max(10, station.registered_voters // 100)
    invalid = round(cast * rng.uniform(0.005, 0.025))
    valid = cast - invalid
    codes = [c.code for c in candidates]
    expected = np.array([shares[code] for code in codes])
    station_shares = generator.dirichlet(expected * STATION_SHARE_CONCENTRATION)
    counts = [int(n) for n in generator.multinomial(valid, station_shares)]
    votes = dict(zip(codes, counts, strict=True))
    if close_winner is not None:
        runner_up = max(
            (code for code in codes if code != close_winner.code), key=lambda code: shares[code]
        )
        pair = votes[close_winner.code] + votes[runner_up]
        # a lead of one or two votes at every station: tiny overall, never a tie
        votes[close_winner.code] = min(pair, pair // 2 + 1)
        votes[runner_up] = pair - votes[close_winner.code]
    return ProtocolFigures(
        registered_voters=station.registered_voters,
        voters_added=voters_added,
        ballots_received=received,
        ballots_issued_in_station=issued - portable,
        ballots_issued_portable=portable,
        ballots_cast=cast,
        invalid_ballots=invalid,
        unused_ballots=received - issued,
        votes=votes,
    )


def _party_votes(
    protocol: ProtocolFigures, candidates: Sequence[Candidate], parties: Sequence[Party]
) -> dict[str, int]:
    """The party-list ballot of a parallel election: a candidate's voters vote for the
    candidate's party (nominee or member); a non-party candidate's voters spread over the
    parties as the others voted at the station (largest remainders; no lists voted for there:
    left blank). Every party on the ballot is named, with zero where nobody voted for it."""
    party_of = {c.code: c.party for c in candidates}
    votes = dict.fromkeys((p.short_name for p in parties), 0)
    unattached = 0
    for code, count in protocol.votes.items():
        party = party_of.get(code)
        if party is not None and party in votes:
            votes[party] += count
        else:
            unattached += count
    attached = sum(votes.values())
    if unattached and attached:
        shares = {party: unattached * count / attached for party, count in votes.items()}
        given = {party: int(share) for party, share in shares.items()}
        left = unattached - sum(given.values())
        for party in sorted(shares, key=lambda p: (given[p] - shares[p], p))[:left]:
            given[party] += 1
        votes = {party: votes[party] + given[party] for party in votes}
    return votes


def _arrival_minutes(stations: Sequence[PollingStation], rng: random.Random) -> dict[str, int]:
    """Minutes after 19:00 when each station's final protocol reaches the commission."""
    late_count = len(stations) - STATIONS_IN_BY_ANNOUNCEMENT
    # big stations count longer and IDP stations are far from their commissions, so they are
    # likelier to be late (weighted sampling without replacement by random keys)
    keys = sorted(
        (
            rng.random() ** (1.0 / (s.registered_voters / 1000 * (2.0 if s.is_idp else 1.0))),
            s.code,
        )
        for s in stations
    )
    late = {code for _key, code in keys[-late_count:]}
    arrivals: dict[str, int] = {}
    for station in stations:
        if station.code in late:
            arrivals[station.code] = ANNOUNCEMENT_AFTER_MINUTES + rng.randint(5, 600)
        else:
            span = ANNOUNCEMENT_AFTER_MINUTES - 50
            arrivals[station.code] = 45 + int(rng.betavariate(2.0, 2.5) * span)
    return arrivals


def _with_mistakes_and_annulment(plans: list[StationPlan], rng: random.Random) -> list[StationPlan]:
    # late enough in the night for a first, wrong submission to have come earlier
    on_time = [
        i for i, p in enumerate(plans) if 100 <= p.arrival_minutes <= ANNOUNCEMENT_AFTER_MINUTES
    ]
    erroneous = rng.sample(on_time, ERRONEOUS_STATIONS)
    for number, index in enumerate(sorted(erroneous)):
        plan = plans[index]
        wrong, mistake = _mistake(plan.protocol, number, rng)
        plans[index] = replace(
            plan,
            first_submission=ErroneousSubmission(
                figures=wrong,
                arrival_minutes=plan.arrival_minutes - rng.randint(30, 60),
                mistake=mistake,
            ),
        )
    late = [i for i, p in enumerate(plans) if p.arrival_minutes > ANNOUNCEMENT_AFTER_MINUTES]
    annulled = rng.choice(late)
    plans[annulled] = replace(plans[annulled], annulled=True)
    return plans


def _mistake(
    protocol: ProtocolFigures, number: int, rng: random.Random
) -> tuple[ProtocolFigures, str]:
    """The correct protocol with one of the slips commissions make when filling it in late."""
    kind = number % 3
    if kind == 0:
        leader = max(protocol.votes, key=lambda code: protocol.votes[code])
        votes = dict(protocol.votes)
        # a dropped or doubled digit; never below zero, which the schema would reject outright
        votes[leader] += rng.choice((-10, 10, 100) if votes[leader] >= 10 else (10, 100))
        return (
            replace(protocol, votes=votes),
            f"votes of {leader} miscounted: votes and invalid ballots do not add up to cast",
        )
    if kind == 1:
        return (
            replace(protocol, unused_ballots=protocol.unused_ballots + rng.choice((-1, 1)) * 10),
            "unused ballots miscounted: issued and unused do not add up to received",
        )
    return (
        replace(protocol, ballots_issued_portable=0, ballots_issued_in_station=0),
        "ballots issued left blank: ballots cast exceed ballots issued",
    )


def _with_exit_polls(
    definition: ElectionDefinition,
    plans: list[StationPlan],
    winners: Mapping[int, Candidate],
    rng: random.Random,
) -> list[StationPlan]:
    index_of = {p.station: i for i, p in enumerate(plans)}
    # each pollster has a small house effect on top of the sampling noise
    house_effect = {o.code: rng.uniform(-0.02, 0.02) for o in definition.organisations}
    estimates: dict[int, list[ExitPollEstimate]] = {}
    for sample in definition.exit_poll_samples:
        index = index_of[sample.station]
        plan = plans[index]
        winner = winners[plan.constituency].code
        valid = plan.protocol.valid_votes
        official = plan.protocol.votes[winner] / valid if valid else 0.0
        share = official + house_effect[sample.organisation] + rng.gauss(0.0, 0.03)
        estimates.setdefault(index, []).append(
            ExitPollEstimate(sample.organisation, winner, round(min(1.0, max(0.0, share)), 3))
        )
    for index, station_estimates in estimates.items():
        plans[index] = replace(plans[index], exit_poll=tuple(station_estimates))
    return plans


def _check_design(plan: PollingDayPlan, too_close_margin_percent: float) -> None:
    """The designed winners win, with and without the late protocols; only close races are."""
    for stations in (
        plan.in_by_announcement(),
        [s for s in plan.stations if not s.annulled],
    ):
        totals: dict[int, dict[str, int]] = {}
        for station in stations:
            constituency = totals.setdefault(station.constituency, {})
            for code, votes in station.protocol.votes.items():
                constituency[code] = constituency.get(code, 0) + votes
        for number, winner in plan.designed_winners.items():
            outcome = plurality_outcome(
                totals[number], too_close_margin_percent=too_close_margin_percent
            )
            close = number in plan.too_close_constituencies
            if outcome.leaders != (winner,) or outcome.too_close != close:
                raise AssertionError(f"constituency {number} did not come out as designed")
    for station in plan.stations:
        standing = station.protocol.votes.keys()
        if control_check_failures(station.protocol, standing_candidates=standing):
            raise AssertionError(f"protocol of {station.station} fails its control checks")
        if station.first_submission is not None and not control_check_failures(
            station.first_submission.figures, standing_candidates=standing
        ):
            raise AssertionError(f"the mistake at {station.station} passes the control checks")


def _with_stuffing(
    plan: PollingDayPlan, stuffing: BallotStuffing, rng: random.Random
) -> PollingDayPlan:
    eligible = [
        i
        for i, s in enumerate(plan.stations)
        if not s.annulled and s.first_submission is None and s.protocol.ballots_cast
    ]
    chosen = rng.sample(eligible, stuffing.stations)
    stations = list(plan.stations)
    for index in chosen:
        station = stations[index]
        protocol = station.protocol
        leader = max(protocol.votes, key=lambda code: protocol.votes[code])
        wanted = round(protocol.registered_voters * stuffing.percent_of_registered / 100)
        # stuffers keep the protocol arithmetically plausible: no more ballots than voters
        room = protocol.registered_voters + protocol.voters_added - protocol.ballots_issued
        added = max(0, min(wanted, room))
        votes = dict(protocol.votes)
        votes[leader] += added
        stations[index] = replace(
            station,
            stuffed=True,
            protocol=replace(
                protocol,
                ballots_issued_in_station=protocol.ballots_issued_in_station + added,
                ballots_cast=protocol.ballots_cast + added,
                unused_ballots=protocol.unused_ballots - added,
                votes=votes,
            ),
        )
    return replace(plan, stations=tuple(stations))
