"""Column mappings for the station-level files of known publishers (`--preset NAME`)."""

from __future__ import annotations

from tallyroom.domain.statistics.station_results import LeaderScope
from tallyroom.forensics.column_mapping import ColumnMapping
from tallyroom.forensics.input_error import ForensicsInputError

#: Russian CEC (izbirkom.ru) tables as scraped by Shpilkin (github.com/dkobak/elections):
#: columns by position because headers differ between elections; votes run from 21 to the
#: column before the trailing `url`
RUSSIA_CIK = ColumnMapping(
    layout="wide",
    station_id=(0, 1, 2),
    region=(0,),
    registered_voters=(3,),
    # ballots found in the mobile and stationary boxes (= valid + invalid)
    ballots_cast=(9, 10),
    # issued to early voters, in the station and outside it: the turnout of Kobak et al.
    ballots_issued=(5, 6, 7),
    invalid_ballots=(11,),
    votes=("21:-1",),
)

UGANDA_EC = ColumnMapping(
    layout="wide",
    station_id=("Original_Station_ID_2011",),
    region=("DISTRICT NAME",),
    registered_voters=("REGISTERED VOTERS",),
    invalid_ballots=("INVALID",),
    votes=(
        "ABED BWANIKA",
        "BESIGYE KIFEFE KIZZA",
        "BETI OLIVE KAMYA NAMISANGO",
        "BIDANDI SSALI JABERI",
        "MAO NORBERT",
        "OLARA OTUNNU",
        "SAMUEL LUBEGA MUKAAKU WALTER",
        "YOWERI MUSEVENI KAGUTA",
    ),
)

#: Elections Canada "Format 2" poll-by-poll results: one row per candidate × poll; each
#: riding elects one member, so the leader is the riding's winner
CANADA_POLL_BY_POLL = ColumnMapping(
    layout="long",
    station_id=(0, 3),
    region=(1,),
    registered_voters=(9,),
    invalid_ballots=(8,),
    candidate=13,
    candidate_votes=17,
    leader_scope=LeaderScope.CONSTITUENCY,
)

#: OpenElections precinct files (long); the presidential race by default, without the
#: statewide "Total" pseudo-district; there are no registered-voter figures
OPENELECTIONS = ColumnMapping(
    layout="long",
    station_id=("county", "election_district"),
    region=("county",),
    candidate="candidate",
    candidate_votes="votes",
    keep_only={"office": "President"},
    skip={"election_district": "Total"},
)

PRESETS: dict[str, ColumnMapping] = {
    "russia-cik": RUSSIA_CIK,
    "uganda-ec": UGANDA_EC,
    "canada-poll-by-poll": CANADA_POLL_BY_POLL,
    "openelections": OPENELECTIONS,
}


def preset(name: str) -> ColumnMapping:
    try:
        return PRESETS[name]
    except KeyError:
        known = ", ".join(sorted(PRESETS))
        raise ForensicsInputError(
            "--preset", 0, "preset", f"unknown preset {name!r} (known: {known})"
        ) from None
