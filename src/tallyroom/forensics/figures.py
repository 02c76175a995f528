"""The report's figures, drawn with matplotlib's non-interactive Agg backend as inline SVG."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")  # no display on servers and in tests

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from tallyroom.domain.statistics.fingerprint import FingerprintResult
from tallyroom.domain.statistics.second_digit_benford import SECOND_DIGIT_PROBABILITIES
from tallyroom.domain.statistics.station_results import FloatArray
from tallyroom.domain.statistics.vote_distribution import DistributionResult
from tallyroom.forensics.report import ForensicsReport


def report_figures(report: ForensicsReport) -> dict[str, str]:
    """Every figure of the report as inline SVG, by name."""
    return {
        "distribution": distribution_figure(report.distribution),
        "fingerprint": fingerprint_figure(report.fingerprint),
        "last_digit": digit_figure(
            report.last_digit.digit_shares,
            report.last_digit.reference_shares,
            np.full(10, 0.1),
            "uniform",
            "Last digits of vote counts ≥ 10",
        ),
        "second_digit": digit_figure(
            report.second_digit.digit_shares,
            report.second_digit.reference_shares,
            SECOND_DIGIT_PROBABILITIES,
            "Benford",
            "Second digits of vote counts ≥ 10",
        ),
    }


def distribution_figure(distribution: DistributionResult) -> str:
    figure, axes = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
    centres = np.linspace(0.05, 99.95, 1000)
    for axis, counts, title in (
        (axes[0], distribution.turnout_histogram, "Turnout"),
        (axes[1], distribution.leader_share_histogram, "Leader share"),
    ):
        axis.plot(centres, counts, linewidth=0.6, color="#1f4e79")
        axis.set_ylabel("stations per 0.1 %")
        axis.set_title(title, fontsize=10)
    axes[1].set_xlabel("percent")
    return _svg(figure)


def fingerprint_figure(fit: FingerprintResult) -> str:
    figure, axis = plt.subplots(figsize=(5, 4.5))
    image = axis.imshow(
        np.log1p(fit.histogram.T),
        origin="lower",
        extent=(0, 100, 0, 100),
        cmap="magma_r",
        aspect="equal",
    )
    axis.set_xlabel("turnout, %")
    axis.set_ylabel("winner share, %")
    title = (
        "no fit: " + fit.unavailable
        if fit.unavailable
        else f"f_i = {fit.f_incremental:.3f}, f_e = {fit.f_extreme:.3f}"
    )
    axis.set_title(title, fontsize=10)
    figure.colorbar(image, ax=axis, label="log(1 + stations)")
    return _svg(figure)


def digit_figure(
    shares: FloatArray, reference: FloatArray, classic: FloatArray, classic_name: str, title: str
) -> str:
    """Observed digit shares against the p-value's baseline (the binomially resampled
    counts) and, dashed, the classic law the digits are often wrongly held to."""
    figure, axis = plt.subplots(figsize=(5, 3))
    axis.bar(np.arange(10), shares, color="#1f4e79", label="observed")
    axis.plot(np.arange(10), reference, "o-", color="#c00000", label="resampled counts (p)")
    axis.plot(np.arange(10), classic, "--", color="#7f7f7f", label=classic_name)
    axis.set_xticks(np.arange(10))
    axis.set_title(title, fontsize=10)
    axis.legend(fontsize=8)
    return _svg(figure)


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    # drop the XML prolog so the SVG can sit inline in HTML
    return presentation_attributes(text[text.index("<svg") :])


_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style\b.*?</style>", re.S)


def presentation_attributes(svg: str) -> str:
    """The SVG with its inline CSS as presentation attributes (`fill="…"`), which a strict
    Content-Security-Policy (no inline style) still applies; matplotlib's one global rule
    (round line joins) is in the site's stylesheet."""

    def attributes(match: re.Match[str]) -> str:
        declarations = (part.split(":", 1) for part in match.group(1).split(";") if ":" in part)
        return "".join(
            f' {name.strip()}="{value.strip()}"' for name, value in declarations if name.strip()
        )

    return _STYLE_ATTRIBUTE.sub(attributes, _STYLE_ELEMENT.sub("", svg))
