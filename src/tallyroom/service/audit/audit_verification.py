"""`audit verify`: re-walk the chain, re-verify every stored protocol's signature, recompute
every total from the counted protocols, and say exactly what differs."""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.audit_chain import AuditEntry, chain_breaks
from tallyroom.domain.canonical_json import sha256_hex
from tallyroom.domain.protocol_document import MalformedProtocol, parse_protocol_document
from tallyroom.domain.signature import signature_is_valid
from tallyroom.service.audit import audit_log, audit_tree, row_ledger
from tallyroom.service.audit.audit_replay import replay_problems
from tallyroom.service.register import voter_register
from tallyroom.store.schema import (
    AuditEntryRow,
    CandidateRow,
    CandidateTotalRow,
    ConstituencyRow,
    ConstituencyTotalRow,
    PollingStationRow,
    ProtocolVersionRow,
    StationKeyRow,
    StationResultRow,
    TurnoutReportRow,
    TurnoutTotalRow,
)


def audit_discrepancies(session: Session) -> list[str]:
    """Every disagreement found; empty when the database is consistent with its history."""
    # A national night's log parses into tens of millions of objects that all live until
    # the end, none of them in a reference cycle: the cyclic collector would only walk them
    # again and again (a third of the time at 50,000 stations, more as the log grows).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _discrepancies(session)
    finally:
        if collecting:
            gc.enable()


def _discrepancies(session: Session) -> list[str]:
    protocols = _stored_protocols(session)
    # Every signature is checked in a thread of its own while this one walks the log: the
    # check is libsodium's, which runs without the GIL, so it takes a second core (a million
    # signatures are a minute of one core) without touching the session.
    with ThreadPoolExecutor(max_workers=1) as checker:
        forged = checker.submit(_unverified_signatures, protocols)
        entries = audit_log.entries(session)
        problems = chain_breaks(entries)
        problems += row_ledger.ledger_problems(session, entries)
        problems += voter_register.register_problems(session, entries)
        problems += replay_problems(session, entries)
        problems += _head_problems(session)
        problems += _protocol_problems(protocols, forged.result(), entries)
    problems += _total_problems(session)
    problems += _tree_head_problems(session)
    return problems


def _tree_head_problems(session: Session) -> list[str]:
    """Every stored signed tree head must verify with an announced key and sign the root of
    the log's prefix of its size."""
    heads = audit_tree.signed_heads(session)
    if not heads:
        return []
    keys = audit_tree.tree_head_keys(session)
    tree = audit_tree.log_tree(session)
    problems: list[str] = []
    for head in heads:
        place = f"signed tree head of {head.tree_size} entries"
        if head.key not in keys:
            problems.append(f"{place}: signed with a key the log does not announce")
        if not head.signature_is_valid():
            problems.append(f"{place}: signature does not verify")
        if head.tree_size > tree.size:
            problems.append(f"{place}: the log has only {tree.size} entries")
        elif tree.root(head.tree_size).hex() != head.root_hash:
            problems.append(f"{place}: the log's first {head.tree_size} entries have another root")
    return problems


def _head_problems(session: Session) -> list[str]:
    sequence, head_hash = audit_log.head(session)
    last = session.scalars(
        select(AuditEntryRow).order_by(AuditEntryRow.sequence.desc()).limit(1)
    ).first()
    if last is None:
        return [] if sequence == 0 else [f"audit head names entry {sequence}, the log is empty"]
    if (last.sequence, last.entry_hash) != (sequence, head_hash):
        return [
            f"audit head says entry {sequence} ({head_hash[:12]}…), the log ends at "
            f"{last.sequence} ({last.entry_hash[:12]}…): entries were removed or added"
        ]
    return []


#: (version, body, body_sha256, signature, station code, station public key) per stored version
_StoredProtocol = tuple[int, str, str, str, str, str]


def _stored_protocols(session: Session) -> list[_StoredProtocol]:
    # Columns, not ORM objects: this reads every protocol of the night.
    return list(
        session.execute(
            select(
                ProtocolVersionRow.version,
                ProtocolVersionRow.body,
                ProtocolVersionRow.body_sha256,
                ProtocolVersionRow.signature,
                PollingStationRow.code,
                StationKeyRow.public_key,
            )
            .join(PollingStationRow, PollingStationRow.id == ProtocolVersionRow.station_id)
            .join(StationKeyRow, StationKeyRow.id == ProtocolVersionRow.station_key_id)
            .order_by(ProtocolVersionRow.id)
        ).tuples()
    )


def _unverified_signatures(protocols: list[_StoredProtocol]) -> set[int]:
    """The positions of the protocols whose signature does not verify with their station's key."""
    return {
        position
        for position, (_, text, _, signature, _, public_key) in enumerate(protocols)
        if not signature_is_valid(text.encode(), signature, public_key)
    }


def _protocol_problems(
    protocols: list[_StoredProtocol], forged: set[int], entries: list[AuditEntry]
) -> list[str]:
    problems: list[str] = []
    submitted = {
        (entry.payload.get("station"), entry.payload.get("version")): entry.payload
        for entry in entries
        if entry.action == "protocol.submitted"
    }
    for position, (version, text, body_sha256, _, code, _) in enumerate(protocols):
        place = f"station {code} protocol version {version}"
        digest = sha256_hex(text.encode())
        if digest != body_sha256:
            problems.append(f"{place}: body does not match its stored hash")
        if position in forged:
            problems.append(f"{place}: signature does not verify with the station's key")
        logged = submitted.get((code, version))
        if logged is None:
            problems.append(f"{place}: not in the audit log")
        elif logged.get("body_sha256") != digest:
            problems.append(f"{place}: body differs from the one the audit log recorded")
    return problems


_RESULT_COLUMNS = (
    "registered_voters",
    "voters_added",
    "ballots_cast",
    "invalid_ballots",
    "blank_votes",
)


def _total_problems(session: Session) -> list[str]:
    problems: list[str] = []
    expected_constituency: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    expected_votes: dict[str, int] = defaultdict(int)
    for (
        constituency_id,
        *stored,
        body,
        status,
        version,
        code,
    ) in session.execute(
        select(
            StationResultRow.constituency_id,
            StationResultRow.registered_voters,
            StationResultRow.voters_added,
            StationResultRow.ballots_cast,
            StationResultRow.invalid_ballots,
            StationResultRow.blank_votes,
            ProtocolVersionRow.body,
            ProtocolVersionRow.status,
            ProtocolVersionRow.version,
            PollingStationRow.code,
        )
        .join(ProtocolVersionRow, ProtocolVersionRow.id == StationResultRow.protocol_version_id)
        .join(PollingStationRow, PollingStationRow.id == StationResultRow.station_id)
    ).tuples():
        try:
            figures = parse_protocol_document(json.loads(body)).figures
        except (MalformedProtocol, json.JSONDecodeError):
            problems.append(f"station {code}: counted protocol cannot be read")
            continue
        if status != "accepted":
            problems.append(f"station {code}: counts version {version}, which is {status}")
        actual = (
            figures.registered_voters,
            figures.voters_added,
            figures.ballots_cast,
            figures.invalid_ballots,
            figures.blank_votes,
        )
        for column, have, want in zip(_RESULT_COLUMNS, stored, actual, strict=True):
            if have != want:
                problems.append(
                    f"table station_result, key station {code}, column {column}: is {have}, "
                    f"its counted protocol says {want}"
                )
        totals = expected_constituency[constituency_id]
        # a protocol without the blank-votes line adds nothing to the blank total
        for index, value in enumerate((1, *actual)):
            totals[index] += value or 0
        for candidate, votes in figures.votes.items():
            expected_votes[candidate] += votes
    names = (
        "stations_reporting",
        "registered_voters",
        "voters_added",
        "ballots_cast",
        "invalid_ballots",
        "blank_votes",
    )
    for number, total in session.execute(
        select(ConstituencyRow.number, ConstituencyTotalRow)
        .outerjoin(ConstituencyTotalRow, ConstituencyTotalRow.constituency_id == ConstituencyRow.id)
        .order_by(ConstituencyRow.number)
    ).tuples():
        if total is None:
            problems.append(f"constituency {number}: its total row (constituency_total) is missing")
            continue
        expected = expected_constituency.get(total.constituency_id, [0, 0, 0, 0, 0, 0])
        for name, want in zip(names, expected, strict=True):
            have = int(getattr(total, name))
            if have != want:
                problems.append(
                    f"constituency {number}: {name} total is {have}, protocols add up to {want}"
                )
    for code, votes in session.execute(
        select(CandidateRow.code, CandidateTotalRow.votes)
        .outerjoin(CandidateTotalRow, CandidateTotalRow.candidate_id == CandidateRow.id)
        .order_by(CandidateRow.code)
    ).tuples():
        if votes is None:
            problems.append(f"candidate {code}: its total row (candidate_total) is missing")
        elif int(votes) != expected_votes.get(code, 0):
            problems.append(
                f"candidate {code}: total is {votes} votes, protocols add up to "
                f"{expected_votes.get(code, 0)}"
            )
    turnout: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    for constituency_id, as_of, voters in session.execute(
        select(PollingStationRow.constituency_id, TurnoutReportRow.as_of, TurnoutReportRow.voters)
        .join(PollingStationRow, PollingStationRow.id == TurnoutReportRow.station_id)
        .where(TurnoutReportRow.status == "accepted")
    ).tuples():
        turnout[(constituency_id, as_of)][0] += voters
        turnout[(constituency_id, as_of)][1] += 1
    numbers = dict(
        session.execute(select(ConstituencyRow.id, ConstituencyRow.number)).tuples().all()
    )
    stored_groups: set[tuple[int, str]] = set()
    for number, turnout_total in session.execute(
        select(ConstituencyRow.number, TurnoutTotalRow).join(
            TurnoutTotalRow, TurnoutTotalRow.constituency_id == ConstituencyRow.id
        )
    ).tuples():
        stored_groups.add((turnout_total.constituency_id, turnout_total.as_of))
        want_voters, want_stations = turnout.get(
            (turnout_total.constituency_id, turnout_total.as_of), [0, 0]
        )
        if (int(turnout_total.voters), turnout_total.stations_reporting) != (
            want_voters,
            want_stations,
        ):
            problems.append(
                f"constituency {number} turnout at {turnout_total.as_of}: total is "
                f"{turnout_total.voters} voters from {turnout_total.stations_reporting} "
                f"stations, reports add up to {want_voters} from {want_stations}"
            )
    problems.extend(
        f"constituency {numbers.get(constituency_id)} turnout at {as_of}: its total row "
        "(turnout_total) is missing"
        for constituency_id, as_of in sorted(set(turnout) - stored_groups)
    )
    return problems
