"""The parallel variant of the reference election: 100 single-member constituencies and 25
seats from national party lists, as Azerbaijan elected its Milli Majlis from 1995 to 2005
(largest remainder with the Hare quota above a 6 % threshold, the law of 2000).

Same people and stations as az-2024: its first 90 regular constituencies stay as they are,
the stations of regular constituencies 91–115 join constituencies 66–90 (keeping their codes),
and the ten IDP constituencies become 91–100; the candidates of the dissolved constituencies
(and the observers representing them) are left out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from fractions import Fraction
from types import MappingProxyType

from tallyroom.domain.constituency import ConstituencyKind
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election import Election
from tallyroom.domain.list_contest import ListContest, ListMethod
from tallyroom.scenarios import az_2024

CONSTITUENCIES = 100
LIST_SEATS = 25
LIST_CONTEST = ListContest(
    code="national-list", seats=LIST_SEATS, method=ListMethod.HARE, threshold_percent=Fraction(6)
)
ELECTION: Election = replace(
    az_2024.ELECTION,
    code="az-2024-parallel",
    name="Milli Majlis election 2024 (parallel: 100 constituencies + 25 list seats)",
    names=(
        ("az", "Milli Məclisə seçkilər 2024 (paralel: 100 dairə + 25 siyahı yeri)"),
        ("en", "Milli Majlis election 2024 (parallel: 100 constituencies + 25 list seats)"),
        ("ru", "Выборы в Милли Меджлис 2024 (параллельная: 100 округов + 25 мест по спискам)"),
    ),
    seats=CONSTITUENCIES + LIST_SEATS,
    list_contest=LIST_CONTEST,
)
#: constituency seats the polling day is designed to give party nominees (the rest go to
#: party members standing on their own); scaled from az-2024's 80 of 125
PARTY_SEATS: Mapping[str, int] = MappingProxyType(
    {
        "YAP": 54,
        "VHP": 2,
        "AVP": 2,
        "BQP": 2,
        "REAL": 1,
        "ADMP": 1,
        "MDHP": 1,
        "DIP": 1,
        "ASRP": 1,
        "BAXCP": 1,
    }
)


def build_definition(seed: int = 2024) -> ElectionDefinition:
    """The parallel variant's definition; the same seed always gives the same definition."""
    reference = az_2024.build_definition(seed)
    regular = [c for c in reference.constituencies if c.kind is ConstituencyKind.REGULAR]
    idp = [c for c in reference.constituencies if c.kind is ConstituencyKind.IDP]
    kept_regular = CONSTITUENCIES - len(idp)
    dissolved = len(regular) - kept_regular
    number_of: dict[int, int] = {}
    for constituency in regular:
        number = constituency.number
        number_of[number] = number if number <= kept_regular else number - dissolved
    for index, constituency in enumerate(idp):
        number_of[constituency.number] = kept_regular + index + 1
    dropped = {c.number for c in regular if c.number > kept_regular}
    constituencies = [c for c in regular if c.number <= kept_regular] + [
        replace(c, number=number_of[c.number]) for c in idp
    ]
    candidates = [
        replace(c, constituency=number_of[c.constituency])
        for c in reference.candidates
        if c.constituency not in dropped
    ]
    kept_codes = {c.code for c in candidates}
    dropped_codes = {c.code for c in reference.candidates} - kept_codes
    return replace(
        reference,
        election=ELECTION,
        constituencies=constituencies,
        stations=[replace(s, constituency=number_of[s.constituency]) for s in reference.stations],
        candidates=candidates,
        observers=[o for o in reference.observers if o.represents not in dropped_codes],
    )
