"""The audit log's signed tree heads and consistency proofs, for observers' monitors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from tallyroom.api.runtime import runtime_of
from tallyroom.service import audit_tree

router = APIRouter(prefix="/api/v1/audit", tags=["public"])


@router.get("/heads", summary="Every signed tree head of the audit log, oldest first")
async def get_signed_heads(request: Request) -> dict[str, Any]:
    runtime = runtime_of(request)

    def heads(session: Session) -> dict[str, Any]:
        return {
            "keys": audit_tree.tree_head_keys(session),
            "heads": [head.as_json() for head in audit_tree.signed_heads(session)],
        }

    return await run_in_threadpool(runtime.read, heads)


@router.get(
    "/consistency",
    summary="RFC 9162 proof that the log's first `second` entries extend its first `first`",
)
async def get_consistency_proof(
    request: Request, first: int = Query(..., ge=1), second: int = Query(..., ge=1)
) -> dict[str, Any]:
    runtime = runtime_of(request)

    def proof(session: Session) -> dict[str, Any]:
        tree = runtime.log_tree.current(session)
        return audit_tree.consistency_proof(tree, first, second).as_json()

    return await run_in_threadpool(runtime.read, proof)
