"""Norway's 2017 Storting election as an election definition played through protocols: 19
district list contests by modified Sainte-Laguë (first divisor 1.4, contests.csv), one
leveling seat per district above a 4 % national line (election.yaml `leveling`), one polling
station per district whose signed protocol carries the district's official party votes
(the shared norway-2017.json, copied under tests/domain/electoral_systems/cases)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.protocol_document import document_of

FIXTURES = Path(__file__).parent / "fixtures"
CASES = Path(__file__).parent / "domain" / "electoral_systems" / "cases"
ELECTION = "norway-2017"


def norway_case() -> tuple[dict[str, Any], dict[str, Any]]:
    problem = json.loads((CASES / "norway-2017.json").read_text(encoding="utf-8"))
    expected = json.loads((CASES / "norway-2017.expected.json").read_text(encoding="utf-8"))
    return problem, expected


def _seats_in(expected: dict[str, Any], district: str, party: str) -> int:
    return expected["districts"].get(district, {}).get(party, 0) + expected["leveling_seats"].get(
        district, {}
    ).get(party, 0)


def norway_election_folder(tmp_path: Path) -> Path:
    """The definition: each party lists in each district as many candidates as the official
    result seats there (ordinary and leveling), plus one, so every seat has someone to take it."""
    problem, expected = norway_case()
    districts = problem["districts"]
    folder = tmp_path / "norway-2017"
    shutil.copytree(FIXTURES / "small-election", folder)
    for name in ("observers.csv", "exit_poll_samples.csv"):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    ordinary = sum(d["seats"] for d in districts)
    (folder / "election.yaml").write_text(
        "format: tallyroom-definition/1\n"
        "election:\n"
        f"  code: {ELECTION}\n"
        '  name: "Stortingsvalget 2017"\n'
        '  country: "NO"\n'
        "  polling_day: 2017-09-11\n"
        "  timezone: Europe/Oslo\n"
        '  voting_hours: {opens: "09:00", closes: "21:00"}\n'
        '  turnout_report_times: ["12:00", "18:00"]\n'
        f"  seats: {ordinary + len(districts)}\n"
        "  contest:\n"
        "    kind: single_member_plurality\n"
        "    seats_per_constituency: 1\n"
        "  too_close_margin_percent: 1.0\n"
        "  leveling:\n"
        "    rule: norway\n"
        "    seats_per_district: 1\n"
        "    method: sainte-lague\n"
        '    first_divisor: "1.4"\n'
        "    threshold:\n"
        "      percent: 4\n",
        encoding="utf-8",
    )
    (folder / "constituencies.csv").write_text(
        "number,name,kind\n"
        + "".join(f"{n},{d['id']},regular\n" for n, d in enumerate(districts, 1)),
        encoding="utf-8",
    )
    parties = sorted({party for d in districts for party in d["votes"]})
    (folder / "parties.csv").write_text(
        "short_name,name,colour\n"
        + "".join(f"{p},{p},#{i * 9:06x}\n" for i, p in enumerate(parties)),
        encoding="utf-8",
    )
    (folder / "stations.csv").write_text(
        "code,constituency,name,kind,tags,webcam,registered_voters,turning_18\n"
        + "".join(
            f"{n:03d}-0001,{n},{d['id']} valglokale,permanent,,no,"
            f"{_registered(sum(d['votes'].values()))},0\n"
            for n, d in enumerate(districts, 1)
        ),
        encoding="utf-8",
    )
    rows = ["code,constituency,full_name,nomination,party,status,ballot_position"]
    for n, district in enumerate(districts, 1):
        for party in sorted(district["votes"]):
            for place in range(1, _seats_in(expected, district["id"], party) + 2):
                name = f"{party} kandidat {place} ({district['id']})"
                rows.append(
                    f"{candidate_code(n, party, place)},{n},{name},party,{party},registered,{place}"
                )
    (folder / "candidates.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "contests.csv").write_text(
        "constituency,kind,seats,threshold_percent,threshold_counts_blank,first_divisor\n"
        + "".join(f"{n},sainte-lague,{d['seats']},0,no,1.4\n" for n, d in enumerate(districts, 1)),
        encoding="utf-8",
    )
    return folder


def candidate_code(district: int, party: str, place: int) -> str:
    return f"N{district:02d}-{party}-{place}"


def _registered(votes: int) -> int:
    # about 78 % turnout, as in 2017
    return votes * 100 // 78


def norway_documents() -> dict[str, dict[str, Any]]:
    """Each district's one station's document: the party votes as published (0 for the parties
    with no list there); each party's first candidate carries its list's votes on the
    candidate lines (the sheet must add up)."""
    problem, expected = norway_case()
    # the district list ballot carries every party of the election (its protocol is judged by
    # them): a party with no list in the district stands at 0
    parties = sorted({party for d in problem["districts"] for party in d["votes"]})
    documents: dict[str, dict[str, Any]] = {}
    for n, district in enumerate(problem["districts"], 1):
        votes = district["votes"]
        total = sum(votes.values())
        registered = _registered(total)
        candidate_votes = {
            candidate_code(n, party, place): (votes[party] if place == 1 else 0)
            for party in votes
            for place in range(1, _seats_in(expected, district["id"], party) + 2)
        }
        figures = ProtocolFigures(
            registered_voters=registered,
            voters_added=0,
            ballots_received=registered,
            ballots_issued_in_station=total,
            ballots_issued_portable=0,
            ballots_cast=total,
            invalid_ballots=0,
            unused_ballots=registered - total,
            votes=candidate_votes,
            party_votes=dict.fromkeys(parties, 0) | votes,
        )
        station = f"{n:03d}-0001"
        documents[station] = document_of(
            election=ELECTION,
            station=station,
            version=1,
            figures=figures,
            contest=f"constituency-{n}",
        )
    return documents
