"""The observer's monitor behind `tallyroom audit watch`: every signed tree head seen is
kept in a state file, and each new one must be proven to extend the last."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx

from tallyroom.domain.tree_head import MalformedTreeHead, SignedTreeHead, proof_verifies


class MonitorError(Exception):
    """The server could not be read or the state file is damaged (not evidence of forgery)."""


class LogMonitor:
    def __init__(self, state: Path) -> None:
        self.state = state
        self.heads: list[SignedTreeHead] = []
        #: the tree-head keys seen first, pinned (trust on first use)
        self.keys: list[str] = []
        if state.exists():
            try:
                document = json.loads(state.read_text(encoding="utf-8"))
                self.keys = [str(key) for key in document["keys"]]
                self.heads = [SignedTreeHead.from_json(head) for head in document["heads"]]
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise MonitorError(f"{state}: not a monitor state file: {error}") from error

    def summary(self) -> str:
        if not self.heads:
            return "no signed tree head published yet"
        last = self.heads[-1]
        return (
            f"{len(self.heads)} head(s) kept; the log extends the head of "
            f"{last.tree_size:,} entries signed at {last.timestamp}"
        )

    def look(self, client: httpx.Client) -> dict[str, Any] | None:
        """Fetch the published heads and check the new ones; the evidence of an
        inconsistency, or None when every new head extends the last one kept."""
        published = self._get(client, "/api/v1/audit/heads", {})
        try:
            heads = [SignedTreeHead.from_json(head) for head in published["heads"]]
            keys = [str(key) for key in published["keys"]]
        except (MalformedTreeHead, KeyError, TypeError) as error:
            raise MonitorError(f"the server's heads are not readable: {error}") from error
        if not self.keys:
            self.keys = keys
        elif self.keys != keys[: len(self.keys)]:
            return self._evidence("the tree-head keys announced earlier were changed", keys=keys)
        for head in heads:
            evidence = self._check(client, head)
            if evidence is not None:
                return evidence
        self._save()
        return None

    def _check(self, client: httpx.Client, head: SignedTreeHead) -> dict[str, Any] | None:
        if not head.signature_is_valid() or head.key not in self.keys:
            return self._evidence("a head's signature is not by an announced key", head=head)
        last = self.heads[-1] if self.heads else None
        if last is None:
            self.heads.append(head)
            return None
        if head.tree_size < last.tree_size:
            # Heads arrive oldest first; an older one must be a head kept already.
            if head not in self.heads and any(
                kept.tree_size == head.tree_size and kept.root_hash != head.root_hash
                for kept in self.heads
            ):
                return self._evidence("two signed heads of one size differ", head=head)
            return None
        if head.tree_size == last.tree_size:
            if head.root_hash != last.root_hash:
                return self._evidence("two signed heads of one size differ", head=head)
            return None
        proof = self._get(
            client,
            "/api/v1/audit/consistency",
            {"first": last.tree_size, "second": head.tree_size},
        )
        nodes = proof.get("proof") if isinstance(proof, dict) else None
        if (
            not isinstance(nodes, list)
            or not all(isinstance(node, str) for node in nodes)
            or not proof_verifies(last, head, nodes)
        ):
            return self._evidence(
                "the new head does not extend the last one kept", head=head, proof=proof
            )
        self.heads.append(head)
        return None

    def _evidence(
        self,
        reason: str,
        *,
        head: SignedTreeHead | None = None,
        proof: Any = None,
        keys: list[str] | None = None,
    ) -> dict[str, Any]:
        self._save()
        return {
            "reason": reason,
            "kept": self.heads[-1].as_json() if self.heads else None,
            "published": None if head is None else head.as_json(),
            "consistency_proof": proof,
            "announced_keys": keys,
            "kept_keys": self.keys,
        }

    def _get(self, client: httpx.Client, path: str, params: dict[str, int]) -> Any:
        try:
            response = client.get(path, params=params)
        except httpx.HTTPError as error:
            raise MonitorError(f"{path}: {error}") from error
        if response.status_code != 200:
            raise MonitorError(f"{path}: HTTP {response.status_code}: {response.text[:200]}")
        try:
            return response.json()
        except ValueError as error:
            raise MonitorError(f"{path}: not JSON") from error

    def _save(self) -> None:
        document = {"keys": self.keys, "heads": [head.as_json() for head in self.heads]}
        partial = self.state.with_name(self.state.name + ".partial")
        partial.write_text(json.dumps(document, indent=1), encoding="utf-8")
        os.replace(partial, self.state)
