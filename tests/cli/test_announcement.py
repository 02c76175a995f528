"""`tallyroom announce` on the small election after polling day, in each language."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.domain.tree_head import key_fingerprint
from tests.polled_election import annul_and_reject, poll_small_election
from tests.station_client import Api, good_figures, protocol

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
        "TƏLİM: istinad seçki gününün məşqi; bunlar real nəticələr deyil.",
        "",
        "Mərkəzi Seçki Komissiyası: Small test election (1 sentyabr 2024) — ilkin nəticələr",
        "",
        "Seçki məntəqələrindən daxil olmuş protokollar: 4 / 4 (100,0%).",
        "Seçicilərin sayı: 2.750.",
        "Saat 19:00 vəziyyətinə görə səs vermiş seçicilərin sayı: 1.150; seçici fəallığı: 41,8%.",
        "Seçki məntəqələrinin sayı: 4 (daimi: 3, müvəqqəti: 1); işğaldan azad edilmiş "
        "ərazilərdə: 1; məcburi köçkünlər üçün: 1 (seçicilərin sayı: 600).",
        "",
        "Mandatların dairələrdə öndə gedən namizədlər üzrə bölgüsü (2 / 2; qazanılmış: 2; "
        "öndə gedən: 0):",
        "- Yeni Azərbaycan Partiyası (YAP): 1 (qazanılmış: 1; öndə gedən: 0)",
        "- müstəqil namizədlər: 1 (qazanılmış: 1; öndə gedən: 0; partiyanın irəli sürmədiyi "
        "partiya üzvləri: 1; partiyasızlar: 0)",
        "",
        "Dairənin bütün seçki məntəqələrinin protokolları hesablandıqda və ya qərarla etibarsız "
        "sayıldıqda, yaxud dairə üzrə nəticələr təsdiq edildikdə mandat qazanılmış sayılır; "
        "o vaxta qədər namizəd öndə gedən sayılır.",
        "Siyasi partiyaların irəli sürdüyü namizədlərin öndə getdiyi dairələr: 1 (qazanılmış "
        "mandatlar: 1); belə namizədləri olan partiyaların sayı: 1.",
    ]


def test_announcement_in_english(polled: Api) -> None:
    text = announce("--lang", "en")
    assert text.splitlines()[2] == (
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
    assert "Seats by constituency leaders (2 of 2; won: 2; leading: 0):\n" in text
    assert "- Yeni Azərbaycan Partiyası (YAP): 1 (won: 1; leading: 0)\n" in text
    assert (
        "- independent candidates: 1 (won: 1; leading: 0; party members standing without "
        "their party's nomination: 1; non-party: 0)\n" in text
    )


def test_announcement_in_russian_to_a_file(polled: Api, tmp_path: Path) -> None:
    out = tmp_path / "announcement-ru.txt"
    assert announce("--lang", "ru", "--out", str(out)) == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith(
        "УЧЕНИЯ: репетиция эталонного дня голосования; это не настоящие результаты.\n\n"
        "Центральная избирательная комиссия: предварительные итоги — Small test election, "
        "1 сентября 2024\u202fг.\n"
    )
    assert "В комиссию поступили протоколы избирательных участков: 4 из 4 (100,0\xa0%)." in text
    assert "Число зарегистрированных избирателей: 2\xa0750." in text
    assert "по состоянию на 19:00: 1\xa0150; явка: 41,8\xa0%." in text
    assert "- независимые кандидаты: 1 (получены: 1; лидерство: 0; члены партий, " in text


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
    assert "Results annulled by the commission" not in before
    annul_and_reject(api)
    english = announce("--lang", "en").splitlines()
    assert english[4:6] == [
        "Protocols have reached the commission from 3 of 4 polling stations (75.0%).",
        "Results annulled by the commission's decision, their protocols not counted: polling "
        "stations (1).",
    ]
    assert announce("--lang", "az").splitlines()[5] == (
        "Komissiyanın qərarı ilə nəticələri ləğv edilmiş, protokolları hesablanmayan seçki "
        "məntəqələri: 1."
    )
    assert announce("--lang", "ru").splitlines()[5] == (
        "Итоги голосования признаны недействительными решением комиссии, протоколы не учтены: "
        "избирательные участки — 1."
    )


def test_a_seat_still_counting_is_announced_as_leading_and_too_close(
    api: Api, use_database: str
) -> None:
    # C001 leads C002 by 2 votes of 750 (0.3 %, under the election's 1 % too-close margin)
    # with one of constituency 1's three stations counted.
    response = api.submit(protocol(figures=good_figures({"C001": 326, "C002": 324, "C003": 100})))
    assert response.json()["status"] == "accepted", response.text
    english = announce("--lang", "en")
    assert "Seats by constituency leaders (1 of 2; won: 0; leading: 1):\n" in english
    assert "- Yeni Azərbaycan Partiyası (YAP): 1 (won: 0; leading: 1)\n" in english
    assert "Too close to call: 1 Nəsimi birinci (margin in votes: 2).\n" in english
    azerbaijani = announce("--lang", "az")
    assert "(1 / 2; qazanılmış: 0; öndə gedən: 1):\n" in azerbaijani
    assert "- Yeni Azərbaycan Partiyası (YAP): 1 (qazanılmış: 0; öndə gedən: 1)\n" in azerbaijani
    assert (
        "Fərq çox az olduğundan qalibi hələ bəlli olmayan dairələr: 1 Nəsimi birinci "
        "(səs fərqi: 2).\n" in azerbaijani
    )
    russian = announce("--lang", "ru")
    assert "(1 из 2; получены: 0; лидерство: 1):\n" in russian
    assert "- Yeni Azərbaycan Partiyası (YAP): 1 (получены: 0; лидерство: 1)\n" in russian
    assert "Слишком малый отрыв, победитель ещё не определён: 1 Nəsimi birinci" in russian


def test_a_seat_is_announced_as_won_once_its_count_completes(polled: Api) -> None:
    # Every station of both constituencies is counted: both seats are won, none too close.
    english = announce("--lang", "en")
    assert "(2 of 2; won: 2; leading: 0):\n" in english
    assert "Too close" not in english


def test_a_drill_announcement_says_drill_first_in_every_language(polled: Api) -> None:
    assert announce("--lang", "en").splitlines()[:2] == [
        "DRILL: a rehearsal on the reference polling day; these are not real results.",
        "",
    ]
    assert announce("--lang", "az").startswith("TƏLİM: ")
    assert announce("--lang", "ru").startswith("УЧЕНИЯ: ")


def test_an_election_never_served_under_a_drill_is_announced_without_it(
    real_api: Api, use_database: str
) -> None:
    assert real_api.submit(protocol()).status_code == 201
    text = announce("--lang", "en")
    assert "DRILL" not in text
    assert text.startswith("Central Election Commission: preliminary results")


def test_the_announcement_gives_the_tree_head_key_in_every_language(
    polled: Api, tmp_path: Path
) -> None:
    made = runner.invoke(app, ["audit", "keygen", "--out", str(tmp_path / "head.pem")])
    assert made.exit_code == 0, made.output
    key = made.output.split()[2]
    fingerprint = key_fingerprint(key)
    assert announce("--lang", "en").splitlines()[-2:] == [
        "",
        f"The commission signs its audit log's tree heads with the Ed25519 key {key} "
        f"(fingerprint: {fingerprint}).",
    ]
    assert announce("--lang", "az").splitlines()[-1] == (
        "Komissiya audit jurnalının ağac başlıqlarını (tree heads) Ed25519 açarı ilə "
        f"imzalayır: {key} (barmaq izi: {fingerprint})."
    )
    assert announce("--lang", "ru").splitlines()[-1] == (
        "Комиссия подписывает заголовки дерева (tree heads) журнала аудита ключом Ed25519: "
        f"{key} (отпечаток: {fingerprint})."
    )
