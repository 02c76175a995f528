"""The az-2024 definition and plan, built once for all scenario tests (each takes about 1 s)."""

from __future__ import annotations

import time

import pytest

from tallyroom.domain.definition import ElectionDefinition
from tallyroom.scenarios.az_2024 import build_definition
from tallyroom.scenarios.polling_day import PollingDayPlan, build_polling_day_plan


@pytest.fixture(scope="session")
def az_2024_definition() -> ElectionDefinition:
    return build_definition()


@pytest.fixture(scope="session")
def az_2024_plan(az_2024_definition: ElectionDefinition) -> PollingDayPlan:
    return build_polling_day_plan(az_2024_definition)


@pytest.fixture(scope="session")
def other_seed_definition() -> tuple[ElectionDefinition, int, float]:
    """A definition from another seed: the definition, its seed and the seconds its build took."""
    seed = 7
    started = time.perf_counter()
    definition = build_definition(seed)
    return definition, seed, time.perf_counter() - started
