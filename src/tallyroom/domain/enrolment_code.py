"""One-time enrolment codes, printed on a station's sealed envelope and typed by hand: ten
Crockford base32 characters, the last a check character, so a mistyped code is told apart
from a wrong one before anything is sent."""

from __future__ import annotations

import hashlib
import secrets

#: Crockford's base32: no I, L, O or U, which are read as 1, 1, 0 and (nothing) by hand
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
DATA_CHARACTERS = 9
CODE_LENGTH = DATA_CHARACTERS + 1
_READ_AS = {"O": "0", "I": "1", "L": "1"}


class MistypedCode(ValueError):
    """Not a well-formed code: wrong length, a character outside the alphabet, or a check
    character that does not match."""


def _check_character(data: str) -> str:
    # Weighted by position, so swapping two neighbours (the commonest slip) changes it.
    total = sum((position + 1) * ALPHABET.index(char) for position, char in enumerate(data))
    return ALPHABET[total % len(ALPHABET)]


def new_enrolment_code() -> str:
    """A fresh code, grouped as XXXXX-XXXXX for reading aloud."""
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_CHARACTERS))
    code = data + _check_character(data)
    return f"{code[:5]}-{code[5:]}"


def normalised_code(typed: str) -> str:
    """The code as typed, in its one stored form; raises MistypedCode."""
    code = "".join(_READ_AS.get(char, char) for char in typed.upper() if char not in " -\t")
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        raise MistypedCode(f"an enrolment code has {CODE_LENGTH} letters and digits")
    if _check_character(code[:-1]) != code[-1]:
        raise MistypedCode("this enrolment code is mistyped (its check character differs)")
    return code


def enrolment_code_hash(typed: str) -> str:
    """SHA-256 of the normalised code: the only form the server keeps."""
    return hashlib.sha256(normalised_code(typed).encode()).hexdigest()
