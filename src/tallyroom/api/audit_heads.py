"""The audit log's signed tree heads and consistency proofs, for observers' monitors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from tallyroom.api.openapi_contract import CONDITIONAL_READ, public_read
from tallyroom.api.public_results import database_read
from tallyroom.api.response_bodies import ConsistencyProofBody, SignedTreeHeadsBody
from tallyroom.api.runtime import runtime_of
from tallyroom.service.audit import audit_tree

router = APIRouter(prefix="/api/v1/audit", tags=["public"])

#: audit entries are numbered by 64-bit integers
LARGEST_TREE_SIZE = 2**63 - 1
TreeSize = Annotated[int, Query(ge=1, le=LARGEST_TREE_SIZE)]


@router.get(
    "/heads",
    summary="Every signed tree head of the audit log, oldest first",
    responses=public_read(SignedTreeHeadsBody, "the heads and the keys that signed them"),
    openapi_extra=CONDITIONAL_READ,
)
async def get_signed_heads(request: Request) -> Response:
    def heads(session: Session) -> dict[str, Any]:
        return {
            "keys": audit_tree.tree_head_keys(session),
            "heads": [head.as_json() for head in audit_tree.signed_heads(session)],
        }

    return await database_read(request, heads)


@router.get(
    "/consistency",
    summary="RFC 9162 proof that the log's first `second` entries extend its first `first`",
    responses=public_read(ConsistencyProofBody, "the proof", 400, 404, 422),
    openapi_extra=CONDITIONAL_READ,
)
async def get_consistency_proof(request: Request, first: TreeSize, second: TreeSize) -> Response:
    runtime = runtime_of(request)

    def proof(session: Session) -> dict[str, Any]:
        tree = runtime.log_tree.current(session)
        return audit_tree.consistency_proof(tree, first, second).as_json()

    return await database_read(request, proof)
