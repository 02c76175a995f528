"""The integrity page over the real services: the forensics report on the counted protocols,
once per results revision, with its figures, tables and translations."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest

from tallyroom.service.results.results import ResultsCache
from tallyroom.web.database_source import DatabaseResultsSource
from tallyroom.web.integrity import integrity_page
from tests.polled_election import poll_small_election
from tests.station_client import Api, good_figures, protocol


def test_before_polling_day_the_page_says_there_is_nothing_yet(web_api: Api) -> None:
    page = web_api.client.get("/integrity?lang=en")
    assert page.status_code == 200
    assert 'id="integrity-unavailable"' in page.text
    assert web_api.client.get("/integrity.json").json()["data"]["available"] is False


def test_report_figures_tables_and_csv_after_polling_day(web_api: Api) -> None:
    poll_small_election(web_api)
    page = web_api.client.get("/integrity?lang=en")
    assert page.status_code == 200
    assert 'data-figure="stations" data-value="4">4<' in page.text
    assert page.text.count("<svg") >= 4
    assert "Election fingerprint" in page.text
    data = web_api.client.get("/integrity.json").json()["data"]
    assert data["available"] is True
    report = data["report"]
    assert report["stations"] == 4
    assert report["leader_scope"] == "constituency"
    assert {"excess_stations", "sd", "p_value"} <= set(report["integer_percent_excess"])
    assert {"f_incremental", "f_extreme"} <= set(report["fingerprint"])
    rows = list(
        csv.DictReader(
            io.StringIO(
                web_api.client.get("/integrity/constituencies.csv").content.decode("utf-8-sig")
            )
        )
    )
    assert [row["constituency"] for row in rows] == ["001 Nəsimi birinci", "002 Şuşa (IDP)"]
    assert sum(int(row["stations"]) for row in rows) == 4


def test_the_page_is_translated(web_api: Api) -> None:
    poll_small_election(web_api)
    russian = web_api.client.get("/integrity?lang=ru").text
    azerbaijani = web_api.client.get("/integrity?lang=az").text
    assert "Election fingerprint" not in russian
    assert "Election fingerprint" not in azerbaijani
    assert "Анализ целостности" in russian


def test_computed_once_per_results_revision(web_api: Api) -> None:
    poll_small_election(web_api)
    # freshness 0: the revision is read from the database on every call
    source = DatabaseResultsSource(web_api.sessions, cache=ResultsCache(freshness=0.0))
    first = integrity_page(source)
    assert integrity_page(source) is first
    amended = protocol(
        "001-0001",
        version=2,
        figures=good_figures({"C001": 390, "C002": 260, "C003": 100}),
        amendment_reason="recount",
    )
    assert web_api.submit(amended).status_code == 201
    second = integrity_page(source)
    assert second is not first
    assert second.json()["report"]["stations"] == 4


def test_proportions_show_as_percentages_and_differences_as_points(web_api: Api) -> None:
    poll_small_election(web_api)
    report = web_api.client.get("/integrity.json").json()["data"]["report"]
    page = web_api.client.get("/integrity?lang=en").text
    for region in report["regions"]:
        # 0.7 turnout is "70.0%", not "0.7%"
        assert f">{100 * region['turnout']:.1f}%<" in page
        assert f">{100 * region['leader_share']:.1f}%<" in page
    text = re.sub(r"<svg.*?</svg>", "", page, flags=re.DOTALL)
    assert "-0.0" not in text
    assert "−0.0" not in text
    assert "percentage points" in text


def test_every_page_links_the_integrity_page(web_api: Api) -> None:
    for path in ("/", "/parties", "/candidates", "/observers"):
        page = web_api.client.get(f"{path}?lang=en").text
        assert 'href="/integrity"' in page, path


@pytest.mark.parametrize(
    ("language", "null_words", "not_computed"),
    [
        ("en", "Null: each station's counts are redrawn binomially", "Not computed: fewer than"),
        ("az", "Sıfır fərziyyə: hər məntəqənin sayları", "Hesablanmayıb: siyahısında"),
        ("ru", "Нулевая гипотеза: числа каждого участка", "Не вычислено: меньше 100"),
    ],
)
def test_each_test_states_its_null_and_why_it_did_not_run(
    web_api: Api, language: str, null_words: str, not_computed: str
) -> None:
    poll_small_election(web_api)
    page = web_api.client.get(f"/integrity?lang={language}").text
    assert html.unescape(page).count(null_words) == 1
    # four stations are no fingerprint: the reason, translated, instead of a number
    assert not_computed in html.unescape(page)
    report = web_api.client.get("/integrity.json").json()["data"]["report"]
    assert report["fingerprint"]["f_incremental"] is None
    for section in (
        report["integer_percent_excess"],
        report["fingerprint"],
        report["distribution"],
        report["last_digit"],
        report["second_digit_benford"],
        *report["statements"].values(),
    ):
        assert section["null"].startswith("Null: ")
        assert section["caveat"]
