"""The one error shape of bad forensics input: `file:line: field: message`."""

from __future__ import annotations


class ForensicsInputError(Exception):
    """Bad input file, mapping or preset; line 0 means "the file as a whole"."""

    def __init__(self, source: str, line: int, field: str, message: str) -> None:
        super().__init__(f"{source}:{line}: {field}: {message}")
        self.source = source
        self.line = line
        self.field = field
        self.message = message
