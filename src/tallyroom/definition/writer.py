"""Writes an ElectionDefinition as a definition folder, in the canonical layout."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from tallyroom.definition.layout import COLUMNS, ELECTION_FILE, FORMAT, OPTIONAL_FILES, RULES_FILE
from tallyroom.definition.rules_file import rules_yaml
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election import Election
from tallyroom.domain.electoral_systems.tie_rules import TieRule
from tallyroom.domain.leveling_rule import LevelingRule
from tallyroom.domain.list_contest import ListContest
from tallyroom.domain.tree_head import key_fingerprint


def write_definition(definition: ElectionDefinition, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ELECTION_FILE).write_text(
        _election_yaml(definition.election) + _audit_yaml(definition.tree_head_keys),
        encoding="utf-8",
    )
    (folder / RULES_FILE).write_text(rules_yaml(definition.rule_set), encoding="utf-8")
    _write_csv(
        folder,
        "constituencies.csv",
        ((c.number, c.name, c.kind.value) for c in definition.constituencies),
    )
    _write_csv(
        folder,
        "stations.csv",
        (
            (
                s.code,
                s.constituency,
                s.name,
                s.kind.value,
                _list(tag.value for tag in s.tags),
                _yes_no(s.webcam),
                s.registered_voters,
                s.turning_18,
            )
            for s in definition.stations
        ),
        # station contacts are personal data: never written back out
        leave_out=("contact",),
    )
    _write_csv(
        folder, "parties.csv", ((p.short_name, p.name, p.colour) for p in definition.parties)
    )
    # The optional ballot_position column is written only when the definition uses it, so a
    # folder without it is reproduced byte for byte.
    positions = any(c.ballot_position is not None for c in definition.candidates)
    # Birth dates go back out as given: the commission's own definition holds them for the
    # age tie rule (only the law's published age ever reaches the public).
    births = any(c.birth_date is not None for c in definition.candidates)
    _write_csv(
        folder,
        "candidates.csv",
        (
            (c.code, c.constituency, c.full_name, c.nomination.value, c.party or "", c.status.value)
            + ((c.ballot_position or "",) if positions else ())
            + ((c.birth_date.isoformat() if c.birth_date else "",) if births else ())
            for c in definition.candidates
        ),
        leave_out=(() if positions else ("ballot_position",)) + (() if births else ("birth_date",)),
    )
    _write_csv(
        folder,
        "organisations.csv",
        (
            (o.code, o.name, o.country, _list(role.value for role in o.roles), o.partner or "")
            for o in definition.organisations
        ),
    )
    _write_csv(
        folder,
        "observers.csv",
        (
            (
                o.code,
                o.full_name,
                o.kind.value,
                o.organisation or "",
                o.country,
                o.represents or "",
                ";".join(o.stations),
            )
            for o in definition.observers
        ),
    )
    _write_csv(
        folder,
        "exit_poll_samples.csv",
        ((s.organisation, s.station) for s in definition.exit_poll_samples),
    )
    if definition.contests:
        # The thresholds only where a district list contest is defined.
        with_lists = any(c.kind.is_list for c in definition.contests)
        # The first divisor only where a contest has one: other folders export as before.
        with_divisor = any(c.first_divisor is not None for c in definition.contests)
        _write_csv(
            folder,
            "contests.csv",
            (
                (c.constituency, c.kind.value, c.seats)
                + (
                    (
                        str(c.threshold_percent) if c.kind.is_list else "",
                        _yes_no(c.threshold_counts_blank) if c.kind.is_list else "",
                    )
                    if with_lists
                    else ()
                )
                + ((str(c.first_divisor or ""),) if with_divisor else ())
                for c in definition.contests
            ),
            leave_out=(() if with_lists else ("threshold_percent", "threshold_counts_blank"))
            + (() if with_divisor else ("first_divisor",)),
        )


def _list(values: Iterable[str]) -> str:
    # Sets have no order of their own; sorting makes the written file reproducible.
    return ";".join(sorted(values))


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _write_csv(
    folder: Path,
    file: str,
    rows: Iterable[tuple[object, ...]],
    leave_out: tuple[str, ...] = (),
) -> None:
    with (folder / file).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        columns = COLUMNS.get(file) or OPTIONAL_FILES[file]
        writer.writerow(name for name in columns if name not in leave_out)
        writer.writerows(rows)


def _election_yaml(election: Election) -> str:
    times = ", ".join(f'"{moment:%H:%M}"' for moment in election.turnout_report_times)
    return (
        f"format: {FORMAT}\n"
        "election:\n"
        f"  code: {election.code}\n"
        f"  name: {_yaml_string(election.name)}\n"
        f"{_names_yaml(election.names)}"
        f"  country: {_country_yaml(election.country)}\n"
        f"  polling_day: {election.polling_day.isoformat()}\n"
        f"  timezone: {election.timezone}\n"
        f'  voting_hours: {{opens: "{election.voting_hours.opens:%H:%M}", '
        f'closes: "{election.voting_hours.closes:%H:%M}"}}\n'
        f"  turnout_report_times: [{times}]\n"
        f"  seats: {election.seats}\n"
        "  contest:\n"
        f"    kind: {election.contest_kind.value}\n"
        f"    seats_per_constituency: {election.seats_per_constituency}\n"
        f"{_tie_rule_yaml(election)}"
        f"  too_close_margin_percent: {election.too_close_margin_percent}\n"
        f"{_two_clerk_yaml(election)}"
        f"{_policy_yaml(election)}"
        f"{_complaints_yaml(election)}"
        f"{_list_contest_yaml(election.list_contest)}"
        f"{_leveling_yaml(election.leveling)}"
    )


def _tie_rule_yaml(election: Election) -> str:
    # written only when not the lot alone, so a folder without the setting exports byte for byte
    if election.tie_rule is TieRule.LOT:
        return ""
    return f"    tie_rule: {election.tie_rule.value}\n"


def _country_yaml(country: str) -> str:
    # YAML 1.1 reads a bare NO (Norway) as false: quoted then, the others bare as before
    return f'"{country}"' if country.lower() in {"no", "yes", "on", "off", "y", "n"} else country


def _two_clerk_yaml(election: Election) -> str:
    # written only when on, so a folder without the setting exports byte for byte
    return "  two_clerk_entry: true\n" if election.two_clerk_entry else ""


def _list_contest_yaml(contest: ListContest | None) -> str:
    if contest is None:
        return ""
    return (
        "  list_contest:\n"
        f"    code: {contest.code}\n"
        f"    seats: {contest.seats}\n"
        f"    method: {contest.method.value}\n"
        f'    threshold_percent: "{contest.threshold_percent}"\n'
    )


def _leveling_yaml(rule: LevelingRule | None) -> str:
    if rule is None:
        return ""
    data = rule.as_json()
    seats = (
        f"    seats_per_district: {rule.seats_per_district}\n"
        if rule.seats_per_district is not None
        else f"    seats: {rule.seats}\n"
    )
    first = f'    first_divisor: "{data["first_divisor"]}"\n' if "first_divisor" in data else ""
    return (
        "  leveling:\n"
        f"    rule: {rule.rule}\n"
        f"{seats}"
        f"    method: {data['method']}\n"
        f"{first}"
        "    threshold:\n"
        f'      percent: "{rule.threshold_percent}"\n'
        f"      base: {rule.threshold_base.value}\n"
    )


def _audit_yaml(keys: Iterable[str]) -> str:
    listed = [f'    - "{key}"  # fingerprint {key_fingerprint(key)}\n' for key in keys]
    if not listed:
        return ""
    return "audit:\n  tree_head_keys:\n" + "".join(listed)


def _policy_yaml(election: Election) -> str:
    if not election.four_eyes_decisions:
        return ""
    kinds = ", ".join(kind.value for kind in election.four_eyes_decisions)
    return f"  decision_policy: {{four_eyes: [{kinds}]}}\n"


def _complaints_yaml(election: Election) -> str:
    if not election.complaint_deadline_days:
        return ""
    days = ", ".join(f"{category.value}: {n}" for category, n in election.complaint_deadline_days)
    return f"  complaints: {{deadline_days: {{{days}}}}}\n"


def _names_yaml(names: tuple[tuple[str, str], ...]) -> str:
    if not names:
        return ""
    pairs = ", ".join(f"{language}: {_yaml_string(name)}" for language, name in names)
    return f"  names: {{{pairs}}}\n"


def _yaml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
