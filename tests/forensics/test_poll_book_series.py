"""The poll book's station-level series in the forensics: ballots issued beside check-ins
where a poll book was used (within the rule set's 1 %), double votes, and the report's
section, absent where no station used one; from the database, the series of a station
whose desk checked voters in."""

from __future__ import annotations

import json

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from tallyroom.domain.statistics.poll_book_series import PollBookSeries, compare_poll_book
from tallyroom.domain.statistics.synthetic_election import clean_synthetic_election
from tallyroom.forensics.html_report import render_html_report
from tallyroom.forensics.report import build_report, report_document
from tallyroom.service.results.station_results_view import station_results_of_election
from tallyroom.store.database import transaction
from tests.api.test_check_in_rule import check_in_many, desks, issued
from tests.station_client import Api

__all__ = ["desks"]


def with_poll_book(count: int = 400) -> tuple[object, PollBookSeries]:
    results = clean_synthetic_election(count, region_count=20, seed=3)
    issued_ballots = results.voters_issued_ballots
    used = np.arange(count) % 2 == 0  # every other station used a poll book
    check_ins = issued_ballots.copy()
    check_ins[4] = issued_ballots[4] - issued_ballots[4] // 10  # 10 % more ballots than voters
    check_ins[6] = issued_ballots[6] + 1  # within 1 %
    check_ins[1] = 0  # no poll book: never read
    duplicates = np.zeros(count, dtype=np.int64)
    duplicates[8] = 2
    series = PollBookSeries(
        used=used,
        check_ins=check_ins,
        additions=np.ones(count, dtype=np.int64),
        absentee_in=np.zeros(count, dtype=np.int64),
        absentee_out=np.full(count, 3, dtype=np.int64),
        duplicates=duplicates,
    )
    return results.with_changes(poll_book=series), series


def test_stations_beyond_the_tolerance_and_with_double_votes_are_listed() -> None:
    results, series = with_poll_book()
    comparison = compare_poll_book(results)  # type: ignore[arg-type]
    assert comparison is not None
    assert comparison.stations == 200
    assert comparison.check_ins == int(series.check_ins[series.used].sum())
    assert (comparison.differing_stations, comparison.stations_with_duplicates) == (1, 1)
    assert comparison.duplicates == 2
    assert comparison.additions == 200
    assert comparison.absentee_out == 600
    codes = results.station_ids  # type: ignore[attr-defined]
    assert [item.station for item in comparison.listed] == [str(codes[4]), str(codes[8])]
    assert comparison.excess_ballots == int(results.voters_issued_ballots[4] // 10)  # type: ignore[attr-defined]


def test_the_report_shows_the_poll_book_only_where_one_was_used() -> None:
    results, _ = with_poll_book()
    report = build_report(results)  # type: ignore[arg-type]
    document = report_document(report)
    assert document["poll_book"]["differing_stations"] == 1
    assert document["poll_book_unavailable"] is None
    json.dumps(document, allow_nan=False)
    assert "Poll book beside the protocols" in render_html_report(report, "test")
    plain = build_report(clean_synthetic_election(400, region_count=20, seed=3))
    assert report_document(plain)["poll_book"] is None
    assert "Poll book beside the protocols" not in render_html_report(plain, "test")


def test_the_database_series_of_a_station_whose_desk_checked_in(desks: Api) -> None:
    check_in_many(desks, 0, 4)
    check_in_many(desks, 4, 2, offline=True)
    assert desks.submit(issued(6)).json()["status"] == "accepted"
    sessions: sessionmaker[Session] = desks.sessions
    with transaction(sessions) as session:
        results = station_results_of_election(session)
    series = results.poll_book
    assert series is not None
    row = list(results.station_ids).index("001-0001")
    assert bool(series.used[row])
    assert (int(series.check_ins[row]), int(series.duplicates[row])) == (6, 0)
    comparison = compare_poll_book(results)
    assert comparison is not None
    assert (comparison.stations, comparison.check_ins, comparison.ballots_issued) == (1, 6, 6)
