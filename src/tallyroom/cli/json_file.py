"""Reading a JSON file for a command, with problems located as `file:line: message`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tallyroom.cli.output import errors, fail


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_json_file(path: Path) -> tuple[Any, str]:
    """The file's value and its text; exits 2 with `file:line:column: message` if malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"{path}: cannot read: {error}")
    try:
        return json.loads(text, parse_constant=_no_constants), text
    except json.JSONDecodeError as error:
        fail(f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}")
    except ValueError as error:
        fail(f"{path}:1: not valid JSON: {error}")


def line_of_field(text: str, field: str) -> int:
    """The line where the field's last name part appears as a key; 1 if it cannot be found."""
    name = field.rsplit(".", 1)[-1]
    match = re.search(rf'"{re.escape(name)}"\s*:', text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def report_problems(path: Path, text: str, problems: list[tuple[str, str]]) -> None:
    """Print each (field, message) as `file:line: field: message` on stderr."""
    for field, message in problems:
        errors.print(
            f"{path}:{line_of_field(text, field)}: {field}: {message}",
            highlight=False,
            soft_wrap=True,
        )
