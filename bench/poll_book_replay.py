"""The polling day's check-ins replayed in process (bench/register.py --replay): the first
stations' register loaded, each station with two poll books; a third of the register checks
in over the day (2.2 million of 6,421,960 in the whole election), each poll book sending
what it has every five minutes, durable (what all desks send at one moment committed
together, as the server's group commit does); 5 % of the poll books are offline for an hour
and send the hour's check-ins when they are back. Double votes are planted where one desk
is offline and the other checks the same voter in within that hour: every one must become
an incident (and its complaint), and no other."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from tallyroom.scenarios.az_2024 import build_definition
from tallyroom.scenarios.voter_register import RegisterGenerator, StationRegister
from tallyroom.service.definition.credentials import (
    Principal,
    authenticate_many,
    issue_credentials,
)
from tallyroom.service.definition.election_setup import define_election
from tallyroom.service.register.poll_book import CheckInRequest, DeskBatch, record_desk_batches
from tallyroom.service.register.voter_register import load_register
from tallyroom.store.database import make_engine, migrate, session_factory, transaction
from tallyroom.store.schema import ComplaintRow, DoubleVoteIncidentRow, VoterRow

FULL_REGISTER = 6_421_960
DAY_CHECK_INS = 2_200_000
#: the polling day, 08:00 to 19:00, in minutes
DAY_MINUTES = 660
SEND_EVERY = 5
OFFLINE_MINUTES = 60
BATCH = 500


@dataclass(frozen=True, slots=True)
class Desk:
    station: str
    number: int
    #: the hour the desk is offline (start minute), or None
    offline_from: int | None

    def offline_at(self, minute: int) -> bool:
        return self.offline_from is not None and (
            self.offline_from <= minute < self.offline_from + OFFLINE_MINUTES
        )

    def sent_at(self, minute: int) -> int:
        """When what the desk checked in at `minute` reaches the server."""
        if self.offline_at(minute):
            assert self.offline_from is not None
            return self.offline_from + OFFLINE_MINUTES
        return (minute // SEND_EVERY + 1) * SEND_EVERY


def replay(check_ins: int, *, offline_share: float = 0.05, doubles_per_mille: float = 1.0) -> None:
    rng = random.Random(14)
    definition = build_definition(2024)
    stations = [
        StationRegister(s.code, s.registered_voters, s.turning_18) for s in definition.stations
    ]
    share = DAY_CHECK_INS / FULL_REGISTER
    running, limit = 0, 0
    while limit < len(stations) and running * share < check_ins:
        running += stations[limit].registered_voters
        limit += 1
    folder = Path(tempfile.mkdtemp(prefix="tallyroom-replay-"))
    engine = make_engine(f"sqlite:///{folder / 'replay.db'}")
    migrate(engine)
    sessions = session_factory(engine)
    generator = RegisterGenerator(
        stations, polling_day=definition.election.polling_day, limit_stations=limit
    )
    by_station: dict[str, list[str]] = {}

    def lines() -> Iterator[list[str]]:
        for chunk in generator.chunks():
            for row in chunk:
                by_station.setdefault(row[7], []).append(row[0])
                yield row

    begun = time.monotonic()
    with transaction(sessions) as session:
        define_election(session, definition=definition, digest="0" * 64, actor="bench")
    with transaction(sessions) as session:
        load_register(session, actor="bench", lines=lines())
        credentials = issue_credentials(session, actor="bench")
    prepared = time.monotonic() - begun
    # the day: each voter who turns out checks in once at one of the station's two desks
    desks = {(code, number): Desk(code, number, None) for code in by_station for number in (0, 1)}
    for key in rng.sample(sorted(desks), round(len(desks) * offline_share)):
        desks[key] = Desk(key[0], key[1], rng.randrange(0, DAY_MINUTES - OFFLINE_MINUTES))
    # (sent at, station, desk, checked at, voter, reference)
    sends: list[tuple[int, str, int, int, str, str]] = []
    planted: set[str] = set()
    for code, voters in by_station.items():
        turnout = rng.sample(voters, round(len(voters) * share))
        chosen = {voter: (rng.randrange(2), rng.randrange(DAY_MINUTES)) for voter in turnout}
        offline = [desks[(code, n)] for n in (0, 1) if desks[(code, n)].offline_from is not None]
        doubles: list[tuple[str, int]] = []
        if len(offline) == 1 and offline[0].offline_from is not None:
            desk, begins = offline[0], offline[0].offline_from
            wanted = max(1, round(len(turnout) * doubles_per_mille / 1000))
            for voter in rng.sample(turnout, min(wanted, len(turnout))):
                # checked in at the online desk within the hour (sent before the other syncs)
                first = rng.randrange(begins, begins + OFFLINE_MINUTES - 2 * SEND_EVERY)
                chosen[voter] = (1 - desk.number, first)
                # and again at the offline desk a little later, which cannot know
                doubles.append((voter, rng.randrange(first + 1, begins + OFFLINE_MINUTES)))
                planted.add(voter)
        for position, voter in enumerate(turnout):
            number, minute = chosen[voter]
            desk = desks[(code, number)]
            sends.append((desk.sent_at(minute), code, number, minute, voter, f"{position}"))
        for position, (voter, minute) in enumerate(doubles):
            desk = offline[0]
            sends.append((desk.sent_at(minute), code, desk.number, minute, voter, f"d{position}"))
    sends.sort(key=lambda item: (item[0], item[1], item[2], item[3]))
    groups: dict[tuple[int, str, int], list[CheckInRequest]] = {}
    for at, code, number, _, voter, reference in sends:
        groups.setdefault((at, code, number), []).append(
            CheckInRequest(voter=voter, client_reference=f"{code}-{number}-{reference}")
        )
    total = sum(len(requests) for requests in groups.values())
    statuses: dict[str, int] = {}
    tokens = {code: credentials.stations[code][1] for code in by_station}
    started = time.monotonic()
    batches = 0
    ticks: dict[int, list[tuple[str, int, list[CheckInRequest]]]] = {}
    for (at, code, number), requests in groups.items():
        ticks.setdefault(at, []).append((code, number, requests))
    # each desk authenticated once for the day (a desk's principal does not change; the
    # server authenticates each request, one cached statement)
    with transaction(sessions) as session:
        principals = dict(
            zip(tokens, authenticate_many(session, list(tokens.values())), strict=True)
        )
    for at, sent in sorted(ticks.items()):
        # what every desk sends at one moment is committed together (as the server's group
        # commit does with concurrent requests): durable at each tick, the tick's audit
        # entries appended at once
        sending: list[DeskBatch] = []
        for code, number, requests in sent:
            principal = principals[code]
            assert isinstance(principal, Principal)
            # a desk back from its hour offline sends that hour as recorded offline
            online = not desks[(code, number)].offline_at(at - 1)
            sending.extend(
                DeskBatch(principal, requests[start : start + BATCH], online)
                for start in range(0, len(requests), BATCH)
            )
        with transaction(sessions) as session:
            for outcomes in record_desk_batches(session, batches=sending):
                for outcome in outcomes:
                    statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
        batches += len(sending)
    elapsed = time.monotonic() - started
    with transaction(sessions) as session:
        found = set(
            session.scalars(
                select(VoterRow.voter_number).join(
                    DoubleVoteIncidentRow, DoubleVoteIncidentRow.voter_id == VoterRow.id
                )
            )
        )
        incidents = session.scalar(select(func.count()).select_from(DoubleVoteIncidentRow))
        complaints = session.scalar(select(func.count()).select_from(ComplaintRow))
    print(
        f"poll-book replay in process: {total:,} check-ins at {len(by_station):,} stations "
        f"({running:,} voters on the register; the whole day is {DAY_CHECK_INS:,}), "
        f"{len(desks):,} poll books, {sum(d.offline_from is not None for d in desks.values())} "
        f"offline for an hour; SQLite (WAL, synchronous=FULL), one commit a 5-minute tick"
    )
    print(f"  register and election prepared in {prepared:.1f} s")
    print(
        f"  replayed in {elapsed:.1f} s: {total / elapsed:,.0f} check-ins/s in {batches:,} "
        f"batches; outcomes {statuses}"
    )
    print(
        f"  planted double votes {len(planted)}, incidents {incidents} (complaints filed "
        f"{complaints}); every planted one found: {planted <= found}; none invented: "
        f"{found <= planted and incidents == len(planted)}"
    )
    engine.dispose()
