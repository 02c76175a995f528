"""The commission's signed certifications in a snapshot (`certifications.json`), and their
check by `tallyroom verify`: each signature by a key the commission announced, the certified
constituencies exactly those the results mark certified with the votes the protocols give
(rounds 2 likewise, against runoffs.json), and "final" exactly when the nation's
certification stands."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tallyroom.domain.certification_document import (
    CONSTITUENCY_SCOPE,
    NATION_SCOPE,
    ROUND_TWO_SCOPE,
    certification_is_valid,
)
from tallyroom.exports.snapshot_layout import AUDIT_TREE_HEADS, CERTIFICATIONS, RESULTS
from tallyroom.exports.snapshot_open_data import json_bytes
from tallyroom.exports.snapshot_runoffs import RUNOFFS


def certification_files(election: str, certifications: list[dict[str, Any]]) -> dict[str, bytes]:
    return {CERTIFICATIONS: json_bytes({"election": election, "certifications": certifications})}


def standing_certifications(folder: Path) -> list[dict[str, Any]] | None:
    """The certifications not withdrawn, or None for a snapshot published before
    certifications were (nothing to check, nothing final)."""
    try:
        published = json.loads((folder / CERTIFICATIONS).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return []
    items = published.get("certifications") if isinstance(published, dict) else None
    if not isinstance(items, list):
        return []
    return [c for c in items if isinstance(c, dict) and c.get("withdrawn_at") is None]


def nation_certified(standing: list[dict[str, Any]] | None) -> bool:
    return any(c.get("scope") == NATION_SCOPE for c in standing or [])


def certification_problems(
    folder: Path, derived: Mapping[str, Any], published_results: Any
) -> list[str]:
    """Every certification that does not verify or disagrees with the re-derived results."""
    if not (folder / CERTIFICATIONS).exists():
        return []
    problems: list[str] = []
    try:
        published = json.loads((folder / CERTIFICATIONS).read_bytes())
        items = published["certifications"]
        assert isinstance(items, list)
    except (OSError, ValueError, KeyError, TypeError, AssertionError) as error:
        return [f"{CERTIFICATIONS}: unreadable ({error!r})"]
    keys = _announced_keys(folder)
    certified_numbers: set[int] = set()
    votes_by_number = {
        int(c["number"]): {x["code"]: x["votes"] for x in c.get("candidates", [])}
        for c in derived.get("constituencies", [])
    }
    nation = False
    rounds_two: dict[str, Any] = {}
    for index, item in enumerate(items):
        where = f"{CERTIFICATIONS}: certification {index + 1}"
        if not isinstance(item, dict):
            problems.append(f"{where}: not an object")
            continue
        document = item.get("document")
        key, signature = str(item.get("public_key")), str(item.get("signature"))
        if not certification_is_valid(document, key, signature):
            problems.append(f"{where}: the signature does not verify: altered or forged")
            continue
        if keys is not None and key not in keys:
            problems.append(f"{where}: signed by {key[:16]}…, not a key the commission announced")
        assert isinstance(document, dict)
        if item.get("withdrawn_at") is not None:
            continue
        if document.get("scope") == NATION_SCOPE:
            nation = True
        elif document.get("scope") == ROUND_TWO_SCOPE:
            rounds_two[str(document.get("contest"))] = document.get("votes")
        elif document.get("scope") == CONSTITUENCY_SCOPE:
            number = document.get("constituency")
            if not isinstance(number, int) or number not in votes_by_number:
                problems.append(f"{where}: no constituency {number!r} in the results")
                continue
            certified_numbers.add(number)
            if document.get("votes") != votes_by_number[number]:
                problems.append(
                    f"{where}: constituency {number} was certified with votes "
                    f"{document.get('votes')}, the protocols give {votes_by_number[number]}"
                )
    marked = {
        int(c["number"])
        for c in (published_results or {}).get("constituencies", [])
        if isinstance(c, dict) and c.get("certified") is True
    }
    for number in sorted(marked - certified_numbers):
        problems.append(f"{RESULTS}: constituency {number} is marked certified; nothing signed")
    for number in sorted(certified_numbers - marked):
        problems.append(f"{RESULTS}: constituency {number} is certified but not marked so")
    problems.extend(_round_two_problems(folder, rounds_two))
    final = (published_results or {}).get("status") == "final"
    if final != nation:
        problems.append(
            f"{RESULTS}: status {'final' if final else 'preliminary'}, but the national "
            f"certification {'does not stand' if final else 'stands'}"
        )
    return problems


def _round_two_problems(folder: Path, certified: Mapping[str, Any]) -> list[str]:
    """Each round 2 marked certified in runoffs.json exactly when its signed certification
    stands, with the votes its round-2 protocols give (runoffs.json's count, which
    snapshot_runoffs checks against the protocols)."""
    try:
        runoffs = json.loads((folder / RUNOFFS).read_bytes())["runoffs"]
        marked = {str(r["contest"]): r for r in runoffs if isinstance(r, dict)}
    except FileNotFoundError:
        marked = {}
    except (OSError, ValueError, KeyError, TypeError):
        return []  # snapshot_runoffs names why it is unreadable
    problems: list[str] = []
    for contest in sorted(set(certified) - set(marked)):
        problems.append(f"{CERTIFICATIONS}: round 2 {contest} is certified but not published")
    for contest, runoff in sorted(marked.items()):
        signed = contest in certified
        if bool(runoff.get("certified")) != signed:
            problems.append(
                f"{RUNOFFS}: round 2 {contest} is marked "
                f"{'uncertified' if signed else 'certified'}, but its signed certification "
                f"{'stands' if signed else 'does not stand'}"
            )
        count = (runoff.get("round_two") or {}).get("votes")
        if signed and certified[contest] != count:
            problems.append(
                f"{CERTIFICATIONS}: round 2 {contest} was certified with votes "
                f"{certified[contest]}, the protocols give {count}"
            )
    return problems


def _announced_keys(folder: Path) -> set[str] | None:
    try:
        published = json.loads((folder / AUDIT_TREE_HEADS).read_bytes())
        return {str(key) for key in published["keys"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None
