from __future__ import annotations

import pytest

from tallyroom.domain.electoral_systems.drawn_lot import (
    NoLot,
    RecordedLot,
    SeededLot,
    TieNeedsLot,
)
from tallyroom.domain.electoral_systems.tie_rules import TieRule, break_tie


def test_seeded_lot_is_reproducible_and_ignores_order() -> None:
    lot = SeededLot(bytes.fromhex("0011223344556677"))
    first = lot.draw("seat 3", ["B", "A", "C"])
    assert first == lot.draw("seat 3", ["C", "B", "A"])
    assert first.between == ("A", "B", "C")
    # Different seeds give different winners somewhere: the draw depends on the seed.
    winners = {SeededLot(bytes([n]) * 8).draw("seat 3", ["A", "B"]).won_by for n in range(32)}
    assert winners == {"A", "B"}


def test_no_lot_refuses_and_recorded_lot_replays() -> None:
    with pytest.raises(TieNeedsLot):
        NoLot().draw("seat 1", ["A", "B"])
    recorded = RecordedLot({"seat 1": "B"})
    assert recorded.draw("seat 1", ["A", "B"]).won_by == "B"
    with pytest.raises(TieNeedsLot):
        recorded.draw("seat 2", ["A", "B"])
    with pytest.raises(ValueError, match="not a contender"):
        RecordedLot({"seat 1": "Z"}).draw("seat 1", ["A", "B"])


def test_rules_before_the_lot() -> None:
    votes = {"A": 10, "B": 20, "C": 20}
    outcome = break_tie(
        ["A", "B", "C"],
        2,
        rules=(TieRule.MOST_VOTES, TieRule.LOT),
        keys={TieRule.MOST_VOTES: votes.__getitem__},
        lot=RecordedLot({}),
        seat="s",
    )
    assert sorted(outcome.winners) == ["B", "C"]
    assert outcome.lots == ()
