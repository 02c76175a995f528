"""Forensics benchmark: full suite at 1,000,000 stations and on Russia 2011; flag recall on
synthetic stuffing, and with `--simulator` on the az-2024 polling day played by
`tallyroom simulate` with stuffed stations (minutes; bounded by --timeout)."""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

import numpy as np

from tallyroom.domain.statistics.ballot_stuffing import stuff_ballots
from tallyroom.domain.statistics.exit_poll_comparison import compare_exit_polls
from tallyroom.domain.statistics.station_flags import station_flags, stuffing_signature
from tallyroom.domain.statistics.station_results import StationResults
from tallyroom.domain.statistics.synthetic_election import clean_synthetic_election
from tallyroom.domain.statistics.turnout_jump import turnout_jumps
from tallyroom.forensics.csv_import import import_station_results
from tallyroom.forensics.presets import preset
from tallyroom.forensics.report import build_report, report_document

RUSSIA_2011 = next(
    (
        folder / "data" / "russia_duma_2011_uik.csv.zip"
        for folder in (
            pathlib.Path(__file__).resolve().parents[2] / "shared",
            pathlib.Path("/work/shared"),
        )
        if (folder / "data").is_dir()
    ),
    pathlib.Path("../shared/data/russia_duma_2011_uik.csv.zip"),
)


def reference_pass(results: StationResults) -> float:
    """Seconds for a plain numpy pass over the same arrays (turnout, leader share, valid
    votes, one 2-D histogram) plus one binomial draw per station: the floor any suite pays,
    measured in the same run so that a loaded machine shows in both figures."""
    started = time.perf_counter()
    votes = results.votes
    registered = np.maximum(results.registered_voters, 1)
    turnout = results.ballots_cast / registered
    leader = votes[np.arange(len(votes)), np.argmax(votes.sum(axis=0))]
    share = leader / np.maximum(results.ballots_cast, 1)
    np.histogram2d(np.clip(turnout, 0, 1), share, bins=50)
    votes.sum(axis=1)
    np.random.default_rng(0).binomial(registered, np.clip(turnout, 0, 1))
    return time.perf_counter() - started


def suite_seconds(results: StationResults) -> float:
    started = time.perf_counter()
    report_document(build_report(results))
    return time.perf_counter() - started


def simulator_recall(percent: float, stations: int, timeout_seconds: float) -> None:
    """Play az-2024 into a fresh SQLite database with `stations` stations stuffed at
    `percent` % of their register, then flag from the database input and compare with the
    codes the simulator wrote."""
    from tallyroom.cli.store_access import sessions_for
    from tallyroom.service.results.station_results_view import station_results_of_election

    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{folder}/simulated.db"
        stuffed_file = pathlib.Path(folder) / "stuffed.txt"
        command = [
            sys.executable,
            "-c",
            "from tallyroom.cli.app import main; main()",
            "simulate",
            "az-2024",
            "--stuff-ballots",
            str(percent),
            "--stations",
            str(stations),
            "--stuffed-out",
            str(stuffed_file),
        ]
        started = time.perf_counter()
        subprocess.run(
            command,
            env={**os.environ, "TALLYROOM_DATABASE_URL": database},
            check=True,
            timeout=timeout_seconds,
            stdout=subprocess.DEVNULL,
        )
        simulated = time.perf_counter() - started
        stuffed_codes = set(stuffed_file.read_text(encoding="utf-8").split())
        with sessions_for(database)() as session:
            results = station_results_of_election(session)
        started = time.perf_counter()
        report = build_report(results)
        analysed = time.perf_counter() - started
    codes = results.station_ids.tolist()
    injected = np.array([code in stuffed_codes for code in codes])
    risk = report.flags.risk_mask(results.station_count)
    print(
        f"az-2024 simulator, {len(stuffed_codes)} stations stuffed at {percent:g} % of the "
        f"register ({injected.sum()} of them among {results.station_count} counted stations; "
        f"simulation {simulated:.0f} s, suite {analysed:.2f} s)"
    )
    print(
        f"  all flags: recall {risk[injected].mean():.3f}, "
        f"false positives {risk[~injected].mean():.4f} ({int(risk[~injected].sum())} stations)"
    )
    signature = stuffing_signature(results)
    print(
        f"  protocol signature alone (z ≥ 2.5): recall {signature[injected].mean():.3f}, "
        f"false positives {signature[~injected].mean():.4f}"
    )
    if report.turnout_jump is not None:
        jumps = np.zeros(results.station_count, dtype=bool)
        jumps[report.turnout_jump.stations] = True
        print(
            f"  turnout jump alone: recall {jumps[injected].mean():.3f}, "
            f"false positives {jumps[~injected].mean():.4f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--simulator", action="store_true", help="measure flags on `tallyroom simulate` only"
    )
    parser.add_argument("--stuff-ballots", type=float, default=15.0)
    parser.add_argument("--stations", type=int, default=324, help="5 %% of az-2024's 6,478")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds for simulate")
    arguments = parser.parse_args()
    if arguments.simulator:
        simulator_recall(arguments.stuff_ballots, arguments.stations, arguments.timeout)
        return
    timings()


def timings() -> None:
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    started = time.perf_counter()
    million = clean_synthetic_election(1_000_000, region_count=1_000, seed=1)
    generated = time.perf_counter()
    analysed = suite_seconds(million)
    print(
        f"1,000,000 synthetic stations: full suite {analysed:.2f} s; reference numpy pass "
        f"{reference_pass(million):.2f} s (generation {generated - started:.2f} s, not counted)"
    )

    started = time.perf_counter()
    russia = import_station_results(RUSSIA_2011, preset("russia-cik"))
    imported = time.perf_counter()
    analysed = suite_seconds(russia)
    print(
        f"Russia 2011 ({russia.station_count} stations): full suite {analysed:.2f} s, "
        f"import {imported - started:.2f} s; reference numpy pass {reference_pass(russia):.2f} s"
    )

    stuffed = stuff_ballots(
        clean_synthetic_election(200_000, region_count=200, seed=2),
        station_fraction=0.05,
        registered_fraction=0.15,
        seed=3,
    )
    results = stuffed.results
    injected = np.zeros(results.station_count, dtype=bool)
    injected[stuffed.stuffed_indices] = True
    flags = station_flags(results, None, turnout_jumps(results), compare_exit_polls(results))
    risk = flags.risk_mask(results.station_count)
    print(
        f"stuffing 15 % of registered at 5 % of 200,000 stations, all flags: "
        f"recall {risk[injected].mean():.3f}, false positives {risk[~injected].mean():.4f}"
    )
    for threshold in (2.0, 2.5, 3.0):
        signature = stuffing_signature(results, threshold)
        print(
            f"  protocol figures only (no hourly reports, no exit polls), z ≥ {threshold}: "
            f"recall {signature[injected].mean():.3f}, "
            f"false positives {signature[~injected].mean():.4f}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
