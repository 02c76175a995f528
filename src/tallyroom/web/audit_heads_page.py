"""The audit log's signed tree heads on the public site: the commission's tree-head keys
with their fingerprints and the latest signed heads (size, root hash, time, signature)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tallyroom.domain.tree_head import key_fingerprint
from tallyroom.service.audit import audit_tree
from tallyroom.web.database_source import DatabaseResultsSource
from tallyroom.web.page import Page, Table
from tallyroom.web.results_source import ResultsSource

#: heads shown on the page; the API (/api/v1/audit/heads) and a snapshot hold every one
HEADS_SHOWN = 50


@dataclass(frozen=True, slots=True)
class TreeHeadKeyView:
    public_key: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class SignedHeadView:
    tree_size: int
    root_hash: str
    #: ISO 8601 UTC, exactly as signed
    timestamp: str
    #: the same moment, for the page's local time
    signed_at: datetime | None
    signature: str
    key: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class AuditHeadsView:
    keys: tuple[TreeHeadKeyView, ...]
    #: newest first, at most HEADS_SHOWN
    heads: tuple[SignedHeadView, ...]
    heads_total: int

    @property
    def version(self) -> str:
        """What the page shows, in a few characters: its validator (a new head changes it,
        whether or not a result changed)."""
        latest = self.heads[0].tree_size if self.heads else 0
        return f"{len(self.keys)}-{self.heads_total}-{latest}"


def audit_heads_page(source: ResultsSource) -> Page:
    view = AuditHeadsView((), (), 0)
    if isinstance(source, DatabaseResultsSource):
        with source.sessions() as session:
            keys = audit_tree.tree_head_keys(session)
            heads, total = audit_tree.latest_heads(session, HEADS_SHOWN)
        view = AuditHeadsView(
            tuple(TreeHeadKeyView(key, key_fingerprint(key)) for key in keys),
            tuple(
                SignedHeadView(
                    head.tree_size,
                    head.root_hash,
                    head.timestamp,
                    _moment(head.timestamp),
                    head.signature,
                    head.key,
                    key_fingerprint(head.key),
                )
                for head in heads
            ),
            total,
        )
    return Page(
        template="audit_heads.html",
        data=view,
        tables={
            "heads": Table(
                ("tree_size", "root_hash", "timestamp", "key", "key_fingerprint", "signature"),
                tuple(
                    (h.tree_size, h.root_hash, h.timestamp, h.key, h.fingerprint, h.signature)
                    for h in view.heads
                ),
            )
        },
    )


def _moment(timestamp: str) -> datetime | None:
    try:
        return datetime.fromisoformat(timestamp)
    except ValueError:
        return None
