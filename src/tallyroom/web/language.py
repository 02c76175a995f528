"""The site's languages: which one a reader gets, and its gettext catalogue."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

#: Azerbaijani first: the default for a reader who has not chosen.
LANGUAGES: tuple[str, ...] = ("az", "en", "ru")
DEFAULT_LANGUAGE = "az"
#: Each language named in itself, for the switch.
LANGUAGE_NAMES: dict[str, str] = {"az": "Azərbaycanca", "en": "English", "ru": "Русский"}
LANGUAGE_COOKIE = "lang"
LOCALES = Path(__file__).parent / "locales"
DOMAIN = "messages"


def choose_language(query: str | None, cookie: str | None) -> str:
    """The language asked for in the query, else the one remembered in the cookie, else az."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


@cache
def translations(language: str) -> NullTranslations:
    """The language's catalogue: the committed .mo, or the .po compiled in memory when the
    .mo is missing or older (so an edited .po is never silently ignored)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    source = catalogue_path(language, "po")
    compiled = catalogue_path(language, "mo")
    if compiled.exists() and compiled.stat().st_mtime >= source.stat().st_mtime:
        with compiled.open("rb") as mo_file:
            return Translations(mo_file, DOMAIN)
    return Translations(io.BytesIO(compile_catalogue(language)), DOMAIN)


def catalogue_path(language: str, suffix: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.{suffix}"


def compile_catalogue(language: str) -> bytes:
    """The .mo form of the language's .po (`pybabel compile -d src/tallyroom/web/locales`
    writes the same files)."""
    with catalogue_path(language, "po").open("rb") as po_file:
        catalogue = read_po(po_file, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue)
    return buffer.getvalue()
