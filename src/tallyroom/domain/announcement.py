"""The commission's announcement of results, in Azerbaijani, English and Russian: seats by
party with independents split, turnout at the last reporting hour, protocols received and
stations annulled, registered voters and polling stations by kind, the statement read to the
press on the night (headed DRILL when the data came from a drill), and the key the commission
signs its audit log's heads with.

Sentences are built so that no word has to agree with a number (Russian plural forms,
Azerbaijani vowel harmony after a numeral): figures follow a colon or stand in brackets."""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass, field
from datetime import date

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from tallyroom.domain.candidate import Nomination
from tallyroom.domain.seat_tally import SeatGroup
from tallyroom.domain.tree_head import key_fingerprint

LANGUAGES = ("az", "en", "ru")
#: Babel locale of each language of the announcement.
LOCALES = {"az": "az_Latn_AZ", "en": "en_GB", "ru": "ru_RU"}


@dataclass(frozen=True, slots=True)
class AnnouncementFigures:
    election_name: str
    polling_day: date
    #: "preliminary" or "final"
    status: str
    seats_total: int
    seats: tuple[SeatGroup, ...]
    #: party short name → full name
    party_names: Mapping[str, str]
    stations_total: int
    stations_reporting: int
    registered_voters: int
    #: the last reporting hour ("HH:MM") any station reported turnout for, if any
    turnout_as_of: str | None
    turnout_voters: int
    stations_permanent: int
    stations_temporary: int
    stations_special_territory: int
    idp_stations: int
    idp_registered_voters: int
    #: stations whose result the commission annulled, left out of every figure above
    stations_annulled: int = 0
    #: constituencies whose leader is too close to call: (number, name, margin in votes)
    too_close_to_call: tuple[tuple[int, str, int], ...] = ()
    #: the election's name per language, where the definition gives it
    election_names: Mapping[str, str] = field(default_factory=dict)
    #: the data came from a drill (the election was served under a drill clock)
    drill: bool = False
    #: the commission's Ed25519 tree-head public keys (hex), oldest first: whoever keeps a
    #: signed head of the audit log checks it with these
    tree_head_keys: tuple[str, ...] = ()


_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "drill": "DRILL: a rehearsal on the reference polling day; these are not real results.",
        "title": "Central Election Commission: {stage} results of the {election} of {day}",
        "preliminary": "preliminary",
        "final": "final",
        "protocols": "Protocols have reached the commission from {reporting} of {total} polling "
        "stations ({percent}).",
        "annulled": "Results annulled by the commission's decision, their protocols not "
        "counted: polling stations ({annulled}).",
        "registered": "Registered voters: {voters}.",
        "turnout": "As of {hour}, {voters} voters had voted: a turnout of {percent}.",
        "no_turnout": "No turnout has been reported yet.",
        "stations": "Polling stations: {total} ({permanent} permanent, {temporary} temporary); "
        "in the liberated territories: {special}; for internally displaced persons: {idp}, "
        "serving {idp_voters} voters.",
        "seats": "Seats by constituency leaders ({declared} of {total}; won: {won}; "
        "leading: {leading}):",
        "party": "{name} ({short}): {seats} (won: {won}; leading: {leading})",
        "independents": "independent candidates: {seats} (won: {won}; leading: {leading}; "
        "party members standing without their party's nomination: {members}; "
        "non-party: {non_party})",
        "undeclared": "seats not yet decided: {seats}",
        "too_close": "Too close to call: {constituencies}.",
        "constituency": "{number} {name} (margin in votes: {margin})",
        "won_rule": "A seat is won once every polling station of its constituency is counted "
        "or annulled by decision, or its result certified; until then its candidate is leading.",
        "summary": "Candidates nominated by political parties lead in constituencies: {seats} "
        "(seats won: {won}); parties with such candidates: {parties}.",
        "tree_head_key": "The commission signs its audit log's tree heads with the Ed25519 key "
        "{key} (fingerprint: {fingerprint}).",
    },
    "az": {
        "drill": "TƏLİM: istinad seçki gününün məşqi; bunlar real nəticələr deyil.",
        "title": "Mərkəzi Seçki Komissiyası: {election} ({day}) — {stage} nəticələr",
        "preliminary": "ilkin",
        "final": "yekun",
        "protocols": "Seçki məntəqələrindən daxil olmuş protokollar: {reporting} / {total} "
        "({percent}).",
        "annulled": "Komissiyanın qərarı ilə nəticələri ləğv edilmiş, protokolları "
        "hesablanmayan seçki məntəqələri: {annulled}.",
        "registered": "Seçicilərin sayı: {voters}.",
        "turnout": "Saat {hour} vəziyyətinə görə səs vermiş seçicilərin sayı: {voters}; "
        "seçici fəallığı: {percent}.",
        "no_turnout": "Seçici fəallığı barədə hələ məlumat daxil olmayıb.",
        "stations": "Seçki məntəqələrinin sayı: {total} (daimi: {permanent}, müvəqqəti: "
        "{temporary}); işğaldan azad edilmiş ərazilərdə: {special}; məcburi köçkünlər üçün: "
        "{idp} (seçicilərin sayı: {idp_voters}).",
        "seats": "Mandatların dairələrdə öndə gedən namizədlər üzrə bölgüsü ({declared} / "
        "{total}; qazanılmış: {won}; öndə gedən: {leading}):",
        "party": "{name} ({short}): {seats} (qazanılmış: {won}; öndə gedən: {leading})",
        "independents": "müstəqil namizədlər: {seats} (qazanılmış: {won}; öndə gedən: "
        "{leading}; partiyanın irəli sürmədiyi partiya üzvləri: {members}; partiyasızlar: "
        "{non_party})",
        "undeclared": "hələ müəyyən edilməmiş mandatlar: {seats}",
        "too_close": "Fərq çox az olduğundan qalibi hələ bəlli olmayan dairələr: {constituencies}.",
        "constituency": "{number} {name} (səs fərqi: {margin})",
        "won_rule": "Dairənin bütün seçki məntəqələrinin protokolları hesablandıqda və ya "
        "qərarla etibarsız sayıldıqda, yaxud dairə üzrə nəticələr təsdiq edildikdə mandat "
        "qazanılmış sayılır; o vaxta qədər namizəd öndə gedən sayılır.",
        "summary": "Siyasi partiyaların irəli sürdüyü namizədlərin öndə getdiyi dairələr: "
        "{seats} (qazanılmış mandatlar: {won}); belə namizədləri olan partiyaların sayı: "
        "{parties}.",
        "tree_head_key": "Komissiya audit jurnalının ağac başlıqlarını (tree heads) Ed25519 "
        "açarı ilə imzalayır: {key} (barmaq izi: {fingerprint}).",
    },
    "ru": {
        "drill": "УЧЕНИЯ: репетиция эталонного дня голосования; это не настоящие результаты.",
        "title": "Центральная избирательная комиссия: {stage} итоги — {election}, {day}",
        "preliminary": "предварительные",
        "final": "окончательные",
        "protocols": "В комиссию поступили протоколы избирательных участков: {reporting} "
        "из {total} ({percent}).",
        "annulled": "Итоги голосования признаны недействительными решением комиссии, "
        "протоколы не учтены: избирательные участки — {annulled}.",
        "registered": "Число зарегистрированных избирателей: {voters}.",
        "turnout": "Число избирателей, проголосовавших по состоянию на {hour}: {voters}; "
        "явка: {percent}.",
        "no_turnout": "Сведения о явке пока не поступали.",
        "stations": "Число избирательных участков: {total} (постоянных — {permanent}, "
        "временных — {temporary}); на освобождённых территориях — {special}; для вынужденных "
        "переселенцев — {idp} (число избирателей: {idp_voters}).",
        "seats": "Распределение мандатов по лидерам в округах ({declared} из {total}; "
        "получены: {won}; лидерство: {leading}):",
        "party": "{name} ({short}): {seats} (получены: {won}; лидерство: {leading})",
        "independents": "независимые кандидаты: {seats} (получены: {won}; лидерство: "
        "{leading}; члены партий, выдвинутые не своей партией: {members}; беспартийные: "
        "{non_party})",
        "undeclared": "мандаты, ещё не распределённые: {seats}",
        "too_close": "Слишком малый отрыв, победитель ещё не определён: {constituencies}.",
        "constituency": "{number} {name} (разрыв в голосах: {margin})",
        "won_rule": "Мандат считается полученным, когда подсчитаны или решением признаны "
        "недействительными итоги всех избирательных участков округа либо утверждены итоги по "
        "округу; до того кандидат лидирует.",
        "summary": "Округа, где лидируют кандидаты, выдвинутые политическими партиями: "
        "{seats} (мандаты получены: {won}); число партий с такими кандидатами: {parties}.",
        "tree_head_key": "Комиссия подписывает заголовки дерева (tree heads) журнала аудита "
        "ключом Ed25519: {key} (отпечаток: {fingerprint}).",
    },
}


def _percent(part: int, whole: int, locale: str) -> str:
    # One decimal, as the commission reports it (34.2 %), in the locale's own pattern.
    pattern = copy(Locale.parse(locale).percent_formats[None])
    pattern.frac_prec = (1, 1)
    return str(format_percent(part / whole if whole else 0.0, format=pattern, locale=locale))


def announcement_text(figures: AnnouncementFigures, language: str) -> str:
    """The announcement in one language ('az', 'en' or 'ru'), as lines of plain text."""
    if language not in _TEXT:
        raise ValueError(f"no announcement in {language!r}; languages: {', '.join(LANGUAGES)}")
    text = _TEXT[language]
    locale = LOCALES[language]

    def number(value: int) -> str:
        return str(format_decimal(value, locale=locale))

    # A drill's announcement says so before anything else, so no line of it is read as real.
    lines = [text["drill"], ""] if figures.drill else []
    lines += [
        text["title"].format(
            stage=text["final" if figures.status == "final" else "preliminary"],
            election=figures.election_names.get(language, figures.election_name),
            day=format_date(figures.polling_day, format="long", locale=locale),
        ),
        "",
        text["protocols"].format(
            reporting=number(figures.stations_reporting),
            total=number(figures.stations_total),
            percent=_percent(figures.stations_reporting, figures.stations_total, locale),
        ),
        *(
            [text["annulled"].format(annulled=number(figures.stations_annulled))]
            if figures.stations_annulled
            else []
        ),
        text["registered"].format(voters=number(figures.registered_voters)),
        text["turnout"].format(
            hour=figures.turnout_as_of,
            voters=number(figures.turnout_voters),
            percent=_percent(figures.turnout_voters, figures.registered_voters, locale),
        )
        if figures.turnout_as_of
        else text["no_turnout"],
        text["stations"].format(
            total=number(figures.stations_total),
            permanent=number(figures.stations_permanent),
            temporary=number(figures.stations_temporary),
            special=number(figures.stations_special_territory),
            idp=number(figures.idp_stations),
            idp_voters=number(figures.idp_registered_voters),
        ),
        "",
    ]
    declared = sum(group.seats for group in figures.seats)
    won = sum(group.won for group in figures.seats)
    lines.append(
        text["seats"].format(
            declared=number(declared),
            total=number(figures.seats_total),
            won=number(won),
            leading=number(declared - won),
        )
    )
    nominees = sorted(
        (group for group in figures.seats if group.nomination is Nomination.PARTY and group.party),
        key=lambda group: (-group.seats, group.party or ""),
    )
    for group in nominees:
        short = group.party or ""
        lines.append(
            "- "
            + text["party"].format(
                name=figures.party_names.get(short, short),
                short=short,
                seats=number(group.seats),
                won=number(group.won),
                leading=number(group.leading),
            )
        )
    independents = [g for g in figures.seats if g.nomination is not Nomination.PARTY]
    members = sum(g.seats for g in independents if g.nomination is Nomination.PARTY_MEMBER)
    non_party = sum(g.seats for g in independents if g.nomination is Nomination.NON_PARTY)
    independents_won = sum(g.won for g in independents)
    lines.append(
        "- "
        + text["independents"].format(
            seats=number(members + non_party),
            won=number(independents_won),
            leading=number(members + non_party - independents_won),
            members=number(members),
            non_party=number(non_party),
        )
    )
    if declared < figures.seats_total:
        lines.append("- " + text["undeclared"].format(seats=number(figures.seats_total - declared)))
    if figures.too_close_to_call:
        lines.extend(
            [
                "",
                text["too_close"].format(
                    constituencies="; ".join(
                        text["constituency"].format(
                            number=constituency, name=name, margin=number(margin)
                        )
                        for constituency, name, margin in figures.too_close_to_call
                    )
                ),
            ]
        )
    lines.extend(
        [
            "",
            text["won_rule"],
            text["summary"].format(
                seats=number(sum(group.seats for group in nominees)),
                won=number(sum(group.won for group in nominees)),
                parties=number(len({group.party for group in nominees})),
            ),
        ]
    )
    if figures.tree_head_keys:
        lines.append("")
        lines.extend(
            text["tree_head_key"].format(key=key, fingerprint=key_fingerprint(key))
            for key in figures.tree_head_keys
        )
    return "\n".join(lines) + "\n"
