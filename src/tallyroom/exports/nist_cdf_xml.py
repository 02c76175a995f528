"""Serialise a NIST SP 1500-100 v2 object tree as XML in the NIST namespace."""

from __future__ import annotations

from lxml import etree

from tallyroom.exports.nist_cdf_model import CdfObject, IdReferences, Text

NIST_NAMESPACE = "http://itl.nist.gov/ns/voting/1500-100/v2"
XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"

# Elements declared with an abstract type (GpUnit, Contest, ContestSelection) need xsi:type
# to name the concrete class; the other classes are used exactly as declared.
_NEEDS_XSI_TYPE = frozenset(
    {"ReportingUnit", "CandidateContest", "CandidateSelection", "PartyContest", "PartySelection"}
)


def _name(local: str) -> str:
    return f"{{{NIST_NAMESPACE}}}{local}"


def _fill(element: etree._Element, cdf: CdfObject) -> None:
    if cdf.nist_class in _NEEDS_XSI_TYPE:
        element.set(f"{{{XSI_NAMESPACE}}}type", cdf.nist_class)
    if cdf.object_id is not None:
        element.set("ObjectId", cdf.object_id)
    for field_name, value in cdf.fields:
        children = value if isinstance(value, tuple) else (value,)
        for child_value in children:
            child = etree.SubElement(element, _name(field_name))
            if isinstance(child_value, CdfObject):
                _fill(child, child_value)
            elif isinstance(child_value, Text):
                text = etree.SubElement(child, _name("Text"), Language=child_value.language)
                text.text = child_value.content
            elif isinstance(child_value, IdReferences):
                child.text = " ".join(child_value.ids)
            elif isinstance(child_value, bool):
                child.text = "true" if child_value else "false"
            else:
                child.text = str(child_value)


def to_xml(report: CdfObject) -> bytes:
    """The report as UTF-8 XML; no xsi:schemaLocation, which NIST's test pipeline rejects."""
    root = etree.Element(
        _name(report.nist_class), nsmap={None: NIST_NAMESPACE, "xsi": XSI_NAMESPACE}
    )
    _fill(root, report)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
