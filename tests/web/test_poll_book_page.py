"""The public poll-book page: the cross-checks (hourly check-ins beside reported turnout,
each station's ballots issued beside its check-ins), double votes and their complaints, in
three languages, and never a voter."""

from __future__ import annotations

import pytest

from tests.api.test_check_in_rule import check_in_many, desks, issued
from tests.api.test_double_vote_complaints import double_vote_away_and_at_home
from tests.api.test_poll_book import voter_of
from tests.station_client import Api

__all__ = ["desks"]


def test_before_any_check_in_the_page_says_so(desks: Api) -> None:
    page = desks.client.get("/poll-book?lang=en")
    assert page.status_code == 200
    assert "No station has used a poll book yet." in page.text


def test_the_stations_cross_check_and_the_double_votes(desks: Api) -> None:
    check_in_many(desks, 0, 5)
    assert desks.submit(issued(5)).json()["status"] == "accepted"
    voter = double_vote_away_and_at_home(desks)
    page = desks.client.get("/poll-book?lang=en")
    assert page.status_code == 200, page.text
    text = page.text
    assert 'data-station="001-0001"' in text
    assert 'data-station="002-0001"' in text
    row = text[text.index('data-station="001-0001"') :].split("</tr>")[0]
    # 5 check-ins and the voter who voted away came home: 6 beside 5 ballots issued
    assert 'data-agree="False"' in row
    assert 'data-figure="double_votes">1<' in text
    assert 'data-figure="double_vote_complaints">1<' in text
    assert voter not in text
    assert voter_of(desks, "001-0001", 40) not in text


@pytest.mark.parametrize(
    ("lang", "words"),
    [("az", "Elektron seçici siyahıları"), ("ru", "Электронные списки"), ("en", "Poll books")],
)
def test_three_languages(desks: Api, lang: str, words: str) -> None:
    check_in_many(desks, 0, 1)
    page = desks.client.get(f"/poll-book?lang={lang}")
    assert page.status_code == 200
    assert words in page.text
