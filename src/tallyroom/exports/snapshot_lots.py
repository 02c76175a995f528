"""The lots the commission drew for ties, in a snapshot (`lots.json`: who was tied, who won,
how it was drawn, who entered and who confirmed it), and how `tallyroom verify` reads them:
a confirmed lot decides its seat in the re-derived results as in the published ones."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.electoral_systems.contest_seats import ContestTies
from tallyroom.exports.snapshot_open_data import json_bytes

LOTS = "lots.json"


def lot_files(election: str, lots: list[dict[str, Any]]) -> dict[str, bytes]:
    """Nothing for an election without a lot (its snapshots stay as they were)."""
    if not lots:
        return {}
    return {LOTS: json_bytes({"election": election, "lots": lots})}


def confirmed_lots(lots: list[dict[str, Any]]) -> dict[str, str]:
    """Seat → winner of the confirmed lots among `lots` (lots.json's entries)."""
    return {str(lot["seat"]): str(lot["won_by"]) for lot in lots if lot.get("state") == "confirmed"}


def published_lots(folder: Path) -> dict[str, str]:
    """The confirmed lots of a snapshot: seat → the candidate who won it; {} without
    lots.json (a tie left to the lot then stays open in the re-derived results)."""
    try:
        return confirmed_lots(json.loads((folder / LOTS).read_bytes())["lots"])
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def definition_ties(definition: ElectionDefinition, lots: Mapping[str, str]) -> ContestTies:
    """How the published definition decides ties: its tie rule, the birth dates it publishes
    (those of candidates tied on votes) and the confirmed lots."""
    return ContestTies(
        definition.election.tie_rule,
        {candidate.code: candidate.birth_date for candidate in definition.candidates},
        lots,
    )
