"""Reads and validates a definition folder into an ElectionDefinition, reporting every problem."""

from __future__ import annotations

import csv
import gc
from collections.abc import Callable, Container, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, time
from fractions import Fraction
from operator import call, itemgetter
from pathlib import Path
from typing import Any

import yaml

from tallyroom.definition import columns
from tallyroom.definition.layout import (
    COLUMNS,
    ELECTION_FILE,
    FORMAT,
    OPTIONAL_COLUMNS,
    OPTIONAL_FILES,
)
from tallyroom.definition.problems import ProblemCollector
from tallyroom.definition.rules_file import read_rules
from tallyroom.domain.candidate import Candidate, CandidateStatus, Nomination
from tallyroom.domain.complaint import ComplaintCategory, deadline_days
from tallyroom.domain.constituency import Constituency, ConstituencyKind
from tallyroom.domain.contest import Contest
from tallyroom.domain.decision_policy import DecisionKind
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election import ContestKind, Election, VotingHours
from tallyroom.domain.electoral_systems.tie_rules import TieRule
from tallyroom.domain.leveling_rule import leveling_rule_of
from tallyroom.domain.list_contest import list_contest_of, threshold_percent_of
from tallyroom.domain.observer import Observer, ObserverKind
from tallyroom.domain.organisation import ExitPollSample, Organisation, OrganisationRole
from tallyroom.domain.party import Party
from tallyroom.domain.polling_station import PollingStation, StationKind, StationTag


def read_definition(folder: Path) -> ElectionDefinition:
    """The folder's definition; raises DefinitionError listing every problem found."""
    problems = ProblemCollector()
    election = _read_election(folder, problems)
    rule_set = read_rules(folder, problems)
    tree_head_keys = _read_tree_head_keys(folder, problems)
    reader = _FolderReader(
        folder,
        problems,
        default_is_list=election is not None and election.contest_kind.is_list,
    )
    with _collector_paused():
        definition_parts = reader.read_all()
    problems.raise_if_any()
    assert election is not None
    assert rule_set is not None
    definition = ElectionDefinition(
        election=election, rule_set=rule_set, tree_head_keys=tree_head_keys, **definition_parts
    )
    seats_line = _yaml_lines(folder / ELECTION_FILE).get("seats", 1)
    _check_seats(definition, problems, seats_line)
    problems.raise_if_any()
    return definition


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a definition's objects are made: they hold no
    cycles, and at a million rows the collector's passes over them cost more than reading."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_election(folder: Path, problems: ProblemCollector) -> Election | None:
    path = folder / ELECTION_FILE
    if not path.is_file():
        problems.add(ELECTION_FILE, 0, "-", f"missing: {path} does not exist")
        return None
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as error:
        problems.add(ELECTION_FILE, 1, "-", f"not UTF-8 ({error.reason})")
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problems.add(ELECTION_FILE, line, "-", f"not valid YAML: {error}")
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        problems.add(ELECTION_FILE, 1, "format", f"must be {FORMAT!r}")
        return None
    section = document.get("election")
    if not isinstance(section, dict):
        problems.add(ELECTION_FILE, 1, "election", "missing section")
        return None
    line = _yaml_lines(path)

    def field(name: str, parse: Callable[[Any], Any], default: Any = ...) -> Any:
        if name not in section:
            if default is not ...:
                return default
            problems.add(ELECTION_FILE, line.get(name, 1), f"election.{name}", "missing")
            return None
        try:
            return parse(section[name])
        except (ValueError, TypeError, KeyError) as error:
            problems.add(ELECTION_FILE, line.get(name, 1), f"election.{name}", str(error))
            return None

    contest = section.get("contest") or {}
    values = {
        "code": field("code", _code),
        "name": field("name", lambda value: columns.text(str(value))),
        "names": field("names", _names, ()),
        "country": field("country", lambda value: columns.country(str(value))),
        "polling_day": field("polling_day", _date),
        "timezone": field("timezone", _timezone),
        "voting_hours": field("voting_hours", _voting_hours),
        "turnout_report_times": field(
            "turnout_report_times",
            lambda value: tuple(sorted(_time(item) for item in value)),
            (time(10), time(12), time(15), time(19)),
        ),
        "seats": field("seats", lambda value: columns.positive_integer(str(value))),
        "too_close_margin_percent": field("too_close_margin_percent", _percent, 1.0),
        "four_eyes_decisions": field("decision_policy", _decision_policy, ()),
        "complaint_deadline_days": field("complaints", _complaints, ()),
        "two_clerk_entry": field("two_clerk_entry", _true_or_false, False),
    }
    try:
        values["contest_kind"] = ContestKind(contest.get("kind", "single_member_plurality"))
        values["seats_per_constituency"] = columns.positive_integer(
            str(contest.get("seats_per_constituency", 1))
        )
        values["tie_rule"] = _tie_rule(contest.get("tie_rule", TieRule.LOT.value))
    except ValueError as error:
        problems.add(ELECTION_FILE, line.get("contest", 1), "election.contest", str(error))
        return None
    if section.get("list_contest") is not None:
        try:
            values["list_contest"] = list_contest_of(section["list_contest"])
        except ValueError as error:
            problems.add(
                ELECTION_FILE, line.get("list_contest", 1), "election.list_contest", str(error)
            )
            return None
    if section.get("leveling") is not None:
        try:
            values["leveling"] = leveling_rule_of(section["leveling"])
        except ValueError as error:
            problems.add(ELECTION_FILE, line.get("leveling", 1), "election.leveling", str(error))
            return None
    contest_problem = _contest_problem(values["contest_kind"], values["seats_per_constituency"])
    if contest_problem:
        problems.add(ELECTION_FILE, line.get("contest", 1), "election.contest", contest_problem)
        return None
    if any(value is None for value in values.values()):
        return None
    hours: VotingHours = values["voting_hours"]
    outside = [t for t in values["turnout_report_times"] if not hours.contains(t)]
    if outside:
        problems.add(
            ELECTION_FILE,
            line.get("turnout_report_times", 1),
            "election.turnout_report_times",
            f"{', '.join(t.strftime('%H:%M') for t in outside)} outside voting hours",
        )
        return None
    return Election(**values)


#: the tie rules an election may name: after most votes, the candidates' ages (then a lot) or
#: the lot alone (other domain rules belong to list allocations, not to a contest's ties)
ELECTION_TIE_RULES = (TieRule.OLDER_CANDIDATE, TieRule.YOUNGER_CANDIDATE, TieRule.LOT)


def _tie_rule(value: Any) -> TieRule:
    if value not in [rule.value for rule in ELECTION_TIE_RULES]:
        known = ", ".join(rule.value for rule in ELECTION_TIE_RULES)
        raise ValueError(f"tie_rule {value!r} must be one of {known}")
    return TieRule(value)


def _true_or_false(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {value!r}")
    return value


def _read_tree_head_keys(folder: Path, problems: ProblemCollector) -> list[str]:
    """`audit: tree_head_keys:` of election.yaml (optional): the commission's announced
    Ed25519 tree-head public keys, 64 hex digits each."""
    path = folder / ELECTION_FILE
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []  # reported by _read_election
    if not isinstance(document, dict) or "audit" not in document:
        return []
    section = document["audit"]
    keys = section.get("tree_head_keys", []) if isinstance(section, dict) else None
    if not isinstance(keys, list):
        problems.add(ELECTION_FILE, 1, "audit.tree_head_keys", "must be a list of keys")
        return []
    valid = []
    for key in keys:
        if not isinstance(key, str) or not _is_public_key(key):
            problems.add(
                ELECTION_FILE,
                1,
                "audit.tree_head_keys",
                f"{key!r}: not an Ed25519 public key (64 lowercase hex digits)",
            )
        else:
            valid.append(key)
    return valid


def _is_public_key(text: str) -> bool:
    return len(text) == 64 and all(digit in "0123456789abcdef" for digit in text)


def _decision_policy(value: Any) -> tuple[DecisionKind, ...]:
    """`decision_policy: {four_eyes: [accept, annul]}`: the decisions a second person must
    confirm (the rule set of control checks is another matter)."""
    if not isinstance(value, dict) or set(value) - {"four_eyes"}:
        raise ValueError("must be a mapping with the one key four_eyes")
    kinds = value.get("four_eyes") or []
    if not isinstance(kinds, list):
        raise ValueError("four_eyes must be a list of decisions")
    return tuple(sorted({columns.one_of(DecisionKind, str(kind)) for kind in kinds}))


def _complaints(value: Any) -> tuple[tuple[ComplaintCategory, int], ...]:
    """`complaints: {deadline_days: {multiple_voting: 2, other: 5}}`: the days the commission
    has to decide a complaint of each category named (the others keep the default table)."""
    if not isinstance(value, dict) or set(value) - {"deadline_days"}:
        raise ValueError("must be a mapping with the one key deadline_days")
    days = value.get("deadline_days") or {}
    if not isinstance(days, dict):
        raise ValueError("deadline_days must map complaint categories to days")
    return deadline_days(days)


def _yaml_lines(path: Path) -> dict[str, int]:
    """Line of each key under `election:`, so problems point at the right place."""
    lines: dict[str, int] = {}
    for number, text in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        stripped = text.strip()
        if text.startswith("  ") and ":" in stripped:
            lines.setdefault(stripped.split(":", 1)[0], number)
    return lines


def _code(value: Any) -> str:
    code = str(value)
    if not code or not all((c.isalnum() and c.isascii()) or c == "-" for c in code):
        raise ValueError(f"{code!r} must be letters, digits and dashes")
    return code


def _names(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise ValueError("must be a mapping of language code to name, like {az: ..., ru: ...}")
    names = []
    for language, name in value.items():
        code = str(language)
        if not (2 <= len(code) <= 3 and code.isascii() and code.isalpha() and code.islower()):
            raise ValueError(f"{code!r} is not a language code like az, en or ru")
        names.append((code, columns.text(str(name))))
    return tuple(names)


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _time(value: Any) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a time like 08:00") from None


def _timezone(value: Any) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone like Asia/Baku") from None
    return str(value)


def _voting_hours(value: Any) -> VotingHours:
    hours = VotingHours(opens=_time(value["opens"]), closes=_time(value["closes"]))
    if hours.opens >= hours.closes:
        raise ValueError("polls must open before they close")
    return hours


def _percent(value: Any) -> float:
    number = float(value)
    if not 0 <= number < 100:
        raise ValueError(f"{value!r} must be a percentage from 0 to 100")
    return number


def _optional_threshold(cell: str) -> Fraction | None:
    return threshold_percent_of(cell.strip()) if cell.strip() else None


def _optional_first_divisor(cell: str) -> Fraction | None:
    if not cell.strip():
        return None
    try:
        divisor = Fraction(cell.strip())
    except (ValueError, ZeroDivisionError):
        raise ValueError("first_divisor must be a number") from None
    if divisor <= 0:
        raise ValueError("first_divisor must be above 0")
    return divisor


def _optional_yes_no(cell: str) -> bool | None:
    return columns.yes_no(cell) if cell.strip() else None


def _contest_problem(kind: ContestKind, seats_per_constituency: int) -> str | None:
    """A system that cannot fill the contest's seats: one seat for single-member systems,
    more than one for multi-member plurality; a district list contest may elect any number."""
    if kind.is_list:
        return None
    if kind is ContestKind.MULTI_MEMBER_PLURALITY:
        if seats_per_constituency < 2:
            return "multi_member_plurality needs seats_per_constituency of 2 or more"
        return None
    if seats_per_constituency != 1:
        return (
            f"{kind.value} elects one member per constituency (multi_member_plurality elects more)"
        )
    return None


def _check_seats(definition: ElectionDefinition, problems: ProblemCollector, line: int) -> None:
    election = definition.election
    contested = sum(seats for _, seats in definition.contest_systems().values())
    listed = election.list_contest.seats if election.list_contest is not None else 0
    districts = sum(kind.is_list for kind, _ in definition.contest_systems().values())
    if election.leveling is not None and districts == 0:
        problems.add(
            ELECTION_FILE,
            line,
            "election.leveling",
            "leveling seats need district list contests (contests.csv)",
        )
        return
    leveling = election.leveling.total(districts) if election.leveling is not None else 0
    if contested + listed + leveling != election.seats:
        lists = f" and the list contest {listed}" if listed else ""
        lists += f" and {leveling} leveling seats" if leveling else ""
        problems.add(
            ELECTION_FILE,
            line,
            "election.seats",
            f"{election.seats} seats, but {len(definition.constituencies)} constituencies "
            f"elect {contested}{lists}",
        )


class _FolderReader:
    """Reads the CSV files in reference order. Each file's rows are parsed column by column
    with precompiled parsers; a row that does not parse is parsed again cell by cell so that
    every problem of the row is reported."""

    def __init__(
        self, folder: Path, problems: ProblemCollector, *, default_is_list: bool = False
    ) -> None:
        self.folder = folder
        self.problems = problems
        #: the election's default contest is a district list contest (election.yaml)
        self.default_is_list = default_is_list
        #: files that could not be read at all: references into them are not checked,
        #: so one missing column does not bury the report under a cascade
        self.unreadable: set[str] = set()
        #: keys of rows that were rejected, for the same reason
        self.rejected: dict[str, set[object]] = {
            file: set() for file in (*COLUMNS, *OPTIONAL_FILES)
        }

    def known(self, value: object, collection: Container[Any], file: str) -> bool:
        return value in collection or file in self.unreadable or value in self.rejected[file]

    def problem(self, file: str, line: int, column: str, message: str) -> bool:
        """Record a problem; returns False, for `valid = self.problem(...)`."""
        self.problems.add(file, line, column, message)
        return False

    def unique(self, file: str, line: int, column: str, key: object, seen: dict[Any, int]) -> bool:
        if key in seen:
            return self.problem(
                file, line, column, f"duplicate {key!r} (first on line {seen[key]})"
            )
        seen[key] = line
        return True

    def reject(self, file: str, key: object) -> None:
        if key is not None:
            self.rejected[file].add(key)

    def records(
        self, file: str, parsers: Sequence[Callable[[str], Any]]
    ) -> Iterator[tuple[int, list[Any], bool]]:
        """(line, values, valid) for each record of the file, values in the order of
        COLUMNS[file] whatever the header's order; a cell that does not parse is None and
        its problem is recorded. Stops when the file has too many problems."""
        path = self.folder / file
        self.unreadable.add(file)
        if not path.is_file():
            self.problems.add(file, 0, "-", f"missing: {path} does not exist")
            return
        data = path.read_bytes()
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            self.problems.add(
                file, line, "-", f"not UTF-8: byte 0x{data[error.start]:02x} cannot be decoded"
            )
            return
        del data
        # The whole file decodes: read it again as a stream, so that a large file is never
        # held in memory as text while its rows become objects.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from self._records(file, csv.reader(handle), parsers)

    def _records(
        self, file: str, reader: Any, parsers: Sequence[Callable[[str], Any]]
    ) -> Iterator[tuple[int, list[Any], bool]]:
        header = next(reader, None)
        expected = COLUMNS.get(file) or OPTIONAL_FILES[file]
        if header is None:
            self.problems.add(file, 1, "-", "empty file: the header row is missing")
            return
        header = [name.strip() for name in header]
        optional = OPTIONAL_COLUMNS.get(file, frozenset())
        # An optional column left out reads as a column of empty cells, appended to each row.
        left_out = [name for name in expected if name in optional and name not in header]
        header = header + left_out
        missing = [name for name in expected if name not in header]
        unknown = [name for name in header if name not in expected]
        for name in missing:
            self.problems.add(file, 1, name, "missing column")
        for name in unknown:
            self.problems.add(file, 1, name, "unknown column")
        if missing or unknown:
            return
        self.unreadable.discard(file)
        width = len(header)
        assert len(expected) == len(parsers) > 1
        in_order = itemgetter(*(header.index(name) for name in expected))
        truncated = self.problems.truncated
        padding = [""] * len(left_out)
        for cells in reader:
            if file in truncated:
                return
            if padding:
                cells = cells + padding
            if len(cells) != width:
                if not cells or (len(cells) == 1 and not cells[0].strip()):
                    continue
                self.problems.add(
                    file,
                    reader.line_num,
                    "-",
                    f"{len(cells) - len(padding)} cells, header has {width - len(padding)}",
                )
                continue
            ordered = in_order(cells)
            try:
                values = list(map(call, parsers, ordered))
                valid = True
            except ValueError:
                values = self._parse_reporting(file, reader.line_num, expected, parsers, ordered)
                valid = False
            yield reader.line_num, values, valid

    def _parse_reporting(
        self,
        file: str,
        line: int,
        names: Sequence[str],
        parsers: Sequence[Callable[[str], Any]],
        cells: Sequence[str],
    ) -> list[Any]:
        values: list[Any] = []
        for name, parse, cell in zip(names, parsers, cells, strict=True):
            try:
                values.append(parse(cell))
            except ValueError as error:
                self.problems.add(file, line, name, str(error))
                values.append(None)
        return values

    def read_all(self) -> dict[str, Any]:
        constituencies, numbers = self._constituencies()
        stations, station_codes = self._stations(numbers)
        parties, party_names = self._parties()
        contests = self._contests(numbers)
        named = {c.constituency: c.kind.is_list for c in contests}
        district_lists = frozenset(
            constituency.number
            for constituency in constituencies
            if named.get(constituency.number, self.default_is_list)
        )
        candidates, candidate_codes = self._candidates(numbers, party_names, district_lists)
        organisations, organisation_codes = self._organisations()
        observers = self._observers(organisation_codes, party_names, candidate_codes, station_codes)
        samples = self._exit_poll_samples(organisations, station_codes)
        return {
            "contests": contests,
            "constituencies": constituencies,
            "stations": stations,
            "parties": parties,
            "candidates": candidates,
            "organisations": organisations,
            "observers": observers,
            "exit_poll_samples": samples,
        }

    # Each reader returns its rows and `seen`, the first line of each key: the keys of the
    # valid rows and of the rejected ones, which is what `known` needs for references.

    def _contests(self, constituencies: Container[int]) -> list[Contest]:
        file = "contests.csv"
        if not (self.folder / file).is_file():
            return []
        result: list[Contest] = []
        seen: dict[Any, int] = {}
        parsers = (
            columns.positive_integer,
            columns.one_of_parser(ContestKind),
            columns.positive_integer,
            _optional_threshold,
            _optional_yes_no,
            _optional_first_divisor,
        )
        for line, row, valid in self.records(file, parsers):
            number, kind, seats, threshold, counts_blank, first_divisor = row
            if number is not None:
                valid = self.unique(file, line, "constituency", number, seen) and valid
                if not self.known(number, constituencies, "constituencies.csv"):
                    valid = self.problem(
                        file, line, "constituency", f"unknown constituency {number}"
                    )
            if kind is not None and seats is not None:
                problem = _contest_problem(kind, seats)
                if problem:
                    valid = self.problem(file, line, "seats", problem)
                if not kind.is_list and (threshold is not None or counts_blank):
                    valid = self.problem(
                        file,
                        line,
                        "threshold_percent",
                        f"{kind.value} has no threshold (only a district list contest has)",
                    )
                if first_divisor is not None and kind not in (
                    ContestKind.DHONDT,
                    ContestKind.SAINTE_LAGUE,
                ):
                    valid = self.problem(
                        file,
                        line,
                        "first_divisor",
                        f"{kind.value} has no divisors (only dhondt and sainte-lague have)",
                    )
            if valid:
                result.append(
                    Contest(
                        number,
                        kind,
                        seats,
                        threshold_percent=threshold or Fraction(0),
                        threshold_counts_blank=bool(counts_blank),
                        first_divisor=first_divisor,
                    )
                )
        return result

    def _constituencies(self) -> tuple[list[Constituency], dict[Any, int]]:
        file = "constituencies.csv"
        result: list[Constituency] = []
        seen: dict[Any, int] = {}
        parsers = (
            columns.positive_integer,
            columns.text,
            columns.one_of_parser(ConstituencyKind),
        )
        for line, (number, name, kind), valid in self.records(file, parsers):
            if number is not None:
                valid = self.unique(file, line, "number", number, seen) and valid
            if valid:
                result.append(Constituency(number=number, name=name, kind=kind))
            else:
                self.reject(file, number)
        return result, seen

    def _stations(
        self, constituencies: Container[int]
    ) -> tuple[list[PollingStation], dict[Any, int]]:
        file = "stations.csv"
        result: list[PollingStation] = []
        seen: dict[Any, int] = {}
        parsers = (
            columns.text,
            columns.memoized(columns.positive_integer),
            columns.text,
            columns.one_of_parser(StationKind),
            columns.set_of_parser(StationTag),
            columns.memoized(columns.yes_no),
            columns.memoized(columns.count),
            columns.memoized(columns.count),
            columns.optional_text,
        )
        append = result.append
        for line, values, valid in self.records(file, parsers):
            code, constituency, name, kind, tags, webcam, registered, turning_18, contact = values
            if code is not None:
                valid = self.unique(file, line, "code", code, seen) and valid
            if constituency is not None and not self.known(
                constituency, constituencies, "constituencies.csv"
            ):
                valid = self.problem(
                    file, line, "constituency", f"unknown constituency {constituency}"
                )
            if registered is not None and turning_18 is not None and turning_18 > registered:
                valid = self.problem(
                    file,
                    line,
                    "turning_18",
                    f"{turning_18} voters turning 18 but only {registered} registered",
                )
            if valid:
                append(
                    PollingStation(
                        code=code,
                        constituency=constituency,
                        name=name,
                        kind=kind,
                        registered_voters=registered,
                        turning_18=turning_18,
                        tags=tags,
                        webcam=webcam,
                        contact=contact,
                    )
                )
            else:
                self.reject(file, code)
        return result, seen

    def _parties(self) -> tuple[list[Party], dict[Any, int]]:
        file = "parties.csv"
        result: list[Party] = []
        seen: dict[Any, int] = {}
        parsers = (columns.text, columns.text, columns.colour)
        for line, (short_name, name, colour), valid in self.records(file, parsers):
            if short_name is not None:
                valid = self.unique(file, line, "short_name", short_name, seen) and valid
            if valid:
                result.append(Party(short_name=short_name, name=name, colour=colour))
            else:
                self.reject(file, short_name)
        return result, seen

    def _candidates(
        self,
        constituencies: Container[int],
        parties: Container[str],
        district_lists: Container[int] = frozenset(),
    ) -> tuple[list[Candidate], dict[Any, int]]:
        """The candidates; in a district list contest's constituency a party nominates its
        list (several candidates), and a ballot position is the place on the party's list."""
        file = "candidates.csv"
        result: list[Candidate] = []
        seen: dict[Any, int] = {}
        nominated: dict[object, int] = {}
        parsers = (
            columns.text,
            columns.memoized(columns.positive_integer),
            columns.text,
            columns.one_of_parser(Nomination),
            columns.memoized(columns.optional_text),
            columns.one_of_parser(CandidateStatus),
            columns.optional_positive_integer,
            columns.optional_date,
        )
        positions: dict[tuple[int, str | None, int], int] = {}
        for line, values, valid in self.records(file, parsers):
            code, constituency, full_name, nomination, party, status, position, born = values
            listed = constituency in district_lists
            if position is not None and constituency is not None:
                first = positions.setdefault(
                    (constituency, party if listed else None, position), line
                )
                if first != line:
                    valid = self.problem(
                        file,
                        line,
                        "ballot_position",
                        f"position {position} in constituency {constituency} is taken "
                        f"(line {first})",
                    )
            if code is not None:
                valid = self.unique(file, line, "code", code, seen) and valid
            if constituency is not None and not self.known(
                constituency, constituencies, "constituencies.csv"
            ):
                valid = self.problem(
                    file, line, "constituency", f"unknown constituency {constituency}"
                )
            if party is not None and not self.known(party, parties, "parties.csv"):
                valid = self.problem(file, line, "party", f"unknown party {party!r}")
            if nomination is Nomination.NON_PARTY and party is not None:
                valid = self.problem(file, line, "party", "a non-party candidate has no party")
            if nomination in (Nomination.PARTY, Nomination.PARTY_MEMBER) and party is None:
                valid = self.problem(
                    file, line, "party", f"required for nomination {nomination.value}"
                )
            if (
                nomination is Nomination.PARTY
                and status is CandidateStatus.REGISTERED
                and party is not None
                and constituency is not None
                and not listed
            ):
                key = (party, constituency)
                if key in nominated:
                    valid = self.problem(
                        file,
                        line,
                        "party",
                        f"{party} already nominates a candidate in constituency {constituency} "
                        f"(line {nominated[key]})",
                    )
                else:
                    nominated[key] = line
            if valid:
                result.append(
                    Candidate(
                        code=code,
                        constituency=constituency,
                        full_name=full_name,
                        nomination=nomination,
                        party=party,
                        status=status,
                        ballot_position=position,
                        birth_date=born,
                    )
                )
            else:
                self.reject(file, code)
        return result, seen

    def _organisations(self) -> tuple[list[Organisation], dict[Any, int]]:
        file = "organisations.csv"
        result: list[Organisation] = []
        seen: dict[Any, int] = {}
        partners: list[tuple[int, str]] = []
        parsers = (
            columns.text,
            columns.text,
            columns.country,
            columns.set_of_parser(OrganisationRole),
            columns.optional_text,
        )
        for line, (code, name, country, roles, partner), valid in self.records(file, parsers):
            if code is not None:
                valid = self.unique(file, line, "code", code, seen) and valid
            if partner is not None:
                partners.append((line, partner))
            if valid:
                result.append(
                    Organisation(
                        code=code, name=name, country=country, roles=roles, partner=partner
                    )
                )
            else:
                self.reject(file, code)
        for line, partner in partners:
            if not self.known(partner, seen, file):
                self.problem(file, line, "partner", f"unknown organisation {partner!r}")
        return result, seen

    def _observers(
        self,
        organisations: Container[str],
        parties: Container[str],
        candidates: Container[str],
        stations: Container[str],
    ) -> list[Observer]:
        file = "observers.csv"
        result: list[Observer] = []
        seen: dict[Any, int] = {}
        parsers = (
            columns.text,
            columns.text,
            columns.one_of_parser(ObserverKind),
            columns.memoized(columns.optional_text),
            columns.memoized(columns.country),
            columns.memoized(columns.optional_text),
            columns.list_of,
        )
        append = result.append
        for line, values, valid in self.records(file, parsers):
            code, full_name, kind, organisation, country, represents, assigned = values
            if code is not None:
                valid = self.unique(file, line, "code", code, seen) and valid
            if organisation is not None and not self.known(
                organisation, organisations, "organisations.csv"
            ):
                valid = self.problem(
                    file, line, "organisation", f"unknown organisation {organisation!r}"
                )
            if kind in (ObserverKind.LOCAL_NGO, ObserverKind.INTERNATIONAL) and not organisation:
                valid = self.problem(
                    file, line, "organisation", f"required for {kind.value} observers"
                )
            if kind is ObserverKind.PARTY_REPRESENTATIVE and not self.known(
                represents, parties, "parties.csv"
            ):
                valid = self.problem(file, line, "represents", f"unknown party {represents!r}")
            if kind is ObserverKind.CANDIDATE_REPRESENTATIVE and not self.known(
                represents, candidates, "candidates.csv"
            ):
                valid = self.problem(file, line, "represents", f"unknown candidate {represents!r}")
            for station in assigned or ():
                if not self.known(station, stations, "stations.csv"):
                    valid = self.problem(file, line, "stations", f"unknown station {station!r}")
                    break
            if valid:
                append(
                    Observer(
                        code=code,
                        full_name=full_name,
                        kind=kind,
                        country=country,
                        organisation=organisation,
                        represents=represents,
                        stations=tuple(assigned),
                    )
                )
            else:
                self.reject(file, code)
        return result

    def _exit_poll_samples(
        self, organisations: list[Organisation], stations: Container[str]
    ) -> list[ExitPollSample]:
        file = "exit_poll_samples.csv"
        pollsters = {
            organisation.code
            for organisation in organisations
            if OrganisationRole.EXIT_POLL in organisation.roles
        }
        result: list[ExitPollSample] = []
        seen: dict[Any, int] = {}
        parsers = (columns.memoized(columns.text), columns.text)
        for line, (organisation, station), valid in self.records(file, parsers):
            if organisation is not None and not self.known(
                organisation, pollsters, "organisations.csv"
            ):
                valid = self.problem(
                    file,
                    line,
                    "organisation",
                    f"{organisation!r} is not an organisation with role exit_poll",
                )
            if station is not None and not self.known(station, stations, "stations.csv"):
                valid = self.problem(file, line, "station", f"unknown station {station!r}")
            valid = self.unique(file, line, "station", (organisation, station), seen) and valid
            if valid:
                result.append(ExitPollSample(organisation=organisation, station=station))
        return result
