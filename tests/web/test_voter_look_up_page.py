"""The voters' own look-up: the station only, for id and birth date together, in three
languages, rate-limited; hostile forms are 4xx."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tallyroom.api.rate_limit import RateLimit
from tallyroom.store.database import transaction
from tallyroom.store.schema import VoterRow
from tests.register_fixture import load_small_register
from tests.station_client import Api


@pytest.fixture
def voter(api: Api) -> tuple[str, str]:
    load_small_register(api.sessions)
    with transaction(api.sessions) as session:
        row = session.scalars(select(VoterRow).where(VoterRow.station_id == 2).limit(1)).one()
        return str(row.voter_number), row.birth_date.isoformat() if row.birth_date else ""


def test_the_answer_is_the_station_only(api: Api, voter: tuple[str, str]) -> None:
    number, born = voter
    answer = api.client.post("/where-do-i-vote?lang=en", data={"voter": number, "birth_date": born})
    assert answer.status_code == 200
    assert "polling station 001-0002" in answer.text
    with transaction(api.sessions) as session:
        row = session.scalars(select(VoterRow).where(VoterRow.voter_number == number)).one()
    assert str(row.surname) not in answer.text
    assert str(row.address) not in answer.text
    wrong_birth = api.client.post(
        "/where-do-i-vote?lang=en", data={"voter": number, "birth_date": "1901-01-01"}
    )
    assert "No voter on the register matches" in wrong_birth.text
    assert "001-0002" not in wrong_birth.text


@pytest.mark.parametrize(
    ("lang", "words"), [("az", "Harada səs verirəm"), ("ru", "Где я голосую"), ("en", "Where")]
)
def test_three_languages(api: Api, lang: str, words: str) -> None:
    page = api.client.get(f"/where-do-i-vote?lang={lang}")
    assert page.status_code == 200
    assert words in page.text


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"voter": "AZE1", "birth_date": "not a date"}, 422),
        ({"voter": "", "birth_date": "1980-01-01"}, 422),
        ({"voter": "A" * 33, "birth_date": "1980-01-01"}, 422),
        ({"birth_date": "1980-01-01"}, 422),
    ],
)
def test_bad_forms_are_4xx(api: Api, data: dict[str, str], status: int) -> None:
    assert api.client.post("/where-do-i-vote", data=data).status_code == status


def test_an_oversized_form_is_refused(api: Api) -> None:
    answer = api.client.post("/where-do-i-vote", data={"voter": "A" * 5000, "birth_date": "x"})
    assert answer.status_code == 413


def test_attempts_are_rate_limited(api: Api) -> None:
    answers = [
        api.client.post("/where-do-i-vote", data={"voter": "AZE1", "birth_date": "1980-01-01"})
        for _ in range(7)
    ]
    assert [a.status_code for a in answers][-2:] == [429, 429]
    assert (
        "Too many attempts"
        in api.client.post(
            "/where-do-i-vote?lang=en", data={"voter": "AZE1", "birth_date": "1980-01-01"}
        ).text
    )


def test_the_window_forgets_old_attempts() -> None:
    limit = RateLimit(attempts=2, window_seconds=60)
    assert [limit.allow("a", now=t) for t in (0, 1, 2)] == [True, True, False]
    assert limit.allow("a", now=61)
    assert limit.allow("b", now=2)
