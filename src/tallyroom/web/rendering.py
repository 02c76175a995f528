"""Jinja2 templates in each language: gettext from the catalogue, Babel formatting, charts."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from tallyroom.web.hemicycle import hemicycle_groups, hemicycle_svg
from tallyroom.web.language import LANGUAGE_NAMES, LANGUAGES, translations
from tallyroom.web.locale_formatting import LocaleFormatting
from tallyroom.web.progress_bar import progress_bar_svg
from tallyroom.web.turnout_chart import turnout_chart_svg

TEMPLATES = Path(__file__).parent / "templates"


def _markup(function: Any) -> Any:
    def wrapped(*args: Any, **kwargs: Any) -> Markup:
        return Markup(function(*args, **kwargs))

    return wrapped


@cache
def environment(language: str) -> Environment:
    """The template environment of one language (its catalogue installed once)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        language=language,
        languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        hemicycle_groups=hemicycle_groups,
        hemicycle_svg=_markup(hemicycle_svg),
        progress_bar_svg=_markup(progress_bar_svg),
        turnout_chart_svg=_markup(turnout_chart_svg),
    )
    return env


def render(template: str, *, language: str, timezone: str, **context: Any) -> str:
    env = environment(language)
    return env.get_template(template).render(fmt=LocaleFormatting(language, timezone), **context)
