"""Observer accreditations."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ObserverKind(enum.StrEnum):
    PARTY_REPRESENTATIVE = "party_representative"
    CANDIDATE_REPRESENTATIVE = "candidate_representative"
    LOCAL_NGO = "local_ngo"
    INTERNATIONAL = "international"

    @property
    def is_local(self) -> bool:
        return self is not ObserverKind.INTERNATIONAL


@dataclass(frozen=True, slots=True)
class Observer:
    code: str
    full_name: str
    kind: ObserverKind
    country: str
    organisation: str | None = None
    #: party short name or candidate code, for representatives
    represents: str | None = None
    #: station codes the observer is accredited to; empty means any station
    stations: tuple[str, ...] = ()
