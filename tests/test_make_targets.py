"""The Makefile's promises: the demo's database under build/, screenshots refreshed only by
`make screenshots`, never by `make test`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_make(target: str, folder: Path) -> list[str]:
    """Run a target of a copy of the Makefile in `folder` with a stand-in `tallyroom` and
    `pytest` that write down the database they were given and their arguments."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    shutil.copy(ROOT / "Makefile", folder / "Makefile")
    bin_folder = folder / "bin"
    bin_folder.mkdir()
    for name in ("tallyroom", "pytest"):
        stand_in = bin_folder / name
        stand_in.write_text(
            '#!/bin/sh\necho "$(basename "$0") [${TALLYROOM_DATABASE_URL:-}] $*" >> calls\n'
        )
        stand_in.chmod(0o755)
    environment = {
        key: value for key, value in os.environ.items() if key != "TALLYROOM_DATABASE_URL"
    }
    subprocess.run(
        ["make", "-s", "-o", "install", target, f"BIN={bin_folder}"],
        cwd=folder,
        env=environment,
        check=True,
        capture_output=True,
    )
    return (folder / "calls").read_text().splitlines()


def test_the_demo_database_lives_under_build(tmp_path: Path) -> None:
    (tmp_path / "tallyroom.db").write_text("a database of someone's own")
    calls = run_make("demo", tmp_path)
    assert calls[0] == "tallyroom [sqlite:///build/tallyroom.db] scenario az-2024 build/az-2024"
    assert all("[sqlite:///build/tallyroom.db]" in call for call in calls)
    assert calls[-1].startswith("tallyroom [sqlite:///build/tallyroom.db] simulate az-2024")
    assert (tmp_path / "tallyroom.db").exists()


def test_screenshots_are_refreshed_by_their_own_target(tmp_path: Path) -> None:
    assert run_make("screenshots", tmp_path) == [
        "pytest [] -q tests/web/test_browser.py --screenshots"
    ]


def test_without_the_option_screenshots_go_to_a_temporary_folder(
    screenshot_folder: Path,
) -> None:
    assert ROOT not in screenshot_folder.parents
