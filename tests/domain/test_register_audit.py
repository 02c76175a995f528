"""The register audit finds what the scenario planted, and folds spellings across alphabets."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.register_audit import RegisterRecord, audit_register, name_key
from tallyroom.scenarios.voter_register import previous_extract_counts
from tests.register_fixture import small_register


@pytest.mark.parametrize(
    "spellings",
    [
        ("Məmmədov", "Mammadov", "Мамедов"),
        ("Həsənova", "Hasanova", "Гасанова"),
        ("Quliyev", "Guliyev", "Кулиев"),
        ("Cavid", "Javid", "Джавид"),
        ("Şəbnəm", "Shabnam", "Шабнам"),
        ("Əli oğlu", "Ali oglu", "Али оглы"),
    ],
)
def test_spellings_of_one_name_meet(spellings: tuple[str, ...]) -> None:
    assert len({name_key(spelling) for spelling in spellings}) == 1


def test_different_names_stay_apart() -> None:
    assert name_key("Məmmədov") != name_key("Əhmədov")
    assert name_key("Elçin") != name_key("Elnur")


def test_the_planted_anomalies_are_found(loaded_election: sessionmaker[Session]) -> None:
    generator = small_register(loaded_election)
    rows = [row for chunk in generator.chunks() for row in chunk]
    records = [
        RegisterRecord(r[1], r[2], r[3], r[4], r[5], r[6], r[7], voter_id=r[0]) for r in rows
    ]
    planted = generator.planted
    previous = previous_extract_counts(generator.stations, grown_station=planted.grown_station)
    report = audit_register(records, polling_day=date(2024, 9, 1), previous_counts=previous)
    assert {a["voter_id"] for a in report.implausible_ages} == set(
        planted.implausible_age_voter_ids
    )
    found_pairs = {
        frozenset(member["voter_id"] for member in group["records"])
        for group in report.likely_duplicates
    }
    assert {frozenset(pair) for pair in planted.duplicate_pairs} <= found_pairs
    assert [a["address"] for a in report.crowded_addresses] == [planted.crowded_address]
    assert [g["station"] for g in report.abnormal_growth] == [planted.grown_station]


def test_an_extract_with_birth_years_is_audited() -> None:
    records = [
        RegisterRecord("Məmmədov", "Elçin", "Rauf oğlu", "M", "1980", "a", "001-0001"),
        RegisterRecord("Мамедов", "Эльчин", "Рауф оглы", "M", "1980", "b", "001-0002"),
        RegisterRecord("Əliyeva", "Zərifə", "Həsən qızı", "F", "1890", "c", "001-0001"),
    ]
    report = audit_register(records, polling_day=date(2024, 9, 1))
    assert len(report.likely_duplicates) == 1
    assert [a["age"] for a in report.implausible_ages] == [133]
