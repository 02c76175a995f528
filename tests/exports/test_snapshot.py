"""Writing a snapshot, and verifying it from its folder alone: a fresh one agrees; every kind
of tampering is caught and named (the station, the constituency, the file)."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tallyroom.domain.canonical_json import sha256_hex
from tallyroom.exports.nist_validation import validate_xml
from tallyroom.exports.snapshot import SnapshotExists, write_snapshot
from tallyroom.exports.snapshot_manifest import NotASnapshot, file_digest
from tallyroom.exports.snapshot_verification import verify_snapshot
from tallyroom.service.results.publication import Publication, gather_publication
from tallyroom.store.database import transaction
from tests.polled_election import figures, poll_small_election
from tests.station_client import Api, protocol

PUBLISHED_AT = datetime(2024, 9, 1, 20, 30, tzinfo=UTC)


@pytest.fixture
def publication(api: Api) -> Publication:
    poll_small_election(api)
    with transaction(api.sessions) as session:
        return gather_publication(session, now=PUBLISHED_AT)


@pytest.fixture
def snapshot(publication: Publication, tmp_path: Path) -> Path:
    return write_snapshot(publication, tmp_path / "published").folder


def read_json(folder: Path, path: str) -> dict:
    return json.loads((folder / path).read_text(encoding="utf-8"))


def rewrite(folder: Path, path: str, document: dict, *, update_manifest: bool) -> None:
    """Replace a file's content, and (as a careful forger would) its manifest entry."""
    (folder / path).write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    if update_manifest:
        manifest = read_json(folder, "manifest.json")
        for entry in manifest["files"]:
            if entry["path"] == path:
                entry["sha256"] = file_digest(folder / path)
                entry["size"] = (folder / path).stat().st_size
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def test_a_fresh_snapshot_verifies(snapshot: Path) -> None:
    report = verify_snapshot(snapshot)
    assert report.problems == []
    assert report.protocols_verified == 4
    assert report.constituencies_derived == 2
    assert report.files_checked == len(read_json(snapshot, "manifest.json")["files"])


def test_the_snapshot_is_versioned_and_holds_every_part(snapshot: Path, tmp_path: Path) -> None:
    assert snapshot.parent == tmp_path / "published" / "small-2024"
    assert snapshot.name.endswith("-20240901T203000Z")
    manifest = read_json(snapshot, "manifest.json")
    assert manifest["format"] == "tallyroom-snapshot/1"
    assert manifest["generated_at"] == "2024-09-01T20:30:00+00:00"
    paths = [entry["path"] for entry in manifest["files"]]
    assert paths == sorted(paths)
    for required in (
        "protocols/001-0001.json",
        "protocols/002-0001.json",
        "keys.json",
        "results.json",
        "turnout.json",
        "audit-head.json",
        "definition/election.yaml",
        "definition/candidates.csv",
        "definition/stations.csv",
        "open-data/nation.csv",
        "open-data/nation.json",
        "open-data/constituencies.csv",
        "open-data/constituencies.json",
        "open-data/stations.csv",
        "open-data/stations.json",
        "nist/election-report.xml",
        "nist/election-report.json",
        "index.html",
        "constituencies/001.html",
        "constituencies/002.html",
    ):
        assert required in paths
    for entry in manifest["files"]:
        content = (snapshot / entry["path"]).read_bytes()
        assert entry["sha256"] == sha256_hex(content)
        assert entry["size"] == len(content)
    amended = read_json(snapshot, "protocols/001-0003.json")
    assert amended["version"] == 2
    assert amended["protocol"]["amendment_reason"] == "C001 and C002 swapped when copied"
    keys = read_json(snapshot, "keys.json")["stations"]
    assert amended["public_key"] == keys["001-0003"][0]["public_key"]
    results = read_json(snapshot, "results.json")
    assert results["seats"] == [
        {"party": "YAP", "nomination": "party", "seats": 1, "won": 1, "leading": 0},
        {"party": "YAP", "nomination": "party_member", "seats": 1, "won": 1, "leading": 0},
    ]
    assert read_json(snapshot, "audit-head.json")["sequence"] > 0
    assert validate_xml((snapshot / "nist/election-report.xml").read_bytes()) == []


def test_open_data_per_level(snapshot: Path) -> None:
    nation = (snapshot / "open-data/nation.csv").read_text().splitlines()
    assert nation[0].startswith("election,status,as_of,seats_total,majority,stations_total")
    assert nation[1].startswith("small-2024,preliminary,")
    constituencies = (snapshot / "open-data/constituencies.csv").read_text().splitlines()
    assert len(constituencies) == 1 + 5  # the withdrawn C006 has no row
    assert constituencies[1].startswith(
        "1,Nəsimi birinci,regular,3,3,2150,2150,1420,25,1395,C001,Əli Məmmədov,YAP,party,650,"
    )
    stations = json.loads((snapshot / "open-data/stations.json").read_text())
    assert [station["code"] for station in stations] == [
        "001-0001",
        "001-0002",
        "001-0003",
        "002-0001",
    ]
    assert stations[3]["figures"]["voters_added"] == 5
    assert stations[3]["tags"] == ["idp", "special_territory"]
    station_rows = (snapshot / "open-data/stations.csv").read_text().splitlines()
    assert len(station_rows) == 1 + 3 * 3 + 2


def test_a_snapshot_is_never_overwritten(publication: Publication, tmp_path: Path) -> None:
    first = write_snapshot(publication, tmp_path)
    with pytest.raises(SnapshotExists, match="never replaced"):
        write_snapshot(publication, tmp_path)
    later = Publication(
        **{
            name: getattr(publication, name)
            for name in publication.__dataclass_fields__
            if name != "generated_at"
        },
        generated_at=PUBLISHED_AT + timedelta(minutes=5),
    )
    second = write_snapshot(later, tmp_path)
    assert second.folder != first.folder
    assert sorted(path.name for path in (tmp_path / "small-2024").iterdir()) == [
        first.folder.name,
        second.folder.name,
    ]
    assert verify_snapshot(first.folder).agrees
    assert verify_snapshot(second.folder).agrees


def test_an_altered_protocol_value_is_caught_by_its_signature(snapshot: Path) -> None:
    path = "protocols/001-0002.json"
    entry = read_json(snapshot, path)
    entry["protocol"]["figures"]["votes"]["C002"] = 100  # REAL loses 200 votes
    rewrite(snapshot, path, entry, update_manifest=True)
    problems = verify_snapshot(snapshot).problems
    assert problems[0].startswith(
        "protocols/001-0002.json: station 001-0002: the signature does not verify"
    )
    # Left out of the count, the station's figures no longer add up to what was published.
    assert (
        "results.json: constituencies[number=1].candidates[code=C002].votes: "
        "published 590, the protocols give 290" in problems
    )


def test_an_altered_signature_names_the_station(snapshot: Path) -> None:
    path = "protocols/002-0001.json"
    entry = read_json(snapshot, path)
    entry["signature"] = ("0" if entry["signature"][0] != "0" else "1") + entry["signature"][1:]
    rewrite(snapshot, path, entry, update_manifest=True)
    problems = verify_snapshot(snapshot).problems
    assert problems[0].startswith(
        "protocols/002-0001.json: station 002-0001: the signature does not verify"
    )


def test_a_protocol_signed_with_another_stations_key_is_refused(snapshot: Path) -> None:
    path = "protocols/001-0001.json"
    entry = read_json(snapshot, path)
    entry["public_key"] = read_json(snapshot, "protocols/001-0002.json")["public_key"]
    rewrite(snapshot, path, entry, update_manifest=True)
    problems = verify_snapshot(snapshot).problems
    assert problems[0] == (
        "protocols/001-0001.json: station 001-0001: signed with a key keys.json does not "
        "publish for the station"
    )


def test_an_altered_total_in_the_results_is_named(snapshot: Path) -> None:
    results = read_json(snapshot, "results.json")
    results["constituencies"][0]["candidates"][0]["votes"] += 1
    results["ballots_cast"] = 9999
    rewrite(snapshot, "results.json", results, update_manifest=True)
    assert verify_snapshot(snapshot).problems == [
        "results.json: ballots_cast: published 9999, the protocols give 1885",
        "results.json: constituencies[number=1].candidates[code=C001].votes: "
        "published 651, the protocols give 650",
    ]


def test_an_altered_seat_tally_is_named(snapshot: Path) -> None:
    results = read_json(snapshot, "results.json")
    results["seats"] = [{"party": "YAP", "nomination": "party", "seats": 2}]
    rewrite(snapshot, "results.json", results, update_manifest=True)
    problems = verify_snapshot(snapshot).problems
    assert (
        "results.json: seats[party=YAP,nomination=party].seats: published 2, the protocols give 1"
        in problems
    )
    assert any("seats[party=YAP,nomination=party_member]: published nothing" in p for p in problems)


def test_a_file_altered_without_the_manifest_is_caught(snapshot: Path) -> None:
    page = snapshot / "constituencies/001.html"
    page.write_text(page.read_text().replace(">650<", ">950<"))
    index = snapshot / "index.html"
    index.write_text(index.read_text().replace("Preliminary", "Final"))
    problems = verify_snapshot(snapshot).problems
    assert problems[0] == (
        "constituencies/001.html: SHA-256 differs from the manifest: altered after publication"
    )
    size = index.stat().st_size
    assert problems[1] == (
        f"index.html: {size} bytes, the manifest says {size + 6}: altered after publication"
    )


def test_a_page_altered_with_the_manifest_is_caught_by_remaking_it(snapshot: Path) -> None:
    path = "constituencies/001.html"
    page = snapshot / path
    page.write_text(page.read_text().replace(">650<", ">950<"))
    manifest = read_json(snapshot, "manifest.json")
    for entry in manifest["files"]:
        if entry["path"] == path:
            entry["sha256"] = file_digest(page)
            entry["size"] = page.stat().st_size
    (snapshot / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    problems = verify_snapshot(snapshot).problems
    assert len(problems) == 1
    assert problems[0].startswith("constituencies/001.html line ")
    assert "950" in problems[0]


def test_added_and_missing_files_are_caught(snapshot: Path) -> None:
    (snapshot / "protocols/001-0001.json").unlink()
    (snapshot / "extra.txt").write_text("not published")
    problems = verify_snapshot(snapshot).problems
    assert "protocols/001-0001.json: listed in manifest.json but missing" in problems
    assert "extra.txt: not listed in manifest.json" in problems
    assert (
        "results.json: constituencies[number=1].stations_reporting: published 3, "
        "the protocols give 2" in problems
    )


def test_the_announced_manifest_hash_is_checked(snapshot: Path) -> None:
    announced = file_digest(snapshot / "manifest.json")
    assert verify_snapshot(snapshot, manifest_sha256=announced).agrees
    problems = verify_snapshot(snapshot, manifest_sha256="0" * 64).problems
    assert problems[0].startswith("manifest.json: SHA-256 is ")


def test_a_folder_that_is_not_a_snapshot_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotASnapshot, match="no such folder"):
        verify_snapshot(tmp_path / "nowhere")
    with pytest.raises(NotASnapshot, match=r"not a snapshot \(no manifest.json\)"):
        verify_snapshot(tmp_path)
    (tmp_path / "manifest.json").write_text("{}")
    with pytest.raises(NotASnapshot, match="not a tallyroom-snapshot/1 manifest"):
        verify_snapshot(tmp_path)


def test_the_snapshot_is_a_static_site(snapshot: Path) -> None:
    handler = partial(SimpleHTTPRequestHandler, directory=str(snapshot))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        with urllib.request.urlopen(f"{base}/") as response:
            index = response.read().decode()
        with urllib.request.urlopen(f"{base}/constituencies/002.html") as response:
            constituency = response.read().decode()
        with urllib.request.urlopen(f"{base}/style.css") as response:
            assert response.status == 200
    finally:
        server.shutdown()
        server.server_close()
    assert "Preliminary results" in index
    assert "<strong>4</strong> of 4" in index
    assert 'href="constituencies/001.html"' in index
    assert "Nigar Əliyeva" in constituency
    assert 'href="../protocols/002-0001.json"' in constituency
    assert "IDP" in constituency


def _constituency_rows(folder: Path) -> dict[str, dict[str, str]]:
    """The open-data CSV's row of each constituency's leader, by constituency number."""
    import csv

    with (folder / "open-data/constituencies.csv").open(encoding="utf-8") as rows:
        return {row["constituency"]: row for row in csv.DictReader(rows) if row["leader"] == "yes"}


def test_a_seat_still_counting_is_published_as_leading_then_won(api: Api, tmp_path: Path) -> None:
    from tests.station_client import good_figures, protocol

    # One of constituency 1's three stations counted: C001 leads, the seat is not won.
    response = api.submit(protocol(figures=good_figures()))
    assert response.json()["status"] == "accepted", response.text
    with transaction(api.sessions) as session:
        early = write_snapshot(gather_publication(session, now=PUBLISHED_AT), tmp_path).folder
    assert verify_snapshot(early).problems == []
    row = _constituency_rows(early)["1"]
    assert (row["seat_status"], row["stations_annulled"], row["too_close_to_call"]) == (
        "leading",
        "0",
        "no",
    )
    assert (early / "open-data/seats.csv").read_text().splitlines() == [
        "party,nomination,seats,won,leading",
        "YAP,party,1,0,1",
    ]
    nation = read_json(early, "open-data/nation.json")
    assert (nation["seats_declared"], nation["seats_won"], nation["seats_leading"]) == (1, 0, 1)
    index = (early / "index.html").read_text()
    assert "Seats (1 leaders, 0 won, of 2;" in index
    assert 'class="seats-leading" fill-opacity="0.35"' in index
    assert "<td>leading</td>" in index
    page = (early / "constituencies/001.html").read_text()
    assert "<strong>(leading)</strong>" in page

    # The last two stations of constituency 1 are counted: the seat is won.
    for station, votes, registered in (
        ("001-0002", {"C001": 200, "C002": 300, "C003": 50}, 800),
        ("001-0003", {"C001": 50, "C002": 40, "C003": 5}, 150),
    ):
        counted = figures(
            votes,
            registered=registered,
            issued_in_station=sum(votes.values()) + 10,
            portable=0,
            invalid=10,
        )
        response = api.submit(protocol(station=station, figures=counted))
        assert response.json()["status"] == "accepted", response.text
    with transaction(api.sessions) as session:
        later = gather_publication(session, now=PUBLISHED_AT + timedelta(hours=1))
    folder = write_snapshot(later, tmp_path).folder
    assert verify_snapshot(folder).problems == []
    assert _constituency_rows(folder)["1"]["seat_status"] == "won"
    assert "YAP,party,1,1,0" in (folder / "open-data/seats.csv").read_text().splitlines()
    index = (folder / "index.html").read_text()
    assert "Seats (1 leaders, 1 won, of 2;" in index
    assert "seats-leading" not in index
    assert "<strong>(won)</strong>" in (folder / "constituencies/001.html").read_text()


def test_observers_are_published_without_their_names(snapshot: Path) -> None:
    names = ("Kamran Əhmədov", "Aygün Rzayeva", "Elvin Mustafayev", "Anna Schmidt")
    for file in snapshot.rglob("*"):
        if file.is_file():
            text = file.read_bytes().decode("utf-8", errors="replace")
            assert not any(name in text for name in names), file
    observers = (snapshot / "definition" / "observers.csv").read_text(encoding="utf-8")
    assert observers.splitlines()[1].startswith("O0001,O0001,party_representative,")


def test_a_drill_snapshot_says_drill_in_every_file_with_a_place_for_it(snapshot: Path) -> None:
    # The tests' API is a drill server, so the election it served is a drill's.
    assert read_json(snapshot, "manifest.json")["clock"] == "drill"
    banner = '<p class="drill-banner" role="note"><strong>DRILL</strong>'
    assert banner in (snapshot / "index.html").read_text(encoding="utf-8")
    assert banner in (snapshot / "constituencies/001.html").read_text(encoding="utf-8")
    assert read_json(snapshot, "open-data/nation.json")["clock"] == "drill"
    header, row = (snapshot / "open-data/nation.csv").read_text().splitlines()[:2]
    assert row.split(",")[header.split(",").index("clock")] == "drill"
    report = read_json(snapshot, "nist/election-report.json")
    assert (report["IsTest"], report["TestType"]) == (True, "drill")
    xml = (snapshot / "nist/election-report.xml").read_bytes()
    assert b"<IsTest>true</IsTest>" in xml
    assert validate_xml(xml) == []
    assert verify_snapshot(snapshot).problems == []


def test_a_snapshot_of_an_election_never_drilled_says_real(real_api: Api, tmp_path: Path) -> None:
    assert real_api.submit(protocol()).status_code == 201
    with transaction(real_api.sessions) as session:
        publication = gather_publication(session, now=PUBLISHED_AT)
    folder = write_snapshot(publication, tmp_path).folder
    assert read_json(folder, "manifest.json")["clock"] == "real"
    assert "drill-banner" not in (folder / "index.html").read_text(encoding="utf-8")
    assert read_json(folder, "open-data/nation.json")["clock"] == "real"
    report = read_json(folder, "nist/election-report.json")
    assert report["IsTest"] is False
    assert "TestType" not in report
    assert verify_snapshot(folder).problems == []


def test_a_drill_snapshot_passed_off_as_real_is_caught(snapshot: Path) -> None:
    manifest = read_json(snapshot, "manifest.json")
    manifest["clock"] = "real"
    (snapshot / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    problems = verify_snapshot(snapshot).problems
    assert any(problem.startswith("index.html line ") for problem in problems), problems
    assert any(problem.startswith("open-data/nation.json") for problem in problems), problems
    del manifest["clock"]
    (snapshot / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    assert (
        "manifest.json: clock is null, not one of real, drill: whether the data came from a "
        "drill is unknown" in verify_snapshot(snapshot).problems
    )
