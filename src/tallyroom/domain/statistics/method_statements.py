"""What each integrity method assumes and what it cannot tell, one plain sentence each: the
report prints them beside the figures (the site translates them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MethodStatement:
    #: the null hypothesis the figure is measured against
    null: str
    #: what a reader must not conclude from the figure
    caveat: str


STATEMENTS: dict[str, MethodStatement] = {
    "integer_percent_excess": MethodStatement(
        null=(
            "Null: each station's counts are redrawn binomially at its own size and rates, "
            "so integer percentages turn up only as often as arithmetic makes them."
        ),
        caveat=(
            "An excess shows that some protocols were written to round figures, not which "
            "ones or by how many votes."
        ),
    ),
    "fingerprint": MethodStatement(
        null=(
            "Null: turnout and winner share vary independently from station to station, "
            "as at the stations where the other figure is at most its median."
        ),
        caveat=(
            "A genuine link between turnout and support for the winner also raises f_i; "
            "f_e counts stations where nearly everyone voted, nearly all for the winner."
        ),
    ),
    "distribution": MethodStatement(
        null=(
            "Null: as many stations lie within 0.25 points of each multiple of five per cent "
            "as the neighbouring values predict."
        ),
        caveat=(
            "Small stations hit round figures by arithmetic alone; turnout above the register "
            "is a registration question, not fraud."
        ),
    ),
    "last_digit": MethodStatement(
        null=(
            "Null: the last digits of vote counts of 10 or more are as frequent as in the "
            "same counts redrawn binomially at each station's size and rates."
        ),
        caveat="Digits are weak evidence: a clean election can fail and a forged one pass.",
    ),
    "second_digit_benford": MethodStatement(
        null=(
            "Null: the second digits of vote counts of 10 or more are as frequent as in the "
            "same counts redrawn binomially at each station's size and rates."
        ),
        caveat=(
            "Station counts need not follow Benford's law even when clean; the Benford "
            "p-value is shown for comparison only."
        ),
    ),
    "monitoring": MethodStatement(
        null=(
            "Null: monitored and unmonitored stations of the same constituency have the "
            "same turnout and leader share."
        ),
        caveat=(
            "Monitors were not placed at random, so a difference may come from where they "
            "went rather than from what they prevented."
        ),
    ),
    "exit_poll": MethodStatement(
        null="Null: the official leader share equals the exit poll's, up to its sampling error.",
        caveat="Exit polls have their own biases, such as voters who decline to answer.",
    ),
    "turnout_jump": MethodStatement(
        null=(
            "Null: the ballots cast at a station exceed its last hourly report by about "
            "as much as at the other stations of its constituency."
        ),
        caveat="A late rush of voters also makes a jump; a flag is a reason to look.",
    ),
    "poll_book": MethodStatement(
        null=(
            "Null: where a poll book was used, the ballots a station issued match the voters "
            "it checked in, within 1 % of the larger figure."
        ),
        caveat=(
            "A desk's slip or a voter who left without the ballot makes a small difference; "
            "a poll book's own records can be wrong too. A double vote is the record of two "
            "check-ins, not proof of two ballots."
        ),
    ),
}

NO_EXIT_POLL = "no exit-poll estimates in the data"
NO_TURNOUT_REPORTS = "no hourly turnout reports in the data"
NO_POLL_BOOK = "no station in the data used a poll book"
NO_MONITORING = "no webcam, exit-poll or observer columns in the data"
NO_REGISTER_FOR_TURNOUT = "no registered voters in the data: turnout is undefined"
