"""The files of a definition folder and their columns, in the order they are written."""

from __future__ import annotations

ELECTION_FILE = "election.yaml"
FORMAT = "tallyroom-definition/1"

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
    ),
    "parties.csv": ("short_name", "name", "colour"),
    "candidates.csv": ("code", "constituency", "full_name", "nomination", "party", "status"),
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
#: columns a file may leave out (an empty cell then); read after the columns above
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    # whom the commission calls about a station: personal data, never written back out
    "stations.csv": ("contact",),
}
