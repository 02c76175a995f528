"""What a snapshot publishes, gathered from the database after a polling day."""

from __future__ import annotations

from tallyroom.domain.canonical_json import canonical_json
from tallyroom.domain.signature import signature_is_valid
from tallyroom.service.audit import audit_log
from tallyroom.service.results.publication import gather_publication
from tallyroom.service.results.results import build_national_results
from tallyroom.service.results.results_json import national_json
from tallyroom.store.database import transaction
from tests.polled_election import poll_small_election
from tests.station_client import Api


def test_every_counted_protocol_is_published_with_its_signature_and_key(api: Api) -> None:
    poll_small_election(api)
    with transaction(api.sessions) as session:
        publication = gather_publication(session)
        results = national_json(build_national_results(session))
        head = audit_log.head(session)
    assert [(p.station, p.version) for p in publication.protocols] == [
        ("001-0001", 1),
        ("001-0002", 1),
        ("001-0003", 2),  # the amendment is what counts, not the first version
        ("002-0001", 1),
    ]
    for published in publication.protocols:
        assert published.document["station"] == published.station
        assert signature_is_valid(
            canonical_json(published.document), published.signature, published.public_key
        )
    assert publication.protocols[2].document["figures"]["votes"]["C001"] == 50
    assert sorted({key.station for key in publication.station_keys}) == [
        "001-0001",
        "001-0002",
        "001-0003",
        "002-0001",
    ]
    assert results == publication.results
    assert publication.results["seats"] == [
        {"party": "YAP", "nomination": "party", "seats": 1, "won": 1, "leading": 0},
        {"party": "YAP", "nomination": "party_member", "seats": 1, "won": 1, "leading": 0},
    ]
    assert [hour["voters"] for hour in publication.turnout["hours"]] == [100, 0, 0, 1150]
    assert (publication.audit_sequence, publication.audit_head_hash) == head
    assert len(publication.definition.stations) == 4


def test_an_annulled_station_is_not_published(api: Api) -> None:
    poll_small_election(api)
    response = api.client.post(
        "/api/v1/stations/001-0002/annulment",
        json={"reason": "ballot stuffing seen on the webcam", "confirmed": True},
        headers=api.commission,
    )
    assert response.status_code == 201, response.text
    with transaction(api.sessions) as session:
        publication = gather_publication(session)
    assert "001-0002" not in {p.station for p in publication.protocols}
    assert publication.results["stations_reporting"] == 3


def test_before_polling_day_nothing_is_published_but_the_keys(api: Api) -> None:
    with transaction(api.sessions) as session:
        publication = gather_publication(session)
    assert publication.protocols == []
    assert len(publication.station_keys) == 4
    assert publication.results["stations_reporting"] == 0
