"""Serialise a NIST SP 1500-100 v2 object tree in NIST's JSON form (``@type``, ``@id``)."""

from __future__ import annotations

from typing import Any

from tallyroom.exports.nist_cdf_model import CdfObject, FieldValue, IdReferences, Text


def _value(value: FieldValue) -> Any:
    if isinstance(value, CdfObject):
        return to_json(value)
    if isinstance(value, tuple):
        return [to_json(item) for item in value]
    if isinstance(value, Text):
        return {
            "@type": "ElectionResults.InternationalizedText",
            "Text": [
                {
                    "@type": "ElectionResults.LanguageString",
                    "Content": value.content,
                    "Language": value.language,
                }
            ],
        }
    if isinstance(value, IdReferences):
        return list(value.ids)
    return value


def to_json(cdf: CdfObject) -> dict[str, Any]:
    """The object as a JSON-able dict; each object has ``"@type": "ElectionResults.<Class>"``."""
    document: dict[str, Any] = {"@type": f"ElectionResults.{cdf.nist_class}"}
    if cdf.object_id is not None:
        document["@id"] = cdf.object_id
    for field_name, value in cdf.fields:
        document[field_name] = _value(value)
    return document
