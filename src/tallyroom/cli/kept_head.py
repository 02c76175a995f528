"""Reading a signed tree head someone kept, for `audit verify --against` and `verify --head`."""

from __future__ import annotations

from pathlib import Path

from tallyroom.cli.json_file import read_json_file
from tallyroom.cli.output import fail
from tallyroom.domain.tree_head import MalformedTreeHead, SignedTreeHead


def read_kept_head(path: Path) -> SignedTreeHead:
    """A signed tree head someone kept, from its JSON file (exits 2 if it is not one)."""
    document, _ = read_json_file(path)
    try:
        return SignedTreeHead.from_json(document)
    except MalformedTreeHead as error:
        fail(f"{path}:1: not a signed tree head: {error}")
