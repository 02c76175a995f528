"""`tallyroom observers accredit`, `badges`, `revoke` and `stats` on the small election."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tallyroom.cli.app import app
from tallyroom.store.database import transaction
from tallyroom.store.schema import ObserverAccreditationRow

runner = CliRunner()


def test_accredit_from_the_definition_file_then_badges_stats_and_revoke(
    use_database: str, loaded_election: sessionmaker[Session], small_election: Path, tmp_path: Path
) -> None:
    issued = tmp_path / "observer-credentials.csv"
    result = runner.invoke(
        app,
        [
            "observers",
            "accredit",
            str(small_election / "observers.csv"),
            "--credentials",
            str(issued),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "accredited 5 observers" in result.stdout
    assert issued.read_text(encoding="utf-8").count("obs_") == 5
    result = runner.invoke(
        app, ["observers", "badges", str(issued), str(tmp_path / "badges"), "--code", "O0004"]
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "badges").iterdir()] == ["I-000001.svg"]
    result = runner.invoke(app, ["observers", "revoke", "O0004", "--reason", "expelled"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["observers", "stats", "--json"])
    assert '"international": 1' in result.stdout
    assert '"local": 3' in result.stdout


def test_bad_rows_are_named_with_file_and_line_and_nothing_is_stored(
    use_database: str, loaded_election: sessionmaker[Session], tmp_path: Path
) -> None:
    file = tmp_path / "more.csv"
    file.write_text(
        "code,full_name,kind,organisation,country,represents,stations\n"
        "N1,Ali Vəliyev,local_ngo,seçki-izləmə,AZ,,001-0001\n"
        "N2,Bad Kind,spy,,AZ,,\n"
        "N3,Unknown Station,local_ngo,seçki-izləmə,AZ,,999\n",
        encoding="utf-8",
    )
    issued = tmp_path / "out.csv"
    result = runner.invoke(app, ["observers", "accredit", str(file), "--credentials", str(issued)])
    assert result.exit_code == 2
    assert f"{file}:3: kind:" in result.stderr
    assert "nothing was accredited" in result.stderr
    # the well-formed rows are checked against the store too, once the file parses
    file.write_text(
        file.read_text(encoding="utf-8")
        .replace("spy", "local_ngo")
        .replace(",,AZ,,\n", ",seçki-izləmə,AZ,,\n", 1),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["observers", "accredit", str(file), "--credentials", str(issued)])
    assert result.exit_code == 2, result.output
    assert f"{file}:4: stations: unknown station '999'" in result.stderr
    assert not issued.exists()
    with transaction(loaded_election) as session:
        assert session.scalar(select(func.count(ObserverAccreditationRow.id))) == 0
