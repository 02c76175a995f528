"""The results read model as JSON: one shape for the API, the CLI and open data."""

from __future__ import annotations

from typing import Any

from tallyroom.domain.electoral_systems.election_leveling import ElectionLeveling
from tallyroom.domain.electoral_systems.list_seats import exact_number
from tallyroom.domain.results import ConstituencyResult, NationalResults, TurnoutPoint


def constituency_json(
    result: ConstituencyResult, leveling: ElectionLeveling | None = None
) -> dict[str, Any]:
    """A constituency's document; `leveling`, the election's leveling seats, adds those placed
    in this district."""
    leader = result.leader
    return (
        {
            "number": result.number,
            "name": result.name,
            "kind": result.kind,
            "stations_total": result.stations_total,
            "stations_reporting": result.stations_reporting,
            "stations_annulled": result.stations_annulled,
            "ballots_annulled": result.ballots_annulled,
            "count_complete": result.count_complete,
            "registered_voters": result.registered_voters_total,
            "registered_voters_reporting": result.registered_voters_reporting,
            "voters_added": result.voters_added,
            "ballots_cast": result.ballots_cast,
            "invalid_ballots": result.invalid_ballots,
            "valid_votes": result.valid_votes,
            "candidates": [
                {
                    "code": candidate.code,
                    "full_name": candidate.full_name,
                    "party": candidate.party,
                    "nomination": candidate.nomination.value,
                    "votes": candidate.votes,
                    "share": round(candidate.share, 4),
                }
                for candidate in result.candidates
            ],
            "leader": leader.code if leader else None,
            "tie": result.tie,
            "leaders": list(result.leaders),
            "margin_votes": result.margin_votes,
            "margin_percent": round(result.margin_percent, 4),
            "too_close": result.too_close,
            "certified": result.certified,
            "seat_status": result.seat_status.value if result.seat_status else None,
            "too_close_to_call": result.too_close_to_call,
        }
        | _blank_votes(result.blank_votes)
        | _district_list(result)
        | _tie_decision(result)
        | _leveling_seats(result, leveling)
    )


def _leveling_seats(
    result: ConstituencyResult, leveling: ElectionLeveling | None
) -> dict[str, Any]:
    """The leveling seats the geographic step placed in a district list contest, each with
    the quotient that placed it and the candidate who takes it."""
    if leveling is None or result.district_list is None:
        return {}
    status = leveling.status.value if leveling.status is not None else None
    return {
        "leveling_seats": [
            {
                "order": seat.order,
                "party": seat.party,
                "candidate": seat.candidate,
                "status": status,
                "quotient": exact_number(seat.quotient, digits=4),
            }
            for seat in leveling.in_district(str(result.number))
        ]
    }


def _tie_decision(result: ConstituencyResult) -> dict[str, Any]:
    """A tied candidate contest: who holds its seats by the election's tie rule and the
    commission's lots, and the tie still awaiting a lot ("tied, lot pending"), never a silent
    pick. Absent where nothing is tied, so those documents stay as they were."""
    if result.district_list is not None or not (result.tie or result.pending_tie):
        return {}
    pending = result.pending_tie
    return {
        "tie_decision": {
            "seat_holders": [
                {"candidate": code, "status": status} for code, status in result.seat_holders
            ],
            "pending": None
            if pending is None
            else {"seat": pending.seat, "between": list(pending.between), "reason": pending.reason},
        }
    }


def _district_list(result: ConstituencyResult) -> dict[str, Any]:
    """A district list contest's quotient table, threshold line and seat holders (closed
    list order); nothing for a candidate contest, whose document stays as it was."""
    if result.district_list is None:
        return {}
    parties = {candidate.code: candidate.party for candidate in result.candidates}
    return {
        "district_list": result.district_list.quotient_table()
        | {
            "seat_holders": [
                {"candidate": code, "party": parties.get(code), "status": status}
                for code, status in result.seat_holders
            ]
        }
    }


def _blank_votes(count: int) -> dict[str, int]:
    # Only once a counted protocol has the blank-votes line: the documents of elections whose
    # protocols have none stay as they were.
    return {"blank_votes": count} if count else {}


def national_json(results: NationalResults, *, with_constituencies: bool = True) -> dict[str, Any]:
    document: dict[str, Any] = {
        "election": results.election,
        "status": results.status,
        "revision": results.revision,
        "as_of": results.as_of.isoformat(),
        "seats_total": results.seats_total,
        "majority": results.majority,
        "stations_total": results.stations_total,
        "stations_reporting": results.stations_reporting,
        "stations_annulled": results.stations_annulled,
        "ballots_annulled": results.ballots_annulled,
        "registered_voters": results.registered_voters,
        "registered_voters_reporting": results.registered_voters_reporting,
        "ballots_cast": results.ballots_cast,
        "invalid_ballots": results.invalid_ballots,
        "seats": [
            {
                "party": group.party,
                "nomination": group.nomination.value,
                "seats": group.seats,
                "won": group.won,
                "leading": group.leading,
            }
            for group in results.seats
        ],
        "seats_declared": results.seats_declared,
        "seats_won": results.seats_won,
        "seats_leading": results.seats_leading,
        "parties_with_seats": results.parties_with_seats,
        "parties": [
            {
                "short_name": party.short_name,
                "name": party.name,
                "colour": party.colour,
                "votes": party.votes,
                "seats": party.seats,
                "seats_won": party.seats_won,
                "member_seats": party.member_seats,
                "member_seats_won": party.member_seats_won,
            }
            for party in results.parties
        ],
        "votes_party_members": results.votes_party_members,
        "votes_non_party": results.votes_non_party,
        "ties": list(results.ties),
        "too_close_to_call": list(results.too_close_to_call),
    }
    document |= _blank_votes(results.blank_votes)
    if results.list_seats is not None:
        # Only for elections with a list contest: the others' documents stay as they were.
        document["list_contest"] = results.list_seats.quotient_table()
        document["national_seats"] = [
            {"party": party, "constituency_seats": constituency, "list_seats": listed}
            for party, constituency, listed in results.national_seats()
        ]
    if results.leveling is not None:
        # Only for elections with leveling seats: the others' documents stay as they were.
        document["leveling"] = results.leveling.quotient_table()
    if with_constituencies:
        document["constituencies"] = [
            constituency_json(c, results.leveling) for c in results.constituencies
        ]
    return document


def turnout_json(points: list[TurnoutPoint]) -> dict[str, Any]:
    return {
        "hours": [
            {
                "as_of": point.as_of,
                "voters": point.voters,
                "stations_reporting": point.stations_reporting,
                "percent": round(point.percent, 2),
            }
            for point in points
        ]
    }
