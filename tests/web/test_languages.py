"""Three languages through gettext catalogues: every message translated, the switch on every
page, numbers and dates written per locale."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from tallyroom.web.language import LANGUAGES, catalogue_path, choose_language, compile_catalogue
from tallyroom.web.locale_formatting import LocaleFormatting

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "tallyroom" / "web"
PAGES = (
    "/",
    "/constituencies/1",
    "/stations/001-0001",
    "/parties",
    "/candidates",
    "/observers",
    "/search?q=C",
)


def extracted_messages() -> set[str]:
    """The messages the code and templates use now, by the rules of babel.cfg."""
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {
        "**/templates/**.html": {
            "extensions": "jinja2.ext.i18n",
            "trim_blocks": "True",
            "lstrip_blocks": "True",
        }
    }
    messages = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(WEB), method_map=method_map, options_map=options
    ):
        messages.add(message if isinstance(message, str) else message[0])
    return messages


def test_babel_config_matches_the_extraction_here() -> None:
    config = (ROOT / "babel.cfg").read_text()
    assert "[python: **.py]" in config
    assert "[jinja2: **/templates/**.html]" in config


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    with catalogue_path(language, "po").open("rb") as po_file:
        catalogue = read_po(po_file, locale=language)
    # a plural message is keyed by its singular, with every form of its translation
    translated = {
        message.id[0] if isinstance(message.id, tuple) else message.id: (
            tuple(message.string) if isinstance(message.string, tuple | list) else (message.string,)
        )
        for message in catalogue
        if message.id
    }
    used = extracted_messages()
    assert len(used) > 100
    assert sorted(used - set(translated)) == []
    assert sorted(msgid for msgid in used if not all(translated[msgid])) == []
    for msgid in used:
        placeholders = sorted(set(re.findall(r"%\((\w+)\)s", msgid)))
        for form in translated[msgid]:
            assert sorted(set(re.findall(r"%\((\w+)\)s", form))) == placeholders, msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_is_the_compiled_po(language: str) -> None:
    def key(message_id: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
        return message_id if isinstance(message_id, str) else tuple(message_id)

    with catalogue_path(language, "mo").open("rb") as mo_file:
        committed = {key(m.id): m.string for m in read_mo(mo_file) if m.id}
    import io

    fresh = {key(m.id): m.string for m in read_mo(io.BytesIO(compile_catalogue(language))) if m.id}
    assert committed == fresh


def test_language_choice_query_then_cookie_then_azerbaijani() -> None:
    assert choose_language("ru", "en") == "ru"
    assert choose_language(None, "en") == "en"
    assert choose_language("xx", None) == "az"
    assert choose_language(None, None) == "az"


@pytest.mark.parametrize("path", PAGES)
def test_language_switch_on_every_page(site: TestClient, path: str) -> None:
    page = site.get(path).text
    for language in LANGUAGES:
        assert f'data-lang="{language}"' in page
    english = site.get(path + ("&" if "?" in path else "?") + "lang=en")
    assert '<html lang="en">' in english.text
    assert english.cookies.get("lang") == "en"
    # the cookie remembers the choice on the next page without a query
    assert '<html lang="en">' in site.get(path).text
    russian = site.get(path + ("&" if "?" in path else "?") + "lang=ru").text
    assert '<html lang="ru">' in russian
    assert "Обзор" in russian


def test_headings_and_numbers_per_language(site: TestClient) -> None:
    azerbaijani = site.get("/?lang=az").text
    english = site.get("/?lang=en").text
    russian = site.get("/?lang=ru").text
    assert "Daxil olmuş protokollar" in azerbaijani
    assert "Protocols received" in english
    assert "Поступившие протоколы" in russian
    assert "15.000" in azerbaijani  # registered voters
    assert "15,000" in english
    assert "15\u00a0000" in russian
    assert "52,0%" in azerbaijani  # turnout at 19:00
    assert "52.0%" in english
    assert "52,0\u00a0%" in russian


def test_dates_in_the_election_timezone() -> None:
    moment = datetime(2024, 9, 1, 16, 30, tzinfo=UTC)  # 20:30 in Baku
    assert "20:30" in LocaleFormatting("en", "Asia/Baku").moment(moment)
    assert "сент" in LocaleFormatting("ru", "Asia/Baku").moment(moment)
    assert "sen" in LocaleFormatting("az", "Asia/Baku").moment(moment)
