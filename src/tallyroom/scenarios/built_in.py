"""The built-in scenarios by name: the definition each builds and the constituency seats its
polling day is designed to give party nominees."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tallyroom.domain.definition import ElectionDefinition


@dataclass(frozen=True, slots=True)
class BuiltInScenario:
    name: str
    build_definition: Callable[[int], ElectionDefinition]
    party_seats: Mapping[str, int]


def built_in_scenario(name: str) -> BuiltInScenario | None:
    """The scenario of that name (imported only when asked for), None for an unknown name."""
    if name == "az-2024":
        from tallyroom.scenarios import az_2024, polling_day

        return BuiltInScenario(name, az_2024.build_definition, polling_day.PARTY_SEATS)
    if name == "az-2024-parallel":
        from tallyroom.scenarios import az_2024_parallel

        return BuiltInScenario(
            name, az_2024_parallel.build_definition, az_2024_parallel.PARTY_SEATS
        )
    return None


SCENARIO_NAMES = ("az-2024", "az-2024-parallel")
