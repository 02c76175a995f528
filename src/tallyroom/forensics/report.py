"""Run every integrity test on station results and render the findings as JSON-ready data."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tallyroom.domain.statistics.exit_poll_comparison import (
    ExitPollComparison,
    compare_exit_polls,
)
from tallyroom.domain.statistics.fingerprint import FingerprintResult, fingerprint
from tallyroom.domain.statistics.integer_percentages import (
    IntegerCount,
    IntegerPercentResult,
    integer_percent_excess,
)
from tallyroom.domain.statistics.last_digit import LastDigitResult, last_digit_test
from tallyroom.domain.statistics.method_statements import (
    NO_EXIT_POLL,
    NO_MONITORING,
    NO_POLL_BOOK,
    NO_REGISTER_FOR_TURNOUT,
    NO_TURNOUT_REPORTS,
    STATEMENTS,
)
from tallyroom.domain.statistics.monitoring_comparison import (
    Difference,
    MonitoringComparison,
    compare_monitoring,
)
from tallyroom.domain.statistics.poll_book_series import PollBookComparison, compare_poll_book
from tallyroom.domain.statistics.region_summary import RegionSummary, region_summaries
from tallyroom.domain.statistics.resampled_counts import resampled_vote_counts
from tallyroom.domain.statistics.second_digit_benford import SecondDigitResult, second_digit_test
from tallyroom.domain.statistics.station_flags import StationFlags, station_flags
from tallyroom.domain.statistics.station_results import StationResults
from tallyroom.domain.statistics.turnout_jump import TurnoutJumpResult, turnout_jumps
from tallyroom.domain.statistics.vote_distribution import DistributionResult, vote_distribution


@dataclass(frozen=True)
class ForensicsReport:
    results: StationResults
    distribution: DistributionResult
    fingerprint: FingerprintResult
    integer_percent: IntegerPercentResult
    last_digit: LastDigitResult
    second_digit: SecondDigitResult
    monitoring: tuple[MonitoringComparison, ...]
    exit_poll: ExitPollComparison | None
    turnout_jump: TurnoutJumpResult | None
    flags: StationFlags
    regions: list[RegionSummary]
    #: the poll book's check-ins beside the protocols, where poll books were used
    poll_book: PollBookComparison | None = None


def build_report(results: StationResults, seed: int = 0) -> ForensicsReport:
    integer_percent = integer_percent_excess(results, seed=seed)
    # both digit tests compare against the same binomially resampled counts: draw them once
    resampled = resampled_vote_counts(results, seed=seed)
    jump = turnout_jumps(results)
    exit_poll = compare_exit_polls(results)
    flags = station_flags(results, integer_percent, jump, exit_poll)
    monitoring = tuple(
        comparison
        for comparison in (
            compare_monitoring(results, "webcam", results.webcam),
            compare_monitoring(results, "exit_poll", results.exit_poll),
            compare_monitoring(results, "observers", results.observed),
        )
        if comparison is not None
    )
    return ForensicsReport(
        results=results,
        distribution=vote_distribution(results),
        fingerprint=fingerprint(results, seed=seed),
        integer_percent=integer_percent,
        last_digit=last_digit_test(results, resampled),
        second_digit=second_digit_test(results, resampled),
        monitoring=monitoring,
        exit_poll=exit_poll,
        turnout_jump=jump,
        flags=flags,
        regions=region_summaries(results, flags.risk_mask(results.station_count)),
        poll_book=compare_poll_book(results),
    )


def report_document(report: ForensicsReport) -> dict[str, Any]:
    """The report as plain JSON values; no NaN or infinity ever reaches the output."""
    results = report.results
    integer = report.integer_percent
    fit = report.fingerprint
    distribution = report.distribution
    register_known = bool(results.turnout_known.any())
    return {
        "stations": results.station_count,
        "stations_with_register": int(results.turnout_known.sum()),
        "leader_scope": results.leader_scope.value,
        "national_leader": results.national_leader,
        "integer_percent_excess": _integer_percent(integer),
        "fingerprint": {
            "f_incremental": _number(fit.f_incremental),
            "f_extreme": _number(fit.f_extreme),
            "incremental_width": _number(fit.incremental_width),
            "fair_turnout_mean": _number(fit.fair_turnout_mean),
            "fair_turnout_sd": _number(fit.fair_turnout_sd),
            "fair_share_mean": _number(fit.fair_share_mean),
            "fair_share_sd": _number(fit.fair_share_sd),
            "residual": _number(fit.residual),
            "extreme_corner_stations": len(fit.extreme_corner_stations),
            "unavailable": fit.unavailable,
            **_statement("fingerprint"),
        },
        "distribution": {
            "full_turnout_stations": (
                len(distribution.full_turnout_stations) if register_known else None
            ),
            "over_registered_stations": (
                len(distribution.over_registered_stations) if register_known else None
            ),
            "round_turnout_ratio": (
                _number(distribution.round_turnout_ratio) if register_known else None
            ),
            "round_leader_share_ratio": _number(distribution.round_leader_share_ratio),
            "round_percentage_p_value": _number(distribution.round_percentage_p_value),
            "turnout_unavailable": None if register_known else NO_REGISTER_FOR_TURNOUT,
            **_statement("distribution"),
        },
        "last_digit": {
            "counts_tested": report.last_digit.counts_tested,
            "chi_square": _number(report.last_digit.chi_square),
            "p_value": _number(report.last_digit.p_value),
            "p_value_uniform": _number(report.last_digit.p_value_uniform),
            "digit_shares": [_number(share) for share in report.last_digit.digit_shares],
            "candidate_p_values": _numbers(report.last_digit.candidate_p_values),
            "reference_digit_shares": [
                _number(share) for share in report.last_digit.reference_shares
            ],
            **_statement("last_digit"),
        },
        "second_digit_benford": {
            "counts_tested": report.second_digit.counts_tested,
            "chi_square": _number(report.second_digit.chi_square),
            "p_value": _number(report.second_digit.p_value),
            "p_value_benford": _number(report.second_digit.p_value_benford),
            "candidate_means": _numbers(report.second_digit.candidate_means),
            "candidate_p_values": _numbers(report.second_digit.candidate_p_values),
            "digit_shares": [_number(share) for share in report.second_digit.digit_shares],
            "reference_digit_shares": [
                _number(share) for share in report.second_digit.reference_shares
            ],
            **_statement("second_digit_benford"),
        },
        "monitoring": [_monitoring(comparison) for comparison in report.monitoring],
        "monitoring_unavailable": None if report.monitoring else NO_MONITORING,
        "exit_poll": _exit_poll(report.exit_poll),
        "exit_poll_unavailable": None if report.exit_poll else NO_EXIT_POLL,
        "turnout_jump": _turnout_jump(report.turnout_jump),
        "turnout_jump_unavailable": None if report.turnout_jump else NO_TURNOUT_REPORTS,
        "poll_book": _poll_book(report.poll_book),
        "poll_book_unavailable": None if report.poll_book else NO_POLL_BOOK,
        "statements": {
            name: _statement(name)
            for name in ("monitoring", "exit_poll", "turnout_jump", "poll_book")
        },
        "risk_stations": len(report.flags.risk_stations),
        "flags": _flags(report.flags, results),
        "regions": [
            {
                "region": summary.region,
                "stations": summary.stations,
                "registered_voters": summary.registered_voters,
                "ballots_cast": summary.ballots_cast,
                "turnout": _number(summary.turnout),
                "leader": summary.leader,
                "leader_share": _number(summary.leader_share),
                "risk_stations": summary.risk_stations,
                "risk_share": _number(summary.risk_share),
            }
            for summary in report.regions
        ],
    }


def _integer_percent(integer: IntegerPercentResult) -> dict[str, Any]:
    """The paper's three counts; the headline keys repeat the first (turnout or leader)."""
    either = _integer_count(integer.either)
    return {
        "excess_stations": either["excess"] if either else None,
        "sd": either["sd"] if either else None,
        "p_value": either["p_value"] if either else None,
        "observed": either["observed"] if either else None,
        "expected": either["expected"] if either else None,
        "turnout_or_leader": either,
        "leader": _integer_count(integer.leader),
        "turnout": _integer_count(integer.turnout),
        "stations_analysed": integer.stations_analysed,
        "replicates": integer.replicates,
        "unavailable": integer.unavailable,
        **_statement("integer_percent_excess"),
    }


def _integer_count(count: IntegerCount | None) -> dict[str, Any] | None:
    if count is None:
        return None
    return {
        "observed": count.observed,
        "expected": _number(count.expected),
        "excess": _number(count.excess),
        "sd": _number(count.sd),
        "z": _number(count.z),
        "p_value": _number(count.p_value),
        "expected_standard_error": _number(count.expected_standard_error),
    }


def _poll_book(comparison: PollBookComparison | None) -> dict[str, Any] | None:
    if comparison is None:
        return None
    return {
        "stations": comparison.stations,
        "check_ins": comparison.check_ins,
        "ballots_issued": comparison.ballots_issued,
        "additions": comparison.additions,
        "absentee_certificates_in": comparison.absentee_in,
        "absentee_certificates_out": comparison.absentee_out,
        "double_votes": comparison.duplicates,
        "differing_stations": comparison.differing_stations,
        "excess_ballots": comparison.excess_ballots,
        "stations_with_double_votes": comparison.stations_with_duplicates,
        "listed": [
            {
                "station": item.station,
                "ballots_issued": item.ballots_issued,
                "check_ins": item.check_ins,
                "double_votes": item.duplicates,
            }
            for item in comparison.listed
        ],
    }


def _statement(name: str) -> dict[str, str]:
    return {"null": STATEMENTS[name].null, "caveat": STATEMENTS[name].caveat}


def _flags(flags: StationFlags, results: StationResults) -> list[dict[str, Any]]:
    indices = [flag.station_index for flag in flags.flags]
    # one vectorised lookup instead of a numpy scalar per flagged station
    station_ids = results.station_ids[indices].tolist()
    regions = results.regions[indices].tolist()
    return [
        {
            "station_id": station_id,
            "region": region,
            "risk": flag.is_risk,
            "reasons": [
                {
                    "code": reason.code,
                    "category": reason.category.value,
                    "message": reason.message,
                }
                for reason in flag.reasons
            ],
        }
        for flag, station_id, region in zip(flags.flags, station_ids, regions, strict=True)
    ]


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _numbers(values: dict[str, float]) -> dict[str, float | None]:
    return {name: _number(value) for name, value in values.items()}


def _difference(difference: Difference | None) -> dict[str, float | None] | None:
    if difference is None:
        return None
    return {
        "estimate": _number(difference.estimate),
        "confidence_low": _number(difference.confidence_low),
        "confidence_high": _number(difference.confidence_high),
        "p_value": _number(difference.p_value),
    }


def _monitoring(comparison: MonitoringComparison) -> dict[str, Any]:
    return {
        "monitor": comparison.monitor,
        "monitored_stations": comparison.monitored_stations,
        "unmonitored_stations": comparison.unmonitored_stations,
        "regions_compared": comparison.regions_compared,
        "turnout_difference": _difference(comparison.turnout),
        "leader_share_difference": _difference(comparison.leader_share),
    }


def _exit_poll(comparison: ExitPollComparison | None) -> dict[str, Any] | None:
    if comparison is None:
        return None
    return {
        "stations_compared": comparison.stations_compared,
        "mean_difference": _number(comparison.mean_difference),
        "confidence_low": _number(comparison.confidence_low),
        "confidence_high": _number(comparison.confidence_high),
        "p_value": _number(comparison.p_value),
        "outlier_stations": len(comparison.stations),
    }


def _turnout_jump(result: TurnoutJumpResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {
        "stations_compared": result.stations_compared,
        "median_jump": _number(result.median_jump),
        "high_jump": _number(result.high_jump),
        "outlier_stations": len(result.stations),
    }
