"""The reference scenario: Azerbaijan's snap Milli Majlis election of 1 September 2024.

Synthetic people and stations, but every published figure of the election reproduced exactly.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from tallyroom.domain.candidate import Candidate, Nomination
from tallyroom.domain.constituency import Constituency, ConstituencyKind
from tallyroom.domain.definition import ElectionDefinition
from tallyroom.domain.election import Election, VotingHours
from tallyroom.domain.observer import Observer, ObserverKind
from tallyroom.domain.organisation import ExitPollSample, Organisation, OrganisationRole
from tallyroom.domain.party import Party
from tallyroom.domain.polling_station import PollingStation, StationKind, StationTag
from tallyroom.domain.rule_set import REFERENCE_RULE_SET
from tallyroom.scenarios.exact_split import split_total
from tallyroom.scenarios.synthetic_names import foreign_person_name, person_name, village_name

# --- published figures (../shared/facts/az-2024-milli-majlis.md) -------------------------------
CONSTITUENCIES = 125
IDP_CONSTITUENCIES = 10
STATIONS = 6_478
TEMPORARY_STATIONS = 135
SPECIAL_TERRITORY_STATIONS = 54
IDP_STATIONS = 574
IDP_REGISTERED_VOTERS = 397_862
REGISTERED_VOTERS = 6_421_960
TURNING_18_ON_POLLING_DAY = 374
WEBCAM_STATIONS = 1_000
PARTY_NOMINATED_CANDIDATES = 305
SELF_NOMINATED_PARTY_MEMBERS = 371
NON_PARTY_CANDIDATES = 314
LOCAL_OBSERVERS = 112_749
INTERNATIONAL_OBSERVERS = 598
OSCE_ODIHR_OBSERVERS = 227
OSCE_PA_OBSERVERS = 61

# --- scenario choices (figures the facts only give roughly) -------------------------------------
EXIT_POLL_STATIONS = 2_500
#: "more than 65,000" party representatives among the local observers
PARTY_REPRESENTATIVES = 65_318
CANDIDATE_REPRESENTATIVES = 31_204
LOCAL_NGO_OBSERVERS = LOCAL_OBSERVERS - PARTY_REPRESENTATIVES - CANDIDATE_REPRESENTATIVES
#: stations sampled by each exit-poll organisation; the third also re-samples some of the first's
#: stations as a cross-check, so the rows exceed the distinct stations
EXIT_POLL_SAMPLE_SIZES = (1_000, 900, 600)
EXIT_POLL_OVERLAP = 100
MIN_STATION_VOTERS = 100
MAX_STATION_VOTERS = 2_000
MIN_SPECIAL_TERRITORY_STATION_VOTERS = 900

ELECTION = Election(
    code="az-2024-milli-majlis",
    name="Milli Majlis election 2024",
    names=(
        ("az", "Milli Məclisə seçkilər 2024"),
        ("en", "Milli Majlis election 2024"),
        ("ru", "Выборы в Милли Меджлис 2024"),
    ),
    country="AZ",
    polling_day=date(2024, 9, 1),
    timezone="Asia/Baku",
    voting_hours=VotingHours(opens=time(8, 0), closes=time(19, 0)),
    turnout_report_times=(time(10, 0), time(12, 0), time(15, 0), time(19, 0)),
    seats=CONSTITUENCIES,
)

# fmt: off
ORDINALS = ("birinci", "ikinci", "üçüncü", "dördüncü", "beşinci")
#: regular constituencies: place and how many constituencies it has, in the CEC's order
REGULAR_PLACES: tuple[tuple[str, int], ...] = (
    ("Binəqədi", 4), ("Qaradağ", 1), ("Xətai", 4), ("Xəzər", 2), ("Səbail", 1),
    ("Sabunçu", 4), ("Suraxanı", 3), ("Nərimanov", 4), ("Nəsimi", 3), ("Nizami", 2),
    ("Yasamal", 4), ("Pirallahı-Abşeron", 1), ("Sumqayıt", 5), ("Gəncə", 4), ("Mingəçevir", 1),
    ("Şirvan", 1), ("Lənkəran", 2), ("Naftalan", 1), ("Naxçıvan şəhər", 1), ("Şərur", 2),
    ("Babək", 1), ("Culfa", 1), ("Ordubad", 1), ("Şahbuz", 1), ("Kəngərli-Sədərək", 1),
    ("Abşeron", 1), ("Ağcabədi", 1), ("Ağdaş", 1), ("Ağstafa", 1), ("Ağsu", 1), ("Astara", 1),
    ("Balakən", 1), ("Bərdə", 2), ("Beyləqan", 1), ("Biləsuvar", 1), ("Cəlilabad", 2),
    ("Daşkəsən", 1), ("Gədəbəy", 1), ("Goranboy", 1), ("Göyçay", 1), ("Göygöl", 1),
    ("Hacıqabul", 1), ("İmişli", 1), ("İsmayıllı", 1), ("Kürdəmir", 1), ("Qax", 1), ("Qazax", 1),
    ("Qəbələ", 1), ("Qobustan", 1), ("Quba", 2), ("Qusar", 1), ("Lerik", 1), ("Masallı", 2),
    ("Neftçala", 1), ("Oğuz", 1), ("Saatlı", 1), ("Sabirabad", 2), ("Salyan", 1), ("Samux", 1),
    ("Siyəzən-Şabran", 1), ("Şamaxı", 1), ("Şəki", 2), ("Şəmkir", 2), ("Tərtər", 1),
    ("Tovuz", 2), ("Ucar", 1), ("Xaçmaz", 2), ("Yardımlı", 1), ("Yevlax", 1), ("Zaqatala", 1),
    ("Zərdab", 1),
    # the districts regained in 2020-2023, where the first resettled villages vote again
    ("Ağdam", 1), ("Füzuli-Horadiz", 1), ("Zəngilan-Qubadlı-Cəbrayıl", 1), ("Laçın-Kəlbəcər", 1),
    ("Şuşa-Xankəndi", 1),
)
SPECIAL_TERRITORY_PLACES = frozenset(
    {"Ağdam", "Füzuli-Horadiz", "Zəngilan-Qubadlı-Cəbrayıl", "Laçın-Kəlbəcər", "Şuşa-Xankəndi"}
)
#: the home districts whose displaced voters elect their own members
IDP_PLACES = (
    "Xocalı", "Xocavənd", "Şuşa", "Laçın", "Kəlbəcər", "Qubadlı", "Zəngilan", "Cəbrayıl",
    "Füzuli", "Ağdam",
)
BAKU_PLACES = frozenset(
    {"Binəqədi", "Qaradağ", "Xətai", "Xəzər", "Səbail", "Sabunçu", "Suraxanı", "Nərimanov",
     "Nəsimi", "Nizami", "Yasamal", "Pirallahı-Abşeron"}
)

#: short name, name, colour, candidates it nominates, weight among party representatives
PARTIES: tuple[tuple[str, str, str, int, int], ...] = (
    ("YAP", "Yeni Azərbaycan Partiyası", "#1f4e9c", 90, 40),
    ("REAL", "Respublikaçı Alternativ Partiyası", "#e2231a", 14, 4),
    ("MUSAVAT", "Müsavat Partiyası", "#2e8b57", 16, 4),
    ("VHP", "Vətəndaş Həmrəyliyi Partiyası", "#f28c28", 12, 3),
    ("AVP", "Ana Vətən Partiyası", "#8b0000", 12, 3),
    ("BQP", "Böyük Quruluş Partiyası", "#6a3d9a", 11, 3),
    ("ADMP", "Azərbaycan Demokratik Maarifçilik Partiyası", "#00a3a3", 10, 2),
    ("MDHP", "Milli Dirçəliş Hərəkatı Partiyası", "#b15928", 10, 2),
    ("DIP", "Demokratik İslahatlar Partiyası", "#ffcc00", 10, 2),
    ("ASRP", "Azərbaycan Sosial Rifah Partiyası", "#e377c2", 9, 2),
    ("BAXCP", "Bütöv Azərbaycan Xalq Cəbhəsi Partiyası", "#17becf", 9, 2),
    ("UMID", "Azərbaycan Ümid Partiyası", "#7f7f7f", 9, 2),
    ("ALP", "Azərbaycan Liberal Partiyası", "#bcbd22", 8, 1),
    ("ACP", "Açıq Cəmiyyət Partiyası", "#9467bd", 8, 1),
    ("AXP", "Azərbaycan Xalq Partiyası", "#8c564b", 8, 1),
    ("ASDP", "Azərbaycan Sosial-Demokrat Partiyası", "#d62728", 8, 1),
    ("AKP", "Azərbaycan Kommunist Partiyası", "#a50026", 7, 1),
    ("AMIP", "Azərbaycan Milli İstiqlal Partiyası", "#4575b4", 7, 1),
    ("MMP", "Müasir Müsavat Partiyası", "#1a9850", 8, 1),
    ("AHDP", "Ədalət, Hüquq, Demokratiya Partiyası", "#fdae61", 7, 1),
    ("AYP", "Azərbaycan Yaşıllar Partiyası", "#66bd63", 6, 1),
    ("AEP", "Azərbaycan Ədalət Partiyası", "#313695", 7, 1),
    ("VP", "Vəhdət Partiyası", "#f46d43", 6, 1),
    ("AAP", "Azərbaycan Aqrar Partiyası", "#a6761d", 6, 1),
    ("KXP", "Klassik Xalq Cəbhəsi Partiyası", "#5e3c99", 7, 1),
)
#: how much likelier a self-nominated party member is to belong to YAP than to another party
YAP_MEMBER_WEIGHT = 5.0

#: international bodies: code, name, observers, the nationalities their observers come from
INTERNATIONAL_BODIES: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("osce-odihr", "OSCE Office for Democratic Institutions and Human Rights",
     OSCE_ODIHR_OBSERVERS, ()),
    ("osce-pa", "OSCE Parliamentary Assembly", OSCE_PA_OBSERVERS, ()),
    ("cis-om", "CIS Election Observation Mission", 58,
     ("RU", "BY", "KZ", "KG", "TJ", "UZ", "TM", "MD")),
    ("cis-ipa", "Interparliamentary Assembly of the CIS", 24,
     ("RU", "BY", "KZ", "KG", "TJ", "UZ")),
    ("oic", "Organisation of Islamic Cooperation", 20,
     ("TR", "PK", "EG", "ID", "MY", "SA", "AE", "QA", "KW", "JO", "DZ", "MA", "TN", "BD",
      "NG", "SN")),
    ("ots", "Organization of Turkic States", 16, ("TR", "KZ", "KG", "UZ", "HU", "TM")),
    ("turkpa", "Parliamentary Assembly of Turkic States", 12, ("TR", "KZ", "KG", "UZ", "HU")),
    ("pabsec", "Parliamentary Assembly of the Black Sea Economic Cooperation", 8,
     ("TR", "RO", "BG", "GR", "RU", "UA", "GE", "AL")),
    ("guam-pa", "GUAM Parliamentary Assembly", 6, ("GE", "UA", "MD")),
    ("apa", "Asian Parliamentary Assembly", 8, ("PK", "BD", "CN", "TH", "LK", "NP")),
    ("nam-pn", "Non-Aligned Movement Parliamentary Network", 6,
     ("EG", "ID", "NG", "CU", "VE", "ZA")),
    ("eco", "Economic Cooperation Organization", 5, ("PK", "TR", "KZ", "TJ")),
)
NATIONAL_OBSERVER_ORGANISATIONS = 39
#: the OSCE participating states whose nationals observe (Azerbaijan itself excluded)
OSCE_COUNTRIES = (
    "AL", "AT", "BY", "BE", "BA", "BG", "CA", "HR", "CZ", "DK", "EE", "FI", "FR", "GE", "DE",
    "GR", "HU", "IE", "IT", "KZ", "KG", "LV", "LT", "LU", "MT", "MD", "ME", "NL", "MK", "NO",
    "PL", "PT", "RO", "RU", "RS", "SK", "SI", "ES", "SE", "CH", "TJ", "TR", "TM", "UA", "GB",
    "US", "UZ",
)
COUNTRY_NAMES = {
    "AL": "Albania", "AT": "Austria", "BY": "Belarus", "BE": "Belgium",
    "BA": "Bosnia and Herzegovina", "BG": "Bulgaria", "CA": "Canada", "HR": "Croatia",
    "CZ": "Czechia", "DK": "Denmark", "EE": "Estonia", "FI": "Finland", "FR": "France",
    "GE": "Georgia", "DE": "Germany", "GR": "Greece", "HU": "Hungary", "IE": "Ireland",
    "IT": "Italy", "KZ": "Kazakhstan", "KG": "Kyrgyzstan", "LV": "Latvia", "LT": "Lithuania",
    "LU": "Luxembourg", "MT": "Malta", "MD": "Moldova", "ME": "Montenegro", "NL": "Netherlands",
    "MK": "North Macedonia", "NO": "Norway", "PL": "Poland", "PT": "Portugal", "RO": "Romania",
    "RU": "Russia", "RS": "Serbia", "SK": "Slovakia", "SI": "Slovenia", "ES": "Spain",
    "SE": "Sweden", "CH": "Switzerland", "TJ": "Tajikistan", "TR": "Türkiye",
    "TM": "Turkmenistan", "UA": "Ukraine", "GB": "United Kingdom", "US": "United States",
    "UZ": "Uzbekistan", "PK": "Pakistan", "EG": "Egypt", "ID": "Indonesia", "MY": "Malaysia",
    "SA": "Saudi Arabia", "AE": "United Arab Emirates", "QA": "Qatar", "KW": "Kuwait",
    "JO": "Jordan", "DZ": "Algeria", "MA": "Morocco", "TN": "Tunisia", "BD": "Bangladesh",
    "NG": "Nigeria", "SN": "Senegal", "CN": "China", "TH": "Thailand", "LK": "Sri Lanka",
    "NP": "Nepal", "CU": "Cuba", "VE": "Venezuela", "ZA": "South Africa",
}
#: national observer delegations: code prefix and name template
NATIONAL_ORGANISATION_KINDS = (
    ("cec", "Central Election Commission of {country}"),
    ("parl", "Parliament of {country}, observer delegation"),
    ("ide", "{country} Institute for Democracy and Elections"),
)
LOCAL_NGOS = (
    ("seckiler-monitorinq", "Seçkilərin Monitorinqi İctimai Birliyi"),
    ("demokratik-cemiyyet", "Demokratik Cəmiyyət Naminə İctimai Birlik"),
    ("genc-musahideciler", "Gənc Müşahidəçilər Birliyi"),
    ("huquqi-maarif", "Hüquqi Maarifləndirmə Cəmiyyəti"),
    ("qadin-teşebbus", "Qadın Təşəbbüsləri Mərkəzi"),
    ("vetendas-nezareti", "Vətəndaş Nəzarəti İctimai Birliyi"),
    ("seffaf-secki", "Şəffaf Seçki Naminə Koalisiya"),
    ("regional-inkisaf", "Regional İnkişaf İctimai Birliyi"),
    ("qarabag-dirceli", "Qarabağ Dirçəliş İctimai Birliyi"),
    ("telebe-birliyi", "Azərbaycan Tələbə Gənclər Birliyi"),
    ("beynelxalq-huquq", "Beynəlxalq Hüquq və İnsan Haqları Mərkəzi"),
    ("media-monitorinq", "Media Monitorinq Mərkəzi"),
    ("sosial-edalet", "Sosial Ədalət İctimai Birliyi"),
    ("ekoloji-cemiyyet", "Azərbaycan Ekoloji Cəmiyyəti"),
    ("veteranlar", "Qarabağ Müharibəsi Veteranları İctimai Birliyi"),
    ("elm-tehsil", "Elm və Təhsil İnkişafı Mərkəzi"),
    ("icma-inkisafi", "İcma İnkişafı Şəbəkəsi"),
    ("insan-haqlari", "İnsan Haqları Evi İctimai Birliyi"),
)
#: exit-poll organisations and their foreign partners: code, name, country
EXIT_POLLSTERS: tuple[tuple[tuple[str, str, str], tuple[str, str, str]], ...] = (
    (("rey-monitorinq", "Rəy Monitorinq Mərkəzi", "AZ"),
     ("meridian-opinion", "Meridian Opinion Research LLC", "US")),
    (("sosial-tedqiqatlar", "Sosial Tədqiqatlar Mərkəzi", "AZ"),
     ("istituto-demoscopico", "Istituto Demoscopico Adriatico", "IT")),
    (("ictimai-fikir", "İctimai Fikir Araşdırmaları İnstitutu", "AZ"),
     ("lumiere-opinion", "Institut Lumière d'Études d'Opinion", "FR")),
)


# fmt: on


@dataclass(frozen=True, slots=True)
class _StationDraft:
    """A station before its name and code are fixed."""

    constituency: int
    kind: StationKind
    special_territory: bool


def build_definition(seed: int = 2024) -> ElectionDefinition:
    """The whole az-2024 election definition; the same seed always gives the same definition."""
    rng = random.Random(seed)
    constituencies = _constituencies()
    stations = _stations(constituencies, rng)
    parties = [
        Party(short_name=code, name=name, colour=colour) for code, name, colour, *_ in PARTIES
    ]
    candidates = _candidates(constituencies, rng)
    organisations, exit_pollsters = _organisations(rng)
    observers = _observers(constituencies, stations, candidates, organisations, rng)
    exit_poll_samples = _exit_poll_samples(stations, exit_pollsters, rng)
    return ElectionDefinition(
        election=ELECTION,
        constituencies=constituencies,
        stations=stations,
        parties=parties,
        candidates=candidates,
        organisations=organisations,
        observers=observers,
        exit_poll_samples=exit_poll_samples,
        # the six control checks of the Azerbaijani protocol, as data (written as rules.yaml)
        rule_set=REFERENCE_RULE_SET,
    )


def _constituencies() -> list[Constituency]:
    names: list[str] = []
    for place, count in REGULAR_PLACES:
        if count == 1:
            names.append(f"{place} seçki dairəsi")
        else:
            names.extend(f"{place} {ORDINALS[index]} seçki dairəsi" for index in range(count))
    regular = [Constituency(number=index + 1, name=name) for index, name in enumerate(names)]
    idp = [
        Constituency(
            number=len(regular) + index + 1,
            name=f"{place} məcburi köçkünlər seçki dairəsi",
            kind=ConstituencyKind.IDP,
        )
        for index, place in enumerate(IDP_PLACES)
    ]
    return regular + idp


@functools.cache
def _place_of(constituency: Constituency) -> str:
    for place in (*SPECIAL_TERRITORY_PLACES, *BAKU_PLACES):
        if constituency.name.startswith(place + " "):
            return place
    return constituency.name.split(" ")[0]


def _stations(constituencies: list[Constituency], rng: random.Random) -> list[PollingStation]:
    regular = [c for c in constituencies if c.kind is ConstituencyKind.REGULAR]
    idp = [c for c in constituencies if c.kind is ConstituencyKind.IDP]
    regular_station_counts = split_total(
        STATIONS - IDP_STATIONS,
        [rng.uniform(0.85, 1.15) for _ in regular],
        [42] * len(regular),
        [62] * len(regular),
        rng,
    )
    idp_station_counts = split_total(
        IDP_STATIONS, [rng.uniform(0.8, 1.2) for _ in idp], [45] * len(idp), [70] * len(idp), rng
    )
    temporary_counts = split_total(
        TEMPORARY_STATIONS, [1.0] * len(regular), [0] * len(regular), [3] * len(regular), rng
    )
    special = [c for c in regular if _place_of(c) in SPECIAL_TERRITORY_PLACES]
    special_counts = dict(
        zip(
            (c.number for c in special),
            split_total(
                SPECIAL_TERRITORY_STATIONS,
                [1.0] * len(special),
                [8] * len(special),
                [14] * len(special),
                rng,
            ),
            strict=True,
        )
    )

    drafts: dict[int, list[_StationDraft]] = {}
    for constituency, count, temporary in zip(
        regular, regular_station_counts, temporary_counts, strict=True
    ):
        special_count = special_counts.get(constituency.number, 0)
        drafts[constituency.number] = [
            _StationDraft(
                constituency=constituency.number,
                # temporary stations (hospitals, barracks) come last in a constituency's list
                kind=StationKind.TEMPORARY if index >= count - temporary else StationKind.PERMANENT,
                special_territory=index < special_count,
            )
            for index in range(count)
        ]
    for constituency, count in zip(idp, idp_station_counts, strict=True):
        drafts[constituency.number] = [
            _StationDraft(constituency.number, StationKind.PERMANENT, special_territory=False)
            for _ in range(count)
        ]

    voters = _registered_voters(regular, idp, drafts, rng)
    flat_drafts = [draft for c in constituencies for draft in drafts[c.number]]
    webcam_indexes = set(
        rng.sample(
            [i for i, d in enumerate(flat_drafts) if d.kind is StationKind.PERMANENT],
            WEBCAM_STATIONS,
        )
    )
    turning_18 = [0] * len(flat_drafts)
    for index in rng.choices(range(len(flat_drafts)), k=TURNING_18_ON_POLLING_DAY):
        turning_18[index] += 1

    by_number = {c.number: c for c in constituencies}
    stations: list[PollingStation] = []
    station_number_in_constituency: dict[int, int] = {}
    for index, draft in enumerate(flat_drafts):
        number_in_constituency = station_number_in_constituency.get(draft.constituency, 0) + 1
        station_number_in_constituency[draft.constituency] = number_in_constituency
        constituency = by_number[draft.constituency]
        tags: set[StationTag] = set()
        if constituency.kind is ConstituencyKind.IDP:
            tags.add(StationTag.IDP)
        if draft.special_territory:
            tags.add(StationTag.SPECIAL_TERRITORY)
        stations.append(
            PollingStation(
                code=f"{draft.constituency:03d}-{number_in_constituency:04d}",
                constituency=draft.constituency,
                name=_station_name(constituency, draft, rng),
                kind=draft.kind,
                registered_voters=voters[index],
                turning_18=min(turning_18[index], voters[index]),
                tags=frozenset(tags),
                webcam=index in webcam_indexes,
            )
        )
    return stations


def _registered_voters(
    regular: list[Constituency],
    idp: list[Constituency],
    drafts: dict[int, list[_StationDraft]],
    rng: random.Random,
) -> list[int]:
    """Registered voters per station, in constituency order, hitting the published totals."""
    totals: dict[int, int] = {}
    for group, group_total in (
        (regular, REGISTERED_VOTERS - IDP_REGISTERED_VOTERS),
        (idp, IDP_REGISTERED_VOTERS),
    ):
        # constituencies are drawn to be of similar size: voters per station vary only a little
        sizes = split_total(
            group_total,
            [len(drafts[c.number]) * rng.uniform(0.93, 1.07) for c in group],
            [len(drafts[c.number]) * 300 for c in group],
            [len(drafts[c.number]) * 1_700 for c in group],
            rng,
        )
        totals.update(zip((c.number for c in group), sizes, strict=True))
    voters: list[int] = []
    for constituency in (*regular, *idp):
        constituency_drafts = drafts[constituency.number]
        weights = [
            rng.lognormvariate(0.0, 0.45) * (0.3 if draft.kind is StationKind.TEMPORARY else 1.0)
            for draft in constituency_drafts
        ]
        upper = [
            600 if draft.kind is StationKind.TEMPORARY else MAX_STATION_VOTERS
            for draft in constituency_drafts
        ]
        voters.extend(
            split_total(
                totals[constituency.number],
                weights,
                # more than 42,000 voted at the 54 special-territory stations, so none is small
                [
                    MIN_SPECIAL_TERRITORY_STATION_VOTERS
                    if draft.special_territory
                    else MIN_STATION_VOTERS
                    for draft in constituency_drafts
                ],
                upper,
                rng,
            )
        )
    return voters


TEMPORARY_PREMISES = (
    "Mərkəzi rayon xəstəxanası",
    "Hərbi hissə",
    "Doğum evi",
    "Respublika klinik xəstəxanası",
    "Penitensiar müəssisə",
    "Sərhəd zastavası",
)


def _station_name(constituency: Constituency, draft: _StationDraft, rng: random.Random) -> str:
    school = f"{rng.randint(1, 320)} nömrəli tam orta məktəb"
    if draft.kind is StationKind.TEMPORARY:
        return f"{rng.choice(TEMPORARY_PREMISES)} ({_place_of(constituency)})"
    if constituency.kind is ConstituencyKind.IDP:
        return f"Məcburi köçkünlər qəsəbəsi {village_name(rng)}, {school}"
    if draft.special_territory:
        district = _place_of(constituency).split("-")[0]
        return f"{district}, {village_name(rng)} kəndi, yeni məktəb binası"
    if _place_of(constituency) in BAKU_PLACES:
        return rng.choice((school, f"{school}, akt zalı", f"{rng.randint(1, 90)} nömrəli lisey"))
    return rng.choice(
        (
            f"{village_name(rng)} kəndi, {school}",
            f"{village_name(rng)} kənd mədəniyyət evi",
            f"{_place_of(constituency)} şəhəri, {school}",
            f"{village_name(rng)} kəndi, kitabxana binası",
        )
    )


def _candidates(constituencies: list[Constituency], rng: random.Random) -> list[Candidate]:
    numbers = [c.number for c in constituencies]
    # who stands where: (nomination, party) per constituency; a party appears at most once in a
    # constituency, whether as nominee or as a self-nominated member, so no two candidates of one
    # party split its vote
    entries: dict[int, list[tuple[Nomination, str | None]]] = {number: [] for number in numbers}
    parties_present: dict[int, set[str]] = {number: set() for number in numbers}
    nominations = sum(nominated for *_, nominated, _weight in PARTIES)
    if nominations != PARTY_NOMINATED_CANDIDATES:
        raise AssertionError(f"party nominations add up to {nominations}")
    for code, _name, _colour, nominated, _weight in PARTIES:
        for number in rng.sample(numbers, nominated):
            entries[number].append((Nomination.PARTY, code))
            parties_present[number].add(code)

    # every constituency gets at least one self-nominated party member and one non-party
    # candidate; the rest are spread at random
    member_places = numbers + rng.choices(numbers, k=SELF_NOMINATED_PARTY_MEMBERS - len(numbers))
    party_codes = [code for code, *_ in PARTIES]
    for number in member_places:
        available = [code for code in party_codes if code not in parties_present[number]]
        weights = [YAP_MEMBER_WEIGHT if code == "YAP" else 1.0 for code in available]
        party = rng.choices(available, weights)[0]
        entries[number].append((Nomination.PARTY_MEMBER, party))
        parties_present[number].add(party)
    non_party_places = numbers + rng.choices(numbers, k=NON_PARTY_CANDIDATES - len(numbers))
    for number in non_party_places:
        entries[number].append((Nomination.NON_PARTY, None))

    candidates: list[Candidate] = []
    for number in numbers:
        named = sorted(
            (person_name(rng, female=rng.random() < 0.22), nomination, party)
            for nomination, party in entries[number]
        )
        # the ballot lists candidates alphabetically; codes follow the ballot order
        candidates.extend(
            Candidate(
                code=f"C{number:03d}-{index:02d}",
                constituency=number,
                full_name=full_name,
                nomination=nomination,
                party=party,
            )
            for index, (full_name, nomination, party) in enumerate(named, start=1)
        )
    return candidates


def _organisations(rng: random.Random) -> tuple[list[Organisation], list[Organisation]]:
    """All organisations (partners before the pollsters that name them), and the pollsters."""
    partners = [
        Organisation(code=code, name=name, country=country)
        for _pollster, (code, name, country) in EXIT_POLLSTERS
    ]
    pollsters = [
        Organisation(
            code=code,
            name=name,
            country=country,
            roles=frozenset({OrganisationRole.EXIT_POLL}),
            partner=partner_code,
        )
        for (code, name, country), (partner_code, _, _) in EXIT_POLLSTERS
    ]
    observer_role = frozenset({OrganisationRole.OBSERVER})
    bodies = [
        Organisation(code=code, name=name, country="INT", roles=observer_role)
        for code, name, _observers, _countries in INTERNATIONAL_BODIES
    ]
    national_pairs = rng.sample(
        [(kind, country) for kind in NATIONAL_ORGANISATION_KINDS for country in COUNTRY_NAMES],
        NATIONAL_OBSERVER_ORGANISATIONS,
    )
    national = sorted(
        (
            Organisation(
                code=f"{prefix}-{country.lower()}",
                name=template.format(country=COUNTRY_NAMES[country]),
                country=country,
                roles=observer_role,
            )
            for (prefix, template), country in national_pairs
        ),
        key=lambda organisation: organisation.code,
    )
    local = [
        Organisation(code=code, name=name, country="AZ", roles=observer_role)
        for code, name in LOCAL_NGOS
    ]
    return partners + pollsters + bodies + national + local, pollsters


def _covering(pool: Sequence[str], count: int, rng: random.Random) -> list[str]:
    """`count` draws from `pool` that use every member at least once (when count allows)."""
    shuffled = list(pool)
    rng.shuffle(shuffled)
    draws = shuffled[:count] + rng.choices(shuffled, k=max(0, count - len(shuffled)))
    rng.shuffle(draws)
    return draws


def _observers(
    constituencies: list[Constituency],
    stations: list[PollingStation],
    candidates: list[Candidate],
    organisations: list[Organisation],
    rng: random.Random,
) -> list[Observer]:
    station_codes: dict[int, list[str]] = {c.number: [] for c in constituencies}
    for station in stations:
        station_codes[station.constituency].append(station.code)
    numbers = [c.number for c in constituencies]

    def accredited_stations(constituency: int, most: int) -> tuple[str, ...]:
        # an observer covers one station or a few neighbouring ones of one constituency
        codes = station_codes[constituency]
        first = int(rng.random() * len(codes))
        count = min(len(codes), 1 + int(rng.random() ** 3 * most))
        if count == 1:
            return (codes[first],)
        return tuple(codes[(first + offset) % len(codes)] for offset in range(count))

    party_constituencies: dict[str, list[int]] = {}
    for candidate in candidates:
        if candidate.party is not None:
            party_constituencies.setdefault(candidate.party, []).append(candidate.constituency)
    party_codes = [code for code, *_ in PARTIES]
    party_weights = [weight for *_, weight in PARTIES]
    local_ngo_codes = [code for code, _name in LOCAL_NGOS]

    observers: list[Observer] = []
    # (kind, party or candidate represented, organisation, constituency, most stations); drawn in
    # batches because this loop runs over 100,000 times and must stay fast
    accreditations: list[tuple[ObserverKind, str | None, str | None, int, int]] = []
    for party in rng.choices(party_codes, party_weights, k=PARTY_REPRESENTATIVES):
        constituencies_of_party = party_constituencies[party]
        constituency = constituencies_of_party[int(rng.random() * len(constituencies_of_party))]
        accreditations.append((ObserverKind.PARTY_REPRESENTATIVE, party, None, constituency, 3))
    accreditations.extend(
        (ObserverKind.CANDIDATE_REPRESENTATIVE, candidate.code, None, candidate.constituency, 3)
        for candidate in rng.choices(candidates, k=CANDIDATE_REPRESENTATIVES)
    )
    accreditations.extend(
        (ObserverKind.LOCAL_NGO, None, organisation, numbers[int(rng.random() * len(numbers))], 4)
        for organisation in rng.choices(local_ngo_codes, k=LOCAL_NGO_OBSERVERS)
    )
    female_share = {
        ObserverKind.PARTY_REPRESENTATIVE: 0.4,
        ObserverKind.CANDIDATE_REPRESENTATIVE: 0.4,
        ObserverKind.LOCAL_NGO: 0.5,
    }
    for serial, (kind, represents, organisation, constituency, most) in enumerate(
        accreditations, start=1
    ):
        observers.append(
            Observer(
                code=f"AZ-{serial:06d}",
                full_name=person_name(rng, female=rng.random() < female_share[kind]),
                kind=kind,
                country="AZ",
                organisation=organisation,
                represents=represents,
                stations=accredited_stations(constituency, most),
            )
        )

    body_codes = {code for code, *_ in INTERNATIONAL_BODIES}
    national = [
        o
        for o in organisations
        if o.code not in body_codes
        and o.country not in {"AZ", "INT"}
        and OrganisationRole.OBSERVER in o.roles
    ]
    national_counts = split_total(
        INTERNATIONAL_OBSERVERS - sum(count for _, _, count, _ in INTERNATIONAL_BODIES),
        [rng.uniform(0.5, 1.5) for _ in national],
        [2] * len(national),
        [8] * len(national),
        rng,
    )
    international: list[tuple[str, str]] = []
    for code, _name, count, pool in INTERNATIONAL_BODIES:
        nationalities = _covering(pool or OSCE_COUNTRIES, count, rng)
        international.extend((code, country) for country in nationalities)
    for delegation, count in zip(national, national_counts, strict=True):
        international.extend((delegation.code, delegation.country) for _ in range(count))
    observers.extend(
        Observer(
            # foreign observers get their own series of accreditation numbers
            code=f"INT-{serial:04d}",
            full_name=foreign_person_name(rng),
            kind=ObserverKind.INTERNATIONAL,
            country=country,
            organisation=organisation_code,
            stations=accredited_stations(rng.choice(numbers), 6),
        )
        for serial, (organisation_code, country) in enumerate(international, start=1)
    )
    return observers


def _exit_poll_samples(
    stations: list[PollingStation], pollsters: list[Organisation], rng: random.Random
) -> list[ExitPollSample]:
    # exit polls are run outside ordinary permanent stations, not hospitals or barracks
    eligible = [
        s.code
        for s in stations
        if s.kind is StationKind.PERMANENT and StationTag.SPECIAL_TERRITORY not in s.tags
    ]
    chosen = rng.sample(eligible, EXIT_POLL_STATIONS)
    shares: list[list[str]] = []
    start = 0
    for size in EXIT_POLL_SAMPLE_SIZES:
        shares.append(chosen[start : start + size])
        start += size
    if start != EXIT_POLL_STATIONS:
        raise AssertionError("exit-poll sample sizes must add up to the sampled stations")
    shares[-1].extend(rng.sample(shares[0], EXIT_POLL_OVERLAP))
    return [
        ExitPollSample(organisation=pollster.code, station=code)
        for pollster, share in zip(pollsters, shares, strict=True)
        for code in sorted(share)
    ]
