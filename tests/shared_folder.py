"""Where the workplace's shared folder (facts, standards, real data sets) is: beside the
checkout as `../shared`, or where TALLYROOM_SHARED names, or at /work/shared for a clone
made elsewhere (CI clones the repository into a folder of its own)."""

from __future__ import annotations

import os
from pathlib import Path


def shared_folder() -> Path:
    candidates = [
        os.environ.get("TALLYROOM_SHARED", ""),
        str(Path(__file__).resolve().parents[2] / "shared"),
        "/work/shared",
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "data").is_dir():
            return Path(candidate)
    return Path(candidates[1])


SHARED = shared_folder()
