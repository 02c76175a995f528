"""The forensics report as one self-contained HTML page (Jinja2, inline SVG figures)."""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup

from tallyroom.forensics.figures import report_figures
from tallyroom.forensics.report import ForensicsReport, report_document

#: the HTML lists this many flagged stations; the JSON has them all
FLAG_ROWS = 500

_environment = jinja2.Environment(
    loader=jinja2.PackageLoader("tallyroom.forensics", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def render_html_report(report: ForensicsReport, title: str) -> str:
    document = report_document(report)
    figures = {name: Markup(svg) for name, svg in report_figures(report).items()}
    context: dict[str, Any] = {
        "title": title,
        "document": document,
        "figures": figures,
        "flags": [flag for flag in document["flags"] if flag["risk"]][:FLAG_ROWS],
        "flag_rows": FLAG_ROWS,
        "regions": sorted(document["regions"], key=lambda region: -region["risk_share"]),
    }
    return _environment.get_template("forensics_report.html").render(context)
