"""Organisations that observe the election or run exit polls."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class OrganisationRole(enum.StrEnum):
    OBSERVER = "observer"
    EXIT_POLL = "exit_poll"


@dataclass(frozen=True, slots=True)
class Organisation:
    code: str
    name: str
    country: str
    roles: frozenset[OrganisationRole] = field(default_factory=frozenset)
    #: code of a partner organisation (the foreign research firm of an exit poll, say)
    partner: str | None = None


@dataclass(frozen=True, slots=True)
class ExitPollSample:
    """One station in an exit-poll organisation's sample."""

    organisation: str
    station: str
