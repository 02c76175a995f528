"""The election's name in each language on the site and in the announcement, from a definition
that gives it per language; search that folds Azerbaijani letters and reads Cyrillic."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.announcement import announcement_text
from tallyroom.scenarios.az_2024 import ELECTION as AZ_2024
from tallyroom.service.results.announcement import announcement_figures
from tests.conftest import FIXTURES
from tests.station_client import Api

NAMES = {
    "az": "Kiçik sınaq seçkisi",
    "en": "Small test election",
    "ru": "Малые пробные выборы",
}


@pytest.fixture
def small_election(tmp_path: Path) -> Path:
    """The small election, its name given in az, en and ru."""
    folder = tmp_path / "small-election"
    shutil.copytree(FIXTURES / "small-election", folder)
    election = folder / "election.yaml"
    pairs = ", ".join(f'{language}: "{name}"' for language, name in NAMES.items())
    election.write_text(
        election.read_text().replace(
            '  name: "Small test election"\n',
            f'  name: "Small test election"\n  names: {{{pairs}}}\n',
        )
    )
    return folder


def heading(page: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", page, re.S)
    assert found is not None
    return found.group(1).strip()


@pytest.mark.parametrize("language", ["az", "en", "ru"])
def test_overview_names_the_election_in_the_readers_language(web_api: Api, language: str) -> None:
    page = web_api.client.get(f"/?lang={language}").text
    assert heading(page) == NAMES[language]


@pytest.mark.parametrize("language", ["az", "en", "ru"])
def test_announcement_names_the_election_in_its_language(
    loaded_election: sessionmaker[Session], language: str
) -> None:
    with loaded_election() as session:
        figures = announcement_figures(session)
    title = announcement_text(figures, language).splitlines()[0]
    assert NAMES[language] in title
    others = [name for other, name in NAMES.items() if other != language]
    assert not any(name in title for name in others)


def test_the_reference_election_is_named_in_three_languages() -> None:
    names = dict(AZ_2024.names)
    assert set(names) == {"az", "en", "ru"}
    assert "Məclis" in names["az"]
    assert "Меджлис" in names["ru"]
    assert AZ_2024.name_in("en") == AZ_2024.name


def test_search_finds_stations_as_readers_type_them(web_api: Api) -> None:
    # station "Xəstəxana", constituency "Şuşa (IDP)", observer-free candidate names
    for typed in ("Xestexana", "xastaxana", "ХЕСТЕХАНА", "Хястяхана"):
        found = web_api.client.get("/search.json", params={"q": typed}).json()["data"]
        assert [s["code"] for s in found["stations"]] == ["001-0003"], typed
    for typed in ("Susa", "ŞUŞA", "Шуша"):
        found = web_api.client.get("/search.json", params={"q": typed}).json()["data"]
        assert [c["number"] for c in found["constituencies"]] == [2], typed


def test_search_takes_percent_and_underscore_literally(web_api: Api) -> None:
    for typed in ("%", "_", "0%1", "00_-"):
        found = web_api.client.get("/search.json", params={"q": typed}).json()["data"]
        assert found["stations"] == [], typed
