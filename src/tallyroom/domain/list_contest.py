"""A party-list contest: seats filled from party lists by the votes each party gets on its
own ballot (Azerbaijan 1995–2005: 25 of 125 seats nationally, above a threshold; or one per
district, as Spain's provinces)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class ListMethod(enum.StrEnum):
    """How the list seats are shared among the parties past the threshold."""

    DHONDT = "dhondt"
    SAINTE_LAGUE = "sainte-lague"
    #: largest remainder with the Hare quota (votes / seats)
    HARE = "hare"
    #: largest remainder with the Droop quota
    DROOP = "droop"


@dataclass(frozen=True, slots=True)
class ListContest:
    """The national list contest: its id as protocols name it, seats, method and threshold."""

    code: str
    seats: int
    method: ListMethod
    #: a party needs at least this share of the valid list votes for any list seat
    threshold_percent: Fraction
    #: blank votes count in the threshold's base (district list contests, as Spain)
    threshold_counts_blank: bool = False
    #: a divisor method's first divisor in place of the series' own (modified Sainte-Laguë,
    #: Norway's districts: 1.4); None: the series' own
    first_divisor: Fraction | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "seats": self.seats,
            "method": self.method.value,
            "threshold_percent": str(self.threshold_percent),
        }


def threshold_percent_of(raw: Any) -> Fraction:
    """A threshold percentage, exact ("13/2", 6.5 or "6"); ValueError when it is none."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError("threshold_percent must be a number")
    try:
        threshold = Fraction(str(raw))
    except (ValueError, ZeroDivisionError):
        raise ValueError("threshold_percent must be a number") from None
    if not 0 <= threshold < 100:
        raise ValueError("threshold_percent must be from 0 to under 100")
    return threshold


def list_contest_of(data: Any) -> ListContest:
    """The list contest a definition (election.yaml's `list_contest`) or the store describes;
    ValueError naming the first problem."""
    if not isinstance(data, dict):
        raise ValueError("must be a mapping with code, seats, method and threshold_percent")
    unknown = sorted(set(data) - {"code", "seats", "method", "threshold_percent"})
    if unknown:
        raise ValueError(f"unknown field {unknown[0]!r}")
    code = data.get("code", "national-list")
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValueError("code must be lowercase letters, digits and hyphens")
    if code.startswith("constituency-"):
        raise ValueError("code must not name a constituency contest")
    seats = data.get("seats")
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise ValueError("seats must be a whole number of 1 or more")
    try:
        method = ListMethod(data.get("method", "dhondt"))
    except ValueError:
        known = ", ".join(m.value for m in ListMethod)
        raise ValueError(f"method must be one of {known}") from None
    threshold = threshold_percent_of(data.get("threshold_percent", 0))
    return ListContest(code=code, seats=seats, method=method, threshold_percent=threshold)
