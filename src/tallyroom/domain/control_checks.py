"""The arithmetic a protocol must satisfy. A failed check flags the protocol for the
commission; nothing is ever corrected here."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from tallyroom.domain.protocol import ProtocolFigures


@dataclass(frozen=True, slots=True)
class ControlCheckFailure:
    """One failed check: a stable code, the fields involved, and the numbers that disagree."""

    code: str
    fields: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return MESSAGES[self.code].format(**self.params)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "fields": list(self.fields),
            "params": self.params,
            "message": self.message,
        }


MESSAGES = {
    "votes_and_invalid_differ_from_cast": (
        "valid votes {valid_votes} + invalid {invalid_ballots} = {sum} ≠ ballots cast "
        "{ballots_cast}"
    ),
    "votes_blank_and_invalid_differ_from_cast": (
        "votes {valid_votes} + blank {blank_votes} + invalid {invalid_ballots} = {sum} ≠ "
        "ballots cast {ballots_cast}"
    ),
    "cast_exceeds_issued": "ballots cast {ballots_cast} > ballots issued {ballots_issued}",
    "issued_and_unused_differ_from_received": (
        "ballots issued {ballots_issued} + unused {unused_ballots} = {sum} ≠ ballots received "
        "{ballots_received}"
    ),
    "issued_exceeds_voters": (
        "ballots issued {ballots_issued} > registered {registered_voters} + added "
        "{voters_added} voters"
    ),
    "registered_differs_from_register": (
        "protocol says {registered_voters} registered voters, the register has {expected}"
    ),
    "candidate_missing": "no figure for standing candidate {candidate}",
}


def control_check_failures(
    figures: ProtocolFigures,
    *,
    standing_candidates: Collection[str],
    registered_on_register: int | None = None,
) -> list[ControlCheckFailure]:
    """Every control check the protocol fails (empty when it is consistent)."""
    failures: list[ControlCheckFailure] = []
    valid_votes = figures.valid_votes
    if figures.blank_votes is not None:
        # Blank ballots are their own line: votes + blank + invalid make the ballots cast.
        total = valid_votes + figures.blank_votes + figures.invalid_ballots
        if total != figures.ballots_cast:
            failures.append(
                ControlCheckFailure(
                    "votes_blank_and_invalid_differ_from_cast",
                    ("votes", "blank_votes", "invalid_ballots", "ballots_cast"),
                    {
                        "valid_votes": valid_votes,
                        "blank_votes": figures.blank_votes,
                        "invalid_ballots": figures.invalid_ballots,
                        "sum": total,
                        "ballots_cast": figures.ballots_cast,
                    },
                )
            )
    elif valid_votes + figures.invalid_ballots != figures.ballots_cast:
        failures.append(
            ControlCheckFailure(
                "votes_and_invalid_differ_from_cast",
                ("votes", "invalid_ballots", "ballots_cast"),
                {
                    "valid_votes": valid_votes,
                    "invalid_ballots": figures.invalid_ballots,
                    "sum": valid_votes + figures.invalid_ballots,
                    "ballots_cast": figures.ballots_cast,
                },
            )
        )
    if figures.ballots_cast > figures.ballots_issued:
        failures.append(
            ControlCheckFailure(
                "cast_exceeds_issued",
                ("ballots_cast", "ballots_issued_in_station", "ballots_issued_portable"),
                {"ballots_cast": figures.ballots_cast, "ballots_issued": figures.ballots_issued},
            )
        )
    if figures.ballots_issued + figures.unused_ballots != figures.ballots_received:
        failures.append(
            ControlCheckFailure(
                "issued_and_unused_differ_from_received",
                (
                    "ballots_issued_in_station",
                    "ballots_issued_portable",
                    "unused_ballots",
                    "ballots_received",
                ),
                {
                    "ballots_issued": figures.ballots_issued,
                    "unused_ballots": figures.unused_ballots,
                    "sum": figures.ballots_issued + figures.unused_ballots,
                    "ballots_received": figures.ballots_received,
                },
            )
        )
    if figures.ballots_issued > figures.registered_voters + figures.voters_added:
        failures.append(
            ControlCheckFailure(
                "issued_exceeds_voters",
                (
                    "ballots_issued_in_station",
                    "ballots_issued_portable",
                    "registered_voters",
                    "voters_added",
                ),
                {
                    "ballots_issued": figures.ballots_issued,
                    "registered_voters": figures.registered_voters,
                    "voters_added": figures.voters_added,
                },
            )
        )
    if registered_on_register is not None and figures.registered_voters != registered_on_register:
        failures.append(
            ControlCheckFailure(
                "registered_differs_from_register",
                ("registered_voters",),
                {
                    "registered_voters": figures.registered_voters,
                    "expected": registered_on_register,
                },
            )
        )
    for candidate in sorted(set(standing_candidates) - set(figures.votes)):
        failures.append(
            ControlCheckFailure("candidate_missing", ("votes",), {"candidate": candidate})
        )
    return failures
