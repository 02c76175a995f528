from __future__ import annotations

from fractions import Fraction

from tallyroom.domain.electoral_systems.threshold import (
    PartyStanding,
    Standing,
    Threshold,
    ThresholdBase,
    apply_threshold,
)


def test_blank_votes_in_the_base_can_sink_a_party() -> None:
    votes = {"A": 970, "B": 30}
    without = apply_threshold(Threshold(Fraction(3)), votes, blank_votes=10)
    assert without.standings["B"] is Standing.PASSED
    with_blank = apply_threshold(
        Threshold(Fraction(3), base=ThresholdBase.PARTY_AND_BLANK_VOTES), votes, blank_votes=10
    )
    assert with_blank.base_votes == 1010
    assert with_blank.standings["B"] is Standing.BELOW


def test_exactly_at_the_line_passes() -> None:
    outcome = apply_threshold(Threshold(Fraction(5)), {"A": 95, "B": 5})
    assert outcome.standings["B"] is Standing.PASSED


def test_coalition_rate_exemption_and_waiver() -> None:
    votes = {"big": 8000, "coalition": 700, "minority": 10, "local": 200, "small": 300}
    parties = {
        "coalition": PartyStanding(coalition=True),
        "minority": PartyStanding(threshold_exempt=True),
        "local": PartyStanding(constituency_seats=3),
        "small": PartyStanding(constituency_seats=2),
    }
    threshold = Threshold(Fraction(5), coalition_percent=Fraction(8), waiver_constituency_seats=3)
    outcome = apply_threshold(threshold, votes, parties=parties)
    # 700 of 9210 is 7.6 %: enough for a party, not for a coalition.
    assert outcome.standings["coalition"] is Standing.BELOW
    assert outcome.required_percent["coalition"] == 8
    assert outcome.standings["minority"] is Standing.EXEMPT
    assert outcome.standings["local"] is Standing.WAIVED
    assert outcome.standings["small"] is Standing.BELOW
    assert outcome.passing == {"big", "minority", "local"}
