"""The whole results as a NIST SP 1500-100 v2 Election Results Common Data Format report.

Maps the election definition and the stations' current protocols to NIST objects; see
docs/open-data.md ("NIST SP 1500-100 v2") for the mapping table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from tallyroom import __version__
from tallyroom.domain.candidate import Candidate, CandidateStatus, Nomination
from tallyroom.domain.constituency import Constituency
from tallyroom.domain.contest import contest_code
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election import ContestKind
from tallyroom.domain.electoral_systems.contest_seats import NO_RULE, ContestTies, contest_seats
from tallyroom.domain.polling_station import PollingStation
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.exports.nist_cdf_json import to_json
from tallyroom.exports.nist_cdf_model import CdfObject, IdReferences, Text, cdf_object
from tallyroom.exports.nist_cdf_xml import to_xml

ResultsStage = Literal["preliminary", "final"]

DEFAULT_VENDOR_APPLICATION_ID = f"tallyroom {__version__}"
DEFAULT_ISSUER = "Central Election Commission of the Republic of Azerbaijan"
DEFAULT_ISSUER_ABBREVIATION = "CEC"

# Characters allowed in an xsd:ID (an NCName) that we keep as they are; anything else in a
# code is escaped so that two different codes can never map to the same id.
_ID_SAFE = re.compile(r"[A-Za-z0-9._-]")


def _id_part(code: str) -> str:
    return "".join(
        character if _ID_SAFE.fullmatch(character) else f"_{ord(character):x}_"
        for character in code
    )


def country_object_id(country: str) -> str:
    return f"ru-{_id_part(country.lower())}"


def constituency_object_id(number: int) -> str:
    return f"ru-ed-{number:03d}"


def station_object_id(code: str) -> str:
    return f"ru-ps-{_id_part(code)}"


def contest_object_id(number: int) -> str:
    return f"contest-{number:03d}"


def office_object_id(number: int) -> str:
    return f"office-{number:03d}"


def party_object_id(short_name: str) -> str:
    return f"party-{_id_part(short_name)}"


def candidate_object_id(code: str) -> str:
    return f"cand-{_id_part(code)}"


def person_object_id(code: str) -> str:
    return f"person-{_id_part(code)}"


def selection_object_id(code: str) -> str:
    return f"sel-{_id_part(code)}"


def country_ocd_id(country: str) -> str:
    return f"ocd-division/country:{country.lower()}"


def constituency_ocd_id(country: str, number: int) -> str:
    return f"{country_ocd_id(country)}/ed:{number}"


@dataclass(frozen=True, slots=True)
class _Tally:
    """Figures summed over the reported stations of a unit (None when none has reported)."""

    stations_total: int
    stations_reported: int
    voters_registered: int
    voters_participated: int | None
    ballots_cast: int | None
    ballots_rejected: int | None

    @property
    def count_status(self) -> str:
        if self.stations_reported == 0:
            return "not-processed"
        if self.stations_reported == self.stations_total:
            return "completed"
        return "in-process"


def _registered_at_close(station: PollingStation, protocol: ProtocolFigures | None) -> int:
    # A protocol's register includes voters added on polling day; before it arrives, the
    # definition's register is the best figure there is.
    if protocol is None:
        return station.registered_voters
    return protocol.registered_voters + protocol.voters_added


def _tally(stations: Sequence[PollingStation], protocols: Mapping[str, ProtocolFigures]) -> _Tally:
    reported = [protocols[station.code] for station in stations if station.code in protocols]
    return _Tally(
        stations_total=len(stations),
        stations_reported=len(reported),
        voters_registered=sum(
            _registered_at_close(station, protocols.get(station.code)) for station in stations
        ),
        voters_participated=sum(p.ballots_issued for p in reported) if reported else None,
        ballots_cast=sum(p.ballots_cast for p in reported) if reported else None,
        ballots_rejected=sum(p.invalid_ballots for p in reported) if reported else None,
    )


def _count_status(status: str) -> CdfObject:
    return cdf_object("CountStatus", Status=status, Type="total")


def _ballot_counts(unit_id: str, tally: _Tally) -> CdfObject | None:
    if tally.ballots_cast is None:
        return None
    # BallotsOutstanding is left out: the ballots of stations that have not reported are not
    # known, and an estimate would read as a count.
    return cdf_object(
        "BallotCounts",
        GpUnitId=unit_id,
        Type="total",
        BallotsCast=tally.ballots_cast,
        BallotsRejected=tally.ballots_rejected,
    )


def _identifier(kind: str, value: str) -> CdfObject:
    return cdf_object("ExternalIdentifier", Type=kind, Value=value)


def _check_protocols(
    definition: ElectionDefinition, protocols: Mapping[str, ProtocolFigures]
) -> None:
    """Refuse protocols that cannot be placed, rather than silently dropping their votes."""
    stations = {station.code: station for station in definition.stations}
    candidates = {candidate.code: candidate for candidate in definition.candidates}
    problems: list[str] = []
    for code in sorted(protocols):
        station = stations.get(code)
        if station is None:
            problems.append(f"protocol for unknown station {code!r}")
            continue
        for candidate_code in sorted(protocols[code].votes):
            candidate = candidates.get(candidate_code)
            if candidate is None or candidate.constituency != station.constituency:
                problems.append(
                    f"station {code!r}: votes for {candidate_code!r}, "
                    f"not a candidate of constituency {station.constituency}"
                )
    if problems:
        raise ValueError("; ".join(problems))


#: NIST VoteVariation of each contest system
_VOTE_VARIATIONS = {
    ContestKind.SINGLE_MEMBER_PLURALITY: "plurality",
    ContestKind.MULTI_MEMBER_PLURALITY: "n-of-m",
    ContestKind.TWO_ROUND_MAJORITY: "majority",
    # a district list contest's candidates: their seats follow their party's list votes
    ContestKind.DHONDT: "proportional",
    ContestKind.SAINTE_LAGUE: "proportional",
    ContestKind.HARE: "proportional",
    ContestKind.DROOP: "proportional",
}


def _post_election_status(
    candidate: Candidate,
    totals: Mapping[str, int],
    standing: Sequence[Candidate],
    seats: int,
    stage: ResultsStage,
    complete: bool,
    kind: ContestKind = ContestKind.SINGLE_MEMBER_PLURALITY,
    registered_voters: int = 0,
    ties: ContestTies = NO_RULE,
    contest: str = "constituency",
) -> str | None:
    """Winner/defeated only on final, complete results, a tie for the last seat by the
    election's tie rule and the confirmed lots (`ties`), never across a tie still awaiting its
    lot; in a two-round contest only a round-1 majority winner is a winner (the rest await
    round 2)."""
    if not candidate.is_standing:
        return "withdrawn"
    if stage != "final" or not complete:
        return None
    outcome = contest_seats(
        kind,
        {c.code: totals.get(c.code, 0) for c in standing},
        seats=1 if kind is ContestKind.TWO_ROUND_MAJORITY else seats,
        registered_voters=registered_voters,
        ties=ties,
        contest=contest,
    )
    if kind is ContestKind.TWO_ROUND_MAJORITY and not outcome.holders:
        return None
    if outcome.pending is not None:
        return None
    return "winner" if candidate.code in outcome.holders else "defeated"


def _constituency_title(constituency: Constituency) -> str:
    return f"{constituency.number}. {constituency.name}"


def build_election_report(
    definition: ElectionDefinition,
    protocols: Mapping[str, ProtocolFigures],
    *,
    status: ResultsStage,
    generated_at: datetime,
    vendor_application_id: str = DEFAULT_VENDOR_APPLICATION_ID,
    issuer: str = DEFAULT_ISSUER,
    issuer_abbreviation: str = DEFAULT_ISSUER_ABBREVIATION,
    language: str = "az",
    drill: bool = False,
    lots: Mapping[str, str] | None = None,
    rounds_two: Sequence[CdfObject] = (),
    advanced_to_runoff: Mapping[int, set[str]] | None = None,
) -> CdfObject:
    """The results as a NIST ElectionReport tree.

    ``protocols`` maps a station code to the station's current accepted protocol; a station
    that is absent has not reported (or was annulled) and contributes no figures.

    Party affiliation and nomination are kept apart the way NIST models them:
    ``Candidate.PartyId`` is the party under which the candidate stands, so it is set only
    for a party's nominee; ``Person.PartyId`` is the person's own affiliation, so it is set
    for a party member standing self-nominated (who is counted as an independent).
    A non-party candidate has neither. The definition records no separate membership for a
    nominee, so a nominee's Person carries no PartyId rather than a guessed one.

    ``rounds_two`` are the round-2 Elections (exports/nist_cdf_runoff.py), reported after
    round 1's; ``advanced_to_runoff`` names, by constituency, round 1's candidates sent to a
    defined round 2.
    """
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise ValueError("generated_at must be timezone-aware")
    _check_protocols(definition, protocols)
    election = definition.election
    country_id = country_object_id(election.country)
    systems = definition.contest_systems()
    # ties as the results decide them: the election's rule, the birth dates, the confirmed lots
    ties = ContestTies(
        election.tie_rule,
        {candidate.code: candidate.birth_date for candidate in definition.candidates},
        lots or {},
    )

    stations_by_constituency: dict[int, list[PollingStation]] = {
        constituency.number: [] for constituency in definition.constituencies
    }
    for station in definition.stations:
        stations_by_constituency[station.constituency].append(station)
    candidates_by_constituency: dict[int, list[Candidate]] = {
        constituency.number: [] for constituency in definition.constituencies
    }
    for candidate in definition.candidates:
        candidates_by_constituency[candidate.constituency].append(candidate)

    national = _tally(definition.stations, protocols)
    ballot_counts: list[CdfObject | None] = []
    candidates: list[CdfObject] = []
    persons: list[CdfObject] = []
    contests: list[CdfObject] = []
    offices: list[CdfObject] = []
    constituency_units: list[CdfObject] = []
    station_units: list[CdfObject] = []

    for constituency in definition.constituencies:
        number = constituency.number
        kind, seats = systems[number]
        district_id = constituency_object_id(number)
        stations = stations_by_constituency[number]
        tally = _tally(stations, protocols)
        title = _constituency_title(constituency)
        constituency_units.append(
            cdf_object(
                "ReportingUnit",
                district_id,
                ComposingGpUnitIds=IdReferences(
                    tuple(station_object_id(station.code) for station in stations)
                ),
                ExternalIdentifier=[
                    _identifier("ocd-id", constituency_ocd_id(election.country, number)),
                    _identifier("national-level", str(number)),
                ],
                Name=Text(constituency.name, language),
                CountStatus=[_count_status(tally.count_status)],
                IsDistricted=True,
                Number=str(number),
                SubUnitsReported=tally.stations_reported,
                TotalSubUnits=tally.stations_total,
                # NIST's district literals are US offices (state-house, congressional, ...);
                # a national parliament's constituency is none of them.
                Type="other",
                OtherType="constituency",
                VotersParticipated=tally.voters_participated,
                VotersRegistered=tally.voters_registered,
            )
        )
        for station in stations:
            protocol = protocols.get(station.code)
            station_id = station_object_id(station.code)
            station_units.append(
                cdf_object(
                    "ReportingUnit",
                    station_id,
                    ExternalIdentifier=[_identifier("local-level", station.code)],
                    Name=Text(station.name, language),
                    CountStatus=[
                        _count_status("completed" if protocol is not None else "not-processed")
                    ],
                    # The station is where ballots are cast and counted; "precinct" would
                    # name a geographic area, which a station code does not describe.
                    Type="polling-place",
                    VotersParticipated=protocol.ballots_issued if protocol is not None else None,
                    VotersRegistered=_registered_at_close(station, protocol),
                )
            )
            station_tally = _tally([station], protocols)
            ballot_counts.append(_ballot_counts(station_id, station_tally))
        ballot_counts.append(_ballot_counts(district_id, tally))

        contest_candidates = candidates_by_constituency[number]
        standing = [candidate for candidate in contest_candidates if candidate.is_standing]
        totals = {
            candidate.code: sum(
                protocols[station.code].votes.get(candidate.code, 0)
                for station in stations
                if station.code in protocols
            )
            for candidate in contest_candidates
        }
        complete = tally.stations_reported == tally.stations_total and tally.stations_total > 0
        selections: list[CdfObject] = []
        for order, candidate in enumerate(contest_candidates, start=1):
            vote_counts = [
                cdf_object(
                    "VoteCounts",
                    GpUnitId=station_object_id(station.code),
                    Type="total",
                    Count=protocols[station.code].votes.get(candidate.code, 0),
                )
                for station in stations
                if station.code in protocols
            ]
            if tally.stations_reported:
                vote_counts.append(
                    cdf_object(
                        "VoteCounts",
                        GpUnitId=district_id,
                        Type="total",
                        Count=totals[candidate.code],
                    )
                )
            selections.append(
                cdf_object(
                    "CandidateSelection",
                    selection_object_id(candidate.code),
                    SequenceOrder=order,
                    VoteCounts=vote_counts,
                    CandidateIds=IdReferences((candidate_object_id(candidate.code),)),
                )
            )
            nominating_party = (
                party_object_id(candidate.party)
                if candidate.nomination is Nomination.PARTY and candidate.party is not None
                else None
            )
            member_of = (
                party_object_id(candidate.party)
                if candidate.nomination is Nomination.PARTY_MEMBER and candidate.party is not None
                else None
            )
            candidates.append(
                cdf_object(
                    "Candidate",
                    candidate_object_id(candidate.code),
                    BallotName=Text(candidate.full_name, language),
                    ExternalIdentifier=[_identifier("local-level", candidate.code)],
                    PartyId=nominating_party,
                    PersonId=person_object_id(candidate.code),
                    PostElectionStatus="advanced-to-runoff"
                    if candidate.code in (advanced_to_runoff or {}).get(number, set())
                    else _post_election_status(
                        candidate,
                        totals,
                        standing,
                        seats,
                        status,
                        complete,
                        kind,
                        # the register, as the running results take the quarter of it
                        sum(station.registered_voters for station in stations),
                        ties,
                        contest_code(number),
                    ),
                    PreElectionStatus=(
                        "qualified"
                        if candidate.status is CandidateStatus.REGISTERED
                        else "withdrawn"
                    ),
                )
            )
            persons.append(
                cdf_object(
                    "Person",
                    person_object_id(candidate.code),
                    FullName=Text(candidate.full_name, language),
                    PartyId=member_of,
                )
            )
        contests.append(
            cdf_object(
                "CandidateContest",
                contest_object_id(number),
                ContestSelection=selections,
                CountStatus=[_count_status(tally.count_status)],
                ElectionDistrictId=district_id,
                ExternalIdentifier=[
                    _identifier("ocd-id", constituency_ocd_id(election.country, number))
                ],
                Name=title,
                SequenceOrder=number,
                SubUnitsReported=tally.stations_reported,
                TotalSubUnits=tally.stations_total,
                VoteVariation=_VOTE_VARIATIONS[kind],
                NumberElected=seats,
                OfficeIds=IdReferences((office_object_id(number),)),
                VotesAllowed=seats if kind is ContestKind.MULTI_MEMBER_PLURALITY else 1,
            )
        )
        district_list = definition.contest_of(number).list_contest()
        if district_list is not None:
            # A district list contest's party-list ballot: one PartyContest for the district.
            contests.append(
                _party_contest(
                    definition,
                    protocols,
                    district_list.code,
                    district_id,
                    {number: stations},
                    tally,
                    language,
                )
            )
        offices.append(
            cdf_object(
                "Office",
                office_object_id(number),
                ElectionDistrictId=district_id,
                IsPartisan=True,
                Name=Text(title, language),
            )
        )
    ballot_counts.append(_ballot_counts(country_id, national))
    if election.list_contest is not None:
        contests.append(
            _party_contest(
                definition,
                protocols,
                election.list_contest.code,
                country_id,
                stations_by_constituency,
                national,
                language,
            )
        )
    if election.leveling is not None:
        # The leveling seats as a PartyContest of the country over the district list
        # contests' party votes (CDF has no leveling seats of its own): their number is an
        # "other" identifier; who took them is the seat tally's, as for every list seat.
        leveled = {
            number: stations_by_constituency[number]
            for number, (kind, _) in systems.items()
            if kind.is_list
        }
        contests.append(
            _party_contest(
                definition,
                protocols,
                LEVELING_CONTEST,
                country_id,
                leveled,
                _tally([s for stations in leveled.values() for s in stations], protocols),
                language,
                identifiers=(
                    cdf_object(
                        "ExternalIdentifier",
                        Type="other",
                        OtherType="tallyroom-leveling-seats",
                        Value=str(election.leveling.total(len(leveled))),
                    ),
                ),
            )
        )

    country_unit = cdf_object(
        "ReportingUnit",
        country_id,
        ComposingGpUnitIds=IdReferences(
            tuple(constituency_object_id(c.number) for c in definition.constituencies)
        ),
        ExternalIdentifier=[_identifier("ocd-id", country_ocd_id(election.country))],
        CountStatus=[_count_status(national.count_status)],
        SubUnitsReported=national.stations_reported,
        TotalSubUnits=national.stations_total,
        Type="country",
        VotersParticipated=national.voters_participated,
        VotersRegistered=national.voters_registered,
    )
    parties = [
        cdf_object(
            "Party",
            party_object_id(party.short_name),
            Abbreviation=Text(party.short_name, language),
            Color=party.colour.removeprefix("#").lower(),
            ExternalIdentifier=[_identifier("local-level", party.short_name)],
            Name=Text(party.name, language),
        )
        for party in definition.parties
    ]
    election_object = cdf_object(
        "Election",
        BallotCounts=[counts for counts in ballot_counts if counts is not None],
        Candidate=candidates,
        Contest=contests,
        CountStatus=[_count_status(national.count_status)],
        ElectionScopeId=country_id,
        ExternalIdentifier=[
            cdf_object(
                "ExternalIdentifier",
                Type="other",
                OtherType="tallyroom-election-code",
                Value=election.code,
            )
        ],
        Name=Text(election.name, language),
        StartDate=election.polling_day.isoformat(),
        EndDate=election.polling_day.isoformat(),
        Type="general",
    )
    all_in = national.stations_reported == national.stations_total
    if status == "final":
        report_status = "certified"
    else:
        report_status = "unofficial-complete" if all_in else "unofficial-partial"
    return cdf_object(
        "ElectionReport",
        Election=[election_object, *rounds_two],
        Format="precinct-level",
        # NIST's DateTimeWithZone allows no fractional seconds.
        GeneratedDate=generated_at.replace(microsecond=0).isoformat(),
        GpUnit=[country_unit, *constituency_units, *station_units],
        Issuer=issuer,
        IssuerAbbreviation=issuer_abbreviation,
        # A drill's results are a test run in NIST's terms (domain/election_clock.py).
        IsTest=drill,
        Office=offices,
        Party=parties,
        Person=persons,
        # The whole results go out as one report, never split into a numbered series.
        SequenceStart=1,
        SequenceEnd=1,
        Status=report_status,
        TestType="drill" if drill else None,
        VendorApplicationId=vendor_application_id,
    )


#: the leveling seats' PartyContest, as its ExternalIdentifier and object id name it
LEVELING_CONTEST = "leveling-seats"


def list_contest_object_id(code: str) -> str:
    return f"list-contest-{_id_part(code)}"


def party_selection_object_id(contest: str, party: str) -> str:
    return f"party-selection-{_id_part(contest)}-{_id_part(party)}"


def _party_contest(
    definition: ElectionDefinition,
    protocols: Mapping[str, ProtocolFigures],
    code: str,
    country_id: str,
    stations_by_constituency: Mapping[int, list[PollingStation]],
    national: _Tally,
    language: str,
    identifiers: Sequence[CdfObject] = (),
) -> CdfObject:
    """A party-list contest as a NIST PartyContest: one PartySelection per party on the list
    ballot, with the votes of each counted station's `party_votes`, each constituency's and
    the contest's area's (the seats themselves are the seat tally's). The national list
    contest's area is the country; a district list contest's (`country_id` then names the
    constituency) is its one constituency, whose total is given once."""

    def party_votes(code: str, party: str) -> int | None:
        protocol = protocols.get(code)
        if protocol is None or protocol.party_votes is None:
            return None
        return protocol.party_votes.get(party, 0)

    selections: list[CdfObject] = []
    for order, party in enumerate(definition.parties, start=1):
        vote_counts: list[CdfObject] = []
        nation = 0
        reported_anywhere = False
        for number, stations in stations_by_constituency.items():
            district = 0
            reported = False
            for station in stations:
                votes = party_votes(station.code, party.short_name)
                if votes is None:
                    continue
                reported = True
                district += votes
                vote_counts.append(
                    cdf_object(
                        "VoteCounts",
                        GpUnitId=station_object_id(station.code),
                        Type="total",
                        Count=votes,
                    )
                )
            if reported:
                reported_anywhere = True
                nation += district
                vote_counts.append(
                    cdf_object(
                        "VoteCounts",
                        GpUnitId=constituency_object_id(number),
                        Type="total",
                        Count=district,
                    )
                )
        if reported_anywhere and country_id not in {
            constituency_object_id(number) for number in stations_by_constituency
        }:
            vote_counts.append(
                cdf_object("VoteCounts", GpUnitId=country_id, Type="total", Count=nation)
            )
        selections.append(
            cdf_object(
                "PartySelection",
                party_selection_object_id(code, party.short_name),
                SequenceOrder=order,
                VoteCounts=vote_counts,
                PartyIds=IdReferences((party_object_id(party.short_name),)),
            )
        )
    return cdf_object(
        "PartyContest",
        list_contest_object_id(code),
        ContestSelection=selections,
        CountStatus=[_count_status(national.count_status)],
        ElectionDistrictId=country_id,
        ExternalIdentifier=[_identifier("local-level", code), *identifiers],
        Name=code,
        SubUnitsReported=national.stations_reported,
        TotalSubUnits=national.stations_total,
        VoteVariation="proportional",
    )


def election_report_xml(
    definition: ElectionDefinition,
    protocols: Mapping[str, ProtocolFigures],
    *,
    status: ResultsStage,
    generated_at: datetime,
    vendor_application_id: str = DEFAULT_VENDOR_APPLICATION_ID,
    issuer: str = DEFAULT_ISSUER,
    issuer_abbreviation: str = DEFAULT_ISSUER_ABBREVIATION,
    language: str = "az",
    drill: bool = False,
    lots: Mapping[str, str] | None = None,
    rounds_two: Sequence[CdfObject] = (),
    advanced_to_runoff: Mapping[int, set[str]] | None = None,
) -> bytes:
    """The whole results as NIST SP 1500-100 v2 XML (UTF-8, same input gives the same bytes)."""
    return to_xml(
        build_election_report(
            definition,
            protocols,
            status=status,
            generated_at=generated_at,
            vendor_application_id=vendor_application_id,
            issuer=issuer,
            issuer_abbreviation=issuer_abbreviation,
            language=language,
            drill=drill,
            lots=lots,
            rounds_two=rounds_two,
            advanced_to_runoff=advanced_to_runoff,
        )
    )


def election_report_json(
    definition: ElectionDefinition,
    protocols: Mapping[str, ProtocolFigures],
    *,
    status: ResultsStage,
    generated_at: datetime,
    vendor_application_id: str = DEFAULT_VENDOR_APPLICATION_ID,
    issuer: str = DEFAULT_ISSUER,
    issuer_abbreviation: str = DEFAULT_ISSUER_ABBREVIATION,
    language: str = "az",
    drill: bool = False,
    lots: Mapping[str, str] | None = None,
    rounds_two: Sequence[CdfObject] = (),
    advanced_to_runoff: Mapping[int, set[str]] | None = None,
) -> dict[str, Any]:
    """The whole results as a NIST SP 1500-100 v2 JSON document (a JSON-able dict)."""
    return to_json(
        build_election_report(
            definition,
            protocols,
            status=status,
            generated_at=generated_at,
            vendor_application_id=vendor_application_id,
            issuer=issuer,
            issuer_abbreviation=issuer_abbreviation,
            language=language,
            drill=drill,
            lots=lots,
            rounds_two=rounds_two,
            advanced_to_runoff=advanced_to_runoff,
        )
    )
