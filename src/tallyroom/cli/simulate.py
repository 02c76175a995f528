"""`tallyroom simulate az-2024`: play polling day over HTTP like real stations, and watch."""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.console import Group
from rich.live import Live
from rich.table import Table

from tallyroom.cli.credential_folder import CredentialFolderError, read_credential_folder
from tallyroom.cli.output import console, errors, fail
from tallyroom.cli.results_commands import print_results
from tallyroom.cli.store_access import sessions
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election_clock import ElectionClock
from tallyroom.scenarios.built_in import SCENARIO_NAMES, built_in_scenario
from tallyroom.scenarios.polling_day import BallotStuffing, PollingDayPlan, build_polling_day_plan
from tallyroom.service.audit import audit_tree
from tallyroom.service.definition.credentials import IssuedCredentials, KeyMaking, issue_credentials
from tallyroom.service.definition.election_setup import define_election
from tallyroom.service.definition.elections import election_row
from tallyroom.service.errors import NotFound, ServiceError
from tallyroom.service.register.voter_register import active_voters_by_station
from tallyroom.simulator.check_in_timeline import (
    CheckInBatch,
    check_in_timeline,
    desks_by_station,
)
from tallyroom.simulator.commission_night import (
    CommissionDesk,
    CommissionRefused,
    decide_and_certify,
)
from tallyroom.simulator.device_enrolment import EnrolmentRefused
from tallyroom.simulator.poll_book_desks import (
    EnrolledDesk,
    enrol_desks_in_database,
    enrol_poll_book_desks,
)
from tallyroom.simulator.polling_day_simulation import (
    ElectionMismatch,
    SimulationSettings,
    check_server_election,
    run_simulation,
)
from tallyroom.simulator.simulation_tally import SimulationCounts, SimulationTally
from tallyroom.simulator.timeline import Until, clock_label, minute_of_day, polling_day_timeline
from tallyroom.store.database import database_url_from_environment, transaction

SCENARIOS = SCENARIO_NAMES
#: the results cache serves a picture at most this old; wait it out before the final read
RESULTS_FRESHNESS_SECONDS = 0.3


#: protocols arriving together share one commit on the server (api/protocol_intake.py)
DEFAULT_CLIENTS = 8
#: stations that photograph their tally sheet, so the demo's station pages and queue show photos
DEFAULT_PHOTO_PERCENT = 5.0
#: real seconds between starting the server and polling day's opening when playing in time,
#: to open the printed address and watch the day from its start
LEAD_IN_SECONDS = 5.0


def simulate(
    name: str = typer.Argument(..., help="Scenario: az-2024 or az-2024-parallel."),
    server: str | None = typer.Option(
        None, "--server", help="Play against this server; default: start one on a free port."
    ),
    until: Until = typer.Option(Until.END, "--until", help="Stop at the announcement or the end."),
    speed: float = typer.Option(
        0.0,
        "--speed",
        min=0.0,
        help="Simulated time per real time (60: an hour in a minute); 0: as fast as possible.",
    ),
    seed: int = typer.Option(2024, "--seed", help="The scenario's seed (as loaded)."),
    credentials_folder: Path | None = typer.Option(
        None, "--credentials", help="Read keys and tokens from this folder (credentials issue)."
    ),
    clients: int = typer.Option(
        0,
        "--clients",
        min=0,
        max=64,
        help="Concurrent clients; 0: 8 (the server commits concurrent protocols together).",
    ),
    stuff_ballots: float | None = typer.Option(
        None,
        "--stuff-ballots",
        min=0.0,
        max=100.0,
        help="Stuff ballots: this percentage of registered voters, at --stations stations.",
    ),
    stuffed_stations: int = typer.Option(0, "--stations", min=0, help="Stations to stuff."),
    stuffed_out: Path | None = typer.Option(
        None, "--stuffed-out", help="Write the stuffed stations' codes here, one a line."
    ),
    keep_serving: bool = typer.Option(
        False, "--keep-serving", help="Keep the server it started running until Ctrl-C."
    ),
    photos: float = typer.Option(
        DEFAULT_PHOTO_PERCENT,
        "--photos",
        min=0.0,
        max=100.0,
        help="Percentage of stations that photograph their signed tally sheet and send the "
        "photo after each version (0: none).",
    ),
    certify: bool = typer.Option(
        False,
        "--certify",
        help="At the end, the commission accepts the flagged protocols and certifies every "
        "constituency and the nation (the results become final).",
    ),
) -> None:
    """Play the scenario's polling day over HTTP: turnout, protocols, mistakes, an annulment."""
    built_in = built_in_scenario(name)
    if built_in is None:
        fail(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    if (stuff_ballots is None) != (stuffed_stations == 0):
        fail("give --stuff-ballots P and --stations N together")
    if server is not None and credentials_folder is None:
        fail("against another server, give the stations' keys with --credentials DIR")
    if keep_serving and server is not None:
        fail("--keep-serving keeps a server this command started; not with --server")
    if certify and until is not Until.END:
        fail("--certify needs the whole night: --until end")
    definition = built_in.build_definition(seed)
    stuffing = (
        BallotStuffing(stations=stuffed_stations, percent_of_registered=stuff_ballots)
        if stuff_ballots is not None
        else None
    )
    try:
        plan = build_polling_day_plan(
            definition, seed, stuffing=stuffing, party_seats=built_in.party_seats
        )
    except ValueError as error:
        fail(f"cannot stuff ballots that way: {error}")
    if stuffed_out is not None:
        stuffed_out.write_text("".join(f"{code}\n" for code in plan.stuffed_stations))
    credentials = _read_credentials(credentials_folder) if credentials_folder else None
    if clients == 0:
        clients = DEFAULT_CLIENTS
    if server is not None:
        assert credentials is not None
        try:
            with _desk(server, credentials.commission_token, certify) as desk:
                outcome = _play(
                    server, credentials, definition, plan, until, speed, seed, clients, photos
                )
        except KeyboardInterrupt as interruption:
            _report_early(interruption)
            raise typer.Exit(130) from None
        if certify:
            _commission_night(server, credentials.commission_token, desk)
        _finish(server, outcome)
        return
    database_url = database_url_from_environment()
    credentials = credentials or _prepare_database(definition)
    if any(code not in credentials.stations for code in credentials.enrolment_codes):
        from tallyroom.simulator.device_enrolment import enrol_devices_in_database

        begun = time.monotonic()
        try:
            credentials = enrol_devices_in_database(
                sessions(), credentials, election=definition.election.code
            )
        except ServiceError as error:
            fail(f"enrolment of the stations' devices failed: {error.code}: {error.message}")
        errors.print(
            f"{len(credentials.enrolment_codes):,} station devices enrolled with keys made in "
            f"this process in {time.monotonic() - begun:.1f} s"
        )
    # The poll books check in the voters of the stations whose register is loaded, each at
    # one of the station's desks, enrolled before the clock starts.
    with transaction(sessions()) as session:
        register = active_voters_by_station(session, election=definition.election.code)
    check_ins = check_in_timeline(
        plan,
        register,
        opens=definition.election.voting_hours.opens,
        closes=definition.election.voting_hours.closes,
    )
    desks: dict[tuple[str, int], EnrolledDesk] = {}
    if check_ins:
        begun = time.monotonic()
        try:
            desks = enrol_desks_in_database(
                sessions(),
                credentials.commission_token,
                desks_by_station(check_ins),
                election=definition.election.code,
            )
        except ServiceError as error:
            fail(f"enrolment of the poll-book desks failed: {error.code}: {error.message}")
        errors.print(
            f"the commission issued {len(desks):,} poll-book desk codes; the desks enrolled "
            f"with keys made in this process in {time.monotonic() - begun:.1f} s"
        )
    # The server (FastAPI, the site) loads only when this command starts one.
    from tallyroom.simulator.local_server import LocalServer

    # The server's drill clock and the simulated clock are one: polling day opens at the same
    # real moment for both, so no report arrives before its hour by the server's clock.
    opens = definition.election.voting_hours.opens
    started_at = datetime.now(UTC) + timedelta(seconds=LEAD_IN_SECONDS if speed > 0 else 0)
    clock = (
        ElectionClock.drill(speed=speed, starts=opens, started_at=started_at)
        if speed > 0
        else ElectionClock.drill(speed=0)
    )
    try:
        commission_key = _commission_key() if certify else None
        with LocalServer(database_url, clock=clock) as local:
            if commission_key is not None:
                local.use_commission_key(commission_key)
            lead = (started_at - datetime.now(UTC)).total_seconds()
            console.print(
                f"the site is at [bold]{local.url}/[/] (API docs at {local.url}/docs), a DRILL; "
                + (f"polling day opens in {lead:.0f} s" if lead >= 1 else "polling day starts now")
            )
            with _desk(local.url, credentials.commission_token, certify) as desk:
                outcome = _play(
                    local.url,
                    credentials,
                    definition,
                    plan,
                    until,
                    speed,
                    seed,
                    clients,
                    photos,
                    started_at=started_at if speed > 0 else None,
                    check_ins=check_ins,
                    desks=desks,
                )
            if certify:
                _commission_night(local.url, credentials.commission_token, desk)
            _finish(local.url, outcome, keep=keep_serving)
            if keep_serving:
                console.print(
                    f"the site is at [bold]{local.url}/[/] (API docs at {local.url}/docs); "
                    "Ctrl-C stops the server"
                )
                local.keep_serving()
    except KeyboardInterrupt as interruption:
        # Ctrl-C while playing: the server stopped on the way out of the block, its commits
        # done and its intake ended; no traceback.
        _report_early(interruption)
        raise typer.Exit(130) from None


def _report_early(interruption: KeyboardInterrupt) -> None:
    """Ctrl-C before polling day's events began (a slow machine still preparing them) says
    so, as an interruption during the day says where it stopped."""
    if not isinstance(interruption, _Interrupted):
        errors.print("interrupted at the start, before polling day's first event was played")


def _commission_key() -> Ed25519PrivateKey:
    """A commission key for this night's certifications, announced in the database; its
    private half lives only in this process (a real commission keeps it offline)."""
    with transaction(sessions()) as session:
        return audit_tree.create_tree_head_key(session, actor="commission")


def _desk(server: str, token: str, certify: bool) -> AbstractContextManager[CommissionDesk | None]:
    """With --certify, the commission's desk decides flagged protocols as they arrive."""
    return CommissionDesk(server, token) if certify else nullcontext()


def _commission_night(server: str, token: str, desk: CommissionDesk | None) -> None:
    started = time.monotonic()
    if desk is not None:
        for problem in desk.problems:
            errors.print(f"commission desk: {problem}", highlight=False, soft_wrap=True)
        console.print(
            f"the commission's desk accepted {len(desk.accepted)} flagged protocols from the "
            f"live queue ({', '.join(desk.accepted)})"
            + (
                f"; {len(desk.amended_first)} were amended before a decision"
                if desk.amended_first
                else ""
            ),
            highlight=False,
            soft_wrap=True,
        )
    try:
        night = decide_and_certify(server, token)
    except (CommissionRefused, httpx.HTTPError) as error:
        fail(f"the commission could not certify: {error}", code=1)
    console.print(
        f"the commission certified {len(night.certified)} constituencies "
        f"({len(night.certified_with_reason)} too close, with a reason) and the nation "
        f"in {time.monotonic() - started:.1f} s: the results are [bold]final[/]",
        highlight=False,
        soft_wrap=True,
    )


def _read_credentials(folder: Path) -> IssuedCredentials:
    try:
        return read_credential_folder(folder)
    except CredentialFolderError as error:
        fail(str(error))


def _prepare_database(definition: ElectionDefinition) -> IssuedCredentials:
    """Load the scenario if the database is empty, and issue keys kept only in memory."""
    with transaction(sessions()) as session:
        try:
            election_row(session, definition.election.code)
        except NotFound:
            errors.print(f"loading {definition.election.code} into the database …")
            define_election(session, definition=definition, digest="simulator", actor="simulator")
        return issue_credentials(session, actor="simulator", key_making=KeyMaking.DEVICE)


class _Interrupted(KeyboardInterrupt):
    """Ctrl-C while polling day was being played, after the progress was reported."""


def _play(
    server: str,
    credentials: IssuedCredentials,
    definition: ElectionDefinition,
    plan: PollingDayPlan,
    until: Until,
    speed: float,
    seed: int,
    clients: int,
    photo_percent: float,
    *,
    started_at: datetime | None = None,
    check_ins: Sequence[CheckInBatch] = (),
    desks: Mapping[tuple[str, int], EnrolledDesk] | None = None,
) -> SimulationCounts:
    election = definition.election
    try:
        check_server_election(
            server,
            stations=len(plan.stations),
            registered_voters=sum(s.protocol.registered_voters for s in plan.stations),
        )
    except ElectionMismatch as error:
        fail(str(error))
    except httpx.HTTPError as error:
        fail(f"cannot reach {server}: {error}", code=1)
    if any(code not in credentials.stations for code in credentials.enrolment_codes):
        from tallyroom.simulator.device_enrolment import enrol_devices

        begun = time.monotonic()
        try:
            credentials = enrol_devices(server, credentials, clients=clients)
        except (EnrolmentRefused, httpx.HTTPError) as error:
            fail(f"enrolment of the stations' devices failed: {error}", code=1)
        errors.print(
            f"{len(credentials.enrolment_codes):,} station devices enrolled with keys made here "
            f"in {time.monotonic() - begun:.1f} s"
        )
    missing = [s.station for s in plan.stations if s.station not in credentials.stations]
    if missing:
        fail(f"no key for {len(missing):,} stations (e.g. {missing[0]}); issue credentials again")
    desk_counts = desks_by_station(check_ins)
    desks = dict(desks or {})
    if any((station, count) not in desks for station, count in desk_counts.items()):
        begun = time.monotonic()
        try:
            desks = enrol_poll_book_desks(
                server, credentials.commission_token, desk_counts, clients=clients
            )
        except (EnrolmentRefused, httpx.HTTPError) as error:
            fail(f"enrolment of the poll-book desks failed: {error}", code=1)
        errors.print(
            f"the commission issued {len(desks):,} poll-book desk codes; the desks enrolled "
            f"with keys made here in {time.monotonic() - begun:.1f} s"
        )
    if check_ins:
        errors.print(
            f"poll books at {len(desk_counts):,} stations ({len(desks):,} desks) send "
            f"{sum(len(batch.check_ins) for batch in check_ins):,} check-ins in "
            f"{len(check_ins):,} batches"
        )
    events = polling_day_timeline(
        plan,
        election=election.code,
        closes=election.voting_hours.closes,
        until=until,
        seed=seed,
        check_ins=check_ins,
        photo_percent=photo_percent,
    )
    # The plan, the timeline and the loaded modules last as long as the command: out of the
    # cyclic collector's reach, neither the night's collections nor the ones at exit (which
    # took seconds after a Ctrl-C) walk them again.
    gc.collect()
    gc.freeze()
    close = minute_of_day(election.voting_hours.closes)
    settings = SimulationSettings(
        server=server,
        credentials=credentials,
        speed=speed,
        clients=clients,
        start_minute=minute_of_day(election.voting_hours.opens),
        end_minute=close + plan.announcement_after_minutes if until is Until.ANNOUNCEMENT else None,
        started_at=started_at,
        desks=desks,
    )
    tally = SimulationTally()
    stop = threading.Event()
    result: list[SimulationCounts] = []
    worker = threading.Thread(
        target=lambda: result.append(run_simulation(events, settings, tally, stop=stop)),
        name="simulation",
        daemon=True,
    )
    started = time.monotonic()
    worker.start()
    summary: dict[str, Any] | None = None
    polled = 0.0
    with (
        httpx.Client(base_url=server, timeout=10) as reader,
        Live(console=console, refresh_per_second=4, transient=False) as live,
    ):
        try:
            while worker.is_alive():
                if time.monotonic() - polled > 1.0:
                    summary = _summary(reader) or summary
                    polled = time.monotonic()
                live.update(_progress_view(tally.snapshot(), summary, time.monotonic() - started))
                worker.join(timeout=0.25)
        except KeyboardInterrupt:
            # Ctrl-C: what is queued is dropped, requests under way are answered, and the
            # command ends (and with it a server it started) without a traceback.
            stop.set()
            worker.join()
            counts = tally.snapshot()
            live.update(_progress_view(counts, summary, time.monotonic() - started))
            live.stop()
            errors.print(
                f"interrupted at {clock_label(counts.clock_minute)} polling-day time after "
                f"{counts.events_done:,} of {counts.events_total:,} events"
            )
            raise _Interrupted from None
        time.sleep(RESULTS_FRESHNESS_SECONDS)
        live.update(_progress_view(tally.snapshot(), _summary(reader), time.monotonic() - started))
    counts = result[0] if result else tally.snapshot()
    console.print(f"simulated in {time.monotonic() - started:.1f} s")
    return counts


def _summary(reader: httpx.Client) -> dict[str, Any] | None:
    try:
        answer: dict[str, Any] = reader.get("/api/v1/results/summary").raise_for_status().json()
    except httpx.HTTPError:
        return None
    return answer


def _progress_view(
    counts: SimulationCounts, summary: dict[str, Any] | None, elapsed: float
) -> Group:
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("simulated clock", clock_label(counts.clock_minute))
    table.add_row("events sent", f"{counts.events_done:,} of {counts.events_total:,}")
    table.add_row(
        "turnout reports", f"{counts.turnout_reports:,} ({counts.turnout_flagged} flagged)"
    )
    table.add_row("protocols accepted", f"{counts.protocols_accepted:,}")
    table.add_row("  flagged", f"{counts.protocols_flagged:,}")
    table.add_row("  amended", f"{counts.protocols_amended:,}")
    table.add_row("stations annulled", f"{counts.annulments:,}")
    if counts.check_ins:
        table.add_row(
            "poll-book check-ins", f"{counts.check_ins:,} ({counts.double_votes} double votes)"
        )
    if counts.photos_sent:
        table.add_row("tally-sheet photos", f"{counts.photos_sent:,}")
    if counts.already_stored:
        table.add_row("stored already", f"{counts.already_stored:,}")
    if counts.refusals:
        table.add_row("refused", f"[red]{len(counts.refusals):,}[/]")
    table.add_row("real time", f"{elapsed:.0f} s")
    parts: list[Any] = [table]
    if summary is not None:
        seats = Table(show_header=False, box=None, padding=(0, 2))
        seats.add_column(style="bold")
        seats.add_column(justify="right")
        seats.add_row(
            "stations reporting",
            f"{summary['stations_reporting']:,} of {summary['stations_total']:,}",
        )
        by_party: dict[str, int] = {}
        independents = 0
        for group in summary["seats"]:
            if group["nomination"] == "party":
                by_party[group["party"]] = by_party.get(group["party"], 0) + group["seats"]
            else:
                independents += group["seats"]
        for party, count in sorted(by_party.items(), key=lambda item: -item[1])[:4]:
            seats.add_row(f"seats {party}", str(count))
        others = sum(sorted(by_party.values(), reverse=True)[4:])
        if others:
            seats.add_row("seats other parties", str(others))
        seats.add_row("seats independents", str(independents))
        parts.append(seats)
    return Group(*parts)


def _settled_results(server: str, patience: float = 30.0) -> dict[str, Any]:
    """The national results once the served site has caught up with the last change (it
    rebuilds them in the background): the same revision and status as its summary, so a
    certification made a moment ago is not printed as "preliminary"."""
    base = server.rstrip("/")
    deadline = time.monotonic() + patience
    while True:
        summary = httpx.get(base + "/api/v1/results/summary", timeout=60).json()
        national: dict[str, Any] = httpx.get(base + "/api/v1/results", timeout=60).json()
        settled = national.get("status") == summary.get("status") and national.get(
            "revision", 0
        ) >= summary.get("revision", 0)
        if settled or time.monotonic() > deadline:
            return national
        time.sleep(0.25)


def _finish(server: str, counts: SimulationCounts, *, keep: bool = False) -> None:
    try:
        national = _settled_results(server)
        print_results(national)
    except httpx.HTTPError as error:
        errors.print(f"cannot read the results: {error}")
    if counts.refusals:
        for refusal in counts.refusals[:20]:
            errors.print(refusal, highlight=False, soft_wrap=True)
        if not keep:
            fail(f"{len(counts.refusals):,} requests were refused", code=1)
