"""Each version's standing and the station's, from stored status, the counted version and the
annulment: one rule for the site, open data and the snapshot."""

from __future__ import annotations

from tallyroom.domain.protocol_history import (
    StationStanding,
    VersionStanding,
    station_standing,
    version_standing,
)


def standings(statuses: list[str], *, counted: int | None, annulled: bool) -> list[str]:
    return [
        version_standing(
            status=status,
            counted=counted == number,
            latest=number == len(statuses),
            annulled=annulled,
        ).value
        for number, status in enumerate(statuses, start=1)
    ]


def test_an_amended_protocol_supersedes_the_earlier_one() -> None:
    assert standings(["accepted", "accepted"], counted=2, annulled=False) == [
        "superseded",
        "counted",
    ]
    assert standings(["flagged", "accepted"], counted=2, annulled=False) == [
        "superseded",
        "counted",
    ]


def test_a_rejected_version_stays_rejected_wherever_it_stands() -> None:
    assert standings(["accepted", "rejected"], counted=1, annulled=False) == [
        "counted",
        "rejected",
    ]
    assert standings(["rejected", "accepted"], counted=2, annulled=False) == [
        "rejected",
        "counted",
    ]


def test_an_annulled_stations_latest_protocol_is_annulled_whether_counted_before_or_not() -> None:
    assert standings(["accepted"], counted=None, annulled=True) == ["annulled"]
    assert standings(["accepted", "received"], counted=None, annulled=True) == [
        "superseded",
        "annulled",
    ]
    assert standings(["flagged"], counted=None, annulled=False) == ["flagged"]


def test_the_station_is_annulled_before_anything_else_and_not_reported_with_no_protocol() -> None:
    assert station_standing(counted=False, annulled=True, latest=None) is StationStanding.ANNULLED
    assert station_standing(counted=False, annulled=False, latest=None) is (
        StationStanding.NOT_REPORTED
    )
    assert station_standing(counted=True, annulled=False, latest=VersionStanding.COUNTED) is (
        StationStanding.COUNTED
    )
    assert station_standing(counted=False, annulled=False, latest=VersionStanding.FLAGGED) is (
        StationStanding.FLAGGED
    )
