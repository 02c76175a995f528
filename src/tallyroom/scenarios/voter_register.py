"""The synthetic voter register: a person for every registered voter of every station,
generated station by station with numpy (streamed, never all in memory), hitting the published
figures (turning 18 on polling day, first-time voters, the oldest woman and man) and planting
the anomalies a register audit must find."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from tallyroom.domain.voter import eighteenth_birthday
from tallyroom.scenarios.synthetic_names import (
    FEMALE_GIVEN_NAMES,
    MALE_GIVEN_NAMES,
    SURNAMES,
    village_name,
)

#: the previous national election: the presidential election of 7 February 2024
PREVIOUS_NATIONAL_ELECTION = date(2024, 2, 7)
#: published register figures of the reference election (../shared/facts)
FIRST_TIME_VOTERS = 51_141
REGISTERED_VOTERS = 6_421_960
OLDEST_WOMAN_AGE = 134
OLDEST_MAN_AGE = 109
#: ages of ordinary voters: from 18 up to this many years past the cut-off
_OLDEST_ORDINARY_YEARS = 80
#: ID-card numbers: AZE + 8 digits; multiplying the voter's ordinal by a number coprime with
#: 10**8 spreads them without collisions
_ID_MULTIPLIER = 48_271
_ID_OFFSET = 10_000_019
#: the planted address with implausibly many voters, and how many
CROWDED_ADDRESS_VOTERS = 120
#: how much the planted station's register grew since the previous extract
PLANTED_GROWTH = 1.6


@dataclass(frozen=True, slots=True)
class StationRegister:
    """What the register must hold for one station."""

    code: str
    registered_voters: int
    turning_18: int


@dataclass(slots=True)
class PlantedAnomalies:
    """What the generator planted, for tests and the demo to check the audit against."""

    implausible_age_voter_ids: list[str] = field(default_factory=list)
    duplicate_pairs: list[tuple[str, str]] = field(default_factory=list)
    crowded_address: str = ""
    grown_station: str = ""


Row = tuple[str, ...]


@dataclass
class RegisterGenerator:
    """Generates the register of `stations` (all of them unless `limit_stations`), chunk by
    chunk (one station per chunk). The split of first-time voters is drawn over every station
    first, so a shortened register is exactly the first stations of the full one."""

    stations: Sequence[StationRegister]
    polling_day: date
    previous_election: date = PREVIOUS_NATIONAL_ELECTION
    first_time_voters: int | None = None
    seed: int = 2024
    limit_stations: int | None = None
    plant_anomalies: bool = True
    planted: PlantedAnomalies = field(default_factory=PlantedAnomalies)

    def __post_init__(self) -> None:
        total = sum(s.registered_voters for s in self.stations)
        turning = sum(s.turning_18 for s in self.stations)
        wanted = self.first_time_voters
        if wanted is None:
            wanted = round(total * FIRST_TIME_VOTERS / REGISTERED_VOTERS)
        generator = np.random.default_rng(self.seed)
        capacity = np.array(
            [max(0, s.registered_voters - s.turning_18 - 8) for s in self.stations], dtype=float
        )
        extra = max(0, wanted - turning)
        self._first_time = _bounded_multinomial(generator, extra, capacity)
        self._limit = len(self.stations) if self.limit_stations is None else self.limit_stations

    @property
    def voters(self) -> int:
        return sum(s.registered_voters for s in self.stations[: self._limit])

    def chunks(self) -> Iterator[list[Row]]:
        polling_day = self.polling_day
        born_18_today = _years_before(polling_day, 18)
        # born on or before this day: 18 by the previous election, so not a first-time voter
        cut_off = _years_before(self.previous_election, 18)
        first_time_from = cut_off + timedelta(days=1)
        ordinal = 0
        streets = random.Random(self.seed)
        for index, station in enumerate(self.stations[: self._limit]):
            generator = np.random.default_rng([self.seed, index])
            count = station.registered_voters
            first_time = int(self._first_time[index])
            ordinary = count - station.turning_18 - first_time
            days_back = (
                generator.triangular(0, 0, _OLDEST_ORDINARY_YEARS, ordinary) * 365.25
            ).astype(np.int64)
            births = [cut_off - timedelta(days=int(d)) for d in days_back]
            window = (born_18_today - first_time_from).days
            births += [
                first_time_from + timedelta(days=int(d))
                for d in generator.integers(0, window, first_time)
            ]
            births += [born_18_today] * station.turning_18
            female = generator.random(count) < 0.52
            surnames = generator.integers(0, len(SURNAMES), count)
            given = generator.integers(0, len(FEMALE_GIVEN_NAMES) * len(MALE_GIVEN_NAMES), count)
            fathers = generator.integers(0, len(MALE_GIVEN_NAMES), count)
            street = f"{village_name(streets)} küç."
            houses = generator.integers(1, max(2, count // 3), count)
            rows: list[list[str]] = []
            for position in range(count):
                is_female = bool(female[position])
                rows.append(
                    [
                        _voter_number(ordinal + position),
                        _surname(int(surnames[position]), female=is_female),
                        _given(int(given[position]), female=is_female),
                        f"{MALE_GIVEN_NAMES[int(fathers[position])]} "
                        f"{'qızı' if is_female else 'oğlu'}",
                        "F" if is_female else "M",
                        births[position].isoformat(),
                        f"{street}, ev {int(houses[position])}",
                        station.code,
                        "active",
                        "",
                    ]
                )
            ordinal += count
            if index == 0:
                self._plant_oldest(rows, ordinary)
            if self.plant_anomalies:
                self._plant(index, rows, ordinary, station.code)
            yield [tuple(row) for row in rows]

    def _plant_oldest(self, rows: list[list[str]], ordinary: int) -> None:
        """The CEC's oldest woman (134) and oldest man (109), in place of two ordinary voters."""
        if ordinary < 2:
            return
        woman = rows[0]
        woman[4], woman[5] = "F", _birth_for_age(self.polling_day, OLDEST_WOMAN_AGE).isoformat()
        woman[1], woman[2], woman[3] = "Əliyeva", "Zərifə", "Həsən qızı"
        man = rows[1]
        man[4], man[5] = "M", _birth_for_age(self.polling_day, OLDEST_MAN_AGE).isoformat()
        man[1], man[2], man[3] = "Quliyev", "Rəşad", "Məhəmməd oğlu"
        if self.plant_anomalies:
            self.planted.implausible_age_voter_ids.append(woman[0])

    def _plant(self, index: int, rows: list[list[str]], ordinary: int, code: str) -> None:
        if index == 1 and ordinary > CROWDED_ADDRESS_VOTERS + 10:
            address = f"{rows[0][6].split(',')[0]}, ev 1, yataqxana"
            for row in rows[2 : 2 + CROWDED_ADDRESS_VOTERS]:
                row[6] = address
            self.planted.crowded_address = address
            # a voter of 17 on polling day, in place of the last ordinary voter
            minor = rows[ordinary - 1]
            minor[5] = _birth_for_age(self.polling_day, 17).isoformat()
            self.planted.implausible_age_voter_ids.append(minor[0])
        if index == 2:
            self.planted.grown_station = code
        if index in (2, 3) and ordinary > 10:
            # the same people registered again, their names as a Russian or an English clerk
            # would write them (the first stations' first voters are the originals)
            for position, (surname, given, patronymic) in enumerate(_RESPELLINGS[index]):
                original = rows[position + 3]
                original[1], original[2], original[3] = _DUPLICATED[index][position]
                original[4] = "M" if original[3].endswith("oğlu") else "F"
                # an ordinary voter's row, so the first-time figures stay as published
                copy = rows[ordinary - 2 - position]
                copy[1], copy[2], copy[3] = surname, given, patronymic
                copy[4], copy[5] = original[4], original[5]
                self.planted.duplicate_pairs.append((original[0], copy[0]))


#: planted duplicates: the registered spelling and the respelling, per station index
_DUPLICATED: dict[int, list[tuple[str, str, str]]] = {
    2: [("Məmmədov", "Elçin", "Rauf oğlu"), ("Həsənova", "Şəbnəm", "Tofiq qızı")],
    3: [("Hüseynov", "Cavid", "Əli oğlu")],
}
_RESPELLINGS: dict[int, list[tuple[str, str, str]]] = {
    2: [("Мамедов", "Эльчин", "Рауф оглы"), ("Hasanova", "Shabnam", "Tofiq qizi")],
    3: [("Guseynov", "Javid", "Ali oglu")],
}


def _bounded_multinomial(
    generator: np.random.Generator, total: int, capacity: np.ndarray
) -> np.ndarray:
    """`total` split at random in proportion to `capacity`, no share above its capacity."""
    shares = np.zeros(len(capacity), dtype=np.int64)
    if total <= 0 or capacity.sum() <= 0:
        return shares
    remaining = total
    while remaining > 0:
        room = capacity - shares
        weights = room / room.sum()
        shares += generator.multinomial(remaining, weights)
        over = np.maximum(shares - capacity.astype(np.int64), 0)
        shares -= over
        remaining = int(over.sum())
    return shares


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28)


def _birth_for_age(polling_day: date, age: int) -> date:
    """A birth date that makes a person `age` on polling day (about half a year past)."""
    return _years_before(polling_day, age) - timedelta(days=170)


def _voter_number(ordinal: int) -> str:
    return f"AZE{(ordinal * _ID_MULTIPLIER + _ID_OFFSET) % 100_000_000:08d}"


def _surname(index: int, *, female: bool) -> str:
    surname = SURNAMES[index]
    return surname + "a" if female and surname.endswith(("ov", "ev")) else surname


def _given(index: int, *, female: bool) -> str:
    names = FEMALE_GIVEN_NAMES if female else MALE_GIVEN_NAMES
    return names[index % len(names)]


def previous_extract_counts(
    stations: Sequence[StationRegister], *, seed: int = 2024, grown_station: str = ""
) -> dict[str, int]:
    """Voters per station in the previous extract: a little different everywhere, and the
    planted station's register much smaller then (it grew abnormally since)."""
    generator = np.random.default_rng([seed, 7])
    drift = generator.uniform(0.97, 1.03, len(stations))
    counts: dict[str, int] = {}
    for station, factor in zip(stations, drift, strict=True):
        previous = station.registered_voters * float(factor)
        if station.code == grown_station:
            previous = station.registered_voters / PLANTED_GROWTH
        counts[station.code] = round(previous)
    return counts


def check_birth_rules(
    births: Sequence[date], polling_day: date, previous_election: date
) -> tuple[int, int]:
    """(turning 18 on polling day, first-time voters) among these birth dates."""
    turning = sum(1 for born in births if eighteenth_birthday(born) == polling_day)
    first = sum(
        1 for born in births if previous_election < eighteenth_birthday(born) <= polling_day
    )
    return turning, first
