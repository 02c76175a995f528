"""An election's rules and ballot positions survive the database: loaded, then exported as
the same files."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tallyroom.definition.layout import RULES_FILE
from tallyroom.definition.reader import read_definition
from tallyroom.definition.writer import write_definition
from tallyroom.service.definition.definition_export import stored_definition
from tallyroom.service.definition.election_setup import define_election
from tallyroom.service.protocols.election_rules import election_rule_set, served_rules
from tallyroom.store.database import transaction

RULES = """format: tallyroom-rules/1
rules:
  - id: cast_near_issued
    check: "ballots_cast == ballots_issued_in_station + ballots_issued_portable"
    tolerance: "2.5%"
    action: refuse
    message:
      az: "az {ballots_cast}"
      en: "en {ballots_cast}"
      ru: "ru {ballots_cast}"
"""


def test_rules_and_ballot_positions_are_exported_as_loaded(
    sessions: sessionmaker[Session], small_election: Path, tmp_path: Path
) -> None:
    (small_election / RULES_FILE).write_text(RULES, encoding="utf-8")
    candidates = small_election / "candidates.csv"
    lines = candidates.read_text(encoding="utf-8").splitlines()
    positions = ["ballot_position", "3", "1", "2", "", "1", ""]
    candidates.write_text(
        "".join(f"{line},{position}\n" for line, position in zip(lines, positions, strict=True)),
        encoding="utf-8",
    )
    definition = read_definition(small_election)
    with transaction(sessions) as session:
        election_id = define_election(session, definition=definition, digest="0" * 64, actor="t")
    with transaction(sessions) as session:
        assert election_rule_set(session, election_id).version == definition.rule_set.version
        served = served_rules(session)
        exported = stored_definition(session)
    assert served["version"] == definition.rule_set.version
    assert served["rules"][0]["tolerance"] == {"kind": "relative", "value": 250}
    write_definition(exported, tmp_path / "exported")
    for name in (RULES_FILE, "candidates.csv"):
        assert (tmp_path / "exported" / name).read_bytes() == (small_election / name).read_bytes()
