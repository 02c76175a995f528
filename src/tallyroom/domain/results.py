"""Results as published: what the tally of counted protocols says, nationally and per
constituency. Built once per change and rendered as JSON, HTML and open data alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from tallyroom.domain.candidate import Nomination
from tallyroom.domain.electoral_systems.election_leveling import ElectionLeveling
from tallyroom.domain.electoral_systems.list_seats import ListSeats
from tallyroom.domain.seat_status import SeatStatus, count_complete, seat_status, too_close_to_call
from tallyroom.domain.seat_tally import SeatGroup


@dataclass(frozen=True, slots=True)
class CandidateResult:
    code: str
    full_name: str
    party: str | None
    nomination: Nomination
    votes: int
    #: percentage of valid votes in the constituency
    share: float


@dataclass(frozen=True, slots=True)
class PendingTie:
    """A tie the law leaves to the lot (or whose rule lacks birth dates), not drawn yet:
    the seat stays open, shown as tied, never silently given."""

    #: the seat label the lot is drawn for ("constituency-4 seat 1")
    seat: str
    between: tuple[str, ...]
    #: "lot_pending", or "birth_dates_missing" when the age rule cannot be applied
    reason: str = "lot_pending"


@dataclass(frozen=True, slots=True)
class ConstituencyResult:
    number: int
    name: str
    kind: str
    stations_total: int
    stations_reporting: int
    registered_voters_total: int
    #: registered voters at the reporting stations, as their protocols say
    registered_voters_reporting: int
    voters_added: int
    ballots_cast: int
    invalid_ballots: int
    valid_votes: int
    #: candidates by votes, most first
    candidates: tuple[CandidateResult, ...]
    leaders: tuple[str, ...]
    margin_votes: int
    margin_percent: float
    too_close: bool
    certified: bool
    #: stations whose result the commission annulled: in no total above
    stations_annulled: int = 0
    #: ballots cast as the annulled stations' protocols say, left out of `ballots_cast`
    ballots_annulled: int = 0
    #: blank ballots of the counted protocols that have that line (Spain counts them)
    blank_votes: int = 0
    #: systems other than single-member plurality: every seat's holder with its status
    #: ("won" or "leading"), most votes first (the top N of a multi-member plurality
    #: contest, a round-1 majority winner); empty otherwise
    seat_holders: tuple[tuple[str, str], ...] = ()
    #: seats the contest fills
    seats: int = 1
    #: the contest's system when it is not single-member plurality (ContestKind's value)
    system: str | None = None
    #: a district list contest: its quotient table and threshold line as the count stands
    district_list: ListSeats | None = None
    #: a tie holding a seat (or a round-2 place) open until the commission draws its lot
    pending_tie: PendingTie | None = None

    def holds_seat(self, code: str) -> str | None:
        """The status of the seat this candidate holds under the contest's system, if any."""
        return next((status for holder, status in self.seat_holders if holder == code), None)

    @property
    def tie(self) -> bool:
        return len(self.leaders) > 1

    @property
    def count_complete(self) -> bool:
        return count_complete(
            stations_total=self.stations_total,
            stations_counted=self.stations_reporting,
            stations_annulled=self.stations_annulled,
        )

    @property
    def seat_status(self) -> SeatStatus | None:
        """Won or leading; None with no protocol counted or the lead tied."""
        return seat_status(
            has_leader=len(self.leaders) == 1,
            stations_counted=self.stations_reporting,
            complete=self.count_complete,
            certified=self.certified,
        )

    @property
    def too_close_to_call(self) -> bool:
        return too_close_to_call(self.seat_status, too_close=self.too_close)

    @property
    def leader(self) -> CandidateResult | None:
        if len(self.leaders) != 1:
            return None
        return next(c for c in self.candidates if c.code == self.leaders[0])


@dataclass(frozen=True, slots=True)
class PartyResult:
    short_name: str
    name: str
    colour: str
    #: votes of the candidates the party nominated
    votes: int
    #: seats its nominees lead, won or not
    seats: int
    #: seats its members standing as independents lead, won or not
    member_seats: int
    #: of `seats`, those won (count complete or certified)
    seats_won: int = 0
    #: of `member_seats`, those won
    member_seats_won: int = 0

    @property
    def seats_leading(self) -> int:
        return self.seats - self.seats_won

    @property
    def member_seats_leading(self) -> int:
        return self.member_seats - self.member_seats_won


def party_results(
    parties: Iterable[tuple[str, str, str]],
    votes: Mapping[str, int],
    seats: Sequence[SeatGroup],
) -> tuple[PartyResult, ...]:
    """Each party's votes, seats and members' seats (led and won), most seats first.
    `parties` are (short name, name, colour); `votes` by short name; `seats` the seat tally."""

    def groups(short_name: str, nomination: Nomination) -> list[SeatGroup]:
        return [g for g in seats if g.party == short_name and g.nomination is nomination]

    return tuple(
        sorted(
            (
                PartyResult(
                    short_name=short_name,
                    name=name,
                    colour=colour,
                    votes=votes.get(short_name, 0),
                    seats=sum(g.seats for g in groups(short_name, Nomination.PARTY)),
                    member_seats=sum(g.seats for g in groups(short_name, Nomination.PARTY_MEMBER)),
                    seats_won=sum(g.won for g in groups(short_name, Nomination.PARTY)),
                    member_seats_won=sum(
                        g.won for g in groups(short_name, Nomination.PARTY_MEMBER)
                    ),
                )
                for short_name, name, colour in parties
            ),
            key=lambda party: (-party.seats, -party.votes, party.short_name),
        )
    )


@dataclass(frozen=True, slots=True)
class NationalResults:
    election: str
    election_name: str
    status: str  # "preliminary" or "final"
    revision: int
    as_of: datetime
    seats_total: int
    majority: int
    stations_total: int
    stations_reporting: int
    registered_voters: int
    registered_voters_reporting: int
    ballots_cast: int
    invalid_ballots: int
    seats: tuple[SeatGroup, ...]
    parties: tuple[PartyResult, ...]
    constituencies: tuple[ConstituencyResult, ...]
    #: votes of independents, split as the seats are
    votes_party_members: int = 0
    votes_non_party: int = 0
    ties: tuple[int, ...] = field(default_factory=tuple)
    #: stations annulled by decision and their ballots, left out of every total
    stations_annulled: int = 0
    ballots_annulled: int = 0
    #: the party-list contest's allocation, where the election has one
    list_seats: ListSeats | None = None
    #: the leveling seats over the district list contests, where the election has them
    leveling: ElectionLeveling | None = None

    @property
    def parties_with_seats(self) -> int:
        listed = self.list_seats.seats if self.list_seats is not None else {}
        return sum(
            1 for party in self.parties if party.seats > 0 or listed.get(party.short_name, 0)
        )

    @property
    def blank_votes(self) -> int:
        return sum(c.blank_votes for c in self.constituencies)

    @property
    def list_seats_declared(self) -> int:
        if self.list_seats is None or self.list_seats.status is None:
            return 0
        return sum(self.list_seats.seats.values())

    @property
    def seats_declared(self) -> int:
        """Seats with a leader (the preliminary tally), won or only leading: constituency
        seats and list seats."""
        return sum(group.seats for group in self.seats) + self.list_seats_declared

    @property
    def seats_won(self) -> int:
        listed = self.list_seats.seats_won if self.list_seats is not None else 0
        return sum(group.won for group in self.seats) + listed

    def parliament_groups(self) -> tuple[SeatGroup, ...]:
        """The seat groups with the list seats added as their parties' own (the parliament as
        it will sit, for the hemicycle)."""
        if self.list_seats is None or self.list_seats.status is None:
            return self.seats
        won = self.list_seats.status is SeatStatus.WON
        listed = tuple(
            SeatGroup(party, Nomination.PARTY, seats, seats if won else 0)
            for party, seats in self.list_seats.seats.items()
            if seats
        )
        return self.seats + listed

    def national_seats(self) -> list[tuple[str, int, int]]:
        """Seats by party nationally: (party, constituency seats of its nominees, list
        seats), most seats first; parties with neither left out."""
        listed = self.list_seats.seats if self.list_seats is not None else {}
        rows = [
            (party.short_name, party.seats, listed.get(party.short_name, 0))
            for party in self.parties
        ]
        return sorted(
            (row for row in rows if row[1] or row[2]), key=lambda row: (-row[1] - row[2], row[0])
        )

    @property
    def seats_leading(self) -> int:
        return self.seats_declared - self.seats_won

    @property
    def too_close_to_call(self) -> tuple[int, ...]:
        """Numbers of the constituencies whose leader is too close to call."""
        return tuple(c.number for c in self.constituencies if c.too_close_to_call)


@dataclass(frozen=True, slots=True)
class TurnoutPoint:
    as_of: str  # "HH:MM" local
    voters: int
    stations_reporting: int
    registered_voters: int

    @property
    def percent(self) -> float:
        return 100.0 * self.voters / self.registered_voters if self.registered_voters else 0.0
