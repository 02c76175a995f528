"""Where each value of a JSON text starts (its line), by the field path problems are named with:
`name`, `threshold.percent`, `districts[3].votes.PP`."""

from __future__ import annotations

import json
import re

_SPACE = re.compile(r"[ \t\n\r]*")
_decoder = json.JSONDecoder()


def value_lines(text: str) -> dict[str, int]:
    """Line of every value by path; empty if the text is not JSON (reported elsewhere)."""
    lines: dict[str, int] = {}
    try:
        _value(text, _SPACE.match(text, 0).end(), "", lines)  # type: ignore[union-attr]
    except (ValueError, IndexError, RecursionError):
        return lines
    return lines


def line_of(lines: dict[str, int], path: str) -> int:
    """The line of `path`, or of its nearest enclosing value (a missing key's object)."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""
    return 1


def _skip(text: str, index: int) -> int:
    return _SPACE.match(text, index).end()  # type: ignore[union-attr]


def _value(text: str, index: int, path: str, lines: dict[str, int]) -> int:
    if path:
        lines.setdefault(path, text.count("\n", 0, index) + 1)
    char = text[index]
    if char == "{":
        index = _skip(text, index + 1)
        if text[index] == "}":
            return index + 1
        while True:
            key, index = _decoder.raw_decode(text, index)
            index = _skip(text, index)
            if text[index] != ":":
                raise ValueError("expected ':'")
            index = _skip(text, index + 1)
            index = _value(text, index, f"{path}.{key}" if path else str(key), lines)
            index = _skip(text, index)
            if text[index] == "}":
                return index + 1
            index = _skip(text, index + 1)
    if char == "[":
        index = _skip(text, index + 1)
        if text[index] == "]":
            return index + 1
        position = 0
        while True:
            index = _value(text, index, f"{path}[{position}]", lines)
            position += 1
            index = _skip(text, index)
            if text[index] == "]":
                return index + 1
            index = _skip(text, index + 1)
    _, end = _decoder.raw_decode(text, index)
    return int(end)
