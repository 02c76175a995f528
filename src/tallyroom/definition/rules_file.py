"""Reads and writes a definition's rules.yaml, the election's control rules; every problem is
reported at its file:line, as for the rest of the definition."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tallyroom.definition.layout import RULES_FILE, RULES_FORMAT
from tallyroom.definition.problems import ProblemCollector
from tallyroom.domain.rule_set import (
    LANGUAGES,
    MAXIMUM_RULES,
    REFERENCE_RULE_SET,
    Rule,
    RuleProblem,
    RuleSet,
    rule_of,
)

#: A rules file is written by hand: anything larger is not one.
MAXIMUM_RULES_FILE_BYTES = 256 * 1024


def read_rules(folder: Path, problems: ProblemCollector) -> RuleSet | None:
    """The folder's rule set (the reference one when it has no rules.yaml); None, with the
    problems recorded, when the file does not load."""
    path = folder / RULES_FILE
    if not path.is_file():
        return REFERENCE_RULE_SET
    return rules_of_text(path.read_bytes(), problems)


def rules_of_text(
    data: bytes, problems: ProblemCollector, file: str = RULES_FILE
) -> RuleSet | None:
    """A rule set from a rules.yaml's bytes (a file, or a new version sent to the commission's
    console); None, with every problem recorded at its `file`:line, when it does not load."""
    if len(data) > MAXIMUM_RULES_FILE_BYTES:
        problems.add(file, 1, "-", f"larger than {MAXIMUM_RULES_FILE_BYTES:,} bytes")
        return None
    try:
        text = data.decode("utf-8-sig")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except UnicodeDecodeError as error:
        problems.add(file, 1, "-", f"not UTF-8 ({error.reason})")
        return None
    except RecursionError:
        problems.add(file, 1, "-", "nested too deeply to be a rules file")
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problems.add(file, line, "-", f"not valid YAML: {error}")
        return None
    if not isinstance(document, dict) or document.get("format") != RULES_FORMAT:
        problems.add(file, 1, "format", f"must be {RULES_FORMAT!r}")
        return None
    rules = document.get("rules")
    items = _child(root, "rules")
    if not isinstance(rules, list) or not isinstance(items, yaml.SequenceNode):
        problems.add(file, _line(items, 1), "rules", "must be a list of rules")
        return None
    if len(rules) > MAXIMUM_RULES:
        problems.add(file, _line(items, 1), "rules", f"more than {MAXIMUM_RULES} rules")
        return None
    loaded: list[Rule] = []
    first_lines: dict[str, int] = {}
    for index, (item, node) in enumerate(zip(rules, items.value, strict=True)):
        name = f"rules[{index + 1}]"
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            name = item["id"]
        try:
            rule = rule_of(item)
        except RuleProblem as error:
            problems.add(file, _key_line(node, error.key), f"{name}.{error.key}", str(error))
            continue
        if rule.id in first_lines:
            problems.add(
                file,
                _key_line(node, "id"),
                f"{name}.id",
                f"duplicate rule {rule.id!r} (first on line {first_lines[rule.id]})",
            )
            continue
        first_lines[rule.id] = _line(node, 1)
        loaded.append(rule)
    if len(loaded) != len(rules):
        return None
    return RuleSet(tuple(loaded))


def _child(node: Any, key: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return value_node
    return None


def _line(node: Any, default: int) -> int:
    return node.start_mark.line + 1 if node is not None else default


def _key_line(rule: Any, key: str) -> int:
    """The line of `key` ("check", "message.en") in a rule's node, else the rule's own."""
    node = rule
    for part in key.split("."):
        child = _child(node, part)
        if child is None:
            break
        node = child
    return _line(node, 1)


def rules_yaml(rule_set: RuleSet) -> str:
    """rules.yaml for a rule set, in the canonical layout that read_rules reads back."""
    lines = [f"format: {RULES_FORMAT}", "rules:"]
    for rule in rule_set.rules:
        messages = dict(rule.messages)
        lines += [
            f"  - id: {rule.id}",
            f"    check: {_quoted(rule.check)}",
            f"    tolerance: {rule.tolerance.written()}",
            f"    action: {rule.action.value}",
            "    message:",
            *(f"      {language}: {_quoted(messages[language])}" for language in LANGUAGES),
        ]
    return "\n".join(lines) + "\n"


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
