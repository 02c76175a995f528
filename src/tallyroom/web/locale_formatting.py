"""Numbers, percentages and moments written the way each language writes them (Babel)."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
        """Date and time in the election's timezone, which it names by its UTC offset."""
        if value is None:
            return "–"
        zone = ZoneInfo(self.timezone)
        written = format_datetime(value, format="medium", tzinfo=zone, locale=self.locale)
        return f"{written} ({self.zone(value)})"

    def zone(self, moment: datetime | None = None) -> str:
        """The election's time zone as its offset from UTC at a moment (now if not given):
        UTC+04:00, the same in every language."""
        moment = moment or datetime.now(UTC)
        if moment.tzinfo is None:  # SQLite gives naive UTC
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(ZoneInfo(self.timezone))
        offset = local.utcoffset() or timedelta(0)
        if not offset:
            return "UTC"
        sign = "+" if offset >= timedelta(0) else "-"
        minutes = abs(int(offset.total_seconds())) // 60
        return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
