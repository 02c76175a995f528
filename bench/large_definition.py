"""Writes a valid, synthetic definition folder of any size (default 1,000,000 stations).

    .venv/bin/python bench/large_definition.py DIR [--stations N] [--seed S]

The shape follows the az-2024 scenario, scaled: 200 stations per constituency, 8 candidates
per constituency from 12 parties, 20 organisations (3 exit pollsters with foreign partners),
one observer per 5 stations (each accredited to 1-3 stations of one constituency; 2 % of
them international) and exit-poll samples at 1 % of the stations. The CSV files are written
directly (not through the domain objects) so that a million stations take seconds.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tallyroom.definition.layout import COLUMNS, ELECTION_FILE, FORMAT

STATIONS_PER_CONSTITUENCY = 200
CANDIDATES_PER_CONSTITUENCY = 8
STATIONS_PER_OBSERVER = 5

PARTIES = [
    ("YAP", "Yeni Azərbaycan Partiyası", "#1f4e9c"),
    ("REAL", "Respublikaçı Alternativ Partiyası", "#e2231a"),
    ("MUSAVAT", "Müsavat Partiyası", "#2e8b57"),
    ("VHP", "Vətəndaş Həmrəyliyi Partiyası", "#f28c28"),
    ("ADP", "Azərbaycan Demokrat Partiyası", "#6a3d9a"),
    ("BAXCP", "Böyük Quruluş Partiyası", "#b15928"),
    ("AXCP", "Azərbaycan Xalq Cəbhəsi Partiyası", "#33a02c"),
    ("MDHP", "Milli Dirçəliş Hərəkatı Partiyası", "#a6cee3"),
    ("ASDP", "Azərbaycan Sosial Demokrat Partiyası", "#fb9a99"),
    ("UAP", "Umid Partiyası", "#fdbf6f"),
    ("AMIP", "Azərbaycan Milli İstiqlal Partiyası", "#cab2d6"),
    ("VP", "Vəhdət Partiyası", "#ffff99"),
]
SURNAMES = [
    "Əliyev",
    "Məmmədov",
    "Həsənov",
    "Quliyev",
    "Hüseynov",
    "Cəfərov",
    "Abbasov",
    "İsmayılov",
    "Bağırov",
    "Rəhimov",
    "Nəsirov",
    "Kərimov",
    "Şükürov",
    "Zeynalov",
]
GIVEN = [
    "Elçin",
    "Səməd",
    "Vüqar",
    "Aynur",
    "Günel",
    "Orxan",
    "Fuad",
    "Nərgiz",
    "Rəşad",
    "Ləman",
    "Tural",
    "Şəbnəm",
    "Cavid",
    "Könül",
]
PLACES = [
    "nömrəli tam orta məktəb",
    "nömrəli lisey",
    "Mədəniyyət evi",
    "kənd klubu",
    "nömrəli uşaq bağçası",
    "İcra nümayəndəliyi",
    "Xəstəxana",
    "Poçt şöbəsi",
]
ORGANISATIONS = [
    # code, name, country, roles, partner
    ("meridian-opinion", "Meridian Opinion Research LLC", "US", "", ""),
    ("lumiere-opinion", "Institut Lumière d'Études d'Opinion", "FR", "", ""),
    ("adriatico", "Istituto Demoscopico Adriatico", "IT", "", ""),
    ("rey-monitorinq", "Rəy Monitorinq Mərkəzi", "AZ", "exit_poll", "meridian-opinion"),
    ("sorgu-merkezi", "Sorğu Mərkəzi", "AZ", "exit_poll", "lumiere-opinion"),
    ("ictimai-fikir", "İctimai Fikir İnstitutu", "AZ", "exit_poll", "adriatico"),
    ("seffaf-secki", "Şəffaf Seçki İctimai Birliyi", "AZ", "observer", ""),
    ("demokratik-baxis", "Demokratik Baxış", "AZ", "observer", ""),
    (
        "osce-odihr",
        "OSCE Office for Democratic Institutions and Human Rights",
        "INT",
        "observer",
        "",
    ),
    ("osce-pa", "OSCE Parliamentary Assembly", "INT", "observer", ""),
    ("pace", "Parliamentary Assembly of the Council of Europe", "INT", "observer", ""),
    ("cis-mission", "CIS Observer Mission", "INT", "observer", ""),
    ("enemo", "European Network of Election Monitoring Organizations", "INT", "observer", ""),
    ("turkpa", "Parliamentary Assembly of Turkic States", "INT", "observer", ""),
    ("oic", "Organisation of Islamic Cooperation", "INT", "observer", ""),
    ("sco", "Shanghai Cooperation Organisation", "INT", "observer", ""),
    ("gumo", "GUAM Parliamentary Assembly", "INT", "observer", ""),
    ("iao", "International Association of Election Officials", "INT", "observer", ""),
    ("neo", "Nordic Election Observers", "SE", "observer", ""),
    ("bsec", "Black Sea Economic Cooperation PA", "INT", "observer", ""),
]
INTERNATIONAL = [o[0] for o in ORGANISATIONS if o[3] == "observer" and o[2] != "AZ"]
LOCAL_NGOS = [o[0] for o in ORGANISATIONS if o[3] == "observer" and o[2] == "AZ"]
EXIT_POLLSTERS = [o[0] for o in ORGANISATIONS if o[3] == "exit_poll"]
COUNTRIES = ["DE", "FR", "IT", "PL", "SE", "TR", "GE", "KZ", "UZ", "US", "GB", "ES", "UA"]


@contextmanager
def _csv(folder: Path, file: str) -> Iterator[Any]:
    with (folder / file).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS[file])
        yield writer


def person(rng: random.Random) -> str:
    father = rng.choice(GIVEN)
    return f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)} {father} {rng.choice(['oğlu', 'qızı'])}"


def write_large_definition(folder: Path, stations: int = 1_000_000, seed: int = 1) -> None:
    """Write a valid definition folder with `stations` polling stations (a multiple of 200
    is not required: the last constituency takes the remainder)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    constituencies = max(1, -(-stations // STATIONS_PER_CONSTITUENCY))

    (folder / ELECTION_FILE).write_text(
        f"format: {FORMAT}\n"
        "election:\n"
        "  code: large-synthetic\n"
        f'  name: "Synthetic election with {stations:,} stations"\n'
        "  country: AZ\n"
        "  polling_day: 2026-09-06\n"
        "  timezone: Asia/Baku\n"
        '  voting_hours: {opens: "08:00", closes: "19:00"}\n'
        '  turnout_report_times: ["10:00", "12:00", "15:00", "19:00"]\n'
        f"  seats: {constituencies}\n"
        "  contest:\n"
        "    kind: single_member_plurality\n"
        "    seats_per_constituency: 1\n"
        "  too_close_margin_percent: 1.0\n",
        encoding="utf-8",
    )

    with _csv(folder, "constituencies.csv") as writer:
        writer.writerows(
            (number, f"{number} saylı seçki dairəsi", "idp" if number % 50 == 0 else "regular")
            for number in range(1, constituencies + 1)
        )

    codes: list[list[str]] = []
    with _csv(folder, "stations.csv") as writer:
        remaining = stations
        for number in range(1, constituencies + 1):
            count = min(STATIONS_PER_CONSTITUENCY, remaining)
            remaining -= count
            own = [f"{number:05d}-{index:04d}" for index in range(1, count + 1)]
            codes.append(own)
            for code in own:
                registered = rng.randint(100, 2000)
                tags = "idp" if number % 50 == 0 else ("abroad" if rng.random() < 0.001 else "")
                writer.writerow(
                    (
                        code,
                        number,
                        f"{rng.randint(1, 400)} {rng.choice(PLACES)}",
                        "temporary" if rng.random() < 0.02 else "permanent",
                        tags,
                        "yes" if rng.random() < 0.15 else "no",
                        registered,
                        rng.randint(0, 3) if rng.random() < 0.01 else 0,
                    )
                )

    with _csv(folder, "parties.csv") as writer:
        writer.writerows(PARTIES)

    candidate_codes: list[str] = []
    with _csv(folder, "candidates.csv") as writer:
        for number in range(1, constituencies + 1):
            parties = rng.sample(PARTIES, 4)
            for index in range(1, CANDIDATES_PER_CONSTITUENCY + 1):
                code = f"C{number:05d}-{index:02d}"
                candidate_codes.append(code)
                if index <= 4:
                    nomination, party = "party", parties[index - 1][0]
                elif index <= 6:
                    nomination, party = "party_member", rng.choice(PARTIES)[0]
                else:
                    nomination, party = "non_party", ""
                status = (
                    "withdrawn" if rng.random() < 0.02 and nomination != "party" else "registered"
                )
                writer.writerow((code, number, person(rng), nomination, party, status))

    with _csv(folder, "organisations.csv") as writer:
        writer.writerows(ORGANISATIONS)

    with _csv(folder, "observers.csv") as writer:
        for index in range(1, max(1, stations // STATIONS_PER_OBSERVER) + 1):
            own = codes[rng.randrange(len(codes))]
            start = rng.randrange(len(own))
            assigned = ";".join(own[start : start + rng.randint(1, 3)])
            draw = rng.random()
            if draw < 0.02:
                row = (
                    f"INT-{index:07d}",
                    person(rng),
                    "international",
                    rng.choice(INTERNATIONAL),
                    rng.choice(COUNTRIES),
                    "",
                    assigned,
                )
            elif draw < 0.60:
                row = (
                    f"AZ-{index:07d}",
                    person(rng),
                    "party_representative",
                    "",
                    "AZ",
                    rng.choice(PARTIES)[0],
                    assigned,
                )
            elif draw < 0.80:
                row = (
                    f"AZ-{index:07d}",
                    person(rng),
                    "candidate_representative",
                    "",
                    "AZ",
                    rng.choice(candidate_codes),
                    assigned,
                )
            else:
                row = (
                    f"AZ-{index:07d}",
                    person(rng),
                    "local_ngo",
                    rng.choice(LOCAL_NGOS),
                    "AZ",
                    "",
                    assigned,
                )
            writer.writerow(row)

    with _csv(folder, "exit_poll_samples.csv") as writer:
        every = [code for own in codes for code in own]
        for pollster in EXIT_POLLSTERS:
            for code in sorted(rng.sample(every, max(1, len(every) // 300))):
                writer.writerow((pollster, code))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--stations", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    write_large_definition(arguments.folder, arguments.stations, arguments.seed)
    print(f"wrote {arguments.stations:,} stations to {arguments.folder}")


if __name__ == "__main__":
    main()
