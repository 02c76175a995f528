"""A page as data: built once from the results, rendered as HTML by its template, as JSON
(the open-data form) and its tables as CSV."""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from fractions import Fraction
from typing import Any


@dataclass(frozen=True, slots=True)
class Table:
    """A downloadable table: column names and rows of plain values."""

    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]

    def csv_text(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if value is None else jsonable(value) for value in row])
        return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Page:
    #: template file under templates/
    template: str
    #: the page's figures: a dataclass, rendered by the template and as JSON
    data: Any
    tables: Mapping[str, Table] = field(default_factory=dict)

    def json(self) -> Any:
        return jsonable(self.data)


def jsonable(value: Any) -> Any:
    """Plain JSON values from read-model dataclasses, including their derived properties."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Fraction):
        # exact, as the open data writes a quotient ("1089/5"); a float would round it
        return str(value)
    if is_dataclass(value) and not isinstance(value, type):
        result = {item.name: jsonable(getattr(value, item.name)) for item in fields(value)}
        for klass in type(value).__mro__:
            for name, attribute in vars(klass).items():
                if isinstance(attribute, property) and not name.startswith("_"):
                    derived = getattr(value, name)
                    if not is_dataclass(derived):
                        result.setdefault(name, jsonable(derived))
        return result
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(item) for item in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    raise TypeError(f"cannot publish {type(value).__name__} as JSON")
