"""Observers: local by kind and organisation, international by organisation and country."""

from __future__ import annotations

from tallyroom.web.page import Page, Table
from tallyroom.web.results_source import ResultsSource


def observers_page(source: ResultsSource) -> Page:
    summary = source.observers()
    return Page(
        template="observers.html",
        data=summary,
        tables={
            "international_organisations": Table(
                ("organisation", "name", "country", "observers"),
                tuple(
                    (o.key, o.name, o.country, o.observers)
                    for o in summary.international_by_organisation
                ),
            ),
            "international_countries": Table(
                ("country", "observers"),
                tuple((o.key, o.observers) for o in summary.international_by_country),
            ),
            "local_kinds": Table(
                ("kind", "observers"),
                tuple((o.key, o.observers) for o in summary.local_by_kind),
            ),
        },
    )
