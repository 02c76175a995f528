"""The files of a definition folder and their columns, in the order they are written."""

from __future__ import annotations

ELECTION_FILE = "election.yaml"
FORMAT = "tallyroom-definition/1"
#: the election's control rules (optional: without it, the reference election's six checks)
RULES_FILE = "rules.yaml"
RULES_FORMAT = "tallyroom-rules/1"

COLUMNS: dict[str, tuple[str, ...]] = {
    "constituencies.csv": ("number", "name", "kind"),
    "stations.csv": (
        "code",
        "constituency",
        "name",
        "kind",
        "tags",
        "webcam",
        "registered_voters",
        "turning_18",
        "contact",
    ),
    "parties.csv": ("short_name", "name", "colour"),
    "candidates.csv": (
        "code",
        "constituency",
        "full_name",
        "nomination",
        "party",
        "status",
        "ballot_position",
        "birth_date",
    ),
    "organisations.csv": ("code", "name", "country", "roles", "partner"),
    "observers.csv": (
        "code",
        "full_name",
        "kind",
        "organisation",
        "country",
        "represents",
        "stations",
    ),
    "exit_poll_samples.csv": ("organisation", "station"),
}

#: columns a file may leave out (their cells then read as empty); written only when used
OPTIONAL_COLUMNS: dict[str, frozenset[str]] = {
    # birth dates only where the law's tie rule needs a candidate's age
    "candidates.csv": frozenset({"ballot_position", "birth_date"}),
    # whom the commission calls about a station: personal data, never written back out
    "stations.csv": frozenset({"contact"}),
    # a district list contest's threshold (percent of the district's valid list votes) and
    # whether blank votes count in its base
    # and, for a divisor method, a first divisor replacing the series' own (Norway: 1.4)
    "contests.csv": frozenset({"threshold_percent", "threshold_counts_blank", "first_divisor"}),
}
#: files a definition may leave out, read and written only when present
OPTIONAL_FILES: dict[str, tuple[str, ...]] = {
    #: constituencies whose contest differs from election.yaml's `contest`
    "contests.csv": (
        "constituency",
        "kind",
        "seats",
        "threshold_percent",
        "threshold_counts_blank",
        "first_divisor",
    ),
}
