"""The forensics report as one self-contained HTML page (Jinja2, inline SVG figures)."""

from __future__ import annotations

from typing import Any

import jinja2
import numpy as np
from markupsafe import Markup

from tallyroom.domain.statistics.second_digit_benford import SECOND_DIGIT_PROBABILITIES
from tallyroom.forensics.figures import digit_figure, distribution_figure, fingerprint_figure
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
    figures = {
        "distribution": Markup(distribution_figure(report.distribution)),
        "fingerprint": Markup(fingerprint_figure(report.fingerprint)),
        "last_digit": Markup(
            digit_figure(
                report.last_digit.digit_shares, np.full(10, 0.1), "Last digits of vote counts ≥ 10"
            )
        ),
        "second_digit": Markup(
            digit_figure(
                report.second_digit.digit_shares,
                SECOND_DIGIT_PROBABILITIES,
                "Second digits of vote counts ≥ 10 (Benford)",
            )
        ),
    }
    context: dict[str, Any] = {
        "title": title,
        "document": document,
        "figures": figures,
        "flags": [flag for flag in document["flags"] if flag["risk"]][:FLAG_ROWS],
        "flag_rows": FLAG_ROWS,
        "regions": sorted(document["regions"], key=lambda region: -region["risk_share"]),
    }
    return _environment.get_template("forensics_report.html").render(context)
