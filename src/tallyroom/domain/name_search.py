"""Finding Azerbaijani names as readers type them: case and letters folded to their usual Latin
spellings (ə as a or e, ş as s, İ and ı as i, …), and Cyrillic input read by transliteration."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Azerbaijani letters with no decomposition of their own, to the Latin letter they are typed as.
_PLAIN_LETTERS = {"ı": "i"}
#: ə is kept in folded names: a reader types it as a or as e, so a query's a and e both match it.
_SCHWA = "ə"
#: each Cyrillic letter (lower case) to the Latin spellings a reader may mean; the first is how
#: Cyrillic in a name itself is folded. Azerbaijani names in Russian write q as г or к, x as х
#: (and h as г: Гасанов for Həsənov), ə as а, е or я, c as дж, ç as ч and ş as ш.
_CYRILLIC: dict[str, tuple[str, ...]] = {
    "а": ("a", "ə"),
    "б": ("b",),
    "в": ("v",),
    "г": ("g", "q", "h"),
    "д": ("d",),
    "е": ("e", "ə", "ye"),
    "ё": ("yo", "o"),
    "ж": ("j", "zh"),
    "з": ("z",),
    "и": ("i",),
    "й": ("y",),
    "к": ("k", "q"),
    "л": ("l",),
    "м": ("m",),
    "н": ("n",),
    "о": ("o",),
    "п": ("p",),
    "р": ("r",),
    "с": ("s",),
    "т": ("t",),
    "у": ("u",),
    "ф": ("f",),
    "х": ("x", "h", "kh"),
    "ц": ("ts", "s"),
    "ч": ("c", "ch"),
    "ш": ("s", "sh"),
    "щ": ("s", "shch"),
    "ъ": ("",),
    "ы": ("i",),
    "ь": ("",),
    "э": ("e", "ə"),
    "ю": ("yu", "u"),
    "я": ("ya", "ə", "a"),
    "ә": ("ə", "a", "e"),
    "ғ": ("g",),
    "ҹ": ("c",),
    "һ": ("h",),
    "ө": ("o",),
    "ү": ("u",),
}
#: Cyrillic letter pairs read as one Latin letter (Джəлилабад → Cəlilabad), with the spelling
#: their letters fold to one by one, so a name's own Cyrillic still finds it.
_CYRILLIC_PAIRS: dict[str, tuple[str, ...]] = {"дж": ("dj", "c", "dzh")}
_WHITESPACE = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """The form names are compared in: lower case, marks dropped (ş→s, ç→c, ğ→g, ö→o, ü→u,
    İ→i), ı→i, Cyrillic transliterated, no white space (so "Nəsimi 1" and "Nəsimi1" meet);
    ə is kept."""
    folded = text
    # Case folding and compatibility decomposition can each expose work for the other
    # (ℌ decomposes to H; İ folds to i and a combining dot): repeat until nothing changes.
    for _ in range(4):
        again = "".join(_fold_character(character) for character in folded)
        if again == folded:
            break
        folded = again
    return folded


def _fold_character(character: str) -> str:
    if character.isascii():
        return "" if character.isspace() else character.lower()
    result = []
    # Cyrillic is read before decomposition, or ё and й would lose what tells them apart.
    lowered_text = unicodedata.normalize("NFKC", character).casefold()
    for lowered in unicodedata.normalize("NFC", lowered_text):
        if lowered in _CYRILLIC:
            result.append(_CYRILLIC[lowered][0])
            continue
        for part in unicodedata.normalize("NFKD", lowered):
            if unicodedata.category(part) == "Mn":
                continue
            if not part.isspace():
                result.append(_PLAIN_LETTERS.get(part, part))
    return "".join(result)


class NameQuery:
    """What a reader typed, ready to be looked for inside folded names."""

    __slots__ = ("pattern", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pattern = re.compile(_pattern(text))

    def matches(self, name: str) -> bool:
        """Whether the query occurs in the name, after folding both."""
        return self.pattern.search(fold(name)) is not None

    def __bool__(self) -> bool:
        return bool(self.pattern.pattern)


def _pattern(text: str) -> str:
    # Fold what folds plainly, character by character, so each typed character gives the
    # spellings it may stand for; then let a typed a, e or ə stand for an ə in the name.
    lowered = _WHITESPACE.sub("", text).casefold()
    parts: list[str] = []
    index = 0
    while index < len(lowered):
        pair = lowered[index : index + 2]
        if pair in _CYRILLIC_PAIRS:
            spellings = _CYRILLIC_PAIRS[pair]
            index += 2
        else:
            character = lowered[index]
            spellings = _CYRILLIC.get(character) or (fold(character),)
            index += 1
        parts.append(_alternatives(spellings))
    return "".join(parts)


def _alternatives(spellings: tuple[str, ...]) -> str:
    options = sorted({_flexible(fold(spelling)) for spelling in spellings})
    return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"


def _flexible(spelling: str) -> str:
    pieces = []
    for character in spelling:
        if character == "a":
            pieces.append("[aə]")
        elif character == "e":
            pieces.append("[eə]")
        elif character == _SCHWA:
            pieces.append("[əae]")
        else:
            pieces.append(re.escape(character))
    return "".join(pieces)
