"""An observer's copy of a station's protocol set beside the station's own version, field by
field: every figure that differs is a disagreement to publish."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tallyroom.domain.protocol_document import FIGURE_FIELDS


@dataclass(frozen=True, slots=True)
class FieldDifference:
    #: a figure's name, or "votes.<candidate code>"
    field: str
    copy: int | None
    station: int | None


def flattened(figures: Mapping[str, Any]) -> dict[str, int]:
    """The figures as field → number, votes as votes.<code>."""
    flat = {name: int(figures[name]) for name in FIGURE_FIELDS if name in figures}
    for code, votes in dict(figures.get("votes") or {}).items():
        flat[f"votes.{code}"] = int(votes)
    return flat


def differences(copy: Mapping[str, Any], station: Mapping[str, Any]) -> list[FieldDifference]:
    """Every field whose number differs, or that one side has and the other has not."""
    ours, theirs = flattened(copy), flattened(station)
    return [
        FieldDifference(name, ours.get(name), theirs.get(name))
        for name in sorted(set(ours) | set(theirs))
        if ours.get(name) != theirs.get(name)
    ]
