"""Cell parsers shared by the definition files; each raises ValueError with a human message."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TypeVar

EnumType = TypeVar("EnumType", bound=enum.StrEnum)
Value = TypeVar("Value")

#: Distinct cells a memoized parser remembers (a column of codes stops being remembered).
MEMO_LIMIT = 10_000

#: Voter counts beyond this are typing errors, not polling stations.
MAXIMUM_COUNT = 100_000_000
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def text(cell: str) -> str:
    value = cell.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


def optional_text(cell: str) -> str | None:
    value = cell.strip()
    return value or None


def count(cell: str) -> int:
    value = cell.strip()
    if not value:
        raise ValueError("must not be empty")
    if not value.lstrip("-").isdigit():
        raise ValueError(f"{value!r} is not a whole number")
    number = int(value)
    if number < 0:
        raise ValueError(f"{number} is negative")
    if number > MAXIMUM_COUNT:
        raise ValueError(f"{number} is larger than {MAXIMUM_COUNT:,}")
    return number


def positive_integer(cell: str) -> int:
    number = count(cell)
    if number == 0:
        raise ValueError("must be a positive whole number")
    return number


def optional_positive_integer(cell: str) -> int | None:
    return positive_integer(cell) if cell.strip() else None


def optional_date(cell: str) -> date | None:
    value = cell.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date like 1970-01-31") from None


def yes_no(cell: str) -> bool:
    value = cell.strip().lower()
    if value in ("yes", "true", "1"):
        return True
    if value in ("no", "false", "0", ""):
        return False
    raise ValueError(f"{cell!r} is not yes or no")


def one_of(kind: type[EnumType], cell: str) -> EnumType:
    value = cell.strip()
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ValueError(f"{value!r} is not one of: {allowed}") from None


def list_of(cell: str) -> list[str]:
    return [item for item in map(str.strip, cell.split(";")) if item]


def memoized(parse: Callable[[str], Value]) -> Callable[[str], Value]:
    """`parse`, remembering the value of each cell it accepted: for columns whose cells
    repeat (kinds, tags, constituency numbers, countries), a dictionary lookup per cell.
    A cell that does not parse is parsed again each time, so its problem is reported."""
    cache: dict[str, Value] = {}

    def parse_memoized(cell: str) -> Value:
        try:
            return cache[cell]
        except KeyError:
            value = parse(cell)
            if len(cache) < MEMO_LIMIT:
                cache[cell] = value
            return value

    return parse_memoized


def one_of_parser(kind: type[EnumType]) -> Callable[[str], EnumType]:
    """A parser for one member of `kind` (see `one_of`), memoized."""
    return memoized(partial(one_of, kind))


def set_of_parser(kind: type[EnumType]) -> Callable[[str], frozenset[EnumType]]:
    """A parser for a ";"-separated set of members of `kind`, memoized."""

    def set_of(cell: str) -> frozenset[EnumType]:
        return frozenset(one_of(kind, item) for item in list_of(cell))

    return memoized(set_of)


def colour(cell: str) -> str:
    value = cell.strip()
    if not COLOUR.match(value):
        raise ValueError(f"{value!r} is not a colour like #1f77b4")
    return value.lower()


def country(cell: str) -> str:
    value = cell.strip()
    if not (value.isalpha() and value.isupper() and 2 <= len(value) <= 3):
        raise ValueError(f"{value!r} is not an ISO 3166 country code like AZ (or INT)")
    return value
