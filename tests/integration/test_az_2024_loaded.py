"""The reference scenario written, loaded through the CLI and counted back from the
database: every figure of ../shared/facts/az-2024-milli-majlis.md."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.definition.layout import COLUMNS, ELECTION_FILE
from tests.conftest import fresh_database

runner = CliRunner()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], Path, str]]:
    folder = tmp_path_factory.mktemp("az-2024")
    with fresh_database(folder) as url, pytest.MonkeyPatch.context() as patch:
        patch.setenv("TALLYROOM_DATABASE_URL", url)
        written = runner.invoke(app, ["scenario", "az-2024", str(folder / "definition")])
        assert written.exit_code == 0, written.output
        loaded = runner.invoke(app, ["load", str(folder / "definition")])
        assert loaded.exit_code == 0, loaded.output
        stats = runner.invoke(app, ["stats", "--json"])
        assert stats.exit_code == 0, stats.output
        yield json.loads(stats.stdout), folder, url


# The published facts, as the commission and the press reported them.
FACTS = {
    "constituencies": 125,
    "idp_constituencies": 10,
    "stations": 6_478,
    "stations_permanent": 6_343,
    "stations_temporary": 135,
    "stations_special_territory": 54,
    "idp_stations": 574,
    "idp_registered_voters": 397_862,
    "registered_voters": 6_421_960,
    "registered_turning_18_on_polling_day": 374,
    "stations_with_webcam": 1_000,
    "exit_poll_organisations": 3,
    "candidates": 990,
    "candidates_party_nominated": 305,
    "nominating_parties": 25,
    "candidates_self_nominated_party_members": 371,
    "candidates_non_party": 314,
    "observers_local": 112_749,
    "observers_international": 598,
    "international_observer_organisations": 51,
    "international_observer_countries": 69,
    "observers_osce_odihr": 227,
    "observers_osce_pa": 61,
}


@pytest.mark.parametrize(("figure", "published"), sorted(FACTS.items()))
def test_published_figure(
    loaded: tuple[dict[str, Any], Path, str], figure: str, published: int
) -> None:
    figures, _, _ = loaded
    assert figures[figure] == published


def test_figures_given_as_approximations(loaded: tuple[dict[str, Any], Path, str]) -> None:
    figures, _, _ = loaded
    # "more than 65,000" party representatives; "about 2,500" stations with exit polls
    assert figures["observers_local_party_representatives"] > 65_000
    assert 2_400 <= figures["stations_with_exit_poll"] <= 2_600
    # 305 + 371 = 676 party-affiliated candidates; 990 − 676 = 314 non-party
    assert (
        figures["candidates_party_nominated"] + figures["candidates_self_nominated_party_members"]
        == 676
    )


def test_export_reproduces_the_scenario_files(
    loaded: tuple[dict[str, Any], Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, folder, url = loaded
    monkeypatch.setenv("TALLYROOM_DATABASE_URL", url)
    exported = runner.invoke(app, ["export", str(folder / "exported")])
    assert exported.exit_code == 0, exported.output
    for name in (ELECTION_FILE, *COLUMNS):
        assert (folder / "exported" / name).read_bytes() == (
            folder / "definition" / name
        ).read_bytes(), name
