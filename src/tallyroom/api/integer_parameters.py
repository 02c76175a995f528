"""Integer path and query parameters bounded to what the database's INTEGER column holds:
a number out of range is a 422 naming the parameter, never an overflow in the driver (a 500)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

#: the largest value of a 32-bit signed INTEGER column (SQLite's are wider, PostgreSQL's not)
LARGEST_INTEGER = 2**31 - 1

ConstituencyNumber = Annotated[int, Path(ge=1, le=LARGEST_INTEGER)]
ProtocolVersion = Annotated[int, Path(ge=1, le=LARGEST_INTEGER)]
DecisionId = Annotated[int, Path(ge=1, le=LARGEST_INTEGER)]
LotId = Annotated[int, Path(ge=1, le=LARGEST_INTEGER)]
ConstituencyFilter = Annotated[int | None, Query(ge=1, le=LARGEST_INTEGER)]
