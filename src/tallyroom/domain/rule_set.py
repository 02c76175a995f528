"""An election's control rules as data: each rule a check over the protocol's figures and the
station's facts, with a tolerance, an action (flag or refuse) and a message per language.
The same JSON form is served to the station app, which evaluates it identically."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tallyroom.domain.canonical_json import canonical_json, sha256_hex
from tallyroom.domain.rule_expression import (
    VOTE_VALUES,
    VOTES,
    Comparison,
    Evaluation,
    RuleExpressionError,
    compiled,
    names_in,
    parse_arithmetic,
    parse_check,
)

#: the protocol's figures a rule may name (the document's `figures`, less `votes`)
PROTOCOL_FIELDS = (
    "registered_voters",
    "voters_added",
    "ballots_received",
    "ballots_issued_in_station",
    "ballots_issued_portable",
    "ballots_cast",
    "invalid_ballots",
    "unused_ballots",
    # only on protocols with a blank-votes line (absent: a rule naming it is not applied)
    "blank_votes",
)
#: facts of the station from the definition (and, later, polling day), named `station.<fact>`;
#: a rule naming a fact the server or app does not have is not applied
STATION_FACTS = ("registered_voters", "standing_candidates", "check_ins")
STATION_PREFIX = "station."
NAMES = frozenset(PROTOCOL_FIELDS) | frozenset(STATION_PREFIX + fact for fact in STATION_FACTS)
LANGUAGES = ("az", "en", "ru")
MAXIMUM_RULES = 100
MAXIMUM_MESSAGE_LENGTH = 500
RULE_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: a relative tolerance as written: "0.5%", at most two decimals (basis points)
RELATIVE = re.compile(r"^([0-9]{1,3})(?:\.([0-9]{1,2}))?%$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class RuleAction(enum.StrEnum):
    #: stored, not counted, until the commission decides
    FLAG = "flag"
    #: not stored at all: the station must correct the protocol
    REFUSE = "refuse"


class RuleProblem(ValueError):
    """A rule that cannot be used; `key` is the rule's key at fault (check, message.en...)."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Tolerance:
    """How far the two sides of a check may be apart: an absolute count, or a share of the
    larger side in basis points (hundredths of a percent), rounded down."""

    kind: str = "absolute"
    value: int = 0

    def allowed(self, left: int, right: int) -> int:
        if self.kind == "absolute":
            return self.value
        return max(abs(left), abs(right)) * self.value // 10_000

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value}

    def written(self) -> str:
        """As in rules.yaml: 3 or "0.5%"."""
        if self.kind == "absolute":
            return str(self.value)
        whole, hundredths = divmod(self.value, 100)
        if not hundredths:
            return f'"{whole}%"'
        if hundredths % 10 == 0:
            return f'"{whole}.{hundredths // 10}%"'
        return f'"{whole}.{hundredths:02d}%"'


def holds(operator: str, left: int, right: int, tolerance: int) -> bool:
    """Whether `left operator right` holds with the sides allowed `tolerance` apart."""
    difference = left - right
    if operator == "==":
        return abs(difference) <= tolerance
    if operator == "!=":
        return abs(difference) > tolerance
    if operator == "<=":
        return difference <= tolerance
    if operator == "<":
        return difference < tolerance
    if operator == ">=":
        return difference >= -tolerance
    return difference > -tolerance


@dataclass(frozen=True, slots=True)
class RuleFailure:
    rule: str
    action: RuleAction
    #: the protocol's fields the rule names, for pointing at them
    fields: tuple[str, ...]
    params: dict[str, int]
    messages: dict[str, str]

    @property
    def code(self) -> str:
        return self.rule

    @property
    def message(self) -> str:
        return self.messages["en"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.rule,
            "action": self.action.value,
            "fields": list(self.fields),
            "params": self.params,
            "message": self.message,
            "messages": self.messages,
        }


@dataclass(frozen=True)
class Rule:
    id: str
    check: str
    messages: tuple[tuple[str, str], ...]
    tolerance: Tolerance = Tolerance()
    action: RuleAction = RuleAction.FLAG
    comparison: Comparison = field(init=False, compare=False, repr=False)
    #: each message as literal text and placeholder expressions, alternating
    templates: dict[str, list[str | Evaluation]] = field(init=False, compare=False, repr=False)
    names: tuple[str, ...] = field(init=False, compare=False, repr=False)
    #: the values the rule needs (sum(votes) and count(votes) for `votes`)
    needs: frozenset[str] = field(init=False, compare=False, repr=False)
    left: Evaluation = field(init=False, compare=False, repr=False)
    right: Evaluation = field(init=False, compare=False, repr=False)
    #: whether the check holds for values that have all it needs
    passes: Callable[[Mapping[str, int]], bool] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not RULE_ID.fullmatch(self.id):
            raise RuleProblem("id", f"{self.id!r} must be [a-z][a-z0-9_]*, at most 64 long")
        try:
            comparison = parse_check(self.check, NAMES)
        except RuleExpressionError as error:
            raise RuleProblem("check", f"{self.check!r}: {error}") from None
        names = tuple(names_in(comparison))
        languages = [language for language, _ in self.messages]
        if sorted(languages) != sorted(LANGUAGES) or len(set(languages)) != len(languages):
            raise RuleProblem("message", f"needs exactly the languages {', '.join(LANGUAGES)}")
        templates = {
            language: _template(language, text, frozenset(names))
            for language, text in self.messages
        }
        needs = {name for name in names if name != VOTES}
        if VOTES in names:
            needs |= set(VOTE_VALUES.values())
        object.__setattr__(self, "comparison", comparison)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "templates", templates)
        object.__setattr__(self, "needs", frozenset(needs))
        left, right = compiled(comparison.left), compiled(comparison.right)
        object.__setattr__(self, "left", left)
        object.__setattr__(self, "right", right)
        object.__setattr__(
            self, "passes", _passes(comparison.operator, left, right, self.tolerance)
        )

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(name for name in self.names if not name.startswith(STATION_PREFIX))

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "tolerance": self.tolerance.as_json(),
            "action": self.action.value,
            "message": dict(sorted(self.messages)),
        }

    def failure(self, values: Mapping[str, int], known: AbstractSet[str]) -> RuleFailure | None:
        """The failure, None when the check holds or needs a value not `known`."""
        if not self.needs <= known or self.passes(values):
            return None
        left = self.left(values)
        right = self.right(values)
        params = {name: values[name] for name in self.names if name != VOTES}
        params |= {"left": left, "right": right}
        messages = {
            language: "".join(
                part if isinstance(part, str) else str(part(values)) for part in parts
            )
            for language, parts in self.templates.items()
        }
        return RuleFailure(self.id, self.action, self.fields, params, messages)


def _passes(
    operator: str, left: Evaluation, right: Evaluation, tolerance: Tolerance
) -> Callable[[Mapping[str, int]], bool]:
    """The check as one function. An absolute tolerance (the usual) is folded in: judging
    a protocol is on the bulk writer's path, once per rule."""
    if tolerance.kind != "absolute":

        def relative(values: Mapping[str, int]) -> bool:
            a, b = left(values), right(values)
            return holds(operator, a, b, tolerance.allowed(a, b))

        return relative
    allowed = tolerance.value
    if operator == "==":
        return lambda values: abs(left(values) - right(values)) <= allowed
    if operator == "<=":
        return lambda values: left(values) - right(values) <= allowed
    if operator == ">=":
        return lambda values: right(values) - left(values) <= allowed
    return lambda values: holds(operator, left(values), right(values), allowed)


def _known(value: object) -> bool:
    # bool is an int in Python; a JSON true is not a count (nor in the app's JavaScript).
    return type(value) is int


def _votes_known(votes: object) -> bool:
    """The votes are there when every candidate's figure is: a blank one makes their sum
    and count unknown, not smaller."""
    return isinstance(votes, Mapping) and all(map(_known, votes.values()))


def _template(language: str, text: str, names: frozenset[str]) -> list[str | Evaluation]:
    key = f"message.{language}"
    if not isinstance(text, str) or not text.strip():
        raise RuleProblem(key, "must be non-empty text")
    if len(text) > MAXIMUM_MESSAGE_LENGTH:
        raise RuleProblem(key, f"longer than {MAXIMUM_MESSAGE_LENGTH} characters")
    parts: list[str | Evaluation] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(text[position : match.start()])
        try:
            expression = parse_arithmetic(match.group(1), NAMES)
        except RuleExpressionError as error:
            raise RuleProblem(key, f"{{{match.group(1)}}}: {error}") from None
        strangers = [name for name in names_in(expression) if name not in names]
        if strangers:
            raise RuleProblem(
                key, f"{{{match.group(1)}}} names {', '.join(strangers)}, which the check does not"
            )
        parts.append(compiled(expression))
        position = match.end()
    rest = text[position:]
    if "{" in rest or "}" in rest or any("{" in p or "}" in p for p in parts if isinstance(p, str)):
        raise RuleProblem(key, "a '{' or '}' that is not a placeholder like {ballots_cast}")
    parts.append(rest)
    return parts


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise RuleProblem("id", f"duplicate rule {rule.id!r}")
            seen.add(rule.id)
        if len(self.rules) > MAXIMUM_RULES:
            raise RuleProblem("rules", f"more than {MAXIMUM_RULES} rules")

    def as_json(self) -> dict[str, Any]:
        """The served form (GET /api/v1/rules); `version` is the SHA-256 of the rest."""
        return {"version": self.version, **self._content()}

    def _content(self) -> dict[str, Any]:
        return {"rules": [rule.as_json() for rule in self.rules]}

    @cached_property
    def version(self) -> str:
        return sha256_hex(canonical_json(self._content()))

    def failures(
        self,
        fields: Mapping[str, int | None],
        votes: Mapping[str, int] | None,
        facts: Mapping[str, int | None],
    ) -> list[RuleFailure]:
        """Every rule the protocol breaks, in the rule set's order. `facts` are the station's,
        without the `station.` prefix; a rule naming an absent value is not applied."""
        values: dict[str, int] = {name: value for name, value in fields.items() if _known(value)}  # type: ignore[misc]  # _known: an int
        for fact, value in facts.items():
            if _known(value):
                values[STATION_PREFIX + fact] = value  # type: ignore[assignment]
        if votes is not None and _votes_known(votes):
            values[VOTE_VALUES["sum"]] = sum(votes.values())
            values[VOTE_VALUES["count"]] = len(votes)
        return self.failures_of_values(values)

    def failures_of_values(self, values: Mapping[str, int]) -> list[RuleFailure]:
        """As `failures`, from whole-number values already keyed as rules name them
        (station.<fact>, and sum(votes) and count(votes) under VOTE_VALUES' keys)."""
        known = frozenset(values)
        found = []
        for rule in self.rules:
            failure = rule.failure(values, known)
            if failure is not None:
                found.append(failure)
        return found


def rule_of(data: Any) -> Rule:
    """A rule from its JSON (or YAML) mapping; raises RuleProblem naming the key at fault."""
    if not isinstance(data, Mapping):
        raise RuleProblem("-", "a rule must be a mapping with id, check, action and message")
    unknown = sorted(set(map(str, data)) - {"id", "check", "tolerance", "action", "message"})
    if unknown:
        raise RuleProblem(unknown[0], "unknown key")
    for key in ("id", "check", "message"):
        if key not in data:
            raise RuleProblem(key, "missing")
    if not isinstance(data["id"], str):
        raise RuleProblem("id", "must be text")
    if not isinstance(data["check"], str):
        raise RuleProblem("check", "must be text")
    message = data["message"]
    if not isinstance(message, Mapping):
        raise RuleProblem("message", f"must map each language ({', '.join(LANGUAGES)}) to text")
    try:
        action = RuleAction(data.get("action", "flag"))
    except ValueError:
        raise RuleProblem("action", "must be flag or refuse") from None
    return Rule(
        id=data["id"],
        check=data["check"],
        messages=tuple((str(language), text) for language, text in message.items()),
        tolerance=tolerance_of(data.get("tolerance", 0)),
        action=action,
    )


def tolerance_of(value: Any) -> Tolerance:
    """A tolerance as written in rules.yaml (3, "0.5%") or served ({"kind", "value"})."""
    if isinstance(value, Mapping):
        kind, amount = value.get("kind"), value.get("value")
        if set(value) != {"kind", "value"} or kind not in ("absolute", "relative"):
            raise RuleProblem("tolerance", 'must be {"kind": absolute|relative, "value": n}')
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= 10_000:
            raise RuleProblem("tolerance", "value must be a whole number from 0 to 10000")
        return Tolerance(kind, amount)
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= 1_000_000:
            raise RuleProblem("tolerance", f"{value} must be from 0 to 1000000")
        return Tolerance("absolute", value)
    if isinstance(value, str):
        match = RELATIVE.fullmatch(value.strip())
        if match:
            basis_points = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
            if basis_points <= 10_000:
                return Tolerance("relative", basis_points)
    raise RuleProblem(
        "tolerance", f'{value!r} must be a whole number (absolute) or a percentage like "0.5%"'
    )


def rule_set_of(data: Any) -> RuleSet:
    """A rule set from its served JSON ({"rules": [...]}, `version` ignored and recomputed)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("rules"), Sequence):
        raise RuleProblem("rules", "must be a list of rules")
    return RuleSet(tuple(rule_of(item) for item in data["rules"]))


def _rule(
    identifier: str, check: str, az: str, en: str, ru: str, tolerance: Tolerance = Tolerance()
) -> Rule:
    return Rule(identifier, check, (("az", az), ("en", en), ("ru", ru)), tolerance=tolerance)


_ISSUED = "ballots_issued_in_station + ballots_issued_portable"

#: how far the ballots issued may be from the poll book's check-ins: 1 % of the larger side
#: (a desk's slip, a voter who left without the ballot), rounded down
CHECK_IN_TOLERANCE = Tolerance("relative", 100)

#: The reference election's rules: the six control checks of the Azerbaijani protocol, and
#: (where the station used a poll book: otherwise station.check_ins is absent and the rule is
#: not applied) the ballots issued against the voters the poll book checked in.
#: (Votes for candidates who do not stand are refused before any rule is applied, so
#: count(votes) below the standing candidates means a candidate's figure is missing.)
REFERENCE_RULE_SET = RuleSet(
    (
        _rule(
            "votes_and_invalid_differ_from_cast",
            "sum(votes) + invalid_ballots == ballots_cast",
            "etibarlı səslər {sum(votes)} + etibarsız {invalid_ballots} = "
            "{sum(votes) + invalid_ballots} ≠ qutulardan çıxan bülletenlər {ballots_cast}",
            "valid votes {sum(votes)} + invalid {invalid_ballots} = "
            "{sum(votes) + invalid_ballots} ≠ ballots cast {ballots_cast}",
            "действительные голоса {sum(votes)} + недействительные {invalid_ballots} = "
            "{sum(votes) + invalid_ballots} ≠ бюллетени в ящиках {ballots_cast}",
        ),
        _rule(
            "cast_exceeds_issued",
            f"ballots_cast <= {_ISSUED}",
            f"qutulardan çıxan bülletenlər {{ballots_cast}} > verilmiş bülletenlər {{{_ISSUED}}}",
            f"ballots cast {{ballots_cast}} > ballots issued {{{_ISSUED}}}",
            f"бюллетени в ящиках {{ballots_cast}} > выданные бюллетени {{{_ISSUED}}}",
        ),
        _rule(
            "issued_and_unused_differ_from_received",
            f"{_ISSUED} + unused_ballots == ballots_received",
            f"verilmiş bülletenlər {{{_ISSUED}}} + istifadə olunmamış {{unused_ballots}} = "
            f"{{{_ISSUED} + unused_ballots}} ≠ alınmış bülletenlər {{ballots_received}}",
            f"ballots issued {{{_ISSUED}}} + unused {{unused_ballots}} = "
            f"{{{_ISSUED} + unused_ballots}} ≠ ballots received {{ballots_received}}",
            f"выданные бюллетени {{{_ISSUED}}} + неиспользованные {{unused_ballots}} = "
            f"{{{_ISSUED} + unused_ballots}} ≠ полученные бюллетени {{ballots_received}}",
        ),
        _rule(
            "issued_exceeds_voters",
            f"{_ISSUED} <= registered_voters + voters_added",
            f"verilmiş bülletenlər {{{_ISSUED}}} > qeydiyyatdakı {{registered_voters}} + "
            "əlavə edilmiş {voters_added} seçici",
            f"ballots issued {{{_ISSUED}}} > registered {{registered_voters}} + added "
            "{voters_added} voters",
            f"выданные бюллетени {{{_ISSUED}}} > избирателей в списке {{registered_voters}} + "
            "дополнительно включённых {voters_added}",
        ),
        _rule(
            "registered_differs_from_register",
            "registered_voters == station.registered_voters",
            "protokolda {registered_voters} qeydiyyatdakı seçici var, seçici siyahısında "
            "{station.registered_voters}",
            "protocol says {registered_voters} registered voters, the register has "
            "{station.registered_voters}",
            "в протоколе {registered_voters} избирателей, в списке избирателей "
            "{station.registered_voters}",
        ),
        _rule(
            "candidate_missing",
            "count(votes) == station.standing_candidates",
            "{station.standing_candidates} namizədin yalnız {count(votes)} nəfəri üçün rəqəm var",
            "figures for only {count(votes)} of {station.standing_candidates} standing candidates",
            "цифры только для {count(votes)} из {station.standing_candidates} "
            "зарегистрированных кандидатов",
        ),
        _rule(
            "issued_differs_from_check_ins",
            f"{_ISSUED} == station.check_ins",
            f"verilmiş bülletenlər {{{_ISSUED}}}, elektron seçici siyahısında qeydiyyatdan "
            "keçənlər {station.check_ins}",
            f"ballots issued {{{_ISSUED}}}, voters checked in by the poll book "
            "{station.check_ins}",
            f"выданные бюллетени {{{_ISSUED}}}, отмеченных электронным списком избирателей "
            "{station.check_ins}",
            CHECK_IN_TOLERANCE,
        ),
    )
)
