"""Won / leading for every seat of a multi-member plurality contest on the constituency
page (the top N), as the count stands; az/en/ru."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.polled_election import figures
from tests.station_client import Api, good_figures, protocol

FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    """The small election electing two per constituency by multi-member plurality."""
    folder = tmp_path / "small-election"
    shutil.copytree(FIXTURES / "small-election", folder)
    path = folder / "election.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("kind: single_member_plurality", "kind: multi_member_plurality")
    text = text.replace("seats_per_constituency: 1", "seats_per_constituency: 2")
    path.write_text(text.replace("seats: 2\n", "seats: 4\n"), encoding="utf-8")
    return folder


def _marks(page: str) -> dict[str, str | None]:
    """Candidate → the seat mark in its row (won, leading or none)."""
    marks: dict[str, str | None] = {}
    section = page[page.index('id="candidates"') :]
    section = section[: section.index("</section>")]
    for code in ("C001", "C002", "C003"):
        row = section[section.index(f'data-candidate="{code}"') :]
        row = row[: row.index("</tr>")]
        marks[code] = next(
            (status for status in ("won", "leading") if f'data-seat-status="{status}"' in row),
            None,
        )
    return marks


@pytest.mark.parametrize(
    ("language", "words"), [("en", "Seats: 2"), ("az", "Mandatlar: 2"), ("ru", "Мандатов: 2")]
)
def test_every_seat_of_a_multi_member_contest_is_marked(
    api: Api, language: str, words: str
) -> None:
    # One station of three counted: C001 400, C002 250, C003 100 — two seats leading.
    assert api.submit(protocol("001-0001", figures=good_figures())).status_code == 201
    page = api.client.get(f"/constituencies/1?lang={language}").text
    assert _marks(page) == {"C001": "leading", "C002": "leading", "C003": None}
    assert words in page
    assert 'data-seats-leading="2"' in page
    # The rest counted: C002 overtakes nobody, C003 stays out; both seats won.
    for station, votes, registered, issued in (
        ("001-0002", {"C001": 200, "C002": 300, "C003": 50}, 800, 560),
        ("001-0003", {"C001": 50, "C002": 40, "C003": 5}, 150, 100),
    ):
        document = protocol(
            station,
            figures=figures(
                votes,
                registered=registered,
                issued_in_station=issued,
                portable=0,
                invalid=issued - sum(votes.values()),
            ),
        )
        answer = api.submit(document)
        assert answer.status_code == 201, answer.text
    page = api.client.get(f"/constituencies/1?lang={language}").text
    assert _marks(page) == {"C001": "won", "C002": "won", "C003": None}
    assert 'data-seats-won="2"' in page
