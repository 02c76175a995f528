"""Results as the tally of counted protocols says: built from the running totals, never by
re-adding stations, and cached per results revision so reads stay cheap during ingest."""

from __future__ import annotations

import json
import logging
import threading
import time as clock
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.candidate import Candidate, CandidateStatus, Nomination
from tallyroom.domain.contest import district_list_contest
from tallyroom.domain.election import ContestKind
from tallyroom.domain.list_contest import ListContest
from tallyroom.domain.national_results import ConstituencyCount, NationalCount, national_results
from tallyroom.domain.results import (
    ConstituencyResult,
    NationalResults,
)
from tallyroom.domain.runoff import constituency_of_runoff
from tallyroom.domain.seat_status import SeatStatus
from tallyroom.service.definition.elections import election_of, election_row
from tallyroom.service.errors import NotFound
from tallyroom.service.protocols.annulments import (
    ConstituencyAnnulments,
    annulments_by_constituency,
)
from tallyroom.service.results.drawn_lots import drawn_lots
from tallyroom.store.schema import (
    CandidateRow,
    CandidateTotalRow,
    CertificationRow,
    ConstituencyRow,
    ConstituencyTotalRow,
    ContestRow,
    ElectionRow,
    PartyRow,
    PollingStationRow,
    ProtocolVersionRow,
    ResultsRevisionRow,
    StationResultRow,
)

#: Stored value → member: a lookup, where calling the enum costs a microsecond per candidate.
_NOMINATIONS = {nomination.value: nomination for nomination in Nomination}

log = logging.getLogger("tallyroom.service.results.results")

_NONE_ANNULLED = ConstituencyAnnulments(stations=0, ballots_cast=0)


def results_revision(session: Session, election_id: int) -> tuple[int, datetime]:
    revision, changed_at = session.execute(
        select(ResultsRevisionRow.revision, ResultsRevisionRow.changed_at).where(
            ResultsRevisionRow.election_id == election_id
        )
    ).one()
    return int(revision), changed_at if changed_at.tzinfo else changed_at.replace(tzinfo=UTC)


def round_two_seats(session: Session, election_id: int) -> dict[int, tuple[str, SeatStatus]]:
    """Round 2's leader and its count's status, by constituency number, where one leads."""
    # Imported here: the runoff services use the protocol services, which use the results.
    from tallyroom.service.results.runoff_protocols import round_two_results

    return {
        int(number): (result.leader, SeatStatus(result.status))
        for code, result in round_two_results(session, election_id).items()
        if result.leader is not None
        and result.status is not None
        and (number := constituency_of_runoff(code)) is not None
    }


def build_national_results(session: Session, election_code: str | None = None) -> NationalResults:
    """The whole results picture from the running totals (one query per table)."""
    election = election_row(session, election_code)
    eid = election.id
    revision, changed_at = results_revision(session, eid)
    parties = {
        row.id: row for row in session.scalars(select(PartyRow).where(PartyRow.election_id == eid))
    }
    station_figures = _station_figures(session, election)
    annulments = annulments_by_constituency(session, eid)
    # Columns, not ORM objects: loading thousands of candidates as objects costs more than
    # the whole rest of the picture.
    candidates_by_constituency: dict[int, list[tuple[Row[Any], int]]] = defaultdict(list)
    for candidate in session.execute(
        select(
            CandidateRow.constituency_id,
            CandidateRow.code,
            CandidateRow.full_name,
            CandidateRow.party_id,
            CandidateRow.nomination,
            CandidateRow.ballot_position,
            CandidateRow.birth_date,
            CandidateTotalRow.votes,
        )
        .join(CandidateTotalRow, CandidateTotalRow.candidate_id == CandidateRow.id)
        .where(
            CandidateRow.election_id == eid,
            CandidateRow.status == CandidateStatus.REGISTERED.value,
        )
    ):
        candidates_by_constituency[candidate.constituency_id].append(
            (candidate, int(candidate.votes))
        )
    # Two-round contests whose round 2 has a leader: constituency number → leader, status.
    round_two = round_two_seats(session, eid)
    # The lots the commission drew, by the seat each was drawn for.
    lots = drawn_lots(session, eid)
    # Each constituency's contest system and seats, as loaded (contests.csv or the default).
    systems: dict[int, tuple[ContestKind, int]] = {}
    # District list contests: their list contest (threshold included) by constituency id.
    district_lists: dict[int, ListContest] = {}
    for (
        constituency_id,
        number,
        kind,
        seat_count,
        threshold,
        counts_blank,
        divisor,
    ) in session.execute(
        select(
            ContestRow.constituency_id,
            ConstituencyRow.number,
            ContestRow.kind,
            ContestRow.seats,
            ContestRow.threshold_percent,
            ContestRow.threshold_counts_blank,
            ContestRow.first_divisor,
        )
        .join(ConstituencyRow, ConstituencyRow.id == ContestRow.constituency_id)
        .where(ContestRow.election_id == eid)
    ).tuples():
        systems[constituency_id] = (ContestKind(kind), seat_count)
        listed_contest = district_list_contest(
            number,
            ContestKind(kind),
            seat_count,
            Fraction(threshold or 0),
            threshold_counts_blank=counts_blank,
            first_divisor=Fraction(divisor) if divisor else None,
        )
        if listed_contest is not None:
            district_lists[constituency_id] = listed_contest
    defined = election_of(election)
    national_list = defined.list_contest
    party_names = [party.short_name for party in parties.values()]
    list_votes = (
        _list_votes(session, election, party_names)
        if national_list is not None or district_lists
        else None
    )
    certified = set(
        session.scalars(
            select(ContestRow.constituency_id).where(
                ContestRow.election_id == eid, ContestRow.certified_at.is_not(None)
            )
        )
    )
    counts: list[ConstituencyCount] = []
    for constituency in session.execute(
        select(
            ConstituencyRow.id,
            ConstituencyRow.number,
            ConstituencyRow.name,
            ConstituencyRow.kind,
            ConstituencyTotalRow.stations_reporting,
            ConstituencyTotalRow.registered_voters,
            ConstituencyTotalRow.voters_added,
            ConstituencyTotalRow.ballots_cast,
            ConstituencyTotalRow.invalid_ballots,
            ConstituencyTotalRow.blank_votes,
        )
        .join(ConstituencyTotalRow, ConstituencyTotalRow.constituency_id == ConstituencyRow.id)
        .where(ConstituencyRow.election_id == eid)
        .order_by(ConstituencyRow.number)
    ):
        stations_total, registered_total = station_figures.get(constituency.id, (0, 0))
        annulled = annulments.get(constituency.id, _NONE_ANNULLED)
        kind, contest_seats = systems.get(
            constituency.id,
            (ContestKind(election.contest_kind), election.seats_per_constituency),
        )
        district = district_lists.get(constituency.id)
        counts.append(
            ConstituencyCount(
                number=constituency.number,
                name=constituency.name,
                kind=constituency.kind,
                stations_total=stations_total,
                stations_reporting=constituency.stations_reporting,
                registered_voters_total=registered_total,
                registered_voters_reporting=int(constituency.registered_voters),
                voters_added=int(constituency.voters_added),
                ballots_cast=int(constituency.ballots_cast),
                invalid_ballots=int(constituency.invalid_ballots),
                blank_votes=int(constituency.blank_votes),
                stations_annulled=annulled.stations,
                ballots_annulled=annulled.ballots_cast,
                certified=constituency.id in certified,
                votes=[
                    (
                        Candidate(
                            code=candidate.code,
                            constituency=constituency.number,
                            full_name=candidate.full_name,
                            nomination=_NOMINATIONS[candidate.nomination],
                            party=parties[candidate.party_id].short_name
                            if candidate.party_id
                            else None,
                            ballot_position=candidate.ballot_position,
                        ),
                        count,
                    )
                    for candidate, count in candidates_by_constituency[constituency.id]
                ],
                system=kind,
                seats=contest_seats,
                district=district,
                district_votes=None
                if district is None or list_votes is None
                else list_votes[constituency.id],
                birth_dates={
                    candidate.code: candidate.birth_date
                    for candidate, _ in candidates_by_constituency[constituency.id]
                },
            )
        )
    national_votes = None
    if national_list is not None and list_votes is not None:
        national_votes = dict.fromkeys(party_names, 0)
        for district_votes in list_votes.values():
            for party, count in district_votes.items():
                national_votes[party] = national_votes.get(party, 0) + count
    # Final by the national certification's own act (service/results/certification.py).
    nation_certified = (
        session.scalar(
            select(CertificationRow.id)
            .where(
                CertificationRow.election_id == eid,
                CertificationRow.contest_id.is_(None),
                CertificationRow.withdrawn_at.is_(None),
            )
            .limit(1)
        )
        is not None
    )
    return national_results(
        NationalCount(
            election=defined,
            nation_certified=nation_certified,
            revision=revision,
            as_of=changed_at,
            parties=[(party.short_name, party.name, party.colour) for party in parties.values()],
            round_two=round_two,
            list_votes=national_votes,
            lots=lots,
        ),
        counts,
    )


def _list_votes(
    session: Session, election: ElectionRow, parties: Iterable[str]
) -> dict[int, dict[str, int]]:
    """The party-list ballot's votes by constituency (id) and party, added up from the counted
    protocols as signed (every party of the election, zero included, in every constituency).
    The totals come from the signed bodies of the counted versions rather than from a table
    of their own; a version never changes once stored, so each body is read once per
    process."""
    # loaded_at tells apart two loads into one database URL, whose version ids repeat.
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    url += "#" + election.loaded_at.isoformat()
    election_id = election.id
    constituency_of = dict(
        session.execute(
            select(StationResultRow.protocol_version_id, PollingStationRow.constituency_id)
            .join(PollingStationRow, PollingStationRow.id == StationResultRow.station_id)
            .where(PollingStationRow.election_id == election_id)
        )
        .tuples()
        .all()
    )
    counted = list(constituency_of)
    with _PARTY_VOTES_LOCK:
        unread = [version for version in counted if (url, version) not in _PARTY_VOTES]
    # In chunks: SQLite bounds the parameters of one statement.
    for start in range(0, len(unread), 5_000):
        read = {
            (url, version): (
                constituency_of[version],
                json.loads(body)["figures"].get("party_votes") or {},
            )
            for version, body in session.execute(
                select(ProtocolVersionRow.id, ProtocolVersionRow.body).where(
                    ProtocolVersionRow.id.in_(unread[start : start + 5_000])
                )
            ).tuples()
        }
        with _PARTY_VOTES_LOCK:
            _PARTY_VOTES.update(read)
    counted_set = frozenset(counted)
    with _PARTY_VOTES_LOCK:
        # From the previous sum, only the versions counted or uncounted since are added or
        # taken out: a rebuild during ingest touches the few new protocols, not all of them.
        previous, cached = _LIST_TOTALS.get((url, election_id), (frozenset(), {}))
        totals = {constituency: dict(votes) for constituency, votes in cached.items()}
        for versions, sign in ((counted_set - previous, 1), (previous - counted_set, -1)):
            for version in versions:
                constituency, party_votes = _PARTY_VOTES[url, version]
                district = totals.setdefault(constituency, {})
                for party, count in party_votes.items():
                    district[party] = district.get(party, 0) + sign * int(count)
        _LIST_TOTALS[url, election_id] = (counted_set, totals)
    zero = dict.fromkeys(parties, 0)
    return defaultdict(lambda: dict(zero), {c: zero | votes for c, votes in totals.items()})


#: (database URL and load, protocol version id) → its station's constituency (id) and its
#: party-list votes: versions are immutable.
_PARTY_VOTES: dict[tuple[str, int], tuple[int, dict[str, int]]] = {}
#: (database URL and load, election id) → the versions last summed and their party-list
#: totals by constituency (id)
_LIST_TOTALS: dict[tuple[str, int], tuple[frozenset[int], dict[int, dict[str, int]]]] = {}
_PARTY_VOTES_LOCK = threading.Lock()


#: Stations and their registered voters never change once an election is loaded, and summing
#: them scans every station (a million in India): once per loaded election, not per rebuild.
_STATION_FIGURES: dict[tuple[str, int, str], dict[int, tuple[int, int]]] = {}
_STATION_FIGURES_LOCK = threading.Lock()


def _station_figures(session: Session, election: ElectionRow) -> dict[int, tuple[int, int]]:
    """Per constituency id: (stations, registered voters on the register)."""
    url = session.get_bind().engine.url.render_as_string(hide_password=True)
    # loaded_at tells apart two loads of one election code into one database URL.
    key = (url, election.id, election.loaded_at.isoformat())
    with _STATION_FIGURES_LOCK:
        known = _STATION_FIGURES.get(key)
    if known is not None:
        return known
    figures = {
        constituency_id: (int(count), int(registered or 0))
        for constituency_id, count, registered in session.execute(
            select(
                PollingStationRow.constituency_id,
                func.count(PollingStationRow.id),
                func.sum(PollingStationRow.registered_voters),
            )
            .where(PollingStationRow.election_id == election.id)
            .group_by(PollingStationRow.constituency_id)
        ).tuples()
    }
    with _STATION_FIGURES_LOCK:
        _STATION_FIGURES[key] = figures
    return figures


@dataclass
class _Cached:
    results: NationalResults
    checked_at: float


class ResultsCache:
    """National results per revision. Within `freshness` seconds of the last check the cached
    picture is served without touching the database, which bounds read cost during ingest;
    a change is visible after at most `freshness` seconds (plus one rebuild, for readers that
    do not wait: `without_waiting`)."""

    def __init__(self, freshness: float = 0.25) -> None:
        self.freshness = freshness
        self._cached: _Cached | None = None
        self._lock = threading.Lock()
        self._refreshing = threading.Lock()
        #: one long-lived refresher: starting a thread per refresh would make the reader
        #: that starts it wait until the new thread runs
        self._refresher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tallyroom-results")

    @property
    def serves_stale(self) -> bool:
        """Whether readers may be shown the previous picture while a newer one is built:
        always, except with freshness 0 (tests), where every read sees the newest revision."""
        return self.freshness > 0

    def fresh(self) -> NationalResults | None:
        """The cached results if checked within `freshness` seconds, without any I/O: the
        server answers these on its event loop, never queueing readers behind writers."""
        cached = self._cached
        if cached is not None and clock.monotonic() - cached.checked_at < self.freshness:
            return cached.results
        return None

    def without_waiting(self, sessions: sessionmaker[Session]) -> NationalResults | None:
        """The cached results, never waiting for the database: when they are due for a check,
        one check (and rebuild, if the revision moved) starts in a background thread and the
        cached picture is served meanwhile. None when the caller must wait: nothing is cached
        yet, or this cache never serves stale results."""
        fresh = self.fresh()
        cached = self._cached
        if fresh is not None or cached is None or not self.serves_stale:
            return fresh
        if self._refreshing.acquire(blocking=False):
            self._refresher.submit(self._refresh, sessions)
        return cached.results

    def national(self, sessions: sessionmaker[Session]) -> NationalResults:
        """The national results, opening a session only when the cache may be stale."""
        fresh = self.fresh()
        if fresh is not None:
            return fresh
        return self._check(sessions)

    def _refresh(self, sessions: sessionmaker[Session]) -> None:
        try:
            self._check(sessions)
        except Exception:
            # The readers keep the picture they have; the next one due starts another check.
            log.exception("refreshing the national results failed")
        finally:
            self._refreshing.release()

    def _check(self, sessions: sessionmaker[Session]) -> NationalResults:
        with self._lock:
            cached = self._cached
            if cached is not None and clock.monotonic() - cached.checked_at < self.freshness:
                return cached.results
            with sessions() as session, session.begin():
                election = election_row(session)
                revision, _ = results_revision(session, election.id)
                if cached is not None and cached.results.revision == revision:
                    cached.checked_at = clock.monotonic()
                    return cached.results
                results = build_national_results(session)
            self._cached = _Cached(results, clock.monotonic())
            return results

    def invalidate(self) -> None:
        self._cached = None


def constituency_result(results: NationalResults, number: int) -> ConstituencyResult:
    for result in results.constituencies:
        if result.number == number:
            return result
    raise NotFound("unknown_constituency", f"there is no constituency {number}")
