"""A contest's id as protocol documents name it: stable across databases, made from the
definition (the reference election has one contest per constituency)."""

from __future__ import annotations

import re

_CONSTITUENCY_CONTEST = re.compile(r"^constituency-([1-9][0-9]{0,8})$")


def contest_code(constituency_number: int) -> str:
    """The id of the contest of a single-member constituency: "constituency-5"."""
    return f"constituency-{constituency_number}"


def constituency_of_contest(code: str) -> int | None:
    """The constituency number a contest id names, None when it names none."""
    match = _CONSTITUENCY_CONTEST.fullmatch(code)
    return int(match.group(1)) if match else None
