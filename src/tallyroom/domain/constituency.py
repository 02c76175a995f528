"""Constituencies: the electoral districts, each electing its members in one contest."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ConstituencyKind(enum.StrEnum):
    REGULAR = "regular"
    #: a constituency of internally displaced persons, voting for their home district
    IDP = "idp"


@dataclass(frozen=True, slots=True)
class Constituency:
    number: int
    name: str
    kind: ConstituencyKind = ConstituencyKind.REGULAR
