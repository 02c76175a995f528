"""Check-ins that reach the server after a station's protocol was judged (a poll book that
was offline syncs late) change `station.check_ins`, so the protocol is judged again: its
status and reasons are recomputed with the election's rules, counted or uncounted to match,
and the change audited. A protocol a person decided on (accepted or rejected by the
commission, or with a decision waiting for its second person), one of a station the
commission ordered a recount of or annulled since, or one of a certified contest is never
touched."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from tallyroom.service.audit import audit_log
from tallyroom.service.definition.election_structure import district_list_ballots
from tallyroom.service.protocols.election_rules import election_rule_set
from tallyroom.service.protocols.protocols import (
    ProtocolStatus,
    flag_revoked_key,
    is_annulled,
    judge_protocol,
    parse_submission,
    revoked_key_reason,
    standing_candidates,
)
from tallyroom.service.register.poll_book_figures import check_ins_by_station
from tallyroom.service.results.certified_contests import certified_constituencies
from tallyroom.service.results.tally import bump_revision, count_protocol, uncount_station
from tallyroom.store.schema import (
    PollingStationRow,
    ProposedDecisionRow,
    ProtocolVersionRow,
    StationDecisionRow,
)

REEXAMINED = "protocol.reexamined"
_ANY_PROTOCOL = (
    select(ProtocolVersionRow.id)
    .where(ProtocolVersionRow.station_id.in_(bindparam("stations", expanding=True)))
    .limit(1)
)
#: the statuses the rules gave (a person's decision is `decided_at`; received: annulled)
_JUDGED_BY_RULES = (ProtocolStatus.ACCEPTED.value, ProtocolStatus.FLAGGED.value)


def reexamine_after_check_ins(
    session: Session, *, station_ids: Collection[int], actor: str, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Judge again each station's latest protocol version in the light of its check-ins now,
    in the caller's transaction; the changes made (station, version, statuses, reasons)."""
    if not station_ids:
        return []
    wanted = sorted(set(station_ids))
    # the common case on polling day, asked on every check-in: no protocol yet (one cached
    # statement, no join)
    if session.execute(_ANY_PROTOCOL, {"stations": wanted}).first() is None:
        return []
    latest = (
        select(ProtocolVersionRow.station_id, func.max(ProtocolVersionRow.version).label("last"))
        .where(ProtocolVersionRow.station_id.in_(wanted))
        .group_by(ProtocolVersionRow.station_id)
        .subquery()
    )
    versions = session.scalars(
        select(ProtocolVersionRow).join(
            latest,
            (latest.c.station_id == ProtocolVersionRow.station_id)
            & (latest.c.last == ProtocolVersionRow.version),
        )
    ).all()
    versions = [
        version
        for version in versions
        if version.status in _JUDGED_BY_RULES and version.decided_at is None
    ]
    if not versions:
        return []
    pending = set(
        session.scalars(
            select(ProposedDecisionRow.station_id).where(
                ProposedDecisionRow.station_id.in_([v.station_id for v in versions]),
                ProposedDecisionRow.state == "pending",
            )
        )
    )
    # a recount ordered (or an annulment) since the version came: the commission has the
    # station in hand, and its decision stands
    decided = dict(
        iter(
            session.execute(
                select(StationDecisionRow.station_id, func.max(StationDecisionRow.decided_at))
                .where(StationDecisionRow.station_id.in_([v.station_id for v in versions]))
                .group_by(StationDecisionRow.station_id)
            ).tuples()
        )
    )
    stations = {
        station.id: station
        for station in session.scalars(
            select(PollingStationRow).where(
                PollingStationRow.id.in_([v.station_id for v in versions])
            )
        )
    }
    certified = certified_constituencies(
        session, {station.constituency_id for station in stations.values()}
    )
    check_ins = check_ins_by_station(session, [v.station_id for v in versions])
    moment = now or datetime.now(UTC)
    changes: list[dict[str, Any]] = []
    for version in versions:
        station = stations[version.station_id]
        if (
            station.id in pending
            or station.constituency_id in certified
            or _aware(decided.get(station.id)) >= _aware(version.submitted_at)
            or is_annulled(session, station.id)
        ):
            continue
        parsed = parse_submission(json.loads(version.body))
        status, reasons = judge_protocol(
            parsed,
            standing=standing_candidates(session, station.constituency_id),
            registered_on_register=station.registered_voters,
            annulled=False,
            rule_set=election_rule_set(session, station.election_id),
            check_ins=check_ins.get(station.id),
            list_ballot=district_list_ballots(session, station.election_id).get(
                station.constituency_id
            ),
        )
        if _signed_by_revoked_key(version):
            status, reasons = flag_revoked_key(status, reasons)
        before = [reason["code"] for reason in json.loads(version.reasons)]
        after = [reason["code"] for reason in reasons]
        if status.value == version.status and before == after:
            continue
        was = version.status
        version.status = status.value
        version.reasons = json.dumps(reasons, ensure_ascii=False)
        session.flush()
        if was == ProtocolStatus.ACCEPTED.value and status is ProtocolStatus.FLAGGED:
            uncount_station(session, station=station)
        elif was == ProtocolStatus.FLAGGED.value and status is ProtocolStatus.ACCEPTED:
            count_protocol(session, station=station, version=version)
        else:
            bump_revision(session, station.election_id, changed_stations=[station.id])
        change = {
            "station": station.code,
            "version": version.version,
            "status_before": was,
            "status": status.value,
            "reasons": after,
            "check_ins": check_ins.get(station.id),
            "reexamined_at": moment.astimezone(UTC).isoformat(timespec="microseconds"),
        }
        audit_log.record(session, actor=actor, action=REEXAMINED, payload=change)
        changes.append(change)
    return changes


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _signed_by_revoked_key(version: ProtocolVersionRow) -> bool:
    """A protocol signed with a revoked key keeps that flag whatever the check-ins say."""
    code = revoked_key_reason()["code"]
    return any(reason.get("code") == code for reason in json.loads(version.reasons))
