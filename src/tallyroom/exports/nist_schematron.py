"""Run an ISO Schematron ruleset (XSLT2 query binding) by compiling it to XSLT 3 for Saxon.

Covers what NIST's ``err_v2_sua.sch`` uses: ``sch:ns``, top-level ``xsl:key``, patterns,
rules, asserts and reports with ``sch:value-of`` / ``sch:name``; anything else is refused.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml import etree
from saxonche import PySaxonProcessor, PyXsltExecutable

SCHEMATRON_NAMESPACE = "http://purl.oclc.org/dsdl/schematron"
XSLT_NAMESPACE = "http://www.w3.org/1999/XSL/Transform"
_SCH = f"{{{SCHEMATRON_NAMESPACE}}}"
_XSL = f"{{{XSLT_NAMESPACE}}}"
_RESULT_NAMESPACE = "urn:tallyroom:schematron-result"

# A readable location: element names with positions, e.g. /ElectionReport[1]/Election[1].
_LOCATION = (
    "string-join(for $n in ancestor-or-self::* return concat('/', local-name($n), '[', "
    "count($n/preceding-sibling::*[node-name(.) eq node-name($n)]) + 1, ']'), '')"
)


class UnsupportedSchematronError(ValueError):
    """The ruleset uses a Schematron feature this compiler does not implement."""


@dataclass(frozen=True, slots=True)
class SchematronFailure:
    """A failed assert or a fired report."""

    location: str
    object_id: str
    message: str

    def __str__(self) -> str:
        where = f"{self.location} (ObjectId {self.object_id})" if self.object_id else self.location
        return f"Schematron: {where}: {self.message}"


def _message(parent: etree._Element, source: etree._Element) -> None:
    """Copy an assert's text into the XSLT, turning value-of and name into XSLT instructions."""
    if source.text:
        etree.SubElement(parent, f"{_XSL}text").text = source.text
    for child in source:
        if child.tag == f"{_SCH}value-of":
            etree.SubElement(parent, f"{_XSL}value-of", select=child.get("select", "."))
        elif child.tag == f"{_SCH}name":
            etree.SubElement(parent, f"{_XSL}value-of", select=f"name({child.get('path', '.')})")
        else:
            raise UnsupportedSchematronError(f"unsupported element in a message: {child.tag}")
        if child.tail:
            etree.SubElement(parent, f"{_XSL}text").text = child.tail


def compile_schematron(schematron: etree._Element) -> str:
    """The ruleset as an XSLT 3 stylesheet writing one ``failure`` element per finding.

    Each pattern becomes a mode whose rules are templates in document order with falling
    priority, so that, as Schematron requires, a node is checked by the first matching rule of
    each pattern only.
    """
    if schematron.get("queryBinding", "xslt") not in {"xslt2", "xslt3"}:
        raise UnsupportedSchematronError("only the xslt2/xslt3 query binding is supported")
    namespaces: dict[str | None, str] = {"xsl": XSLT_NAMESPACE, "r": _RESULT_NAMESPACE}
    for ns in schematron.iter(f"{_SCH}ns"):
        namespaces[ns.get("prefix")] = ns.get("uri", "")
    stylesheet = etree.Element(
        f"{_XSL}stylesheet", nsmap=namespaces, version="3.0", **{"exclude-result-prefixes": "#all"}
    )
    entry = etree.Element(f"{_XSL}template", match="/")
    result = etree.SubElement(entry, f"{{{_RESULT_NAMESPACE}}}failures")
    modes: list[etree._Element] = []
    templates: list[etree._Element] = []
    for child in schematron:
        if not isinstance(child.tag, str) or child.tag in {f"{_SCH}ns", f"{_SCH}title"}:
            continue
        if child.tag == f"{_XSL}key" or child.tag == f"{_XSL}function":
            stylesheet.append(copy.deepcopy(child))
        elif child.tag == f"{_SCH}pattern":
            mode = f"pattern-{len(modes) + 1}"
            modes.append(etree.Element(f"{_XSL}mode", name=mode, **{"on-no-match": "shallow-skip"}))
            etree.SubElement(result, f"{_XSL}apply-templates", select="/", mode=mode)
            rules = [rule for rule in child if isinstance(rule.tag, str)]
            for index, rule in enumerate(rules):
                if rule.tag != f"{_SCH}rule" or rule.get("abstract") == "true":
                    raise UnsupportedSchematronError(f"unsupported pattern content: {rule.tag}")
                template = etree.Element(
                    f"{_XSL}template",
                    match=rule.get("context", ""),
                    mode=mode,
                    priority=str(len(rules) - index),
                )
                for check in rule:
                    if not isinstance(check.tag, str):
                        continue
                    if check.tag not in {f"{_SCH}assert", f"{_SCH}report"}:
                        raise UnsupportedSchematronError(f"unsupported rule content: {check.tag}")
                    test = check.get("test", "true()")
                    fires = f"not({test})" if check.tag == f"{_SCH}assert" else f"({test})"
                    condition = etree.SubElement(template, f"{_XSL}if", test=fires)
                    failure = etree.SubElement(condition, f"{{{_RESULT_NAMESPACE}}}failure")
                    etree.SubElement(failure, f"{_XSL}attribute", name="location", select=_LOCATION)
                    etree.SubElement(
                        failure, f"{_XSL}attribute", name="object-id", select="string(@ObjectId)"
                    )
                    _message(failure, check)
                # The rule has fired for this node; its descendants still need checking.
                etree.SubElement(template, f"{_XSL}apply-templates", select="*", mode=mode)
                templates.append(template)
        else:
            raise UnsupportedSchematronError(f"unsupported schema content: {child.tag}")
    for element in [*modes, entry, *templates]:
        stylesheet.append(element)
    return str(etree.tostring(stylesheet, encoding="unicode"))


class SchematronValidator:
    """A compiled ruleset, reusable across documents."""

    def __init__(self, schematron: etree._Element) -> None:
        self._processor = PySaxonProcessor(license=False)
        compiler = self._processor.new_xslt30_processor()
        self._executable: PyXsltExecutable = compiler.compile_stylesheet(
            stylesheet_text=compile_schematron(schematron)
        )

    def validate(self, document: etree._Element) -> list[SchematronFailure]:
        node = self._processor.parse_xml(xml_text=etree.tostring(document, encoding="unicode"))
        output = self._executable.transform_to_string(xdm_node=node)
        failures = etree.fromstring(output.encode("utf-8"))
        return [
            SchematronFailure(
                location=failure.get("location", ""),
                object_id=failure.get("object-id", ""),
                message=" ".join((failure.text or "").split()),
            )
            for failure in failures
        ]
