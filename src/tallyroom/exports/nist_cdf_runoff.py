"""Rounds 2 in the NIST report: each two-round contest's round 2 is an Election of its own
(Type "runoff", dated by round 2's polling day) with one CandidateContest among the
candidates standing in it, in ballot order, counted station by station from the signed
round-2 protocols; round 1's qualified candidates "advanced-to-runoff"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tallyroom.domain.candidate import Candidate, Nomination
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.protocol_document import MalformedProtocol, parse_protocol_document
from tallyroom.exports.nist_cdf import (
    candidate_object_id,
    constituency_object_id,
    contest_object_id,
    office_object_id,
    party_object_id,
    person_object_id,
    selection_object_id,
    station_object_id,
)
from tallyroom.exports.nist_cdf_model import CdfObject, IdReferences, Text, cdf_object

#: how the round-2 objects' ids end: the round-1 ids with this suffix
ROUND_TWO_SUFFIX = "-round-2"


def advanced_to_runoff(runoffs: Sequence[Mapping[str, Any]]) -> dict[int, set[str]]:
    """Constituency number → the candidates round 1 qualified for a defined round 2."""
    return {
        int(runoff["constituency"]): {str(c["code"]) for c in runoff["candidates"]}
        for runoff in runoffs
    }


def runoff_elections(
    definition: ElectionDefinition,
    runoffs: Sequence[Mapping[str, Any]],
    protocols: Sequence[Mapping[str, Any]],
    *,
    language: str = "az",
) -> list[CdfObject]:
    """One Election per round 2 of the published `runoffs` (as runoffs.json holds them),
    counted from their stations' `protocols`; round 2 refers to round 1's people, offices
    and units."""
    votes_by_contest = _station_votes(protocols)
    stations_of: dict[int, list[str]] = {}
    for station in definition.stations:
        stations_of.setdefault(station.constituency, []).append(station.code)
    names = {c.number: c.name for c in definition.constituencies}
    elections: list[CdfObject] = []
    for runoff in runoffs:
        try:
            elections.append(
                _election(definition, runoff, votes_by_contest, stations_of, names, language)
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            # a round 2 that is not one (snapshot_runoffs names why): nothing to report
            continue
    return elections


def _election(
    definition: ElectionDefinition,
    runoff: Mapping[str, Any],
    votes_by_contest: Mapping[str, Mapping[str, Mapping[str, int]]],
    stations_of: Mapping[int, list[str]],
    names: Mapping[int, str],
    language: str,
) -> CdfObject:
    contest = str(runoff["contest"])
    number = int(runoff["constituency"])
    count = runoff["round_two"]
    status = {str(c["code"]): str(c["status"]) for c in runoff["candidates"]}
    # ballot order: the definition's order of the constituency's candidates
    ballot = [c for c in definition.candidates if c.code in status]
    station_votes = votes_by_contest.get(contest, {})
    district = constituency_object_id(number)
    counted = [code for code in stations_of.get(number, []) if code in station_votes]
    decided = count.get("status") == "won"
    candidates: list[CdfObject] = []
    selections: list[CdfObject] = []
    order = 0
    for candidate in ballot:
        standing = status[candidate.code] == "standing"
        candidates.append(
            _candidate(
                candidate,
                language,
                standing=standing,
                post=None
                if not standing
                else (
                    ("winner" if count.get("leader") == candidate.code else "defeated")
                    if decided
                    else None
                ),
            )
        )
        if not standing:
            continue
        order += 1
        vote_counts = [
            cdf_object(
                "VoteCounts",
                GpUnitId=station_object_id(code),
                Type="total",
                Count=station_votes[code].get(candidate.code, 0),
            )
            for code in counted
        ]
        if counted:
            vote_counts.append(
                cdf_object(
                    "VoteCounts",
                    GpUnitId=district,
                    Type="total",
                    Count=sum(station_votes[code].get(candidate.code, 0) for code in counted),
                )
            )
        selections.append(
            cdf_object(
                "CandidateSelection",
                selection_object_id(candidate.code) + ROUND_TWO_SUFFIX,
                SequenceOrder=order,
                VoteCounts=vote_counts,
                CandidateIds=IdReferences((_candidate_id(candidate.code),)),
            )
        )
    total = int(count.get("stations_total", 0))
    count_status = (
        "not-processed" if not counted else ("completed" if len(counted) == total else "in-process")
    )
    polling_day = str(runoff.get("polling_date") or definition.election.polling_day.isoformat())
    return cdf_object(
        "Election",
        Candidate=candidates,
        Contest=[
            cdf_object(
                "CandidateContest",
                contest_object_id(number) + ROUND_TWO_SUFFIX,
                ContestSelection=selections,
                CountStatus=[cdf_object("CountStatus", Status=count_status, Type="total")],
                ElectionDistrictId=district,
                ExternalIdentifier=[
                    cdf_object(
                        "ExternalIdentifier",
                        Type="other",
                        OtherType="tallyroom-contest",
                        Value=contest,
                    )
                ],
                Name=f"{number}. {names.get(number, '')}, round 2",
                SequenceOrder=number,
                SubUnitsReported=len(counted),
                TotalSubUnits=total,
                VoteVariation="plurality",
                NumberElected=1,
                OfficeIds=IdReferences((office_object_id(number),)),
                VotesAllowed=1,
            )
        ],
        CountStatus=[cdf_object("CountStatus", Status=count_status, Type="total")],
        ElectionScopeId=district,
        ExternalIdentifier=[
            cdf_object(
                "ExternalIdentifier",
                Type="other",
                OtherType="tallyroom-election-code",
                Value=definition.election.code,
            ),
            cdf_object(
                "ExternalIdentifier",
                Type="other",
                OtherType="tallyroom-contest",
                Value=contest,
            ),
        ],
        Name=Text(f"{definition.election.name}: {contest}", language),
        StartDate=polling_day,
        EndDate=polling_day,
        Type="runoff",
    )


def _candidate_id(code: str) -> str:
    return candidate_object_id(code) + ROUND_TWO_SUFFIX


def _candidate(
    candidate: Candidate,
    language: str,
    *,
    standing: bool,
    post: str | None,
) -> CdfObject:
    nominating_party = (
        party_object_id(candidate.party)
        if candidate.nomination is Nomination.PARTY and candidate.party is not None
        else None
    )
    return cdf_object(
        "Candidate",
        _candidate_id(candidate.code),
        BallotName=Text(candidate.full_name, language),
        ExternalIdentifier=[
            cdf_object("ExternalIdentifier", Type="local-level", Value=candidate.code)
        ],
        PartyId=nominating_party,
        PersonId=person_object_id(candidate.code),
        PostElectionStatus=post if standing else "withdrawn",
        PreElectionStatus="qualified" if standing else "withdrawn",
    )


def _station_votes(protocols: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, dict[str, int]]]:
    """Round-2 contest → station → its counted protocol's votes."""
    votes: dict[str, dict[str, dict[str, int]]] = {}
    for entry in protocols:
        try:
            document = parse_protocol_document(entry["protocol"])
        except (MalformedProtocol, KeyError, TypeError):
            continue
        votes.setdefault(str(entry["contest"]), {})[document.station] = dict(document.figures.votes)
    return votes
