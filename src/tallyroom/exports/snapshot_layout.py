"""Where each part of a published snapshot lives inside its folder (docs/snapshot-format.md)."""

from __future__ import annotations

import re

FORMAT = "tallyroom-snapshot/1"
MANIFEST = "manifest.json"
DEFINITION_FOLDER = "definition"
PROTOCOLS_FOLDER = "protocols"
KEYS = "keys.json"
RESULTS = "results.json"
TURNOUT = "turnout.json"
AUDIT_HEAD = "audit-head.json"
#: the commission's decisions on stations (annulments, recount orders) with their audit entries
DECISIONS = "decisions.json"
#: the commission's signed certifications of constituencies and of the nation
CERTIFICATIONS = "certifications.json"
#: every version of the stations that have a version not counted
VERSIONS_FOLDER = "protocol-versions"
AUDIT_TREE_HEADS = "audit/tree-heads.json"
AUDIT_ENTRY_HASHES = "audit/entry-hashes.bin"
NIST_XML = "nist/election-report.xml"
NIST_JSON = "nist/election-report.json"
INDEX_PAGE = "index.html"
STYLE_SHEET = "style.css"

# Characters kept as they are in a file name; anything else in a station code is escaped, so
# no code can climb out of its folder or collide with another.
_FILE_NAME_SAFE = re.compile(r"[A-Za-z0-9_-]")


def protocol_file_name(station_code: str) -> str:
    return (
        "".join(
            character if _FILE_NAME_SAFE.fullmatch(character) else f"~{ord(character):x}~"
            for character in station_code
        )
        + ".json"
    )


def protocol_path(station_code: str) -> str:
    return f"{PROTOCOLS_FOLDER}/{protocol_file_name(station_code)}"


def protocol_versions_path(station_code: str) -> str:
    return f"{VERSIONS_FOLDER}/{protocol_file_name(station_code)}"


def constituency_page_path(number: int) -> str:
    return f"constituencies/{number:03d}.html"
