"""Political parties."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Party:
    short_name: str
    name: str
    colour: str = "#888888"
