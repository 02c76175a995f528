"""Numbers, percentages and moments written the way each language writes them (Babel)."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal, format_percent

#: Babel locale of each site language.
BABEL_LOCALES: dict[str, str] = {"az": "az_Latn_AZ", "en": "en_GB", "ru": "ru_RU"}


@dataclass(frozen=True, slots=True)
class LocaleFormatting:
    language: str
    timezone: str = "UTC"

    @property
    def locale(self) -> str:
        return BABEL_LOCALES[self.language]

    def number(self, value: int | float | None) -> str:
        if value is None:
            return "–"
        return format_decimal(value, locale=self.locale)

    def percent(self, value: float | None, *, digits: int = 1) -> str:
        """A percentage given as 0–100 (as the read model holds it)."""
        if value is None:
            return "–"
        pattern = copy(Locale.parse(self.locale).percent_formats[None])
        pattern.frac_prec = (digits, digits)
        return str(format_percent(value / 100.0, format=pattern, locale=self.locale))

    def whole_percent(self, value: float | None) -> str:
        return self.percent(value, digits=0)

    def moment(self, value: datetime | None) -> str:
        """Date and time in the election's timezone."""
        if value is None:
            return "–"
        return format_datetime(
            value, format="medium", tzinfo=ZoneInfo(self.timezone), locale=self.locale
        )
