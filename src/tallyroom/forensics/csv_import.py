"""Read station-level results from a CSV (plain, .gz or .zip, read in place) with a mapping."""

from __future__ import annotations

import csv
import gzip
import io
import pathlib
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

import numpy as np

from tallyroom.domain.statistics.station_results import IntArray, StationResults, TextArray
from tallyroom.forensics.column_mapping import ColumnMapping, ColumnReference
from tallyroom.forensics.input_error import ForensicsInputError


def import_station_results(
    path: pathlib.Path, mapping: ColumnMapping, *, columnar: bool = True
) -> StationResults:
    """Columns are parsed by numpy's C reader when the file is regular (the usual case);
    any irregularity (empty or fractional cells, short rows, negative figures) sends the
    file through the csv module row by row, which reports the exact line and field.
    `columnar=False` uses the row-by-row reader alone (to check that both agree)."""
    source = str(path)
    if not path.is_file():
        raise ForensicsInputError(source, 0, "--csv", "no such file")
    data = _read_bytes(path)
    end_of_header = data.find(b"\n")
    header_line = _decode(data[: end_of_header if end_of_header >= 0 else len(data)], mapping)
    # a quoted header cell running over several physical lines: only csv can follow it
    columnar = columnar and header_line.count('"') % 2 == 0
    if columnar:
        header = next(csv.reader([header_line.rstrip("\r")], delimiter=mapping.delimiter), None)
        reader: Iterator[list[str]] = iter(())
    else:
        reader = csv.reader(
            io.StringIO(_decode(data, mapping, source), newline=""), delimiter=mapping.delimiter
        )
        header = next(reader, None)
    if header is None or not data.strip():
        raise ForensicsInputError(source, 1, "header", "the file is empty")
    header = [name.strip().lstrip("\ufeff") for name in header]
    fields = _MappedFields(_ColumnResolver(header, source), mapping)
    table: _Table | None = _load_columns(data, mapping, fields) if columnar else None
    if table is None:
        if columnar:
            reader = csv.reader(
                io.StringIO(_decode(data, mapping, source), newline=""), delimiter=mapping.delimiter
            )
            next(reader)
        table = _read_rows(reader, fields, source)
    if mapping.layout == "long":
        return _import_long(table, fields, mapping)
    return _import_wide(table, fields, mapping)


def _read_bytes(path: pathlib.Path) -> bytes:
    """The whole file at once (the first member of a zip): numpy's reader parses the bytes
    directly, and even the largest station files are tens of MB."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            members = [name for name in archive.namelist() if not name.endswith("/")]
            if not members:
                raise ForensicsInputError(str(path), 0, "--csv", "the zip archive is empty")
            return archive.read(members[0])
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as compressed:
            return compressed.read()
    return path.read_bytes()


def _decode(data: bytes, mapping: ColumnMapping, source: str = "") -> str:
    try:
        return data.decode(mapping.encoding)
    except UnicodeDecodeError as error:
        raise ForensicsInputError(
            source, 0, "encoding", f"not {mapping.encoding}: {error.reason} at byte {error.start}"
        ) from error


class _ColumnResolver:
    """Turns header names, positions and `first:last` position ranges into indices."""

    def __init__(self, header: list[str], source: str) -> None:
        self.header = header
        self.source = source
        self.positions = {name: position for position, name in enumerate(header)}

    def indices(self, field: str, references: Sequence[ColumnReference]) -> list[int]:
        indices: list[int] = []
        for reference in references:
            if isinstance(reference, int):
                indices.append(self._position(field, reference))
            elif reference in self.positions:
                indices.append(self.positions[reference])
            elif _is_range(reference):
                start_text, stop_text = reference.split(":")
                start = self._position(field, int(start_text))
                stop = int(stop_text) if stop_text else len(self.header)
                indices.extend(range(len(self.header))[start:stop])
            else:
                raise ForensicsInputError(
                    self.source, 1, field, f"no column named {reference!r} in the header"
                )
        return indices

    def index(self, field: str, reference: ColumnReference | None) -> int:
        if reference is None:
            raise ForensicsInputError(self.source, 1, field, "column not mapped")
        return self.indices(field, [reference])[0]

    def _position(self, field: str, position: int) -> int:
        if not -len(self.header) <= position < len(self.header):
            raise ForensicsInputError(
                self.source,
                1,
                field,
                f"column {position} is beyond the {len(self.header)} columns of the header",
            )
        return position % len(self.header)


def _is_range(reference: str) -> bool:
    parts = reference.split(":")
    return len(parts) == 2 and all(part.lstrip("-").isdigit() or part == "" for part in parts)


class _MappedFields:
    """The mapping's columns resolved to positions in this file's header."""

    def __init__(self, columns: _ColumnResolver, mapping: ColumnMapping) -> None:
        self.header = columns.header
        self.station_id = columns.indices("station_id", mapping.station_id)
        self.region = columns.indices("region", mapping.region)
        self.registered = columns.indices("registered_voters", mapping.registered_voters)
        self.ballots = columns.indices("ballots_cast", mapping.ballots_cast)
        self.issued = columns.indices("ballots_issued", mapping.ballots_issued)
        self.invalid = columns.indices("invalid_ballots", mapping.invalid_ballots)
        self.keep = [
            (columns.index("keep_only", column), value)
            for column, value in mapping.keep_only.items()
        ]
        self.skip = [
            (columns.index("skip", column), value) for column, value in mapping.skip.items()
        ]
        if mapping.layout == "long":
            self.votes = [columns.index("candidate_votes", mapping.candidate_votes)]
            self.candidate = [columns.index("candidate", mapping.candidate)]
        else:
            self.votes = columns.indices("votes", mapping.votes)
            self.candidate = []

    @property
    def text_columns(self) -> list[int]:
        wanted = self.station_id + self.region + self.candidate
        wanted += [index for index, _ in self.keep + self.skip]
        return sorted(set(wanted))

    @property
    def number_columns(self) -> list[int]:
        return sorted(set(self.registered + self.ballots + self.issued + self.invalid + self.votes))


class _Table(Protocol):
    """The wanted rows of a file, read column by column."""

    @property
    def row_count(self) -> int: ...

    def texts(self, indices: Sequence[int], field: str) -> TextArray: ...

    def numbers(self, indices: Sequence[int], field: str) -> IntArray: ...


class _Rows:
    """The wanted rows of a file, with their line numbers, read column by column."""

    def __init__(self, source: str, rows: list[list[str]], lines: list[int]) -> None:
        self.source = source
        self.rows = rows
        self.lines = lines
        self.narrowest = min((len(row) for row in rows), default=0)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def texts(self, indices: Sequence[int], field: str) -> TextArray:
        self._check_width(max(indices, default=0), field)
        if len(indices) == 1:
            index = indices[0]
            return np.array([row[index].strip() for row in self.rows], dtype=np.str_)
        return np.array(
            ["/".join(row[index].strip() for index in indices) for row in self.rows],
            dtype=np.str_,
        )

    def numbers(self, indices: Sequence[int], field: str) -> IntArray:
        total = np.zeros(len(self.rows), dtype=np.int64)
        for index in indices:
            total += self._column(index, field)
        return total

    def _column(self, index: int, field: str) -> IntArray:
        self._check_width(index, field)
        cells = [row[index] for row in self.rows]
        try:
            values: IntArray = np.fromiter(map(int, cells), dtype=np.int64, count=len(cells))
        except ValueError:
            values = np.array(
                [
                    self._parse(cell, line, field)
                    for cell, line in zip(cells, self.lines, strict=True)
                ],
                dtype=np.int64,
            )
        negative = np.flatnonzero(values < 0)
        if len(negative):
            first = int(negative[0])
            raise ForensicsInputError(
                self.source, self.lines[first], field, f"negative: {int(values[first])}"
            )
        return values

    def _parse(self, cell: str, line: int, field: str) -> int:
        text = cell.strip()
        if not text:
            return 0  # an empty cell is a figure not reported: zero, not an error
        try:
            return int(text)
        except ValueError:
            pass
        try:
            as_float = float(text)
        except ValueError:
            as_float = float("nan")
        if not as_float.is_integer():
            raise ForensicsInputError(self.source, line, field, f"not a whole number: {cell!r}")
        return int(as_float)

    def _check_width(self, index: int, field: str) -> None:
        if index < self.narrowest:
            return
        for row, line in zip(self.rows, self.lines, strict=True):
            if index >= len(row):
                raise ForensicsInputError(
                    self.source, line, field, f"row has only {len(row)} columns"
                )


class _LoadedColumns:
    """Columns parsed by numpy.loadtxt, already filtered by keep_only / skip."""

    def __init__(self, texts: dict[int, TextArray], numbers: dict[int, IntArray]) -> None:
        self.text_columns = texts
        self.number_columns = numbers
        some_column = next(iter(texts.values()), None)
        self._row_count = len(some_column) if some_column is not None else 0

    @property
    def row_count(self) -> int:
        return self._row_count

    def texts(self, indices: Sequence[int], field: str) -> TextArray:
        joined = self.text_columns[indices[0]]
        for index in indices[1:]:
            joined = np.strings.add(np.strings.add(joined, "/"), self.text_columns[index])
        return joined

    def numbers(self, indices: Sequence[int], field: str) -> IntArray:
        total = np.zeros(self.row_count, dtype=np.int64)
        for index in indices:
            total += self.number_columns[index]
        return total


def _load_columns(data: bytes, mapping: ColumnMapping, fields: _MappedFields) -> _Table | None:
    """The wanted columns by numpy's C parser, or None where the file is not regular enough
    for it (the row-by-row reader then takes over and names the offending line)."""
    text_columns = fields.text_columns
    number_columns = fields.number_columns
    options: dict[str, Any] = {
        "delimiter": mapping.delimiter,
        "skiprows": 1,
        "quotechar": '"',
        "comments": None,
        "ndmin": 2,
        "encoding": mapping.encoding,
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "empty input file" and the like: not regular
            # object cells skip numpy's costly conversion of every text to fixed width
            cells = np.loadtxt(io.BytesIO(data), dtype=object, usecols=text_columns, **options)
            numbers = (
                np.loadtxt(io.BytesIO(data), dtype=np.int64, usecols=number_columns, **options)
                if number_columns
                else np.zeros((len(cells), 0), dtype=np.int64)
            )
    except (ValueError, UserWarning):  # UnicodeDecodeError is a ValueError too
        return None
    if len(cells) != len(numbers) or (numbers < 0).any():
        return None
    texts = {
        index: np.array([cell.strip() for cell in cells[:, column].tolist()], dtype=np.str_)
        for column, index in enumerate(text_columns)
    }
    wanted = np.ones(len(cells), dtype=np.bool_)
    for index, value in fields.keep:
        wanted &= texts[index] == value
    for index, value in fields.skip:
        wanted &= texts[index] != value
    return _LoadedColumns(
        {index: column_texts[wanted] for index, column_texts in texts.items()},
        {index: numbers[wanted, column] for column, index in enumerate(number_columns)},
    )


def _read_rows(reader: Iterator[list[str]], fields: _MappedFields, source: str) -> _Rows:
    rows: list[list[str]] = []
    lines: list[int] = []
    keep, skip = fields.keep, fields.skip
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if keep and not all(
            index < len(row) and row[index].strip() == value for index, value in keep
        ):
            continue
        if skip and any(index < len(row) and row[index].strip() == value for index, value in skip):
            continue
        rows.append(row)
        lines.append(line)
    return _Rows(source, rows, lines)


def _import_wide(table: _Table, fields: _MappedFields, mapping: ColumnMapping) -> StationResults:
    vote_matrix = np.zeros((table.row_count, len(fields.votes)), dtype=np.int64)
    for column, index in enumerate(fields.votes):
        vote_matrix[:, column] = table.numbers([index], fields.header[index])
    invalid_counts = table.numbers(fields.invalid, "invalid_ballots")
    cast = (
        table.numbers(fields.ballots, "ballots_cast")
        if fields.ballots
        else vote_matrix.sum(axis=1) + invalid_counts
    )
    return StationResults(
        station_ids=table.texts(fields.station_id, "station_id"),
        regions=table.texts(fields.region, "region"),
        registered_voters=table.numbers(fields.registered, "registered_voters"),
        ballots_cast=cast,
        invalid_ballots=invalid_counts,
        ballots_issued=table.numbers(fields.issued, "ballots_issued") if fields.issued else None,
        votes=vote_matrix,
        candidate_names=tuple(fields.header[index] for index in fields.votes),
        leader_scope=mapping.leader_scope,
    )


def _import_long(table: _Table, fields: _MappedFields, mapping: ColumnMapping) -> StationResults:
    keys = table.texts(fields.station_id, "station_id")
    station_names, first_row, station_of_row = np.unique(
        keys, return_index=True, return_inverse=True
    )
    # keep the stations in file order rather than sorted order
    file_order = np.argsort(first_row, kind="stable")
    rank = np.empty_like(file_order)
    rank[file_order] = np.arange(len(file_order))
    station_of_row = rank[station_of_row.ravel()]
    first_row = first_row[file_order]
    candidate_of_row: dict[str, int] = {}
    candidate_codes = np.array(
        [
            candidate_of_row.setdefault(name, len(candidate_of_row))
            for name in table.texts(fields.candidate, "candidate").tolist()
        ],
        dtype=np.int64,
    )
    votes = np.zeros((len(first_row), len(candidate_of_row)), dtype=np.int64)
    np.add.at(votes, (station_of_row, candidate_codes), table.numbers(fields.votes, "votes"))
    # per-station figures repeat on every candidate row: the first row's are kept
    invalid_counts = table.numbers(fields.invalid, "invalid_ballots")[first_row]
    cast = (
        table.numbers(fields.ballots, "ballots_cast")[first_row]
        if fields.ballots
        else votes.sum(axis=1) + invalid_counts
    )
    return StationResults(
        station_ids=station_names[file_order],
        regions=table.texts(fields.region, "region")[first_row],
        registered_voters=table.numbers(fields.registered, "registered_voters")[first_row],
        ballots_cast=cast,
        invalid_ballots=invalid_counts,
        ballots_issued=(
            table.numbers(fields.issued, "ballots_issued")[first_row] if fields.issued else None
        ),
        votes=votes,
        candidate_names=tuple(candidate_of_row),
        leader_scope=mapping.leader_scope,
    )
