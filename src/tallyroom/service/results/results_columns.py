"""The results as flat columns, named and filled once from the results JSON (`results_json`)
for the snapshot's open data and the site's CSV downloads alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: the nation in one row: totals, progress (counted and annulled stations) and seats
NATION_COLUMNS = (
    "election",
    "status",
    "as_of",
    "seats_total",
    "majority",
    "stations_total",
    "stations_reporting",
    "registered_voters",
    "registered_voters_reporting",
    "ballots_cast",
    "invalid_ballots",
    "votes_party_members",
    "votes_non_party",
    "seats_declared",
    "seats_won",
    "seats_leading",
    "stations_annulled",
    "ballots_annulled",
    # `drill` or `real` in a snapshot (empty where the document does not say)
    "clock",
)
#: where a constituency's count and seat stand: its annulled stations and their ballots (in
#: no total), whether every station is counted or annulled, the seat won or leading, too close
CONSTITUENCY_STANDING_COLUMNS = (
    "stations_annulled",
    "ballots_annulled",
    "count_complete",
    "seat_status",
    "too_close_to_call",
)


def nation_row(nation: Mapping[str, Any]) -> tuple[object, ...]:
    """`NATION_COLUMNS` of the national results document."""
    return tuple(nation.get(column) for column in NATION_COLUMNS)


def constituency_standing(constituency: Mapping[str, Any]) -> tuple[object, ...]:
    """`CONSTITUENCY_STANDING_COLUMNS` of one constituency's results document."""
    return tuple(constituency[column] for column in CONSTITUENCY_STANDING_COLUMNS)
