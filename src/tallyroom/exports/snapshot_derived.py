"""The snapshot files made from the published documents alone: open data, the NIST report and
the site. The publisher writes them; a verifier remakes them from what it re-derived from the
protocols and compares bytes."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.protocol_history import VersionStanding, station_standing
from tallyroom.domain.runoff import round_two_rows
from tallyroom.exports.nist_cdf import ResultsStage, election_report_json, election_report_xml
from tallyroom.exports.nist_cdf_runoff import advanced_to_runoff, runoff_elections
from tallyroom.exports.snapshot_layout import NIST_JSON, NIST_XML
from tallyroom.exports.snapshot_manifest import generated_timestamp
from tallyroom.exports.snapshot_open_data import json_bytes, open_data_files
from tallyroom.exports.snapshot_pages import site_files


def derived_files(
    definition: ElectionDefinition,
    results: Mapping[str, Any],
    turnout: Mapping[str, Any],
    figures: Mapping[str, ProtocolFigures],
    versions: Mapping[str, int],
    generated_at: datetime,
    *,
    annulled: Collection[str] = (),
    latest_standings: Mapping[str, str] | None = None,
    clock: str = "real",
    lots: Mapping[str, str] | None = None,
    runoffs: Mapping[str, Any] | None = None,
    poll_book: bool = False,
) -> dict[str, bytes]:
    """Path inside the snapshot → content, for the results document as `national_json`
    renders it, turnout as `turnout_json` does, and the counted protocols' figures;
    `annulled` are the stations annulled by decision and `latest_standings` the standing of
    the latest version of each station with a published version history; `clock` is "drill"
    when the data came from a drill, and every file with a place for it says so; `runoffs`
    the rounds 2 as runoffs.json holds them (their definitions, counts and protocols);
    `poll_book` when the snapshot publishes poll-book figures (the site links them)."""
    status: ResultsStage = "final" if results["status"] == "final" else "preliminary"
    moment = datetime.fromisoformat(generated_timestamp(generated_at))
    statuses = station_statuses(definition, figures, annulled, latest_standings or {})
    drill = clock == "drill"
    files = open_data_files(definition, results, figures, versions, statuses, clock=clock)
    # a tie the rule leaves to the lot follows the confirmed lots (lots.json)
    defined = list((runoffs or {}).get("runoffs", []))
    rounds_two = runoff_elections(definition, defined, list((runoffs or {}).get("protocols", [])))
    advanced = advanced_to_runoff(defined)
    files[NIST_XML] = election_report_xml(
        definition,
        figures,
        status=status,
        generated_at=moment,
        drill=drill,
        lots=lots,
        rounds_two=rounds_two,
        advanced_to_runoff=advanced,
    )
    files[NIST_JSON] = json_bytes(
        election_report_json(
            definition,
            figures,
            status=status,
            generated_at=moment,
            drill=drill,
            lots=lots,
            rounds_two=rounds_two,
            advanced_to_runoff=advanced,
        )
    )
    files.update(
        site_files(
            definition,
            results,
            turnout,
            figures,
            versions,
            statuses,
            histories=set((latest_standings or {}).keys()),
            drill=drill,
            runoffs=_well_formed(defined),
            poll_book=poll_book,
        )
    )
    return files


def _well_formed(runoffs: list[Any]) -> list[dict[str, Any]]:
    """The rounds 2 a page can show (a forged runoffs.json is named by snapshot_runoffs; its
    pages are then remade without the round 2 and differ from the published ones)."""
    kept = []
    for runoff in runoffs:
        try:
            round_two_rows(runoff)
            int(runoff["constituency"])
            runoff["contest"]
        except (KeyError, TypeError, ValueError, AttributeError):
            continue
        kept.append(runoff)
    return kept


def station_statuses(
    definition: ElectionDefinition,
    figures: Mapping[str, ProtocolFigures],
    annulled: Collection[str],
    latest_standings: Mapping[str, str],
) -> dict[str, str]:
    """Station code → counted, annulled, flagged, rejected, received or not_reported."""
    annulled_codes = set(annulled)
    return {
        station.code: station_standing(
            counted=station.code in figures,
            annulled=station.code in annulled_codes,
            latest=_standing(latest_standings.get(station.code)),
        ).value
        for station in definition.stations
    }


def _standing(value: str | None) -> VersionStanding | None:
    if value is None:
        return None
    try:
        return VersionStanding(value)
    except ValueError:
        return VersionStanding.RECEIVED
