"""Polling stations: where voters vote and where a protocol is drawn up."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class StationKind(enum.StrEnum):
    PERMANENT = "permanent"
    TEMPORARY = "temporary"


class StationTag(enum.StrEnum):
    IDP = "idp"
    #: territories regained in 2020-2023 in the reference election
    SPECIAL_TERRITORY = "special_territory"
    ABROAD = "abroad"


@dataclass(frozen=True, slots=True)
class PollingStation:
    code: str
    constituency: int
    name: str
    kind: StationKind
    registered_voters: int
    #: of the registered voters, those who turn 18 on polling day itself
    turning_18: int = 0
    tags: frozenset[StationTag] = field(default_factory=frozenset)
    webcam: bool = False
    #: whom the commission calls about the station: personal data, never published
    contact: str | None = None

    @property
    def is_idp(self) -> bool:
        return StationTag.IDP in self.tags
