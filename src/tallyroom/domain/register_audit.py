"""The register audit any observer could run on a register or its published extract:
implausible ages, likely duplicates (names folded across Azerbaijani Latin, Cyrillic and
English spellings, same birth date or year), crowded addresses, abnormal growth per station."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tallyroom.domain.name_search import fold
from tallyroom.domain.voter import age_on

#: older than any person documented alive (the oldest verified age is 122)
OLDEST_PLAUSIBLE_AGE = 110
#: an address with more voters than this is worth a visit (households, not dormitories)
CROWDED_ADDRESS = 50
#: growth since the previous extract that needs explaining: 20 % and at least 50 voters
ABNORMAL_GROWTH = 0.20
ABNORMAL_GROWTH_VOTERS = 50
#: after folding: spellings of one sound across the three alphabets, longest first
_SOUND_SPELLINGS = (
    ("dzh", "c"),
    ("shch", "s"),
    ("dj", "c"),
    ("ch", "c"),
    ("sh", "s"),
    ("kh", "k"),
    ("zh", "j"),
    ("ts", "s"),
)
#: letters a clerk writes for one another: ə as a or e (Məmmədov, Mammadov, Мамедов); q, g, k,
#: h and x for the back consonants (Həsənov, Гасанов; Quliyev, Кулиев); c as English j
#: (Cavid, Javid); y is dropped (Əliyev, Алиев)
_LETTER_CLASSES = str.maketrans(
    {"ə": "a", "e": "a", "q": "k", "g": "k", "h": "k", "x": "k", "j": "c"}
)
_REPEATED = re.compile(r"(.)\1+")
#: patronymic words in the three spellings (oğlu, оглы, oglu; qızı, кызы, qizi)
_PATRONYMIC_WORDS = re.compile(r"(oklu|okli|kizi|kizi)$")


def name_key(name: str) -> str:
    """The form two spellings of one name share: Məmmədov, Mammadov and Мамедов meet."""
    folded = fold(name)
    for spelling, sound in _SOUND_SPELLINGS:
        folded = folded.replace(spelling, sound)
    folded = folded.translate(_LETTER_CLASSES).replace("y", "")
    folded = _REPEATED.sub(r"\1", folded)
    return _PATRONYMIC_WORDS.sub("", folded)


@dataclass(frozen=True, slots=True)
class RegisterRecord:
    """What the audit reads of a voter: an extract's row has no id and only the birth year."""

    surname: str
    given_name: str
    patronymic: str
    sex: str
    birth: str
    address: str
    station: str
    voter_id: str = ""


@dataclass(slots=True)
class RegisterAuditReport:
    voters: int = 0
    implausible_ages: list[dict[str, Any]] = field(default_factory=list)
    likely_duplicates: list[dict[str, Any]] = field(default_factory=list)
    crowded_addresses: list[dict[str, Any]] = field(default_factory=list)
    abnormal_growth: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "voters": self.voters,
            "implausible_ages": self.implausible_ages,
            "likely_duplicates": self.likely_duplicates,
            "crowded_addresses": self.crowded_addresses,
            "abnormal_growth": self.abnormal_growth,
        }


def audit_register(
    records: Iterable[RegisterRecord],
    *,
    polling_day: date,
    previous_counts: Mapping[str, int] | None = None,
) -> RegisterAuditReport:
    """One pass over the register; memory grows with distinct (name, birth) keys only."""
    report = RegisterAuditReport()
    seen: dict[tuple[str, str, str, str], list[RegisterRecord]] = defaultdict(list)
    addresses: Counter[tuple[str, str]] = Counter()
    stations: Counter[str] = Counter()
    for record in records:
        report.voters += 1
        stations[record.station] += 1
        addresses[(record.station, record.address)] += 1
        age = _age(record.birth, polling_day)
        if age is not None and (age < 18 or age > OLDEST_PLAUSIBLE_AGE):
            report.implausible_ages.append(
                {"voter_id": record.voter_id, "station": record.station, "age": age}
            )
        key = (
            name_key(record.surname),
            name_key(record.given_name),
            name_key(record.patronymic),
            record.birth,
        )
        seen[key].append(record)
    for group in seen.values():
        if len(group) > 1:
            report.likely_duplicates.append(
                {
                    "birth": group[0].birth,
                    "records": [
                        {
                            "voter_id": member.voter_id,
                            "name": f"{member.surname} {member.given_name} {member.patronymic}",
                            "station": member.station,
                        }
                        for member in group
                    ],
                }
            )
    report.crowded_addresses = [
        {"station": station, "address": address, "voters": count}
        for (station, address), count in addresses.most_common()
        if count > CROWDED_ADDRESS
    ]
    for station, count in sorted((previous_counts or {}).items()):
        now = stations.get(station, 0)
        if count and now - count >= ABNORMAL_GROWTH_VOTERS and now > count * (1 + ABNORMAL_GROWTH):
            report.abnormal_growth.append(
                {
                    "station": station,
                    "previous": count,
                    "now": now,
                    "growth_percent": round(100 * (now - count) / count, 1),
                }
            )
    return report


def _age(birth: str, polling_day: date) -> int | None:
    """Age on polling day from a birth date, or from a birth year (the extract's) at its
    youngest."""
    try:
        if len(birth) == 4:
            return polling_day.year - int(birth) - 1
        return age_on(date.fromisoformat(birth), polling_day)
    except ValueError:
        return None
