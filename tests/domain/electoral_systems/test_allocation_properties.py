"""Properties every allocation must keep, on generated votes."""

from __future__ import annotations

import random
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tallyroom.domain.electoral_systems.apportionment import apportion
from tallyroom.domain.electoral_systems.apportionment_problem import (
    ApportionmentProblem,
    District,
    read_problem,
)
from tallyroom.domain.electoral_systems.divisor_methods import (
    DHONDT,
    SAINTE_LAGUE,
    DivisorMethod,
    DivisorSeries,
    allocate_by_divisors,
)
from tallyroom.domain.electoral_systems.drawn_lot import SeededLot
from tallyroom.domain.electoral_systems.largest_remainder import (
    Quota,
    allocate_by_largest_remainder,
)
from tallyroom.domain.electoral_systems.threshold import Threshold, ThresholdBase, ThresholdScope

LOT = SeededLot(b"property-tests-seed")
METHODS = st.sampled_from(
    [DHONDT, SAINTE_LAGUE, DivisorMethod(DivisorSeries.SAINTE_LAGUE, Fraction(7, 5))]
)
PARTY = st.text(alphabet="ABCDEFGHIJ", min_size=1, max_size=3)
VOTES = st.dictionaries(PARTY, st.integers(0, 200_000), min_size=1, max_size=8).filter(
    lambda v: sum(v.values()) > 0
)


def _shuffled(votes: dict[str, int], seed: int) -> dict[str, int]:
    items = list(votes.items())
    random.Random(seed).shuffle(items)
    return dict(items)


@settings(max_examples=150, deadline=None)
@given(votes=VOTES, seats=st.integers(0, 60), method=METHODS)
def test_divisor_seats_sum_to_the_house(
    votes: dict[str, int], seats: int, method: DivisorMethod
) -> None:
    allocation = allocate_by_divisors(votes, seats, method, lot=LOT)
    assert sum(allocation.seats.values()) == seats
    assert all(allocation.seats[p] == 0 for p, v in votes.items() if v == 0)


@settings(max_examples=150, deadline=None)
@given(votes=VOTES, seats=st.integers(0, 40), method=METHODS)
def test_divisor_house_monotonicity(
    votes: dict[str, int], seats: int, method: DivisorMethod
) -> None:
    smaller = allocate_by_divisors(votes, seats, method, lot=LOT)
    larger = allocate_by_divisors(votes, seats + 1, method, lot=LOT)
    # Guaranteed by divisor methods whenever no lot had to choose among equal quotients.
    assume(not smaller.lots and not larger.lots)
    assert all(larger.seats[p] >= smaller.seats[p] for p in votes)


@settings(max_examples=150, deadline=None)
@given(votes=VOTES, seats=st.integers(0, 40), method=METHODS, seed=st.integers())
def test_divisor_party_order_changes_nothing(
    votes: dict[str, int], seats: int, method: DivisorMethod, seed: int
) -> None:
    first = allocate_by_divisors(votes, seats, method, lot=LOT)
    second = allocate_by_divisors(_shuffled(votes, seed), seats, method, lot=LOT)
    assert dict(first.seats) == dict(second.seats)
    assert first.awards == second.awards
    assert first.lots == second.lots


@settings(max_examples=150, deadline=None)
@given(
    votes=VOTES, seats=st.integers(0, 40), quota=st.sampled_from(list(Quota)), seed=st.integers()
)
def test_largest_remainder_sum_and_order(
    votes: dict[str, int], seats: int, quota: Quota, seed: int
) -> None:
    first = allocate_by_largest_remainder(votes, seats, quota, lot=LOT)
    assert sum(first.seats.values()) == seats
    second = allocate_by_largest_remainder(_shuffled(votes, seed), seats, quota, lot=LOT)
    assert dict(first.seats) == dict(second.seats)
    assert first.lots == second.lots


@settings(max_examples=100, deadline=None)
@given(
    districts=st.lists(
        st.tuples(VOTES, st.integers(1, 15), st.integers(0, 5_000)), min_size=1, max_size=5
    ),
    percent=st.integers(1, 30),
    scope=st.sampled_from(list(ThresholdScope)),
    base=st.sampled_from(list(ThresholdBase)),
    seed=st.integers(),
)
def test_threshold_gates_its_seats(
    districts: list[tuple[dict[str, int], int, int]],
    percent: int,
    scope: ThresholdScope,
    base: ThresholdBase,
    seed: int,
) -> None:
    problem = ApportionmentProblem(
        name="generated",
        method=DHONDT,
        districts=tuple(
            District(f"d{i}", votes, seats, blank)
            for i, (votes, seats, blank) in enumerate(districts)
        ),
        lot=LOT,
        threshold=Threshold(Fraction(percent), scope, base),
    )
    try:
        result = apportion(problem)
    except ValueError:
        # Nobody past the threshold in some district: no seats can be given there.
        assume(False)
        raise
    for where, outcome in result.thresholds.items():
        gated = result.districts.values() if where == "national" else [result.districts[where]]
        for seats in gated:
            assert not any(party in outcome.failing for party in seats)
    assert sum(result.seats.values()) == sum(seats for _, seats, _ in districts)
    reordered = ApportionmentProblem(
        name="generated",
        method=DHONDT,
        districts=tuple(
            District(f"d{i}", _shuffled(votes, seed), seats, blank)
            for i, (votes, seats, blank) in enumerate(districts)
        ),
        lot=LOT,
        threshold=Threshold(Fraction(percent), scope, base),
    )
    assert apportion(reordered).districts == result.districts


PARTIES = ["A", "B", "C", "D", "E"]


@settings(max_examples=80, deadline=None)
@given(
    votes=st.lists(st.integers(1, 100_000), min_size=5, max_size=5),
    constituency=st.lists(st.integers(0, 30), min_size=5, max_size=5),
    percent=st.integers(1, 20),
    waiver=st.integers(1, 3),
    seed=st.integers(),
)
def test_mixed_member_overhang_and_threshold(
    votes: list[int], constituency: list[int], percent: int, waiver: int, seed: int
) -> None:
    document = {
        "name": "mmp",
        "method": "sainte-lague",
        "lot_seed": "00" * 8,
        "threshold": {"percent": percent, "waiver_constituency_seats": waiver},
        "compensatory": "overhang_kept",
        "parties": {
            p: {"constituency_seats": n} for p, n in zip(PARTIES, constituency, strict=True)
        },
        "districts": [{"id": "all", "seats": 120, "votes": dict(zip(PARTIES, votes, strict=True))}],
    }
    problem = read_problem(document)
    try:
        result = apportion(problem)
    except ValueError:
        assume(False)
        raise
    outcome = result.thresholds["national"]
    share = result.allocations[0].seats
    assert sum(share.values()) == 120
    for party, seats_won in zip(PARTIES, constituency, strict=True):
        # Never fewer seats than constituencies won (the overhang is kept) ...
        assert result.seats.get(party, 0) >= seats_won
        # ... and a party under the threshold gets no list seat.
        if party in outcome.failing:
            assert share.get(party, 0) == 0
            assert result.seats.get(party, 0) == seats_won
    shuffled = {
        **document,
        "districts": [
            {
                "id": "all",
                "seats": 120,
                "votes": _shuffled(dict(zip(PARTIES, votes, strict=True)), seed),
            }
        ],
    }
    assert dict(apportion(read_problem(shuffled)).seats) == dict(result.seats)


@settings(max_examples=60, deadline=None)
@given(
    districts=st.lists(
        st.tuples(st.lists(st.integers(1, 50_000), min_size=5, max_size=5), st.integers(2, 12)),
        min_size=2,
        max_size=5,
    ),
    percent=st.integers(1, 15),
    seed=st.integers(),
)
def test_leveling_seats_go_only_past_the_threshold(
    districts: list[tuple[list[int], int]], percent: int, seed: int
) -> None:
    def document(order_seed: int | None) -> dict[str, object]:
        return {
            "name": "leveling",
            "method": "sainte-lague",
            "first_divisor": 1.4,
            "lot_seed": "00" * 8,
            "threshold": {"percent": percent, "applies_to": "leveling"},
            "leveling": {"seats_per_district": 1},
            "districts": [
                {
                    "id": f"d{i}",
                    "seats": seats,
                    "votes": (
                        _shuffled(dict(zip(PARTIES, votes, strict=True)), order_seed)
                        if order_seed is not None
                        else dict(zip(PARTIES, votes, strict=True))
                    ),
                }
                for i, (votes, seats) in enumerate(districts)
            ],
        }

    try:
        result = apportion(read_problem(document(None)))
    except ValueError:
        # No party past the threshold: nobody to give leveling seats to.
        assume(False)
        raise
    assert result.leveling_seats is not None
    failing = result.thresholds["national"].failing
    for seats in result.leveling_seats.values():
        assert not any(party in failing for party in seats)
        assert sum(seats.values()) <= 1
    # Every party with votes everywhere can take a seat anywhere: all leveling seats are placed.
    assert sum(result.seats.values()) == sum(seats for _, seats in districts) + len(districts)
    assert apportion(read_problem(document(seed))).leveling_seats == result.leveling_seats
