"""The az-2024 scenario reproduces every published figure of the 2024 Milli Majlis election."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tallyroom.domain.candidate import Nomination
from tallyroom.domain.constituency import ConstituencyKind
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.observer import ObserverKind
from tallyroom.domain.organisation import OrganisationRole
from tallyroom.domain.polling_station import StationKind, StationTag
from tallyroom.scenarios.az_2024 import build_definition

AZERBAIJANI_LETTERS = set("əşçğıöüƏŞÇĞİÖÜ")


@pytest.fixture
def definition(az_2024_definition: ElectionDefinition) -> ElectionDefinition:
    return az_2024_definition


def test_election(definition: ElectionDefinition) -> None:
    election = definition.election
    assert election.seats == 125
    assert election.polling_day.isoformat() == "2024-09-01"
    assert election.timezone == "Asia/Baku"
    assert [t.strftime("%H:%M") for t in election.turnout_report_times] == [
        "10:00",
        "12:00",
        "15:00",
        "19:00",
    ]


def test_constituencies(definition: ElectionDefinition) -> None:
    constituencies = definition.constituencies
    assert len(constituencies) == 125
    assert [c.number for c in constituencies] == list(range(1, 126))
    assert sum(c.kind is ConstituencyKind.IDP for c in constituencies) == 10
    assert len({c.name for c in constituencies}) == 125
    assert any("Nəsimi birinci" in c.name for c in constituencies)


def test_stations(definition: ElectionDefinition) -> None:
    stations = definition.stations
    assert len(stations) == 6_478
    assert sum(s.kind is StationKind.PERMANENT for s in stations) == 6_343
    assert sum(s.kind is StationKind.TEMPORARY for s in stations) == 135
    special = [s for s in stations if StationTag.SPECIAL_TERRITORY in s.tags]
    assert len(special) == 54
    assert all(s.kind is StationKind.PERMANENT for s in special)
    idp = [s for s in stations if s.is_idp]
    assert len(idp) == 574
    assert sum(s.registered_voters for s in idp) == 397_862
    idp_constituencies = {
        c.number for c in definition.constituencies if c.kind is ConstituencyKind.IDP
    }
    assert {s.constituency for s in idp} == idp_constituencies
    assert all(s.is_idp for s in stations if s.constituency in idp_constituencies)
    assert sum(s.registered_voters for s in stations) == 6_421_960
    assert sum(s.turning_18 for s in stations) == 374
    assert all(0 <= s.turning_18 <= s.registered_voters for s in stations)
    assert sum(s.webcam for s in stations) == 1_000
    assert all(100 <= s.registered_voters <= 2_000 for s in stations)
    codes = [s.code for s in stations]
    assert len(set(codes)) == len(codes)
    assert codes == sorted(codes)
    assert all(re.fullmatch(r"\d{3}-\d{4}", code) for code in codes)
    assert all(s.code.startswith(f"{s.constituency:03d}-") for s in stations)


def test_constituencies_are_of_similar_size(definition: ElectionDefinition) -> None:
    voters = Counter[int]()
    for station in definition.stations:
        voters[station.constituency] += station.registered_voters
    regular = [
        voters[c.number] for c in definition.constituencies if c.kind is ConstituencyKind.REGULAR
    ]
    assert max(regular) < 2.5 * min(regular)


def test_parties(definition: ElectionDefinition) -> None:
    parties = definition.parties
    short_names = [p.short_name for p in parties]
    assert len(set(short_names)) == len(parties) == 25
    assert {"YAP", "REAL", "MUSAVAT"} <= set(short_names)
    assert len({p.colour for p in parties}) == 25
    assert all(re.fullmatch(r"#[0-9a-f]{6}", p.colour) for p in parties)


def test_candidates(definition: ElectionDefinition) -> None:
    candidates = definition.candidates
    assert len(candidates) == 990
    nominations = Counter(c.nomination for c in candidates)
    assert nominations[Nomination.PARTY] == 305
    assert nominations[Nomination.PARTY_MEMBER] == 371
    assert nominations[Nomination.NON_PARTY] == 314
    assert len({c.party for c in candidates if c.nomination is Nomination.PARTY}) == 25
    assert all(c.is_standing for c in candidates)
    assert all((c.party is None) == (c.nomination is Nomination.NON_PARTY) for c in candidates)
    party_nominees = Counter(
        (c.constituency, c.party) for c in candidates if c.nomination is Nomination.PARTY
    )
    assert max(party_nominees.values()) == 1
    known_parties = {p.short_name for p in definition.parties}
    assert {c.party for c in candidates if c.party is not None} <= known_parties
    codes = [c.code for c in candidates]
    assert len(set(codes)) == len(codes)
    assert {c.constituency for c in candidates} == {c.number for c in definition.constituencies}
    assert min(Counter(c.constituency for c in candidates).values()) >= 3


def test_observers(definition: ElectionDefinition) -> None:
    observers = definition.observers
    local = [o for o in observers if o.kind.is_local]
    assert len(local) == 112_749
    party_representatives = sum(o.kind is ObserverKind.PARTY_REPRESENTATIVE for o in local)
    assert 65_000 < party_representatives < 66_000
    international = [o for o in observers if o.kind is ObserverKind.INTERNATIONAL]
    assert len(international) == 598
    assert len({o.organisation for o in international}) == 51
    assert len({o.country for o in international}) == 69
    by_organisation = Counter(o.organisation for o in international)
    assert by_organisation["osce-odihr"] == 227
    assert by_organisation["osce-pa"] == 61

    organisations = {o.code: o for o in definition.organisations}
    assert all(
        code is not None and OrganisationRole.OBSERVER in organisations[code].roles
        for code in by_organisation
    )
    station_codes = {s.code for s in definition.stations}
    station_constituency = {s.code: s.constituency for s in definition.stations}
    candidates = {c.code: c for c in definition.candidates}
    parties = {p.short_name for p in definition.parties}
    for observer in observers:
        assert 1 <= len(observer.stations) <= 6
        assert set(observer.stations) <= station_codes
        if observer.kind is ObserverKind.PARTY_REPRESENTATIVE:
            assert observer.represents in parties
        elif observer.kind is ObserverKind.CANDIDATE_REPRESENTATIVE:
            assert observer.represents in candidates
            constituency = candidates[observer.represents].constituency
            assert {station_constituency[code] for code in observer.stations} == {constituency}
        else:
            assert observer.organisation in organisations
            assert observer.represents is None
    codes = [o.code for o in observers]
    assert len(set(codes)) == len(codes)


def test_exit_polls(definition: ElectionDefinition) -> None:
    organisations = {o.code: o for o in definition.organisations}
    pollsters = [o for o in definition.organisations if OrganisationRole.EXIT_POLL in o.roles]
    assert len(pollsters) == 3
    partner_countries = set()
    for pollster in pollsters:
        assert pollster.partner is not None
        partner = organisations[pollster.partner]
        assert partner.roles == frozenset()
        assert partner.country != "AZ"
        partner_countries.add(partner.country)
    assert {"US", "IT"} <= partner_countries
    samples = definition.exit_poll_samples
    assert {s.organisation for s in samples} == {p.code for p in pollsters}
    assert len({s.station for s in samples}) == 2_500
    assert len(set(samples)) == len(samples)
    assert {s.station for s in samples} <= {s.code for s in definition.stations}


def test_organisation_codes_are_unique_and_partners_exist(
    definition: ElectionDefinition,
) -> None:
    codes = [o.code for o in definition.organisations]
    assert len(set(codes)) == len(codes)
    seen: set[str] = set()
    for organisation in definition.organisations:
        # a partner is listed before the organisation naming it, so a one-pass reader works
        assert organisation.partner is None or organisation.partner in seen
        seen.add(organisation.code)


def test_names_look_azerbaijani(definition: ElectionDefinition) -> None:
    names = [c.full_name for c in definition.candidates]
    assert sum(any(ch in AZERBAIJANI_LETTERS for ch in name) for name in names) > 0.8 * len(names)
    assert all(name.endswith((" oğlu", " qızı")) for name in names)
    assert any(name.split()[0].endswith("ova") for name in names)
    assert any("nömrəli" in s.name for s in definition.stations)


def test_deterministic_for_a_seed(definition: ElectionDefinition) -> None:
    assert build_definition(2024) == definition


def test_another_seed_gives_other_names_but_the_same_figures(
    definition: ElectionDefinition, other_seed_definition: tuple[ElectionDefinition, int, float]
) -> None:
    other, _seed, _seconds = other_seed_definition
    assert [c.full_name for c in other.candidates] != [c.full_name for c in definition.candidates]
    assert len(other.stations) == len(definition.stations)
    assert sum(s.registered_voters for s in other.stations) == 6_421_960
    assert sum(s.registered_voters for s in other.stations if s.is_idp) == 397_862
    assert Counter(c.nomination for c in other.candidates) == Counter(
        c.nomination for c in definition.candidates
    )
    assert len({o.country for o in other.observers if o.kind is ObserverKind.INTERNATIONAL}) == 69
    assert len({s.station for s in other.exit_poll_samples}) == 2_500
