"""Which CSV columns hold which station figures: a mapping read from YAML/JSON or a preset."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

from tallyroom.domain.statistics.station_results import LeaderScope
from tallyroom.forensics.input_error import ForensicsInputError

#: a column named by its header text, or by its 0-based position
ColumnReference = str | int


@dataclass(frozen=True)
class ColumnMapping:
    """Wide layout: one row per station. Long layout: one row per candidate × station."""

    layout: str
    #: several columns are joined with "/" into one identifier
    station_id: tuple[ColumnReference, ...]
    region: tuple[ColumnReference, ...]
    #: several columns are summed; empty: unknown (turnout cannot be computed)
    registered_voters: tuple[ColumnReference, ...] = ()
    #: empty: valid votes plus invalid ballots
    ballots_cast: tuple[ColumnReference, ...] = ()
    #: ballots issued to voters (several columns are summed); empty: taken as ballots cast
    ballots_issued: tuple[ColumnReference, ...] = ()
    invalid_ballots: tuple[ColumnReference, ...] = ()
    #: wide layout: one column per candidate
    votes: tuple[ColumnReference, ...] = ()
    #: long layout: the column naming the candidate or party, and the one with its votes
    candidate: ColumnReference | None = None
    candidate_votes: ColumnReference | None = None
    #: keep only rows whose column holds this value
    keep_only: Mapping[ColumnReference, str] = field(default_factory=dict)
    #: drop rows whose column holds this value (Delaware's statewide "Total" row)
    skip: Mapping[ColumnReference, str] = field(default_factory=dict)
    leader_scope: LeaderScope = LeaderScope.NATIONAL
    delimiter: str = ","
    encoding: str = "utf-8"


MAPPING_KEYS = {
    "layout",
    "station_id",
    "region",
    "registered_voters",
    "ballots_cast",
    "ballots_issued",
    "invalid_ballots",
    "votes",
    "candidate",
    "candidate_votes",
    "keep_only",
    "skip",
    "leader_scope",
    "delimiter",
    "encoding",
}


def load_column_mapping(path: pathlib.Path) -> ColumnMapping:
    """Read a mapping file (YAML, of which JSON is a subset)."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ForensicsInputError(source, 0, "--map", f"cannot read: {error.strerror}") from error
    try:
        document = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        line = getattr(error, "lineno", 0) or _yaml_line(error)
        raise ForensicsInputError(source, line, "--map", f"not valid YAML/JSON: {error}") from error
    if not isinstance(document, dict):
        raise ForensicsInputError(source, 1, "--map", "expected a mapping of keys to columns")
    return column_mapping_from_document(document, source)


def column_mapping_from_document(document: Mapping[str, object], source: str) -> ColumnMapping:
    unknown = sorted(set(document) - MAPPING_KEYS)
    if unknown:
        raise ForensicsInputError(source, 0, unknown[0], "unknown mapping key")
    layout = str(document.get("layout", "wide"))
    if layout not in ("wide", "long"):
        raise ForensicsInputError(source, 0, "layout", "must be 'wide' or 'long'")
    for required in ("station_id", "region"):
        if required not in document:
            raise ForensicsInputError(source, 0, required, "required")
    if layout == "wide" and "votes" not in document:
        raise ForensicsInputError(source, 0, "votes", "required for the wide layout")
    if layout == "long":
        for required in ("candidate", "candidate_votes"):
            if required not in document:
                raise ForensicsInputError(source, 0, required, "required for the long layout")
    scope_text = str(document.get("leader_scope", LeaderScope.NATIONAL.value))
    try:
        scope = LeaderScope(scope_text)
    except ValueError as error:
        raise ForensicsInputError(
            source, 0, "leader_scope", "must be 'national' or 'constituency'"
        ) from error
    return ColumnMapping(
        layout=layout,
        station_id=_columns(document, "station_id", source),
        region=_columns(document, "region", source),
        registered_voters=_columns(document, "registered_voters", source),
        ballots_cast=_columns(document, "ballots_cast", source),
        ballots_issued=_columns(document, "ballots_issued", source),
        invalid_ballots=_columns(document, "invalid_ballots", source),
        votes=_columns(document, "votes", source),
        candidate=_single_column(document, "candidate", source),
        candidate_votes=_single_column(document, "candidate_votes", source),
        keep_only=_conditions(document, "keep_only", source),
        skip=_conditions(document, "skip", source),
        leader_scope=scope,
        delimiter=str(document.get("delimiter", ",")),
        encoding=str(document.get("encoding", "utf-8")),
    )


def _columns(document: Mapping[str, object], key: str, source: str) -> tuple[ColumnReference, ...]:
    value = document.get(key)
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    columns: list[ColumnReference] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise ForensicsInputError(source, 0, key, "columns are header names or positions")
        columns.append(item)
    return tuple(columns)


def _single_column(document: Mapping[str, object], key: str, source: str) -> ColumnReference | None:
    columns = _columns(document, key, source)
    if len(columns) > 1:
        raise ForensicsInputError(source, 0, key, "expects exactly one column")
    return columns[0] if columns else None


def _conditions(
    document: Mapping[str, object], key: str, source: str
) -> dict[ColumnReference, str]:
    value = document.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ForensicsInputError(source, 0, key, "expects a mapping of column to value")
    return {column: str(expected) for column, expected in value.items()}


def _yaml_line(error: Exception) -> int:
    mark = getattr(error, "problem_mark", None)
    return int(mark.line) + 1 if mark is not None else 0
