"""The rules' expression language: compiled functions (linear ones folded into one loop)
agree with walking the tree, on random expressions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tallyroom.domain.rule_expression import (
    VOTE_VALUES,
    compiled,
    evaluate,
    names_in,
    parse_arithmetic,
)
from tallyroom.domain.rule_set import NAMES

LEAVES = st.one_of(
    st.integers(min_value=0, max_value=1000).map(str),
    st.sampled_from(["ballots_cast", "invalid_ballots", "station.check_ins"]),
    st.sampled_from(["sum(votes)", "count(votes)"]),
)


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from(["+", "-", "*"]), children).map(
            lambda parts: f"({parts[0]} {parts[1]} {parts[2]})"
        ),
        children.map(lambda text: f"-{text}"),
    )


EXPRESSIONS = st.recursive(LEAVES, _combine, max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(
    text=EXPRESSIONS,
    cast=st.integers(0, 10_000),
    invalid=st.integers(0, 10_000),
    check_ins=st.integers(0, 10_000),
    votes=st.dictionaries(st.sampled_from("ABCD"), st.integers(0, 10_000)),
)
def test_compiled_expressions_agree_with_the_tree(
    text: str, cast: int, invalid: int, check_ins: int, votes: dict[str, int]
) -> None:
    try:
        expression = parse_arithmetic(text, NAMES)
    except ValueError:
        return  # nested deeper than allowed: refused, nothing to evaluate
    values = {"ballots_cast": cast, "invalid_ballots": invalid, "station.check_ins": check_ins}
    folded = values | {VOTE_VALUES["sum"]: sum(votes.values()), VOTE_VALUES["count"]: len(votes)}
    assert compiled(expression)(folded) == evaluate(expression, values, votes)
    assert set(names_in(expression)) <= {*values, "votes"}
