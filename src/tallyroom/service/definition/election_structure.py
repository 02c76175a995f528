"""What stays fixed through polling day once an election is loaded: which candidates stand
where, their ids, and each constituency's contest. Read once per command, or once per server.
The rule set is not part of it: the commission may change it mid-election, so each
submitting transaction reads it (election_rules.rule_set_for_judging)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tallyroom.domain.candidate import CandidateStatus
from tallyroom.domain.contest import contest_code
from tallyroom.domain.election import ContestKind
from tallyroom.store.schema import CandidateRow, ConstituencyRow, ContestRow, ElectionRow, PartyRow


@dataclass(slots=True)
class ElectionStructure:
    id: int
    code: str
    #: constituency id → codes of the candidates standing there
    standing: dict[int, frozenset[str]]
    #: (constituency id, candidate code) → candidate id
    candidate_ids: dict[tuple[int, str], int]
    #: constituency id → contest id
    contest_ids: dict[int, int]
    #: constituency id → the contest's id in protocol documents (domain/contest.py)
    contest_codes: dict[int, str] = field(default_factory=dict)
    #: the parties on the party-list ballot; None when the election has no list contest
    list_parties: frozenset[str] | None = None
    #: the election's parties and the constituencies (ids) whose contest is a district list
    #: contest, where the party-list ballot is the contest's own
    parties: frozenset[str] = frozenset()
    district_lists: frozenset[int] = frozenset()

    def ballot_parties(self, constituency_id: int) -> frozenset[str] | None:
        """The parties on a station's party-list ballot (the national list contest's or its
        district list contest's), None when it has none."""
        if constituency_id in self.district_lists:
            return self.parties
        return self.list_parties

    def district_ballot(self, constituency_id: int) -> frozenset[str] | None:
        """The parties on a district list contest's ballot (its protocols are judged by
        them), None where the constituency's contest is not a district list contest."""
        return self.parties if constituency_id in self.district_lists else None

    @classmethod
    def load(cls, session: Session, election_id: int) -> ElectionStructure:
        election = session.get_one(ElectionRow, election_id)
        standing: dict[int, set[str]] = defaultdict(set)
        candidate_ids: dict[tuple[int, str], int] = {}
        for candidate_id, constituency_id, code, status in session.execute(
            select(
                CandidateRow.id,
                CandidateRow.constituency_id,
                CandidateRow.code,
                CandidateRow.status,
            ).where(CandidateRow.election_id == election.id)
        ).tuples():
            candidate_ids[(constituency_id, code)] = candidate_id
            if status == CandidateStatus.REGISTERED.value:
                standing[constituency_id].add(code)
        contest_ids = dict(
            session.execute(
                select(ContestRow.constituency_id, ContestRow.id).where(
                    ContestRow.election_id == election.id
                )
            )
            .tuples()
            .all()
        )
        return cls(
            id=election.id,
            code=election.code,
            standing=defaultdict(
                frozenset, {key: frozenset(codes) for key, codes in standing.items()}
            ),
            candidate_ids=candidate_ids,
            contest_ids=contest_ids,
            contest_codes={
                constituency_id: contest_code(number)
                for constituency_id, number in session.execute(
                    select(ConstituencyRow.id, ConstituencyRow.number).where(
                        ConstituencyRow.election_id == election.id
                    )
                ).tuples()
            },
            list_parties=list_parties(session, election),
            parties=_parties(session, election.id),
            district_lists=district_list_constituencies(session, election.id),
        )


def _parties(session: Session, election_id: int) -> frozenset[str]:
    return frozenset(
        session.scalars(select(PartyRow.short_name).where(PartyRow.election_id == election_id))
    )


def district_list_constituencies(session: Session, election_id: int) -> frozenset[int]:
    """The constituencies (ids) whose contest is a district list contest."""
    return frozenset(
        constituency_id
        for constituency_id, kind in session.execute(
            select(ContestRow.constituency_id, ContestRow.kind).where(
                ContestRow.election_id == election_id
            )
        ).tuples()
        if ContestKind(kind).is_list
    )


def list_parties(
    session: Session, election: ElectionRow, constituency_id: int | None = None
) -> frozenset[str] | None:
    """The parties on the party-list ballot (every party of the election), or None when the
    election has no list contest (nor, for `constituency_id`, a district list contest)."""
    if not election.list_contest and (
        constituency_id is None
        or constituency_id not in district_list_constituencies(session, election.id)
    ):
        return None
    return _parties(session, election.id)


def district_list_ballots(session: Session, election_id: int) -> dict[int, frozenset[str]]:
    """The parties on each district list contest's ballot, by constituency id: protocols of
    those constituencies are judged by their ballot's votes."""
    districts = district_list_constituencies(session, election_id)
    if not districts:
        return {}
    parties = _parties(session, election_id)
    return dict.fromkeys(districts, parties)
