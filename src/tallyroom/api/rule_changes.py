"""POST /api/v1/rules: the commission adopts a new version of the control rules (a rules.yaml's
text and a reason); every protocol no person has decided is judged again under it
(service/protocols/rule_changes.py). A rules text that does not load is refused (422) with each
problem at its `rules.yaml:line`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import caller_of
from tallyroom.api.json_body import json_object
from tallyroom.api.openapi_contract import command, command_responses
from tallyroom.api.request_bodies import RuleSetChangeRequestBody, validated
from tallyroom.api.response_bodies import RuleSetChangeBody
from tallyroom.api.runtime import runtime_of
from tallyroom.definition.layout import RULES_FILE
from tallyroom.definition.problems import ProblemCollector
from tallyroom.definition.rules_file import MAXIMUM_RULES_FILE_BYTES, rules_of_text
from tallyroom.domain.rule_set import RuleSet
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.errors import InvalidInput
from tallyroom.service.protocols.rule_changes import RuleSetChange, change_rule_set

router = APIRouter(prefix="/api/v1", tags=["commission"])
#: the rules' text, JSON-escaped, and a reason
MAXIMUM_CHANGE_BYTES = 2 * MAXIMUM_RULES_FILE_BYTES


def parsed_rule_set(text: str) -> RuleSet:
    """The rule set of a rules.yaml's text, or InvalidInput `invalid_rules` naming the first
    problem as rules.yaml:line and listing them all."""
    problems = ProblemCollector()
    rule_set = rules_of_text(text.encode("utf-8"), problems, RULES_FILE)
    if rule_set is None or problems.problems:
        found = problems.problems
        raise InvalidInput(
            "invalid_rules",
            f"the rules do not load: {found[0]}" if found else "the rules do not load",
            problems=[
                {
                    "file": problem.file,
                    "line": problem.line,
                    "field": problem.field,
                    "message": problem.message,
                }
                for problem in found
            ],
        )
    return rule_set


@router.post(
    "/rules",
    summary="Adopt a new version of the control rules; undecided protocols are judged again",
    responses=command_responses({200: (RuleSetChangeBody, "in force")}, 413),
    openapi_extra=command(
        RuleSetChangeRequestBody, body="the rules.yaml text of the new version, and why"
    ),
)
async def post_rules(request: Request) -> JSONResponse:
    body = validated(
        RuleSetChangeRequestBody, await json_object(request, limit=MAXIMUM_CHANGE_BYTES)
    )

    def change(session: Session, principal: Principal) -> RuleSetChange:
        # Parsed once the caller is known to be the commission's: nobody else makes the
        # server read a rules file.
        principal.require_commission()
        return change_rule_set(
            session,
            principal=principal,
            rule_set=parsed_rule_set(body.rules_yaml),
            reason=body.reason,
        )

    outcome = await run_in_threadpool(runtime_of(request).command, caller_of(request), change)
    return JSONResponse(outcome.as_dict(), headers={"Cache-Control": "no-store"})
