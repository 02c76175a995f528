"""rules.yaml in a definition folder: read with every problem at its file:line, written back
byte for byte; the optional ballot_position column of candidates.csv."""

from __future__ import annotations

from pathlib import Path

import pytest

from tallyroom.definition.layout import RULES_FILE
from tallyroom.definition.problems import DefinitionError
from tallyroom.definition.reader import read_definition
from tallyroom.definition.writer import write_definition
from tallyroom.domain.rule_set import REFERENCE_RULE_SET, RuleAction, Tolerance

RULE = """  - id: {id}
    check: "{check}"
    tolerance: {tolerance}
    action: {action}
    message:
      az: "az {message}"
      en: "en {message}"
      ru: "ru {message}"
"""


def rules_file(folder: Path, *rules: dict[str, str]) -> Path:
    path = folder / RULES_FILE
    text = "format: tallyroom-rules/1\nrules:\n"
    for rule in rules:
        text += RULE.format(
            **({"tolerance": "0", "action": "flag", "message": "{ballots_cast}"} | rule)
        )
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        read_definition(folder)
    return [str(problem) for problem in caught.value.problems]


def test_the_small_election_carries_the_reference_rules(small_election: Path) -> None:
    assert read_definition(small_election).rule_set == REFERENCE_RULE_SET


def test_a_folder_without_rules_gets_the_reference_rules(small_election: Path) -> None:
    (small_election / RULES_FILE).unlink()
    assert read_definition(small_election).rule_set.version == REFERENCE_RULE_SET.version


def test_rules_are_read_and_written_back(small_election: Path, tmp_path: Path) -> None:
    path = rules_file(
        small_election,
        {
            "id": "cast_near_issued",
            "check": "ballots_cast == ballots_issued_in_station",
            "tolerance": '"0.5%"',
            "action": "refuse",
        },
        {
            "id": "few_added",
            "check": "voters_added * 10 <= registered_voters",
            "tolerance": "3",
            "message": "{voters_added * 10}",
        },
    )
    rule_set = read_definition(small_election).rule_set
    assert [rule.id for rule in rule_set.rules] == ["cast_near_issued", "few_added"]
    assert rule_set.rules[0].tolerance == Tolerance("relative", 50)
    assert rule_set.rules[0].action is RuleAction.REFUSE
    written = tmp_path / "written"
    write_definition(read_definition(small_election), written)
    assert (written / RULES_FILE).read_bytes() == path.read_bytes()


def test_every_bad_rule_is_reported_at_its_line(small_election: Path) -> None:
    rules_file(
        small_election,
        {"id": "good", "check": "ballots_cast >= 0"},
        {"id": "typo", "check": "ballots_kast == 1"},
        {"id": "deep", "check": "(" * 30 + "1" + ")" * 30 + " == 1"},
        {"id": "python", "check": "__import__('os').system('true') == 0"},
        {"id": "stranger", "check": "ballots_cast == 1", "message": "{invalid_ballots}"},
        {"id": "good", "check": "ballots_cast >= 1"},
        {"id": "bad_action", "check": "ballots_cast >= 1", "action": "shout"},
    )
    assert problems_of(small_election) == [
        "rules.yaml:12: typo.check: 'ballots_kast == 1': column 1: unknown name 'ballots_kast'",
        "rules.yaml:20: deep.check: '"
        + "(" * 30
        + "1"
        + ")" * 30
        + " == 1': column 17: nested more than 16 deep",
        "rules.yaml:28: python.check: \"__import__('os').system('true') == 0\": column 12: "
        'unexpected "\'"',
        "rules.yaml:40: stranger.message.az: {invalid_ballots} names invalid_ballots, which the "
        "check does not",
        "rules.yaml:43: good.id: duplicate rule 'good' (first on line 3)",
        "rules.yaml:54: bad_action.action: must be flag or refuse",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("rules: []\n", "rules.yaml:1: format: must be 'tallyroom-rules/1'"),
        ("format: tallyroom-rules/1\nrules: {a: 1}\n", "rules.yaml:2: rules: must be a list"),
        ("format: tallyroom-rules/1\nrules: [\n", "rules.yaml:3: -: not valid YAML"),
        ("format: tallyroom-rules/1\nrules:\n  - just text\n", "rules.yaml:3: rules[1].-: a rule"),
        (
            "format: tallyroom-rules/1\nrules:\n  - id: x\n    check: ballots_cast == 1\n"
            "    message: {az: a, en: b, ru: c}\n    when: always\n",
            "rules.yaml:6: x.when: unknown key",
        ),
    ],
)
def test_a_malformed_rules_file_is_refused(small_election: Path, text: str, problem: str) -> None:
    (small_election / RULES_FILE).write_text(text, encoding="utf-8")
    (found,) = problems_of(small_election)
    assert found.startswith(problem)


def test_an_oversized_rules_file_is_refused(small_election: Path) -> None:
    (small_election / RULES_FILE).write_text("#" * 300_000, encoding="utf-8")
    assert problems_of(small_election) == ["rules.yaml:1: -: larger than 262,144 bytes"]


def test_ballot_positions_are_optional_read_and_written_back(
    small_election: Path, tmp_path: Path
) -> None:
    path = small_election / "candidates.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    positions = ["ballot_position", "2", "1", "3", "", "1", ""]
    path.write_text(
        "".join(f"{line},{position}\n" for line, position in zip(lines, positions, strict=True)),
        encoding="utf-8",
    )
    candidates = read_definition(small_election).candidates
    assert [c.ballot_position for c in candidates] == [2, 1, 3, None, 1, None]
    write_definition(read_definition(small_election), tmp_path)
    assert (tmp_path / "candidates.csv").read_bytes() == path.read_bytes()


def test_a_ballot_position_is_taken_once_per_constituency(small_election: Path) -> None:
    path = small_election / "candidates.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    positions = ["ballot_position", "1", "1", "0", "", "1", "x"]
    path.write_text(
        "".join(f"{line},{position}\n" for line, position in zip(lines, positions, strict=True)),
        encoding="utf-8",
    )
    assert problems_of(small_election) == [
        "candidates.csv:3: ballot_position: position 1 in constituency 1 is taken (line 2)",
        "candidates.csv:4: ballot_position: must be a positive whole number",
        "candidates.csv:7: ballot_position: 'x' is not a whole number",
    ]
