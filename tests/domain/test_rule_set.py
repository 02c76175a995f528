"""Control rules as data: the reference rule set against the six checks it replaced, and
rules that must not load."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tallyroom.domain.control_checks import control_check_failures
from tallyroom.domain.protocol import ProtocolFigures
from tallyroom.domain.rule_set import (
    REFERENCE_RULE_SET,
    RuleAction,
    RuleProblem,
    Tolerance,
    rule_of,
    rule_set_of,
    tolerance_of,
)


def _former_checks(
    figures: ProtocolFigures, standing: set[str], registered_on_register: int | None
) -> list[tuple[str, tuple[str, ...]]]:
    """The six checks as they were written in Python before they became data."""
    issued = ("ballots_issued_in_station", "ballots_issued_portable")
    found = []
    if figures.valid_votes + figures.invalid_ballots != figures.ballots_cast:
        found.append(
            ("votes_and_invalid_differ_from_cast", ("votes", "invalid_ballots", "ballots_cast"))
        )
    if figures.ballots_cast > figures.ballots_issued:
        found.append(("cast_exceeds_issued", ("ballots_cast", *issued)))
    if figures.ballots_issued + figures.unused_ballots != figures.ballots_received:
        found.append(
            (
                "issued_and_unused_differ_from_received",
                (*issued, "unused_ballots", "ballots_received"),
            )
        )
    if figures.ballots_issued > figures.registered_voters + figures.voters_added:
        found.append(("issued_exceeds_voters", (*issued, "registered_voters", "voters_added")))
    if registered_on_register is not None and figures.registered_voters != registered_on_register:
        found.append(("registered_differs_from_register", ("registered_voters",)))
    if standing - set(figures.votes):
        found.append(("candidate_missing", ("votes",)))
    return found


figure = st.integers(min_value=0, max_value=60)


@settings(max_examples=400, deadline=None)
@given(
    values=st.lists(figure, min_size=8, max_size=8),
    votes=st.dictionaries(st.sampled_from(["A", "B", "C"]), figure, max_size=3),
    register=st.one_of(st.none(), figure),
)
def test_the_reference_rule_set_judges_as_the_six_checks_did(
    values: list[int], votes: dict[str, int], register: int | None
) -> None:
    figures = ProtocolFigures(*values, votes=votes)  # type: ignore[misc]
    standing = {"A", "B", "C"}
    found = control_check_failures(
        figures, standing_candidates=standing, registered_on_register=register
    )
    assert [(failure.code, failure.fields) for failure in found] == _former_checks(
        figures, standing, register
    )


def test_the_reference_messages_keep_their_numbers() -> None:
    figures = ProtocolFigures(1000, 0, 1000, 700, 50, 750, 10, 250, votes={"A": 750})
    (failure,) = control_check_failures(figures, standing_candidates={"A"})
    assert failure.message == "valid votes 750 + invalid 10 = 760 ≠ ballots cast 750"
    assert failure.as_dict()["params"] == {
        "invalid_ballots": 10,
        "ballots_cast": 750,
        "left": 760,
        "right": 750,
    }
    assert "760" in failure.messages["az"]
    assert "760" in failure.messages["ru"]


def test_the_version_is_the_hash_of_the_rules_and_changes_with_them() -> None:
    served = REFERENCE_RULE_SET.as_json()
    assert rule_set_of(served).version == REFERENCE_RULE_SET.version
    changed = {"rules": [dict(served["rules"][0], tolerance={"kind": "absolute", "value": 1})]}
    assert rule_set_of(changed).version != REFERENCE_RULE_SET.version


MESSAGE = {"az": "x", "en": "x", "ru": "x"}


def _rule(**changes: Any) -> dict[str, Any]:
    return {"id": "a_rule", "check": "ballots_cast == 1", "message": MESSAGE} | changes


@pytest.mark.parametrize(
    ("rule", "key", "says"),
    [
        (_rule(id="Bad id"), "id", "must be"),
        (_rule(id=5), "id", "text"),
        (_rule(check="ballots_kast == 1"), "check", "unknown name 'ballots_kast'"),
        (_rule(check="ballots_cast"), "check", "expected a comparison"),
        (_rule(check="__import__('os') == 1"), "check", "unexpected"),
        (_rule(check="(" * 40 + "1" + ")" * 40 + " == 1"), "check", "nested more than 16"),
        (_rule(check="1 + " * 200 + "1 == 1"), "check", "longer than 400"),
        (_rule(check=["a"]), "check", "text"),
        (_rule(action="delete"), "action", "flag or refuse"),
        (_rule(tolerance=-1), "tolerance", "from 0"),
        (_rule(tolerance="5 percent"), "tolerance", "percentage"),
        (_rule(tolerance="101%"), "tolerance", "percentage"),
        (_rule(tolerance=True), "tolerance", "percentage"),
        (_rule(message={"az": "x", "en": "x"}), "message", "az, en, ru"),
        (_rule(message="text"), "message", "must map"),
        (_rule(message=MESSAGE | {"en": "{ballots_kast}"}), "message.en", "unknown name"),
        (_rule(message=MESSAGE | {"ru": "{invalid_ballots}"}), "message.ru", "which the check"),
        (_rule(message=MESSAGE | {"az": "a } b"}), "message.az", "placeholder"),
        (_rule(message=MESSAGE | {"en": ""}), "message.en", "non-empty"),
        (_rule(severity="high"), "severity", "unknown key"),
        ({"id": "a_rule", "message": MESSAGE}, "check", "missing"),
        ("ballots_cast == 1", "-", "mapping"),
    ],
)
def test_a_bad_rule_is_refused_naming_its_key(rule: Any, key: str, says: str) -> None:
    with pytest.raises(RuleProblem) as raised:
        rule_of(rule)
    assert raised.value.key == key
    assert says in str(raised.value)


def test_duplicate_rule_ids_are_refused() -> None:
    with pytest.raises(RuleProblem, match="duplicate rule 'a_rule'"):
        rule_set_of({"rules": [_rule(), _rule()]})


@pytest.mark.parametrize(
    ("written", "tolerance"),
    [
        (0, Tolerance("absolute", 0)),
        (7, Tolerance("absolute", 7)),
        ("2%", Tolerance("relative", 200)),
        ("0.5%", Tolerance("relative", 50)),
        ("0.25%", Tolerance("relative", 25)),
        ({"kind": "relative", "value": 25}, Tolerance("relative", 25)),
    ],
)
def test_tolerances_as_written_and_back(written: Any, tolerance: Tolerance) -> None:
    assert tolerance_of(written) == tolerance
    if not isinstance(written, dict):
        assert tolerance.written() == (str(written) if isinstance(written, int) else f'"{written}"')


def test_a_refusing_rule_says_so() -> None:
    rule_set = rule_set_of({"rules": [_rule(action="refuse", check="ballots_cast > 0")]})
    (failure,) = rule_set.failures({"ballots_cast": 0}, None, {})
    assert failure.action is RuleAction.REFUSE
    assert failure.as_dict()["action"] == "refuse"
