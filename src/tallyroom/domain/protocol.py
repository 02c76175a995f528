"""A polling station's tally sheet (protocol) for its contest: the figures it reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ProtocolFigures:
    """The numbers on one protocol, exactly as the station reported them."""

    registered_voters: int
    #: voters added to the register on polling day
    voters_added: int
    ballots_received: int
    ballots_issued_in_station: int
    #: ballots issued to voters voting at home with the portable box
    ballots_issued_portable: int
    #: ballots found in the boxes (stationary and portable)
    ballots_cast: int
    invalid_ballots: int
    #: unused and cancelled ballots
    unused_ballots: int
    #: candidate code → votes
    votes: Mapping[str, int] = field(default_factory=dict)
    #: blank ballots, where the law counts them apart from invalid ones (Spain counts them in
    #: a threshold's base); None on protocols that have no such line
    blank_votes: int | None = None
    #: party short name → votes on the party-list ballot, where the election has a list
    #: contest (domain/list_contest.py); None on protocols without that ballot
    party_votes: Mapping[str, int] | None = None

    def __reduce__(self) -> tuple[type[ProtocolFigures], tuple[Any, ...]]:
        # Verifying workers send a million of these back to the writer: the constructor's
        # arguments unpickle several times faster than the dataclass's slot-by-slot state.
        return (
            ProtocolFigures,
            (
                self.registered_voters,
                self.voters_added,
                self.ballots_received,
                self.ballots_issued_in_station,
                self.ballots_issued_portable,
                self.ballots_cast,
                self.invalid_ballots,
                self.unused_ballots,
                self.votes,
                self.blank_votes,
                self.party_votes,
            ),
        )

    @property
    def is_all_zero(self) -> bool:
        """Every figure on the sheet is zero: an empty form sent by mistake (a known failure
        of real systems), never a station's count."""
        figures = [
            self.registered_voters,
            self.voters_added,
            self.ballots_received,
            self.ballots_issued_in_station,
            self.ballots_issued_portable,
            self.ballots_cast,
            self.invalid_ballots,
            self.unused_ballots,
            self.blank_votes or 0,
            *self.votes.values(),
            *(self.party_votes or {}).values(),
        ]
        return not any(figures)

    @property
    def ballots_issued(self) -> int:
        return self.ballots_issued_in_station + self.ballots_issued_portable

    @property
    def valid_votes(self) -> int:
        return sum(self.votes.values())
