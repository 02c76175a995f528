"""Where each protocol version of a station stands, and the station with it, as the public is
told: counted, superseded, rejected, flagged, annulled, or not reported. One rule for the site,
open data and the snapshot, so a verifier derives the same words from the published files."""

from __future__ import annotations

import enum


class VersionStanding(enum.StrEnum):
    #: the version in the totals now
    COUNTED = "counted"
    #: a later version of the station replaced it
    SUPERSEDED = "superseded"
    #: the commission refused it by decision
    REJECTED = "rejected"
    #: it failed control checks and awaits the commission
    FLAGGED = "flagged"
    #: a person's decision on it awaits a second person's confirmation (four-eyes): not counted
    PENDING_CONFIRMATION = "pending_confirmation"
    #: the station's latest protocol, left out because the station's result is annulled
    ANNULLED = "annulled"
    #: stored and not counted for no reason above (an annulment lifted by a recount order)
    RECEIVED = "received"


class StationStanding(enum.StrEnum):
    COUNTED = "counted"
    ANNULLED = "annulled"
    FLAGGED = "flagged"
    PENDING_CONFIRMATION = "pending_confirmation"
    REJECTED = "rejected"
    RECEIVED = "received"
    NOT_REPORTED = "not_reported"


#: stored statuses of protocol versions (service.protocols.ProtocolStatus values)
_REJECTED = "rejected"
_FLAGGED = "flagged"


def version_standing(
    *, status: str, counted: bool, latest: bool, annulled: bool, pending: bool = False
) -> VersionStanding:
    """A version's standing from its stored status, whether it is the counted one, whether it
    is the station's latest, whether the station's result stands annulled and whether a
    decision on it (or on its station) awaits a second person's confirmation."""
    if counted:
        return VersionStanding.COUNTED
    if status == _REJECTED:
        return VersionStanding.REJECTED
    if not latest:
        return VersionStanding.SUPERSEDED
    if annulled:
        return VersionStanding.ANNULLED
    if status == _FLAGGED:
        return VersionStanding.PENDING_CONFIRMATION if pending else VersionStanding.FLAGGED
    return VersionStanding.RECEIVED


def station_standing(
    *, counted: bool, annulled: bool, latest: VersionStanding | None
) -> StationStanding:
    """A station's standing: annulled by decision before anything else (even with no protocol
    in), then counted, then what its latest version says; not reported with no version."""
    if annulled:
        return StationStanding.ANNULLED
    if counted:
        return StationStanding.COUNTED
    if latest is None:
        return StationStanding.NOT_REPORTED
    if latest in (
        VersionStanding.FLAGGED,
        VersionStanding.PENDING_CONFIRMATION,
        VersionStanding.REJECTED,
    ):
        return StationStanding(latest.value)
    return StationStanding.RECEIVED


#: the audit action that records each kind of the commission's decision on a station
DECISION_AUDIT_ACTIONS = {"annulled": "station.annulled", "recount": "station.recount_ordered"}
ANNULLED_DECISION = "annulled"
