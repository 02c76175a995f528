"""Search over the hand-built election: Azerbaijani letters folded, Cyrillic read, and the
count of matches in each language's plural forms."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient


def summary(site: TestClient, query: str, language: str) -> str:
    page = site.get("/search", params={"q": query, "lang": language}).text
    found = re.search(r'<p id="search-summary">(.*?)</p>', page, re.S)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("typed", "candidate"),
    [
        ("Ismayilov", "C008"),  # Fuad İsmayılov
        ("İSMAYILOV", "C008"),
        ("Mammadov", "C001"),  # Əli Məmmədov
        ("Memmedov", "C001"),
        ("Исмайылов", "C008"),
        ("Гасанова", "C002"),  # Leyla Həsənova
    ],
)
def test_candidates_are_found_as_readers_type_them(
    site: TestClient, typed: str, candidate: str
) -> None:
    found = site.get("/search.json", params={"q": typed}).json()["data"]
    assert [c["code"] for c in found["candidates"]] == [candidate]


def test_constituencies_are_found_without_azerbaijani_letters(site: TestClient) -> None:
    for typed in ("Susa", "Шуша", "Binaqadi", "Бинагади", "Xetai"):
        found = site.get("/search.json", params={"q": typed}).json()["data"]
        assert len(found["constituencies"]) == 1, typed


def test_one_match_is_singular(site: TestClient) -> None:
    assert summary(site, "Ismayilov", "en") == "1 match for “Ismayilov”"
    assert summary(site, "Ismayilov", "ru") == "1 совпадение по запросу «Ismayilov»"


def test_several_matches_take_the_plural_of_each_language(site: TestClient) -> None:
    # Həsənova, Kərimova, Cəfərova
    assert summary(site, "ova", "en") == "3 matches for “ova”"
    assert summary(site, "ova", "ru") == "3 совпадения по запросу «ova»"
    # eleven candidates' names hold a v: 11 takes the genitive plural, 1 and 21 the singular
    assert summary(site, "v", "ru").startswith("11 совпадений")
