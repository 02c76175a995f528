"""The small election after polling day, through the real API: four signed protocols (one
amended), turnout reports. Shared by the publication, snapshot and announcement tests."""

from __future__ import annotations

from dataclasses import replace

from tallyroom.domain.protocol import ProtocolFigures
from tests.station_client import Api, good_figures, protocol


def figures(
    votes: dict[str, int],
    *,
    registered: int,
    issued_in_station: int,
    portable: int,
    invalid: int,
    added: int = 0,
) -> ProtocolFigures:
    """A protocol that passes every control check: all received ballots are issued or unused."""
    cast = sum(votes.values()) + invalid
    return ProtocolFigures(
        registered_voters=registered,
        voters_added=added,
        ballots_received=registered,
        ballots_issued_in_station=issued_in_station,
        ballots_issued_portable=portable,
        ballots_cast=cast,
        invalid_ballots=invalid,
        unused_ballots=registered - issued_in_station - portable,
        votes=votes,
    )


def counted_figures() -> dict[str, ProtocolFigures]:
    """Each station's counted protocol once polling day is over (001-0003 as amended)."""
    return {
        "001-0001": good_figures(),
        "001-0002": figures(
            {"C001": 200, "C002": 300, "C003": 50},
            registered=800,
            issued_in_station=560,
            portable=10,
            invalid=10,
        ),
        "001-0003": figures(
            {"C001": 50, "C002": 40, "C003": 5},
            registered=150,
            issued_in_station=100,
            portable=0,
            invalid=5,
        ),
        "002-0001": figures(
            {"C004": 300, "C005": 150},
            registered=600,
            added=5,
            issued_in_station=470,
            portable=10,
            invalid=15,
        ),
    }


def poll_small_election(api: Api) -> None:
    """Constituency 1: C001 (YAP) 650, C002 (REAL) 590, C003 (non-party) 155; constituency 2:
    C004 (YAP member, independent) 300, C005 (MUS) 150. Seats: YAP 1, YAP member 1."""
    counted = counted_figures()
    amended = counted["001-0003"]
    documents = [
        protocol("001-0001", figures=counted["001-0001"]),
        protocol("001-0002", figures=counted["001-0002"]),
        # first sent with C001 and C002 swapped
        protocol("001-0003", figures=replace(amended, votes={"C001": 40, "C002": 50, "C003": 5})),
        protocol(
            "001-0003",
            version=2,
            amendment_reason="C001 and C002 swapped when copied",
            figures=amended,
        ),
        protocol("002-0001", figures=counted["002-0001"]),
    ]
    for document in documents:
        response = api.submit(document)
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "accepted", response.text
    for station, as_of, voters in (
        ("001-0001", "10:00", 100),
        ("001-0001", "19:00", 700),
        ("002-0001", "19:00", 450),
    ):
        response = api.client.post(
            f"/api/v1/stations/{station}/turnout",
            json={"as_of": as_of, "voters": voters},
            headers=api.headers(api.station_token(station)),
        )
        assert response.status_code == 201, response.text


#: why the commission annuls station 001-0002 in `annul_and_reject`
ANNULMENT_REASON = "Ballot box seal found broken before the count"
#: why it rejects version 2 of station 002-0001
REJECTION_REASON = "Figures do not add up; version 1 stands"


def annul_and_reject(api: Api) -> None:
    """After `poll_small_election`: the commission annuls 001-0002 (560 ballots cast, counted
    until then), and station 002-0001 sends a version 2 that fails a control check, which the
    commission rejects. 001-0003's version 1 stays superseded by its version 2."""
    response = api.client.post(
        "/api/v1/stations/001-0002/annulment",
        json={"reason": ANNULMENT_REASON, "confirmed": True},
        headers=api.commission,
    )
    assert response.status_code == 201, response.text
    flagged = protocol(
        "002-0001",
        version=2,
        amendment_reason="late recount",
        figures=replace(
            figures(
                {"C004": 310, "C005": 150},
                registered=600,
                added=5,
                issued_in_station=470,
                portable=10,
                invalid=15,
            ),
            ballots_cast=999,
        ),
    )
    response = api.submit(flagged)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "flagged", response.text
    response = api.client.post(
        "/api/v1/stations/002-0001/protocols/2/decision",
        json={"decision": "reject", "reason": REJECTION_REASON},
        headers=api.commission,
    )
    assert response.status_code == 200, response.text
