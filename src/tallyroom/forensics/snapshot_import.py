"""Station results from a published snapshot folder (docs/snapshot-format.md), no database:
the definition for stations, constituencies, candidates and monitoring, and the signed
protocols for the figures."""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass

import numpy as np

from tallyroom.definition.problems import DefinitionError
from tallyroom.definition.reader import read_definition
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.statistics.station_results import LeaderScope, StationResults
from tallyroom.exports.snapshot_layout import DEFINITION_FOLDER, KEYS
from tallyroom.exports.snapshot_manifest import NotASnapshot, read_manifest
from tallyroom.exports.snapshot_verification import SnapshotVerification, _verified_protocols
from tallyroom.forensics.input_error import ForensicsInputError


@dataclass(frozen=True)
class SnapshotStations:
    results: StationResults
    #: protocols left out because their signature or contents do not check out, one line each
    left_out: tuple[str, ...]


def snapshot_station_results(folder: pathlib.Path) -> SnapshotStations:
    """Stations with a published protocol, in station-code order, as the database input
    gives them (hourly turnout reports are not published per station, so none here).

    Only protocols that `tallyroom verify` would count are analysed — the verifier's own
    check is used, so that both agree on which figures were signed.
    """
    source = str(folder)
    try:
        read_manifest(folder)
        definition = read_definition(folder / DEFINITION_FOLDER)
        keys = _station_keys(folder / KEYS)
    except NotASnapshot as error:
        raise ForensicsInputError(source, 0, "--snapshot", str(error)) from error
    except DefinitionError as error:
        first = str(error.problems[0]) if error.problems else "unreadable"
        raise ForensicsInputError(source, 0, DEFINITION_FOLDER, first) from error
    verification = SnapshotVerification(folder)
    figures, _ = _verified_protocols(folder, definition, keys, verification)
    if not figures:
        raise ForensicsInputError(source, 0, "protocols", "no verified protocols in the snapshot")
    return SnapshotStations(
        results=_station_results(definition, figures), left_out=tuple(verification.problems)
    )


def _station_keys(path: pathlib.Path) -> dict[str, set[str]]:
    try:
        document = json.loads(path.read_bytes())
        return {
            str(code): {str(key["public_key"]) for key in issued}
            for code, issued in document["stations"].items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise ForensicsInputError(str(path), 0, KEYS, f"unreadable: {error}") from error


def _station_results(
    definition: ElectionDefinition, figures: dict[str, ProtocolFigures]
) -> StationResults:
    names = {
        constituency.number: f"{constituency.number:03d} {constituency.name}"
        for constituency in definition.constituencies
    }
    candidates = sorted(
        (candidate for candidate in definition.candidates if candidate.is_standing),
        key=lambda candidate: (candidate.constituency, candidate.code),
    )
    column_of = {candidate.code: column for column, candidate in enumerate(candidates)}
    stations = sorted(
        (station for station in definition.stations if station.code in figures),
        key=lambda station: station.code,
    )
    exit_polled = {sample.station for sample in definition.exit_poll_samples}
    observed = {code for observer in definition.observers for code in observer.stations}
    votes = np.zeros((len(stations), len(candidates)), dtype=np.int64)
    for row, station in enumerate(stations):
        for code, count in figures[station.code].votes.items():
            votes[row, column_of[code]] = count
    protocols = [figures[station.code] for station in stations]
    return StationResults(
        station_ids=np.array([station.code for station in stations], dtype=np.str_),
        regions=np.array([names[station.constituency] for station in stations], dtype=np.str_),
        # as the database input: voters added on polling day belong to the register
        registered_voters=np.array(
            [protocol.registered_voters + protocol.voters_added for protocol in protocols],
            dtype=np.int64,
        ),
        ballots_cast=np.array([protocol.ballots_cast for protocol in protocols], dtype=np.int64),
        ballots_issued=np.array(
            [protocol.ballots_issued for protocol in protocols], dtype=np.int64
        ),
        invalid_ballots=np.array(
            [protocol.invalid_ballots for protocol in protocols], dtype=np.int64
        ),
        votes=votes,
        candidate_names=tuple(
            f"{candidate.code} {candidate.full_name}" for candidate in candidates
        ),
        leader_scope=LeaderScope.CONSTITUENCY,
        webcam=np.array([station.webcam for station in stations], dtype=np.bool_),
        exit_poll=np.array([station.code in exit_polled for station in stations], dtype=np.bool_),
        observed=np.array([station.code in observed for station in stations], dtype=np.bool_),
    )
