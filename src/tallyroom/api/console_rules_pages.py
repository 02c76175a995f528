"""The console's rules page (/console/rules, the commission's members only): the rule set in
force, its version and each rule in the reader's language, and a form to adopt a new version
as rules.yaml text with a reason (and the session's CSRF token). It calls the same service
command as POST /api/v1/rules; a text that does not load is refused at its rules.yaml:line."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from tallyroom.api.acting_person import signed_in_person
from tallyroom.api.console_pages import CONSOLE, NO_STORE, console_page, form_fields, render_page
from tallyroom.api.rule_changes import parsed_rule_set
from tallyroom.api.runtime import runtime_of
from tallyroom.definition.rules_file import rules_yaml
from tallyroom.service.definition.credentials import Principal
from tallyroom.service.errors import InvalidInput
from tallyroom.service.protocols.election_rules import election_rule_set
from tallyroom.service.protocols.rule_changes import RULES_CHANGED, change_rule_set

RULES = f"{CONSOLE}/rules"
LONGEST_REASON = 2_000


def _rules_view(session: Session, principal: Principal) -> dict[str, Any]:
    principal.require_commission()
    rule_set = election_rule_set(session, principal.election_id)
    return {
        "rule_set": rule_set,
        "rules_text": rules_yaml(rule_set),
        "history": f"{CONSOLE}/audit?action={RULES_CHANGED}",
    }


def console_rules_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(RULES)
    @console_page
    async def rules_page(request: Request) -> Response:
        person = await signed_in_person(request)
        view = await run_in_threadpool(
            runtime_of(request).read, lambda session: _rules_view(session, person.principal)
        )
        parameters = request.query_params
        done = None
        if parameters.get("version"):
            done = {
                "version": parameters["version"][:64],
                "reexamined": parameters.get("reexamined", "0")[:9],
                "changed": parameters.get("changed", "0")[:9],
            }
        return await render_page(request, "console/rules.html", person=person, done=done, **view)

    @router.post(RULES)
    @console_page
    async def change_rules_form(request: Request) -> Response:
        fields = await form_fields(request)
        person = await signed_in_person(request, fields.get("csrf_token", ""))
        text = fields.get("rules_yaml", "")
        reason = fields.get("reason", "")
        if len(reason) > LONGEST_REASON:
            raise InvalidInput(
                "reason_too_long", f"a reason is at most {LONGEST_REASON} characters"
            )

        def change(session: Session) -> dict[str, Any]:
            # the role first: nobody else makes the server read a rules file
            person.principal.require_commission()
            return change_rule_set(
                session,
                principal=person.principal,
                rule_set=parsed_rule_set(text),
                reason=reason,
            ).as_dict()

        outcome = await run_in_threadpool(runtime_of(request).write, change)
        done = {
            "version": outcome["version"],
            "reexamined": outcome["reexamined"],
            "changed": len(outcome["status_changed"]),
        }
        return RedirectResponse(f"{RULES}?{urlencode(done)}", status_code=303, headers=NO_STORE)

    return router
