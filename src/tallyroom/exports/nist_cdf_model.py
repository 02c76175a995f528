"""A neutral tree of NIST SP 1500-100 v2 objects, serialised to XML and to JSON by separate modules.

Fields are kept in the XSD's sequence order, because the XML form is order-sensitive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Text:
    """An InternationalizedText holding one LanguageString."""

    content: str
    language: str


@dataclass(frozen=True, slots=True)
class IdReferences:
    """An xsd:IDREFS value: space-separated in XML, an array of strings in JSON."""

    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CdfObject:
    """One instance of a NIST class, e.g. ``ReportingUnit``, with its fields in XSD order."""

    nist_class: str
    fields: tuple[tuple[str, FieldValue], ...]
    object_id: str | None = None


FieldValue = str | int | bool | Text | IdReferences | CdfObject | tuple[CdfObject, ...]


def cdf_object(
    nist_class: str,
    object_id: str | None = None,
    /,
    **fields: str | int | bool | Text | IdReferences | CdfObject | Sequence[CdfObject] | None,
) -> CdfObject:
    """Build an object from keyword fields given in XSD order; None and empty lists are left out.

    Leaving them out here keeps "unknown" distinct from zero: a figure not yet reported is
    absent from the report rather than published as 0.
    """
    kept: list[tuple[str, FieldValue]] = []
    for name, value in fields.items():
        if value is None or (isinstance(value, IdReferences) and not value.ids):
            continue
        if isinstance(value, CdfObject | str | int | bool | Text | IdReferences):
            kept.append((name, value))
        elif value:
            kept.append((name, tuple(value)))
    return CdfObject(nist_class, tuple(kept), object_id)
