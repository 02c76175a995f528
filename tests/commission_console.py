"""What the commission console's tests share: the commission's key on the running API, a
decision policy, a second commission member, a flagged protocol."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import update

from tallyroom.service.audit import audit_tree, row_ledger
from tallyroom.service.definition.credentials import issue_commission_token
from tallyroom.store.database import transaction
from tallyroom.store.schema import ElectionRow, PollingStationRow
from tests.polled_election import figures
from tests.station_client import Api, good_figures, protocol


def give_commission_key(api: Api) -> Ed25519PrivateKey:
    """Announce a commission key and hand it to the running server, as `serve
    --tree-head-key` does."""
    with transaction(api.sessions) as session:
        key = audit_tree.create_tree_head_key(session, actor="commission")
    runtime = api.client.app.state.runtime  # type: ignore[attr-defined]
    runtime.tree_head_key = key
    return key


def set_four_eyes(api: Api, kinds: str) -> None:
    """The election's decision policy, as a definition with `decision_policy` would load it."""
    with transaction(api.sessions) as session:
        session.execute(update(ElectionRow).values(four_eyes_decisions=kinds))
        row_ledger.record_rows(session, actor="test", table="election")


def set_contact(api: Api, station: str, contact: str) -> None:
    with transaction(api.sessions) as session:
        session.execute(
            update(PollingStationRow)
            .where(PollingStationRow.code == station)
            .values(contact=contact)
        )
        row_ledger.record_rows(session, actor="test", table="polling_station")


def second_member(api: Api, label: str = "commission-member-2") -> dict[str, str]:
    with transaction(api.sessions) as session:
        token = issue_commission_token(session, actor="test", label=label)
    return api.headers(token)


def flagged_protocol(station: str = "001-0001", **changes: Any) -> dict[str, Any]:
    """A protocol failing a control check: more ballots received than registered voters."""
    if station == "001-0001":
        return protocol(figures=good_figures(ballots_received=1300), **changes)
    assert station == "001-0002"
    return protocol(
        "001-0002",
        figures=replace(
            figures(
                {"C001": 200, "C002": 300, "C003": 50},
                registered=800,
                issued_in_station=560,
                portable=10,
                invalid=10,
            ),
            unused_ballots=1,
        ),
        **changes,
    )


def close_race_protocol() -> dict[str, Any]:
    """002-0001 with C004 300 and C005 299: a margin under the 1 % threshold."""
    return protocol(
        "002-0001",
        figures=figures(
            {"C004": 300, "C005": 299},
            registered=600,
            issued_in_station=599,
            portable=0,
            invalid=0,
        ),
    )
