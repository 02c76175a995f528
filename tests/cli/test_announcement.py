"""`tallyroom announce` on the small election after polling day, in each language."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tests.polled_election import annul_and_reject, poll_small_election
from tests.station_client import Api

runner = CliRunner()


@pytest.fixture
def polled(api: Api, use_database: str) -> Api:
    poll_small_election(api)
    return api


def announce(*arguments: str) -> str:
    result = runner.invoke(app, ["announce", *arguments])
    assert result.exit_code == 0, result.output
    return result.output


def test_announcement_in_azerbaijani(polled: Api) -> None:
    assert announce("--lang", "az").splitlines() == [
        "Mərkəzi Seçki Komissiyası: Small test election (1 sentyabr 2024) — ilkin nəticələr",
        "",
        "Seçki məntəqələrindən daxil olmuş protokollar: 4 / 4 (100,0%).",
        "Seçicilərin sayı: 2.750.",
        "Saat 19:00 vəziyyətinə görə səs vermiş seçicilərin sayı: 1.150; seçici fəallığı: 41,8%.",
        "Seçki məntəqələrinin sayı: 4 (daimi: 3, müvəqqəti: 1); işğaldan azad edilmiş "
        "ərazilərdə: 1; məcburi köçkünlər üçün: 1 (seçicilərin sayı: 600).",
        "",
        "Mandatların bölgüsü (2 / 2):",
        "- Yeni Azərbaycan Partiyası (YAP): 1",
        "- müstəqil namizədlər: 1 (partiyanın irəli sürmədiyi partiya üzvləri: 1; "
        "partiyasızlar: 0)",
        "",
        "Siyasi partiyaların irəli sürdüyü namizədlərin qazandığı mandatlar: 1; "
        "mandat qazanmış partiyaların sayı: 1.",
    ]


def test_announcement_in_english(polled: Api) -> None:
    text = announce("--lang", "en")
    assert text.splitlines()[0] == (
        "Central Election Commission: preliminary results of the Small test election "
        "of 1 September 2024"
    )
    assert "Protocols have reached the commission from 4 of 4 polling stations (100.0%)." in text
    assert "Registered voters: 2,750." in text
    assert "As of 19:00, 1,150 voters had voted: a turnout of 41.8%." in text
    assert (
        "Polling stations: 4 (3 permanent, 1 temporary); in the liberated territories: 1; "
        "for internally displaced persons: 1, serving 600 voters." in text
    )
    assert "- Yeni Azərbaycan Partiyası (YAP): 1\n" in text
    assert (
        "- independent candidates: 1 (party members standing without their party's "
        "nomination: 1; non-party: 0)\n" in text
    )


def test_announcement_in_russian_to_a_file(polled: Api, tmp_path: Path) -> None:
    out = tmp_path / "announcement-ru.txt"
    assert announce("--lang", "ru", "--out", str(out)) == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith(
        "Центральная избирательная комиссия: предварительные итоги — Small test election, "
        "1 сентября 2024\u202fг.\n"
    )
    assert "В комиссию поступили протоколы избирательных участков: 4 из 4 (100,0\xa0%)." in text
    assert "Число зарегистрированных избирателей: 2\xa0750." in text
    assert "по состоянию на 19:00: 1\xa0150; явка: 41,8\xa0%." in text
    assert "- независимые кандидаты: 1 (члены партий, выдвинутые не своей партией: 1; " in text


def test_an_unknown_language_is_refused(use_database: str) -> None:
    result = runner.invoke(app, ["announce", "--lang", "de"])
    assert result.exit_code == 2
    assert "unknown language 'de'; choose one of az, en, ru" in result.output


def test_without_an_election_the_announcement_fails_clearly(use_database: str) -> None:
    result = runner.invoke(app, ["announce", "--lang", "en"])
    assert result.exit_code == 2
    assert "no election is loaded yet" in result.output


def test_the_announcement_says_a_station_was_annulled(api: Api, use_database: str) -> None:
    poll_small_election(api)
    before = announce("--lang", "en")
    assert "annulled" not in before
    annul_and_reject(api)
    english = announce("--lang", "en").splitlines()
    assert english[2:4] == [
        "Protocols have reached the commission from 3 of 4 polling stations (75.0%).",
        "Results annulled by the commission's decision, their protocols not counted: polling "
        "stations (1).",
    ]
    assert announce("--lang", "az").splitlines()[3] == (
        "Komissiyanın qərarı ilə nəticələri ləğv edilmiş, protokolları hesablanmayan seçki "
        "məntəqələri: 1."
    )
    assert announce("--lang", "ru").splitlines()[3] == (
        "Итоги голосования признаны недействительными решением комиссии, протоколы не учтены: "
        "избирательные участки — 1."
    )
