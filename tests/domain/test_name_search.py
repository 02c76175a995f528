"""Name search folds case and Azerbaijani letters and reads Cyrillic: properties over any text,
and the spellings readers type."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tallyroom.domain.name_search import NameQuery, fold

AZERBAIJANI = "abcçdeəfgğhxıijkqlmnoöprsştuüvyzABCÇDEƏFGĞHXIİJKQLMNOÖPRSŞTUÜVYZ -"
#: each Azerbaijani letter and the plain Latin spellings a reader types for it
PLAIN = {"ə": "ae", "Ə": "AE", "ı": "i", "İ": "iI", "ş": "s", "Ş": "S", "ç": "c", "Ç": "C",
         "ğ": "g", "Ğ": "G", "ö": "o", "Ö": "O", "ü": "u", "Ü": "U"}  # fmt: skip
azerbaijani_names = st.text(alphabet=AZERBAIJANI, min_size=1, max_size=30).filter(str.strip)


@given(st.text(max_size=40))
def test_folding_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text(max_size=40))
def test_any_text_finds_itself(text: str) -> None:
    assert NameQuery(text).matches(text)


@given(
    st.text(max_size=30), st.text(min_size=1, max_size=10).filter(str.strip), st.text(max_size=30)
)
def test_a_part_of_a_name_finds_the_name(before: str, part: str, after: str) -> None:
    assert NameQuery(part).matches(before + part + after)


@given(azerbaijani_names)
def test_case_does_not_matter(name: str) -> None:
    assert NameQuery(name.upper()).matches(name)
    assert NameQuery(name.lower()).matches(name)
    assert NameQuery(name).matches(name.upper())


@given(azerbaijani_names, st.data())
def test_azerbaijani_letters_typed_in_plain_latin_find_the_name(
    name: str, data: st.DataObject
) -> None:
    typed = "".join(
        data.draw(st.sampled_from(PLAIN[letter])) if letter in PLAIN else letter for letter in name
    )
    assert typed.isascii()
    assert NameQuery(typed).matches(name)


@given(azerbaijani_names)
def test_folding_keeps_one_character_for_each_letter(name: str) -> None:
    # "İ".lower() is "i" and a combining dot: two characters, which would shift every match.
    assert len(fold(name)) == len("".join(name.split()))


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Zardab", "Zərdab"),
        ("Zerdab", "Zərdab"),
        ("zərdab", "ZƏRDAB"),
        ("Sirinov", "Şirinov"),
        ("ismayilov", "Fuad İsmayılov"),
        ("ISMAYILOV", "Fuad İsmayılov"),
        ("Gence", "Gəncə"),
        ("Goygol", "Göygöl"),
        ("Xacmaz", "Xaçmaz"),
        ("Agdam", "Ağdam"),
        ("Зардаб", "Zərdab"),
        ("Ширинов", "Şirinov"),
        ("Гянджа", "Gəncə"),
        ("Губа", "Quba"),
        ("Хачмаз", "Xaçmaz"),
        ("Шеки", "Şəki"),
        ("Сумгайыт", "Sumqayıt"),
    ],
)
def test_spellings_readers_type(typed: str, name: str) -> None:
    assert NameQuery(typed).matches(name)


@pytest.mark.parametrize(("typed", "name"), [("Zardab", "Zaqatala"), ("Шеки", "Şuşa"), ("o", "a")])
def test_other_names_are_not_found(typed: str, name: str) -> None:
    assert not NameQuery(typed).matches(name)


def test_dotted_capital_i_folds_to_one_letter() -> None:
    assert "İ".lower() != "i"
    assert fold("İsmayılov") == "ismayilov"
