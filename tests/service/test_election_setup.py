from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.definition.reader import read_definition
from tallyroom.domain.audit_chain import chain_breaks
from tallyroom.service.audit import audit_log
from tallyroom.service.definition.definition_export import stored_definition
from tallyroom.service.definition.election_setup import define_election
from tallyroom.service.errors import Conflict
from tallyroom.service.results.election_figures import election_figures
from tallyroom.store.database import transaction
from tallyroom.store.schema import PollingStationRow


def load(sessions: sessionmaker[Session], folder: Path) -> None:
    with transaction(sessions) as session:
        define_election(session, definition=read_definition(folder), digest="0" * 64, actor="test")


def test_figures_of_the_small_election(
    sessions: sessionmaker[Session], small_election: Path
) -> None:
    load(sessions, small_election)
    with transaction(sessions) as session:
        figures = election_figures(session)
    assert figures["constituencies"] == 2
    assert figures["idp_constituencies"] == 1
    assert figures["stations"] == 4
    assert figures["stations_permanent"] == 3
    assert figures["stations_temporary"] == 1
    assert figures["stations_special_territory"] == 1
    assert figures["idp_stations"] == 1
    assert figures["idp_registered_voters"] == 600
    assert figures["registered_voters"] == 2750
    assert figures["registered_turning_18_on_polling_day"] == 3
    assert figures["stations_with_webcam"] == 1
    assert figures["stations_with_exit_poll"] == 2
    assert figures["exit_poll_organisations"] == 1
    # The withdrawn candidate does not count.
    assert figures["candidates"] == 5
    assert figures["candidates_party_nominated"] == 3
    assert figures["nominating_parties"] == 3
    assert figures["candidates_self_nominated_party_members"] == 1
    assert figures["candidates_non_party"] == 1
    assert figures["observers_local"] == 3
    assert figures["observers_local_party_representatives"] == 1
    assert figures["observers_international"] == 2
    assert figures["international_observer_organisations"] == 1
    assert figures["international_observer_countries"] == 2
    assert figures["observers_osce_odihr"] == 2
    assert figures["observers_osce_pa"] == 0


def test_stored_definition_equals_the_loaded_one(
    sessions: sessionmaker[Session], small_election: Path
) -> None:
    load(sessions, small_election)
    with transaction(sessions) as session:
        assert stored_definition(session) == read_definition(small_election)


def test_loading_is_audited(sessions: sessionmaker[Session], small_election: Path) -> None:
    load(sessions, small_election)
    with transaction(sessions) as session:
        entries = audit_log.entries(session)
        # The definition's rows follow as row images (service/audit/row_ledger.py).
        assert [entry.action for entry in entries if entry.action != "rows.recorded"] == [
            "election.defined"
        ]
        assert entries[0].payload["stations"] == 4
        assert chain_breaks(entries) == []
        assert audit_log.head(session) == (len(entries), entries[-1].entry_hash)


def test_loading_twice_is_refused_and_stores_nothing_more(
    sessions: sessionmaker[Session], small_election: Path
) -> None:
    load(sessions, small_election)
    with pytest.raises(Conflict) as caught:
        load(sessions, small_election)
    assert caught.value.code == "election_exists"
    with transaction(sessions) as session:
        assert session.scalar(select(func.count(PollingStationRow.id))) == 4
        actions = [entry.action for entry in audit_log.entries(session)]
        assert actions.count("election.defined") == 1
