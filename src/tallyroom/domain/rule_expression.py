"""The small expression language of control rules: whole numbers, names, sum(votes) and
count(votes), + - * and one comparison. Parsed here, never eval'd; the station app's
JavaScript (web/static/rules/evaluate.js) implements the same grammar and limits.

    check      := arithmetic comparison arithmetic
    arithmetic := term (("+" | "-") term)*
    term       := unary ("*" unary)*
    unary      := "-" unary | primary
    primary    := INTEGER | NAME | ("sum" | "count") "(" "votes" ")" | "(" arithmetic ")"
    NAME       := [a-z_][a-z0-9_]* ("." [a-z_][a-z0-9_]*)?
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Union

#: Longer text is not a check somebody wrote by hand.
MAXIMUM_EXPRESSION_LENGTH = 400
#: Nesting (parentheses, unary minus) beyond this is refused, so that no expression can
#: exhaust the parser's or the evaluator's stack, in Python or in a phone's browser.
MAXIMUM_DEPTH = 16
#: Literals above this are typing errors (no station counts a billion of anything).
MAXIMUM_LITERAL = 1_000_000_000
COMPARISONS = ("==", "!=", "<=", ">=", "<", ">")
#: the functions over the candidates' votes
VOTE_FUNCTIONS = ("sum", "count")
VOTES = "votes"

_TOKEN = re.compile(
    r"(?:(?P<integer>[0-9]+)|(?P<name>[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)"
    r"|(?P<operator>==|!=|<=|>=|<|>|\+|-|\*|\(|\)))"
)


class RuleExpressionError(ValueError):
    """An expression that is not in the language; `column` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        self.column = column
        super().__init__(f"column {column}: {message}")


@dataclass(frozen=True, slots=True)
class Number:
    value: int


@dataclass(frozen=True, slots=True)
class Name:
    name: str


@dataclass(frozen=True, slots=True)
class VoteFunction:
    """sum(votes) or count(votes): the candidates' votes added up, or how many have a figure."""

    function: str


@dataclass(frozen=True, slots=True)
class Negation:
    operand: Expression


@dataclass(frozen=True, slots=True)
class Arithmetic:
    operator: str
    left: Expression
    right: Expression


Expression = Union[Number, Name, VoteFunction, Negation, Arithmetic]  # noqa: UP007


@dataclass(frozen=True, slots=True)
class Comparison:
    operator: str
    left: Expression
    right: Expression


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, column) of each token; kind is integer, name, operator or end."""
    if len(text) > MAXIMUM_EXPRESSION_LENGTH:
        raise RuleExpressionError(
            f"longer than {MAXIMUM_EXPRESSION_LENGTH} characters", MAXIMUM_EXPRESSION_LENGTH
        )
    tokens: list[tuple[str, str, int]] = []
    position = 0
    while True:
        while position < len(text) and text[position] in " \t":
            position += 1
        if position == len(text):
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise RuleExpressionError(f"unexpected {text[position]!r}", position + 1)
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind), position + 1))
        position = match.end()
    tokens.append(("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str, names: frozenset[str]) -> None:
        self.tokens = _tokens(text)
        self.position = 0
        self.names = names

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.position]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expect(self, text: str) -> None:
        kind, value, column = self.take()
        if value != text or kind != "operator":
            raise RuleExpressionError(f"expected {text!r}, found {_shown(kind, value)}", column)

    def check(self) -> Comparison:
        left = self.arithmetic(0)
        kind, operator, column = self.take()
        if operator not in COMPARISONS or kind != "operator":
            raise RuleExpressionError(
                f"expected a comparison ({' '.join(COMPARISONS)}), found {_shown(kind, operator)}",
                column,
            )
        right = self.arithmetic(0)
        self.end()
        return Comparison(operator, left, right)

    def end(self) -> None:
        kind, value, column = self.peek()
        if kind != "end":
            raise RuleExpressionError(f"unexpected {_shown(kind, value)}", column)

    def arithmetic(self, depth: int) -> Expression:
        expression = self.term(depth)
        while self.peek()[1] in ("+", "-") and self.peek()[0] == "operator":
            operator = self.take()[1]
            expression = Arithmetic(operator, expression, self.term(depth))
        return expression

    def term(self, depth: int) -> Expression:
        expression = self.unary(depth)
        while self.peek()[1] == "*" and self.peek()[0] == "operator":
            self.take()
            expression = Arithmetic("*", expression, self.unary(depth))
        return expression

    def unary(self, depth: int) -> Expression:
        kind, value, column = self.peek()
        if depth >= MAXIMUM_DEPTH:
            raise RuleExpressionError(f"nested more than {MAXIMUM_DEPTH} deep", column)
        if kind == "operator" and value == "-":
            self.take()
            return Negation(self.unary(depth + 1))
        return self.primary(depth)

    def primary(self, depth: int) -> Expression:
        kind, value, column = self.take()
        if kind == "integer":
            number = int(value)
            if number > MAXIMUM_LITERAL:
                raise RuleExpressionError(f"{value} is larger than {MAXIMUM_LITERAL}", column)
            return Number(number)
        if kind == "name" and value in VOTE_FUNCTIONS:
            self.expect("(")
            argument_kind, argument, argument_column = self.take()
            if argument != VOTES or argument_kind != "name":
                raise RuleExpressionError(
                    f"{value}() takes only {VOTES}, not {_shown(argument_kind, argument)}",
                    argument_column,
                )
            self.expect(")")
            return VoteFunction(value)
        if kind == "name":
            if value == VOTES:
                raise RuleExpressionError("votes is used as sum(votes) or count(votes)", column)
            if value not in self.names:
                raise RuleExpressionError(f"unknown name {value!r}", column)
            return Name(value)
        if kind == "operator" and value == "(":
            expression = self.arithmetic(depth + 1)
            self.expect(")")
            return expression
        raise RuleExpressionError(
            f"expected a number, a name or '(', found {_shown(kind, value)}", column
        )


def _shown(kind: str, value: str) -> str:
    return "the end" if kind == "end" else repr(value)


def parse_check(text: str, names: frozenset[str]) -> Comparison:
    """The comparison `text` states; names outside `names` are refused."""
    if not isinstance(text, str):
        raise RuleExpressionError("must be text", 1)
    return _Parser(text, names).check()


def parse_arithmetic(text: str, names: frozenset[str]) -> Expression:
    """An arithmetic expression (a message's placeholder); no comparison."""
    parser = _Parser(text, names)
    expression = parser.arithmetic(0)
    parser.end()
    return expression


def names_in(expression: Expression | Comparison) -> list[str]:
    """The names the expression mentions, in order of first appearance; sum(votes) and
    count(votes) mention `votes`."""
    found: list[str] = []

    def visit(node: Expression | Comparison) -> None:
        if isinstance(node, Name):
            if node.name not in found:
                found.append(node.name)
        elif isinstance(node, VoteFunction):
            if VOTES not in found:
                found.append(VOTES)
        elif isinstance(node, Negation):
            visit(node.operand)
        elif isinstance(node, Arithmetic | Comparison):
            visit(node.left)
            visit(node.right)

    visit(expression)
    return found


#: the keys under which an evaluation's values carry sum(votes) and count(votes)
VOTE_VALUES = {"sum": "sum(votes)", "count": "count(votes)"}

Evaluation = Callable[[Mapping[str, int]], int]


def compiled(expression: Expression) -> Evaluation:
    """The expression as a function of the values (names, and sum(votes) and count(votes)
    under VOTE_VALUES' keys): built once per rule, so judging a protocol walks no tree. A
    linear expression (the usual: sums and differences of figures) becomes one loop over
    its terms."""
    linear = _linear(expression)
    if linear is not None:
        constant, terms = linear
        if not terms:
            return lambda values: constant
        if len(terms) == 1 and terms[0][1] == 1 and constant == 0:
            only = terms[0][0]
            return lambda values: values[only]

        def linear_sum(values: Mapping[str, int]) -> int:
            total = constant
            for key, coefficient in terms:
                total += coefficient * values[key]
            return total

        return linear_sum
    if isinstance(expression, Negation):
        operand = compiled(expression.operand)
        return lambda values: -operand(values)
    assert isinstance(expression, Arithmetic)
    left, right = compiled(expression.left), compiled(expression.right)
    if expression.operator == "+":
        return lambda values: left(values) + right(values)
    if expression.operator == "-":
        return lambda values: left(values) - right(values)
    return lambda values: left(values) * right(values)


def _linear(expression: Expression) -> tuple[int, tuple[tuple[str, int], ...]] | None:
    """(constant, ((key, coefficient), ...)) when the expression is linear in its values."""
    if isinstance(expression, Number):
        return expression.value, ()
    if isinstance(expression, Name):
        return 0, ((expression.name, 1),)
    if isinstance(expression, VoteFunction):
        return 0, ((VOTE_VALUES[expression.function], 1),)
    if isinstance(expression, Negation):
        inner = _linear(expression.operand)
        if inner is None:
            return None
        return -inner[0], tuple((key, -coefficient) for key, coefficient in inner[1])
    left, right = _linear(expression.left), _linear(expression.right)
    if left is None or right is None:
        return None
    if expression.operator == "*":
        if left[1] and right[1]:
            return None  # a product of two values
        factor, (constant, terms) = (left[0], right) if not left[1] else (right[0], left)
        return factor * constant, tuple((key, factor * c) for key, c in terms)
    sign = 1 if expression.operator == "+" else -1
    coefficients: dict[str, int] = dict(left[1])
    for key, coefficient in right[1]:
        coefficients[key] = coefficients.get(key, 0) + sign * coefficient
    return left[0] + sign * right[0], tuple(
        (key, coefficient) for key, coefficient in coefficients.items() if coefficient
    )


def evaluate(expression: Expression, values: Mapping[str, int], votes: Mapping[str, int]) -> int:
    """The expression's value by walking its tree: the plain reading of the language, which
    `compiled` must agree with (tests/domain/test_rule_expression.py)."""
    if isinstance(expression, Number):
        return expression.value
    if isinstance(expression, Name):
        return values[expression.name]
    if isinstance(expression, VoteFunction):
        return sum(votes.values()) if expression.function == "sum" else len(votes)
    if isinstance(expression, Negation):
        return -evaluate(expression.operand, values, votes)
    left = evaluate(expression.left, values, votes)
    right = evaluate(expression.right, values, votes)
    if expression.operator == "+":
        return left + right
    if expression.operator == "-":
        return left - right
    return left * right
