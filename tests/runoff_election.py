"""The small election with both contests by two-round majority (as France): after polling
day constituency 1 (C001 650, C002 590, C003 155 of 2,150 registered) has no round-1 winner
and sends C001 and C002 to round 2; constituency 2's C004 (300 of 450 valid, 600
registered) is elected in round 1."""

from __future__ import annotations

import shutil
from pathlib import Path

from tallyroom.service.audit import audit_tree
from tallyroom.service.definition.credentials import authenticate
from tallyroom.service.results.certification import certify_contest
from tallyroom.store.database import transaction
from tests.polled_election import poll_small_election
from tests.station_client import Api

FIXTURES = Path(__file__).parent / "fixtures"


def two_round_copy(folder: Path) -> Path:
    """A copy of the small election in `folder` whose contests are two-round."""
    shutil.copytree(FIXTURES / "small-election", folder)
    path = folder / "election.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("kind: single_member_plurality", "kind: two_round_majority"),
        encoding="utf-8",
    )
    return folder


def poll_and_certify(api: Api, *constituencies: int) -> None:
    """Polling day as `poll_small_election`, then these constituencies certified."""
    poll_small_election(api)
    certify(api, *constituencies)


def certify(api: Api, *constituencies: int) -> None:
    """These constituencies' round 1 certified (a reason given, as when too close)."""
    with transaction(api.sessions) as session:
        commission = authenticate(session, api.credentials.commission_token)
        key = audit_tree.create_tree_head_key(session, actor="commission")
        for number in constituencies:
            certify_contest(
                session,
                principal=commission,
                constituency_number=number,
                signing_key=key,
                reason="round 1 as counted",
            )
