"""An apportionment result as a JSON document: the README's output (seats, districts, leveling
seats, seated constituency winners, lots) plus the thresholds and quotient tables behind it."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from tallyroom.domain.electoral_systems.apportionment import Allocation, ApportionmentResult
from tallyroom.domain.electoral_systems.divisor_methods import DivisorAllocation
from tallyroom.domain.electoral_systems.threshold import ThresholdOutcome


def _exact(value: Fraction) -> str:
    """A fraction as text that reads back exactly: "7/5", "25000"."""
    return str(value)


def _threshold(outcome: ThresholdOutcome) -> dict[str, Any]:
    return {
        "base_votes": outcome.base_votes,
        "passing": sorted(outcome.passing),
        "failing": sorted(outcome.failing),
        "standings": {p: s.value for p, s in sorted(outcome.standings.items())},
        "lines": {
            _exact(percent): _exact(outcome.line_votes(percent))
            for percent in sorted(set(outcome.required_percent.values()))
        },
    }


def allocation_document(allocation: Allocation) -> dict[str, Any]:
    if isinstance(allocation, DivisorAllocation):
        return {
            "label": allocation.label,
            "method": allocation.method.series.value,
            "first_divisor": (
                _exact(allocation.method.first_divisor)
                if allocation.method.first_divisor is not None
                else None
            ),
            "seats": {p: n for p, n in allocation.seats.items() if n},
            "awards": [
                {
                    "seat": a.seat,
                    "party": a.party,
                    "quotient": _exact(a.quotient),
                    "by_tie": a.by_tie,
                }
                for a in allocation.awards
            ],
            "quotients": {
                p: [_exact(q) for q in quotients]
                for p, quotients in allocation.quotients.items()
                if quotients
            },
        }
    return {
        "label": allocation.label,
        "method": allocation.quota_rule.value,
        "quota": _exact(allocation.quota),
        "seats": {p: n for p, n in allocation.seats.items() if n},
        "quota_seats": {p: n for p, n in allocation.quota_seats.items() if n},
        "remainders": {p: _exact(r) for p, r in allocation.remainders.items()},
        "remainder_seats": list(allocation.remainder_seats),
    }


def result_document(result: ApportionmentResult, *, with_tables: bool = True) -> dict[str, Any]:
    document: dict[str, Any] = {
        "name": result.name,
        "house": result.house,
        "seats": dict(result.seats),
        "districts": {d: dict(s) for d, s in result.districts.items()},
    }
    if result.leveling_seats is not None:
        document["leveling_seats"] = {d: dict(s) for d, s in result.leveling_seats.items()}
    if result.covered is not None:
        document["seated_constituency_winners"] = list(result.covered.seated)
        document["unseated_constituency_winners"] = list(result.covered.not_seated)
    if result.lots:
        document["lots"] = [
            {"between": list(lot.between), "seat": lot.seat, "won_by": lot.won_by}
            for lot in result.lots
        ]
    if result.thresholds:
        document["thresholds"] = {w: _threshold(o) for w, o in result.thresholds.items()}
    if result.leveling is not None:
        document["leveling"] = {
            "over_represented": list(result.leveling.over_represented),
            "party_leveling_seats": dict(result.leveling.party_leveling_seats),
            "placements": [
                {
                    "order": p.order,
                    "district": p.district,
                    "party": p.party,
                    "quotient": _exact(p.quotient),
                }
                for p in result.leveling.placements
            ],
        }
    if with_tables:
        document["quotient_tables"] = [allocation_document(a) for a in result.allocations]
    return document
